"""The suggestion pipeline: pending runs recorded with the article, claimed and stored once,
never undoing an editor; with a real Celery worker and broker where the worker matters."""

import pytest
from django.db import connection

from annotations import pipeline, services, suggest
from annotations.models import Article, Origin, Quote, Status, SuggestionRun
from tests.conftest import wait_for

BODY = (
    "The mayor spoke on Monday. “We will rebuild the bridge,” Maria Lopez said at the site.\n\n"
    "Critics were unconvinced. “This is a waste of money,” John Carter told reporters."
)
State = SuggestionRun.State


def done_run(article):
    return SuggestionRun.objects.filter(
        article=article, revision=article.revision, status=State.DONE
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


@pytest.mark.django_db
def test_the_need_is_stored_with_the_article_and_rolls_back_with_it():
    from django.db import transaction

    article = services.article_create(body=BODY)
    assert SuggestionRun.objects.get(article=article).status == State.PENDING
    with pytest.raises(RuntimeError), transaction.atomic():
        services.article_create(body=BODY + " Rolled back.", url="https://example.org/rolled-back")
        raise RuntimeError("the request failed after the write")
    assert not Article.objects.filter(url="https://example.org/rolled-back").exists()
    assert SuggestionRun.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_body_edit_replaces_only_the_engines_undecided_rows(celery_worker):
    article = services.article_create(body=BODY)
    wait_for(lambda: done_run(article))
    first, second = Quote.objects.filter(article=article).order_by("start")
    first.status = Status.ACCEPTED
    first.save()

    services.article_update(article=article, body=BODY + "\n\nLater, “it is done,” Maria Lopez said.")
    assert article.revision == 2
    run = wait_for(lambda: done_run(article))
    assert run.revision == 2
    after = {q.start: q for q in Quote.objects.filter(article=article)}
    assert after[first.start].pk == first.pk and after[first.start].status == Status.ACCEPTED
    # The undecided suggestion was replaced by the new pass's own (a new row, same span).
    assert after[second.start].pk != second.pk and after[second.start].status == Status.SUGGESTED
    assert not Quote.objects.filter(pk=second.pk).exists()
    assert sorted(q.exact for q in after.values() if q.status == Status.SUGGESTED) == [
        "“This is a waste of money,”", "“it is done,”"]
    assert Quote.objects.filter(article=article).count() == 3


@pytest.mark.django_db
def test_a_rejected_or_accepted_span_is_not_suggested_again_even_when_shifted():
    article = services.article_create(body=BODY)
    pipeline.drain()
    first, second = Quote.objects.filter(article=article).order_by("start")
    services.quote_review(quote=second, user=None, status=Status.REJECTED)
    # The editor's own version of the first quote, a few characters wider: IoU >= 0.5.
    first.delete()
    services.quote_create(article=article, user=None, start=first.start - 4, end=first.end,
                          text=article.body[first.start - 4:first.end])
    services.article_update(article=article, body=BODY + " Nothing more.")
    pipeline.drain()
    assert done_run(article).quotes == 0
    assert not Quote.objects.filter(article=article, status=Status.SUGGESTED).exists()


@pytest.mark.django_db(transaction=True)
def test_duplicate_wakeups_and_redeliveries_store_a_pass_once(celery_worker):
    article = services.article_create(body=BODY)
    run = wait_for(lambda: done_run(article))
    ids_before = set(Quote.objects.filter(article=article).values_list("id", flat=True))
    assert pipeline.wake(count=3) == 3  # as if messages were redelivered after a crash
    wait_for(lambda: pipeline.status()["pending"] == 0)
    assert pipeline.drain() == (0, False)
    assert list(SuggestionRun.objects.filter(article=article)) == [run]
    assert set(Quote.objects.filter(article=article).values_list("id", flat=True)) == ids_before


@pytest.mark.django_db
def test_a_stale_revision_is_superseded_and_the_current_one_runs():
    article = services.article_create(body=BODY)
    services.article_update(article=article, body=BODY + " More.")
    assert pipeline.drain() == (2, False)
    states = dict(SuggestionRun.objects.values_list("revision", "status"))
    assert states == {1: State.SUPERSEDED, 2: State.DONE}


@pytest.mark.django_db
def test_an_engine_failure_fails_only_that_article_and_can_be_requeued(monkeypatch):
    bad = services.article_create(body="Boom. " + BODY)
    good = services.article_create(body=BODY)
    real = suggest.suggest

    def flaky(text):
        if text.startswith("Boom."):
            raise RuntimeError("engine exploded")
        return real(text)

    monkeypatch.setattr(suggest, "suggest", flaky)
    pipeline.drain()
    failed = SuggestionRun.objects.get(article=bad)
    assert failed.status == State.FAILED and "engine exploded" in failed.error
    assert done_run(good).quotes == 2
    assert pipeline.status()["failed_by_reason"] == {"RuntimeError": 1}
    # Nothing retries a deterministic failure by itself; an admin can, once it is fixed.
    assert pipeline.reconcile()["recorded"] == 0
    monkeypatch.setattr(suggest, "suggest", real)
    assert pipeline.requeue(failed=True) == 1
    pipeline.drain()
    assert done_run(bad).quotes == 2


@pytest.mark.django_db
def test_one_articles_bad_output_does_not_fail_the_chunk(monkeypatch):
    from annotations.suggest import QuoteSuggestion, Suggestions

    bad = services.article_create(body="Short. " + BODY)
    good = services.article_create(body=BODY)
    real = suggest.suggest

    def out_of_range(text):
        if text.startswith("Short."):  # offsets past the end break a database constraint
            return Suggestions(engine_version="x", quotes=[QuoteSuggestion(5, 3, "", "direct", 0.5)])
        return real(text)

    monkeypatch.setattr(suggest, "suggest", out_of_range)
    pipeline.drain()
    assert SuggestionRun.objects.get(article=bad).status == State.FAILED
    assert done_run(good).quotes == 2


@pytest.mark.django_db(transaction=True)
def test_the_reconciler_records_what_was_written_around_the_services(celery_worker):
    # A row written by SQL (or by an older release) has no pending run: the reconciler adds it.
    article = Article.objects.create(title="t", body=BODY, body_sha256="0" * 64)
    assert not SuggestionRun.objects.filter(article=article).exists()
    assert pipeline.reconcile()["recorded"] == 1
    wait_for(lambda: done_run(article))
    assert pipeline.reconcile() == {"recorded": 0, "woken": 0}


@pytest.mark.django_db
def test_status_counts_and_the_command(capsys):
    from django.core.management import call_command

    services.article_create(body=BODY)
    services.article_create(body=BODY + " Two.")
    state = pipeline.status()
    assert (state["pending"], state["running"], state["done"]) == (2, 0, 0)
    assert state["oldest_pending_seconds"] >= 0
    pipeline.drain()
    call_command("suggestions", "status")
    out = capsys.readouterr().out
    assert "pending     0" in out and "done        2" in out and "oldest pending: -" in out


@pytest.mark.django_db(transaction=True)
def test_a_run_being_stored_counts_as_running():
    import threading

    services.article_create(body=BODY)
    locked, release = threading.Event(), threading.Event()

    def hold():
        from django.db import connections, transaction

        with transaction.atomic():
            list(SuggestionRun.objects.select_for_update().filter(status=State.PENDING))
            locked.set()
            release.wait(10)
        connections.close_all()

    worker = threading.Thread(target=hold)
    worker.start()
    locked.wait(10)
    try:
        assert pipeline.status()["running"] == 1
        assert pipeline.drain() == (0, False)  # claimed by the other transaction: skipped
    finally:
        release.set()
        worker.join()
    assert connection.vendor == "postgresql"


def lopez_speaks_and_endorses(*targets):
    """A stand-in suggester: Maria Lopez's quote (named with her alias) and her endorsements of
    each (polarity, target speaker), as the learned suggester describes them."""
    from annotations.suggest import EndorsementSuggestion, QuoteSuggestion, Speaker, Suggestions

    said = BODY.index("“We will")

    def suggest_(text):
        return Suggestions(engine_version="x", quotes=[QuoteSuggestion(
            said, said + 26, BODY[said:said + 26], "direct", 0.8,
            speaker=Speaker("Maria Lopez", aliases=("Lopez",)), speaker_start=said + 28, speaker_end=said + 39)],
            endorsements=[EndorsementSuggestion(
                endorser=Speaker("Maria Lopez"), polarity=polarity, start=0, end=len(BODY), text=BODY,
                confidence=0.6, target=target) for polarity, target in targets])
    return suggest_


@pytest.mark.django_db
def test_an_endorser_who_also_speaks_is_one_party_however_the_engine_describes_it(monkeypatch):
    # The learned suggester names a quote's speaker with its aliases ("Lopez" said ...) and an
    # endorser by name alone: both are the one Maria Lopez, and the endorsement is kept.
    from annotations.models import Endorsement
    from annotations.suggest import Speaker

    monkeypatch.setattr(suggest, "suggest", lopez_speaks_and_endorses(("opposes", Speaker("John Carter"))))
    article = services.article_create(body=BODY)
    pipeline.drain()
    [quote] = Quote.objects.filter(article=article)
    [endorsement] = Endorsement.objects.filter(article=article)
    assert endorsement.endorser_id == quote.speaker_id and endorsement.endorser.name == "Maria Lopez"
    assert endorsement.target.name == "John Carter" and done_run(article).endorsements == 1


@pytest.mark.django_db
def test_two_names_of_one_speaker_are_no_endorsement_of_oneself(monkeypatch):
    from annotations.models import Endorsement
    from annotations.suggest import Speaker

    monkeypatch.setattr(suggest, "suggest", lopez_speaks_and_endorses(
        ("supports", Speaker("Maria Lopez", aliases=("Lopez",))), ("opposes", Speaker("John Carter"))))
    article = services.article_create(body=BODY)
    pipeline.drain()
    [endorsement] = Endorsement.objects.filter(article=article)
    assert (endorsement.endorser.name, endorsement.target.name) == ("Maria Lopez", "John Carter")
    assert done_run(article).endorsements == 1


@pytest.mark.django_db
def test_an_interrupted_chunk_leaves_its_runs_pending_and_counts_the_attempt(monkeypatch):
    from django.db import OperationalError

    article = services.article_create(body=BODY)
    real = pipeline.entities_resolve

    def connection_lost(**kwargs):  # the server goes away while the chunk is being stored
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(pipeline, "entities_resolve", connection_lost)
    with pytest.raises(OperationalError):
        pipeline.drain()
    run = SuggestionRun.objects.get(article=article)
    assert (run.status, run.attempts) == (State.PENDING, 1)
    assert run.error.startswith("interrupted: OperationalError")
    assert not Quote.objects.filter(article=article).exists()
    monkeypatch.setattr(pipeline, "entities_resolve", real)
    pipeline.drain()
    run.refresh_from_db()
    assert (run.status, run.error, run.quotes) == (State.DONE, "", 2)


@pytest.mark.django_db
def test_a_pass_keeps_the_suggestions_an_editors_endorsement_points_at(monkeypatch):
    """An editor's endorsement whose evidence is a suggested quote, responding to a suggested
    endorsement: a new pass (here after a correction) must not cut those links by replacing
    the suggestions, nor suggest them twice."""
    from annotations.models import Endorsement
    from annotations.suggest import Speaker

    monkeypatch.setattr(suggest, "suggest", lopez_speaks_and_endorses(("opposes", Speaker("John Carter"))))
    article = services.article_create(body=BODY)
    pipeline.drain()
    [quote] = Quote.objects.filter(article=article, status=Status.SUGGESTED)
    [suggested] = Endorsement.objects.filter(article=article, status=Status.SUGGESTED)
    mine = services.endorsement_create(article=article, user=None, endorser=quote.speaker, target_text="the bridge",
                                       polarity="supports", evidence=quote, responds_to=suggested)
    services.article_update(article=article, body=BODY + " Nothing more.")
    pipeline.drain()
    mine.refresh_from_db()
    assert (mine.evidence_id, mine.responds_to_id) == (quote.id, suggested.id)
    assert list(Quote.objects.filter(article=article)) == [quote]  # kept, and not suggested again
    assert set(Endorsement.objects.filter(article=article)) == {mine, suggested}
    assert done_run(article).quotes == 0


@pytest.mark.django_db
def test_a_correction_keeps_what_changed_since_the_article_was_read():
    """An import with --update reads the stored articles first and corrects them one by one,
    minutes later on a big file: a title, an outlet or the review state changed meanwhile stays."""
    article = services.article_create(body=BODY, title="Old title")
    stale, staler = Article.objects.get(pk=article.pk), Article.objects.get(pk=article.pk)
    services.article_mark_done(article=article, user=None)
    services.article_update(article=Article.objects.get(pk=article.pk), title="New title", outlet="Daily Planet")
    services.article_update(article=staler, outlet="The Planet")
    assert Article.objects.get(pk=article.pk).review == Article.Review.DONE
    services.article_update(article=stale, body=BODY + " A correction.")
    now = Article.objects.get(pk=article.pk)
    # The done state was no part of the stale copy's write: the correction of a done text reopened it.
    assert (now.title, now.outlet, now.review) == ("New title", "The Planet", Article.Review.NEEDS_REVIEW)
    assert now.body.endswith("A correction.") and now.revision == 2 == stale.revision
