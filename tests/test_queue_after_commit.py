"""Suggestions are queued only once the article's transaction commits: an article rolled back
leaves no pending run and wakes no worker, and a committed one wakes a worker after its commit."""

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
    # The need is the article's pending run; the message only wakes a worker to claim it.
    assert [name for name, _ in published] == ["annotations.tasks.suggestions_drain"]
    assert SuggestionRun.objects.get(article=article).status == SuggestionRun.State.PENDING
