"""Writes. Views, admin, commands and tasks call these and nothing else to change data."""

import datetime
import logging
import time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from annotations import selectors, suggest
from annotations.models import (
    Article,
    Endorsement,
    Entity,
    Origin,
    Quote,
    Status,
    SuggestionRun,
)
from annotations.text import body_sha256, normalise_body, title_from_body

log = logging.getLogger(__name__)

CONTEXT = 32  # characters of prefix/suffix kept with a quote, as W3C TextQuoteSelector


def _queue_suggestions(article_id: int, revision: int) -> None:
    # Imported here: tasks imports services.
    from annotations.tasks import suggest_article

    transaction.on_commit(lambda: suggest_article.delay(article_id, revision))


def article_create(
    *,
    body: str,
    title: str = "",
    outlet: str = "",
    url: str | None = None,
    published_on: datetime.date | None = None,
    language: str = "en",
    import_batch=None,
    suggest_after: bool = True,
) -> Article:
    body = normalise_body(body)
    article = Article(
        title=(title.strip() or title_from_body(body))[:500],
        body=body,
        outlet=outlet.strip(),
        url=(url or "").strip() or None,
        published_on=published_on,
        language=language or "en",
        body_sha256=body_sha256(body),
        import_batch=import_batch,
    )
    article.full_clean(exclude=["body_sha256"])
    with transaction.atomic():
        article.save()
        if suggest_after:
            _queue_suggestions(article.id, article.revision)
    return article


def article_update(*, article: Article, **fields) -> Article:
    """Change fields; a changed body gets a new revision and a fresh suggestion pass."""
    if "body" in fields:
        fields["body"] = normalise_body(fields["body"])
    body_changed = "body" in fields and fields["body"] != article.body
    for name, value in fields.items():
        setattr(article, name, value)
    if body_changed:
        article.body_sha256 = body_sha256(article.body)
        article.revision += 1
    article.full_clean(exclude=["body_sha256"])
    with transaction.atomic():
        article.save()
        if body_changed:
            _queue_suggestions(article.id, article.revision)
    return article


def entity_resolve(*, speaker: suggest.Speaker) -> Entity:
    """The one Entity for a party, matched by name or alias; created only when none matches."""
    names = [speaker.name, *speaker.aliases]
    for name in names:
        found = selectors.entity_find(name=name)
        if found:
            new_aliases = [a for a in names if a.lower() != found.name.lower()
                           and a.lower() not in {x.lower() for x in found.aliases}]
            if new_aliases:
                found.aliases = [*found.aliases, *new_aliases]
                found.save(update_fields=["aliases", "updated_at"])
            return found
    try:
        with transaction.atomic():
            return Entity.objects.create(
                name=speaker.name,
                kind=speaker.kind,
                description=speaker.description,
                aliases=[a for a in speaker.aliases if a.lower() != speaker.name.lower()],
            )
    except IntegrityError:
        # Another worker created it between our look-up and insert.
        return Entity.objects.get(name__iexact=speaker.name)


def quote_anchor(body: str, start: int, end: int) -> dict:
    """The W3C TextQuoteSelector parts for a span, checked against the body."""
    if not (0 <= start < end <= len(body)):
        raise ValidationError({"start": f"span {start}-{end} is outside the body (0-{len(body)})"})
    return {
        "exact": body[start:end],
        "prefix": body[max(0, start - CONTEXT) : start],
        "suffix": body[end : end + CONTEXT],
    }


def suggestion_run_execute(*, article_id: int, revision: int) -> SuggestionRun | None:
    """Run the engine over one article revision and store its suggestions, once.

    Replaces only the engine's own still-suggested rows; what an editor accepted,
    edited or rejected stays, and a rejected span is never suggested again.
    """
    started = time.monotonic()
    try:
        return _suggestion_run_store(article_id=article_id, revision=revision, started=started)
    except Exception as exc:
        # The engine is deterministic: record the failure instead of retrying forever.
        log.exception("suggestion run failed for article %s rev %s", article_id, revision)
        SuggestionRun.objects.update_or_create(
            article_id=article_id,
            revision=revision,
            engine_version=suggest.ENGINE_VERSION,
            defaults={
                "status": SuggestionRun.State.FAILED,
                "error": f"{type(exc).__name__}: {exc}"[:2000],
                "finished_at": timezone.now(),
            },
        )
        raise


def _suggestion_run_store(*, article_id: int, revision: int, started: float):
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None or article.revision != revision:
            return None  # deleted, or a newer revision has its own task queued
        run, created = SuggestionRun.objects.get_or_create(
            article=article, revision=revision, engine_version=suggest.ENGINE_VERSION
        )
        if not created:
            return run
        result = suggest.suggest(article.body)
        Endorsement.objects.filter(
            article=article, origin=Origin.ENGINE, status=Status.SUGGESTED
        ).delete()
        Quote.objects.filter(article=article, origin=Origin.ENGINE, status=Status.SUGGESTED).delete()
        # Spans an editor has decided on, either way, are not suggested again.
        decided = set(
            Quote.objects.filter(article=article).values_list("start", "end")
        )
        quotes = []
        for q in result.quotes:
            if (q.start, q.end) in decided:
                continue
            speaker = entity_resolve(speaker=q.speaker) if q.speaker else None
            quotes.append(
                Quote(
                    article=article,
                    start=q.start,
                    end=q.end,
                    **quote_anchor(article.body, q.start, q.end),
                    kind=q.kind,
                    speaker=speaker,
                    speaker_start=q.speaker_start,
                    speaker_end=q.speaker_end,
                    cue=q.cue[:200],
                    cue_start=q.cue_start,
                    cue_end=q.cue_end,
                    status=Status.SUGGESTED,
                    origin=Origin.ENGINE,
                    engine_version=result.engine_version,
                    confidence=q.confidence,
                )
            )
        bulk_create_with_history(quotes, Quote)
        run.status = SuggestionRun.State.DONE
        run.quotes = len(quotes)
        run.finished_at = timezone.now()
        run.duration_ms = int((time.monotonic() - started) * 1000)
        run.save()
    log.info("suggested %d quotes for article %s rev %s", len(quotes), article_id, revision)
    return run


def suggestions_queue_missing() -> int:
    """Queue a pass for every article the current engine has not seen (e.g. after an upgrade)."""
    count = 0
    for article_id, revision in selectors.articles_without_suggestions(
        engine_version=suggest.ENGINE_VERSION
    ).values_list("id", "revision").iterator():
        _queue_suggestions(article_id, revision)
        count += 1
    return count
