import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import DatabaseError, InterfaceError, OperationalError

from annotations import pipeline

log = logging.getLogger(__name__)

# Errors that say nothing about the article: the database went away, a deadlock, a
# serialization failure. The runs stay pending; retried with backoff, and after the last
# retry the reconciler wakes a worker again.
TRANSIENT = (OperationalError, InterfaceError)
IMPORT_LOCK = 7301  # advisory lock namespace of import batches
RETRAIN_LOCK = 7302  # and of suggester retraining


# Only a wake-up: the work is the pending SuggestionRun rows, claimed with SKIP LOCKED, so a
# duplicate or redelivered message (acks_late) costs one empty claim.
@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=8)
def suggestions_drain(self) -> None:
    try:
        _, more = pipeline.drain()
    except TRANSIENT as exc:
        _note_transient(exc)
        raise self.retry(exc=exc, countdown=min(60, 2 ** self.request.retries))
    if more:  # the time budget ran out: hand on, so no message is held for long
        pipeline.wake(count=1)


@shared_task(ignore_result=True)
def suggestions_reconcile() -> None:
    pipeline.reconcile()


# One retraining at a time, across workers and hosts (training takes minutes of CPU).
@shared_task(ignore_result=True)
def suggester_retrain() -> None:
    from django.db import connection

    from annotations import suggesters

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, 0)", [RETRAIN_LOCK])
        if not cursor.fetchone()[0]:
            return
    try:
        suggesters.suggester_retrain()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, 0)", [RETRAIN_LOCK])


def _note_transient(exc: Exception) -> None:
    log.warning("suggestion pass interrupted (%s: %s); runs stay pending and are retried",
                type(exc).__name__, exc)


@worker_ready.connect
def _reconcile_at_start(sender=None, **kwargs) -> None:
    # A worker that starts (after a crash, a deploy, a database outage) catches up at once
    # instead of waiting for beat. Sent as a task so start-up never waits on the database.
    try:
        suggestions_reconcile.apply_async(retry=False)
    except Exception as exc:
        log.warning("could not queue the start-up reconcile (%s); beat will run it", exc)


# Safe to run twice: rows already stored count as duplicates. A batch is run by one worker
# at a time: the first run holds an advisory lock for as long as its connection lives, so a
# message redelivered while it works (a visibility timeout) leaves the batch to it, and one
# redelivered after its worker was killed finds the lock free and carries on.
@shared_task(acks_late=True, ignore_result=True)
def import_batch_run(batch_id: int) -> None:
    from django.db import connection

    from annotations.importing.service import import_batch_execute

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [IMPORT_LOCK, batch_id])
        if not cursor.fetchone()[0]:
            log.info("import batch %s is being run by another worker", batch_id)
            return
    try:
        import_batch_execute(batch_id=batch_id)
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [IMPORT_LOCK, batch_id])
        except DatabaseError:
            pass  # the connection is gone, and the lock with it

