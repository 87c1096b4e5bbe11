"""Suggestions are queued only once the article's transaction commits: an article rolled back
never reaches the broker, and a committed one does only after its commit."""

import pytest
from django.db import transaction

from annotations import services
from annotations.models import Article, SuggestionRun
from newsdesk.celery import app as celery_app

BODY = "The mayor spoke on Monday. “We will rebuild the bridge,” Maria Lopez said at the site."


class Abort(Exception):
    pass


@pytest.fixture
def published(monkeypatch):
    """Every task the app would send to the broker, as (name, args), instead of sending it."""
    sent = []

    def send_task(name, args=None, kwargs=None, **options):
        sent.append((name, [args, kwargs]))

    monkeypatch.setattr(celery_app, "send_task", send_task)
    return sent


def names_article(sent, article_id) -> bool:
    def ints(value):
        if isinstance(value, int):
            yield value
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from ints(item)
        elif isinstance(value, dict):
            for item in value.values():
                yield from ints(item)

    return any(article_id in ints(args) for _, args in sent)


@pytest.mark.django_db(transaction=True)
def test_an_article_rolled_back_queues_nothing(published):
    with pytest.raises(Abort):
        with transaction.atomic():
            services.article_create(body=BODY)
            raise Abort
    assert published == []
    assert not Article.objects.exists() and not SuggestionRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_body_edit_rolled_back_queues_nothing(published):
    article = services.article_create(body=BODY)
    published.clear()
    with pytest.raises(Abort):
        with transaction.atomic():
            services.article_update(article=article, body=BODY + " More.")
            raise Abort
    assert published == []
    article.refresh_from_db()
    assert article.revision == 1


@pytest.mark.django_db(transaction=True)
def test_a_committed_article_is_queued_after_its_commit(published):
    with transaction.atomic():
        article = services.article_create(body=BODY)
        assert published == []  # not while the transaction could still roll back
    assert names_article(published, article.id), published
