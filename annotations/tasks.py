from celery import shared_task

from annotations import services


# Idempotent per (article, revision, engine version), so a redelivery after a
# worker crash (acks_late) does no harm.
@shared_task(acks_late=True, ignore_result=True)
def suggest_article(article_id: int, revision: int) -> None:
    services.suggestion_run_execute(article_id=article_id, revision=revision)


@shared_task(acks_late=True, ignore_result=True)
def suggest_articles(pairs: list[list[int]]) -> None:
    for article_id, revision in pairs:
        services.suggestion_run_execute(article_id=article_id, revision=revision)


# Safe to run twice: rows already stored count as duplicates.
@shared_task(acks_late=True, ignore_result=True)
def import_batch_run(batch_id: int) -> None:
    from annotations.importing.service import import_batch_execute

    import_batch_execute(batch_id=batch_id)
