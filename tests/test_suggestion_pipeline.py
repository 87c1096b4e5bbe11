"""The suggestion pipeline end to end, with a real Celery worker and broker."""

import pytest

from annotations import services, suggest
from annotations.models import Origin, Quote, Status, SuggestionRun
from tests.conftest import wait_for

BODY = (
    "The mayor spoke on Monday. “We will rebuild the bridge,” Maria Lopez said at the site.\n\n"
    "Critics were unconvinced. “This is a waste of money,” John Carter told reporters."
)


def done_run(article):
    return SuggestionRun.objects.filter(
        article=article, revision=article.revision, status=SuggestionRun.State.DONE
    ).first()


@pytest.mark.django_db(transaction=True)
def test_creating_an_article_gets_suggestions_from_the_worker(celery_worker):
    article = services.article_create(body=BODY, outlet="Example Times")
    run = wait_for(lambda: done_run(article))
    assert run.engine_version == suggest.ENGINE_VERSION
    quotes = list(Quote.objects.filter(article=article).select_related("speaker"))
    assert run.quotes == len(quotes) == 2
    for quote in quotes:
        assert quote.status == Status.SUGGESTED and quote.origin == Origin.ENGINE
        assert article.body[quote.start : quote.end] == quote.exact
    assert {q.speaker.name for q in quotes} == {"Maria Lopez", "John Carter"}


@pytest.mark.django_db(transaction=True)
def test_body_edit_queues_a_new_revision_and_keeps_editor_decisions(celery_worker):
    article = services.article_create(body=BODY)
    wait_for(lambda: done_run(article))
    first, second = Quote.objects.filter(article=article).order_by("start")
    first.status = Status.ACCEPTED
    first.save()
    second.status = Status.REJECTED
    second.save()

    services.article_update(article=article, body=BODY + "\n\nLater, “it is done,” Maria Lopez said.")
    assert article.revision == 2
    run = wait_for(lambda: done_run(article))
    assert run.revision == 2
    by_start = {q.start: q for q in Quote.objects.filter(article=article)}
    # The accepted and the rejected quote are untouched and not suggested twice.
    assert by_start[first.start].status == Status.ACCEPTED
    assert by_start[second.start].status == Status.REJECTED
    assert Quote.objects.filter(article=article, start=second.start).count() == 1
    new = [q for q in by_start.values() if q.status == Status.SUGGESTED]
    assert [q.exact for q in new] == ['“it is done,”']


@pytest.mark.django_db(transaction=True)
def test_a_run_happens_once_per_revision_and_engine_version(celery_worker):
    from annotations.tasks import suggest_article

    article = services.article_create(body=BODY)
    run = wait_for(lambda: done_run(article))
    ids_before = set(Quote.objects.filter(article=article).values_list("id", flat=True))
    # A redelivered or duplicated task (acks_late) changes nothing.
    suggest_article.delay(article.id, article.revision)
    suggest_article.delay(article.id, article.revision)
    again = services.suggestion_run_execute(article_id=article.id, revision=article.revision)
    assert again.pk == run.pk
    assert SuggestionRun.objects.filter(article=article).count() == 1
    assert set(Quote.objects.filter(article=article).values_list("id", flat=True)) == ids_before


@pytest.mark.django_db
def test_a_stale_revision_is_skipped():
    article = services.article_create(body=BODY, suggest_after=False)
    services.article_update(article=article, body=BODY + " More.")
    assert services.suggestion_run_execute(article_id=article.id, revision=1) is None
    assert not SuggestionRun.objects.exists()


@pytest.mark.django_db
def test_engine_failure_is_recorded(monkeypatch):
    article = services.article_create(body=BODY, suggest_after=False)

    def broken(text):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(suggest, "suggest", broken)
    with pytest.raises(RuntimeError):
        services.suggestion_run_execute(article_id=article.id, revision=1)
    run = SuggestionRun.objects.get(article=article)
    assert run.status == SuggestionRun.State.FAILED
    assert "engine exploded" in run.error
