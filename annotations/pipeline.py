"""The suggestion pipeline: recording the need for a pass, waking workers, claiming and
storing passes, reconciling. Queueing and reconciling live here and nowhere else.

The need for a pass is a pending SuggestionRun row written in the article's own
transaction (an outbox). A broker message only wakes a worker, which claims pending runs
with FOR UPDATE SKIP LOCKED, runs the engine and stores the suggestions in the same
transaction that marks the runs done. A killed worker, a lost message or a database that
went away mid-pass leaves the runs pending, and the reconciler (Celery beat, and every
worker at start) wakes workers again while any are. A pass never touches what an editor
decided: it locks the article rows first, the same lock an editor's accept or reject takes,
and replaces only rows that are still engine suggestions when it holds that lock.
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, DataError, IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Count, F, Min
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from annotations import suggest
from annotations.models import Article, Endorsement, Origin, Quote, Status, SuggestionRun
from annotations.speakers import entities_resolve
from annotations.suggesters import active_version, suggester_for, suggester_problem
from annotations.text import iou, selector

log = logging.getLogger(__name__)
State = SuggestionRun.State


# --- Recording the need, waking workers --------------------------------------------------


def runs_record(*, revisions: list[tuple[int, int]]) -> None:
    """Record, in the caller's transaction, that these (article id, revision) pairs need a
    pass of the current engine; wake workers once it commits."""
    if not revisions:
        return
    engine = active_version()
    SuggestionRun.objects.bulk_create(
        [SuggestionRun(article_id=a, revision=r, engine_version=engine) for a, r in revisions],
        ignore_conflicts=True,
    )
    chunks = -(-len(revisions) // settings.SUGGEST_CHUNK)
    wake_after_commit(count=min(chunks, settings.SUGGEST_WAKEUPS))


def wake_after_commit(*, count: int = 1) -> None:
    transaction.on_commit(lambda: wake(count=count))


def wake(*, count: int = 1) -> int:
    """Send `count` wake-up messages; returns how many went. A broker that is down is logged,
    not raised: the runs are stored, and the reconciler wakes workers once it is back."""
    from annotations.tasks import suggestions_drain

    for sent in range(count):
        try:
            suggestions_drain.apply_async(retry=False)
        except Exception as exc:  # kombu raises many kinds; none may fail a stored write
            log.warning("could not wake a suggestion worker (%s: %s); the reconciler will retry",
                        type(exc).__name__, exc)
            return sent
    return count


def runs_record_missing() -> int:
    """Record a pending run for every article still needing review whose current revision has
    no run of the current engine (or active model): articles written around the services, or
    before an engine upgrade or a model's activation. Articles marked done are left as they are."""
    # The NOT EXISTS spares the reconciler, which runs this often, an insert attempt (and a
    # sequence value) per article that has its run already.
    return _record_runs("""AND NOT EXISTS (
        SELECT 1 FROM annotations_suggestionrun r
        WHERE r.article_id = a.id AND r.revision = a.revision AND r.engine_version = %(engine)s)""", "DO NOTHING")


def runs_refresh() -> int:
    """A fresh pass of the active engine for every article still needing review, after an
    activation or a rollback: recorded where that engine never ran on the current revision,
    and made pending again where it did (the model was active before, or these are the rules
    again), so the articles show the suggestions of the engine that is active now."""
    return _record_runs("", """(article_id, revision, engine_version) DO UPDATE
        SET status = 'pending', attempts = 0, error = '', queued_at = now(), started_at = NULL, finished_at = NULL
        WHERE annotations_suggestionrun.status <> 'pending'""")


def _record_runs(only: str, on_conflict: str) -> int:
    """A pending run of the active engine for each article needing review (and `only`); what
    becomes of one that has a run of it on its current revision already is `on_conflict`."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO annotations_suggestionrun
                (article_id, revision, engine_version, status, quotes, endorsements, attempts,
                 error, queued_at)
            SELECT a.id, a.revision, %(engine)s, 'pending', 0, 0, 0, '', now()
            FROM annotations_article a
            WHERE a.review = 'needs_review' """ + only + """
            ON CONFLICT """ + on_conflict,
            {"engine": active_version()},
        )
        return cursor.rowcount


def reconcile() -> dict:
    """Record what is missing and wake workers while anything is pending."""
    recorded = runs_record_missing()
    pending = SuggestionRun.objects.filter(status=State.PENDING).exists()
    woken = wake(count=settings.SUGGEST_WAKEUPS) if pending else 0
    if recorded or woken:
        log.info("reconciled suggestions: recorded %d missing run(s), sent %d wake-up(s)", recorded, woken)
    return {"recorded": recorded, "woken": woken}


def requeue(*, failed: bool = False) -> int:
    """Make failed runs of the current engine pending again (with `failed`), record missing
    ones, and wake workers; returns how many runs were made pending."""
    count = runs_requeue(ids=None) if failed else 0
    return count + reconcile()["recorded"]


def runs_requeue(*, ids: list[int] | None) -> int:
    """Failed runs of the current engine (all, or these ids) pending again, workers woken."""
    runs = SuggestionRun.objects.filter(status=State.FAILED, engine_version=active_version())
    if ids is not None:
        runs = runs.filter(id__in=ids)
    count = runs.update(status=State.PENDING, error="", attempts=0, queued_at=timezone.now(),
                        finished_at=None)
    if count:
        wake_after_commit(count=min(count, settings.SUGGEST_WAKEUPS))
    return count


def status() -> dict:
    """Counts by state, failures by reason, and the age of the oldest pending run."""
    by_state = dict(SuggestionRun.objects.values_list("status").annotate(n=Count("id")).order_by())
    counts = {state: by_state.get(state, 0) for state in State.values}
    with transaction.atomic(), connection.cursor() as cursor:
        # Pending rows a worker is storing right now are locked (FOR UPDATE); the rest can be
        # counted with the weakest lock, which they skip for a moment at most.
        cursor.execute("SELECT count(*) FROM (SELECT id FROM annotations_suggestionrun"
                       " WHERE status = 'pending' FOR KEY SHARE SKIP LOCKED) idle")
        idle = cursor.fetchone()[0]
    failures = dict(
        SuggestionRun.objects.filter(status=State.FAILED)
        .extra(select={"reason": "split_part(error, ':', 1)"}).values_list("reason")
        .annotate(n=Count("id")).order_by()
    )
    oldest = SuggestionRun.objects.filter(status=State.PENDING).aggregate(t=Min("queued_at"))["t"]
    engine = active_version()
    return {
        **counts,
        "running": counts[State.PENDING] - idle,
        "failed_by_reason": failures,
        "oldest_pending_seconds": round((timezone.now() - oldest).total_seconds(), 1) if oldest else None,
        "engine_version": engine,
        "engine_problem": suggester_problem(engine),  # the active model cannot be read: the rules suggest
    }


# --- Draining: claim pending runs, run the engine, store ----------------------------------


@dataclass
class _Pass:
    run: SuggestionRun
    result: suggest.Suggestions
    engine_ms: float


def drain(*, budget_seconds: float | None = None) -> tuple[int, bool]:
    """Store passes chunk by chunk until nothing is pending or the time budget is spent.
    Returns (runs finished, whether pending runs may remain). Database errors that are
    transient (lost connection, deadlock) propagate: the chunk rolled back, its runs are
    still pending, and the caller retries."""
    budget = settings.SUGGEST_DRAIN_SECONDS if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    finished = 0
    while True:
        claimed = _drain_chunk(settings.SUGGEST_CHUNK)
        finished += claimed
        if claimed == 0:
            return finished, False
        if time.monotonic() >= deadline:
            return finished, True


def _drain_chunk(limit: int) -> int:
    claimed: list[int] = []
    try:
        return _store_chunk(limit, claimed)
    except (OperationalError, InterfaceError) as exc:
        # The chunk rolled back and its runs are pending again; say so on them, if the
        # database answers at all (when it is down, the retry is what counts).
        try:
            SuggestionRun.objects.filter(id__in=claimed, status=State.PENDING).update(
                attempts=F("attempts") + 1, error=f"interrupted: {type(exc).__name__}: {exc}"[:2000])
        except DatabaseError:
            pass
        raise


def _store_chunk(limit: int, claimed: list[int]) -> int:
    with transaction.atomic():
        runs = list(
            SuggestionRun.objects.select_for_update(skip_locked=True)
            .filter(status=State.PENDING).order_by("id")[:limit]
        )
        if not runs:
            return 0
        claimed.extend(r.id for r in runs)
        now = timezone.now()
        engine = active_version()  # a model activated meanwhile supersedes runs of the one before
        suggester = suggester_for(engine)
        articles = {a[0]: a for a in Article.objects.filter(id__in={r.article_id for r in runs})
                    .values_list("id", "revision", "body")}
        passes = []
        for run in runs:
            run.started_at = now
            article = articles.get(run.article_id)
            if article is None or article[1] != run.revision or run.engine_version != engine:
                _finish(run, State.SUPERSEDED)
                continue
            began = time.monotonic()
            try:
                result = suggester(article[2])
            except Exception as exc:  # the engine is deterministic: this text fails every time
                log.exception("the engine failed on article %s rev %s", run.article_id, run.revision)
                _finish(run, State.FAILED, error=f"{type(exc).__name__}: {exc}")
                continue
            passes.append(_Pass(run, result, (time.monotonic() - began) * 1000))
        if passes:
            _store_locked(passes, {a: b for a, _, b in articles.values()})
        SuggestionRun.objects.bulk_update(
            runs, ["status", "quotes", "endorsements", "error", "started_at", "finished_at", "duration_ms"])
    stored = [p for p in passes if p.run.status == State.DONE]
    log.info("suggestion pass stored %d of %d run(s), %d quotes",
             len(stored), len(runs), sum(p.run.quotes for p in stored))
    return len(runs)


def _finish(run: SuggestionRun, state: str, error: str = "") -> None:
    run.status, run.error, run.finished_at = state, error[:2000], timezone.now()


def _store_locked(passes: list[_Pass], bodies: dict[int, str]) -> None:
    """Lock the articles (id order, as editors' writes do), drop passes whose article changed
    since it was read, and store the rest: all at once, or one by one when that fails."""
    locked = dict(
        Article.objects.select_for_update(no_key=True)
        .filter(id__in=[p.run.article_id for p in passes]).order_by("id").values_list("id", "revision")
    )
    current = []
    for p in passes:
        if locked.get(p.run.article_id) != p.run.revision:
            _finish(p.run, State.SUPERSEDED)
        else:
            current.append(p)
    if not current:
        return
    try:
        with transaction.atomic():
            _store(current, bodies)
    except (IntegrityError, DataError):
        # One article's output broke a constraint: store the others, fail only that one.
        # (Transient errors, such as a lost connection, propagate: the chunk is retried.)
        for p in current:
            try:
                with transaction.atomic():
                    _store([p], bodies)
            except (IntegrityError, DataError) as exc:
                log.exception("storing suggestions failed for article %s", p.run.article_id)
                _finish(p.run, State.FAILED, error=f"{type(exc).__name__}: {exc}")


def _store(passes: list[_Pass], bodies: dict[int, str]) -> None:
    started = time.monotonic()
    ids = [p.run.article_id for p in passes]
    # Only rows still engine suggestions under the article lock: an editor's accept that
    # committed first is kept; one waiting on the lock finds its row gone (404). A suggestion an
    # editor's endorsement points at (as its evidence, or as what it responds to) stays too:
    # deleting it would cut the editor's link.
    theirs = Endorsement.objects.filter(article_id__in=ids).exclude(status=Status.SUGGESTED)
    Endorsement.objects.filter(article_id__in=ids, origin=Origin.ENGINE, status=Status.SUGGESTED).exclude(
        id__in=theirs.exclude(responds_to=None).values("responds_to_id")).delete()
    Quote.objects.filter(article_id__in=ids, origin=Origin.ENGINE, status=Status.SUGGESTED).exclude(
        id__in=theirs.exclude(evidence=None).values("evidence_id")).delete()
    decided: dict[int, list[tuple[int, int]]] = {}
    for article_id, start, end in Quote.objects.filter(article_id__in=ids).values_list("article_id", "start", "end"):
        decided.setdefault(article_id, []).append((start, end))
    # By name: the engine may describe one party twice (a quote's speaker with its aliases, an
    # endorser by name alone), and `speakers` keeps the first of each name.
    resolved = entities_resolve(speakers=[s for p in passes for s in p.result.speakers])
    parties = {s.name: e for s, e in resolved.items()}

    quotes: dict[int, list[Quote]] = {}
    for p in passes:
        body, taken = bodies[p.run.article_id], decided.get(p.run.article_id, [])
        quotes[p.run.id] = [
            _quote(p, body, q, parties) for q in p.result.quotes
            # An editor decided on (about) this span already, either way: not again.
            if not any(iou((q.start, q.end), span) >= settings.SUGGEST_DECIDED_IOU for span in taken)
        ]
    bulk_create_with_history([q for qs in quotes.values() for q in qs], Quote)
    endorsements = _endorsements(passes, bodies, quotes, parties)

    share = (time.monotonic() - started) * 1000 / len(passes)
    for p in passes:
        # The run is for the active model; when that could not be read, its rows carry the
        # rules' version, and the run says which engine made them and why.
        made_by = p.result.engine_version
        _finish(p.run, State.DONE, "" if made_by == p.run.engine_version else
                f"suggested by {made_by}: {suggester_problem(p.run.engine_version)}")
        p.run.quotes, p.run.endorsements = len(quotes[p.run.id]), len(endorsements[p.run.id])
        p.run.duration_ms = int(p.engine_ms + share)


def _party(speaker, parties: dict):
    return None if speaker is None or speaker.generic else parties.get(speaker.name)


def _quote(p: _Pass, body: str, q, parties: dict) -> Quote:
    return Quote(
        article_id=p.run.article_id, start=q.start, end=q.end, **selector(body, q.start, q.end),
        kind=q.kind, speaker=_party(q.speaker, parties),
        speaker_start=q.speaker_start, speaker_end=q.speaker_end,
        cue=q.cue[:200], cue_start=q.cue_start, cue_end=q.cue_end,
        status=Status.SUGGESTED, origin=Origin.ENGINE, engine_version=p.result.engine_version,
        confidence=q.confidence,
    )


def _endorsements(passes, bodies, quotes, parties) -> dict[int, list[Endorsement]]:
    """The engine's endorsements, skipping what an editor decided or made already (and the
    suggestions kept for an editor's link to them)."""
    ids = [p.run.article_id for p in passes]
    decided = {
        (e.article_id, e.endorser_id, e.target_id, e.target_text.lower(), e.polarity)
        for e in Endorsement.objects.filter(article_id__in=ids)
    }
    made: dict[int, list[Endorsement]] = {}
    links = []  # (endorsement, index of the one it responds to, that pass's list)
    for p in passes:
        slots: list[Endorsement | None] = []
        body = bodies[p.run.article_id]
        for e in p.result.endorsements:
            endorser, target = _party(e.endorser, parties), _party(e.target, parties)
            target_text = "" if target else (e.target_text or (e.target.name if e.target else ""))[:300]
            key = (p.run.article_id, endorser and endorser.id, target and target.id, target_text.lower(), e.polarity)
            # Two names of one speaker ("Trump", "Donald Trump") are no endorsement of oneself.
            if endorser is None or (target is None and not target_text) or key in decided or endorser == target:
                slots.append(None)
                continue
            evidence = next((q for q in quotes[p.run.id]
                             if q.start < e.end and e.start < q.end and q.speaker_id == endorser.id), None)
            endorsement = Endorsement(
                article_id=p.run.article_id, endorser=endorser, target=target, target_text=target_text,
                polarity=e.polarity, evidence=evidence, start=e.start, end=e.end,
                **selector(body, e.start, e.end), status=Status.SUGGESTED, origin=Origin.ENGINE,
                engine_version=p.result.engine_version, confidence=e.confidence,
            )
            slots.append(endorsement)
            if e.responds_to is not None:
                links.append((endorsement, e.responds_to, slots))
        made[p.run.id] = slots
    bulk_create_with_history([e for slots in made.values() for e in slots if e is not None], Endorsement)
    linked = []
    for endorsement, index, slots in links:
        if 0 <= index < len(slots) and slots[index] is not None and slots[index] is not endorsement:
            endorsement.responds_to = slots[index]
            linked.append(endorsement)
    if linked:
        bulk_update_with_history(linked, Endorsement, ["responds_to"])
    return {run_id: [e for e in slots if e is not None] for run_id, slots in made.items()}
