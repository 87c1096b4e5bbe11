"""Writes to articles: create, correct (re-anchoring what editors annotated on the old text),
restore, lock, mark done."""

import datetime

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from annotations import anchoring, pipeline
from annotations.models import Anchor, Article, Endorsement, Quote, Status
from annotations.services.spans import span_set
from annotations.text import body_sha256, normalise_body, title_from_body


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
            pipeline.runs_record(revisions=[(article.id, article.revision)])
    return article


def article_update(*, article: Article, **fields) -> Article:
    """Change fields. A changed body is a new revision: every quote and endorsement is
    re-anchored to the new text (or orphaned when its words are gone), and the revision gets
    a suggestion pass. The one path for body changes: the admin, the API and imports call it."""
    if "body" in fields:
        fields["body"] = normalise_body(fields["body"])
    with transaction.atomic():
        # The row as stored now, under its lock, takes the given fields and only those: what
        # committed since `article` was read (a title, the review state, another correction,
        # during a long import) is kept, and the text the annotations point into is this one.
        current = Article.objects.select_for_update().get(pk=article.pk)
        old, was_done = current.body, current.review == Article.Review.DONE
        body_changed = "body" in fields and fields["body"] != old
        for name, value in fields.items():
            setattr(current, name, value)
        saved = [*fields, "updated_at"]
        if body_changed:
            current.body_sha256 = body_sha256(current.body)
            current.revision += 1
            saved += ["body_sha256", "revision"]
            if was_done and current.review == Article.Review.DONE:
                # A corrected text goes back to review (as the database does for a write
                # around this service, migration 0010): it may hold quotes nobody has seen.
                current.review, current.done_by, current.done_at = Article.Review.NEEDS_REVIEW, None, None
                saved += ["review", "done_by", "done_at"]
        current.full_clean(exclude=["body_sha256"])
        if body_changed:
            quotes = list(Quote.objects.filter(article=current, anchor=Anchor.ANCHORED))
            endorsements = list(Endorsement.objects.filter(article=current, anchor=Anchor.ANCHORED,
                                                           start__isnull=False))
        current.save(update_fields=saved)  # the database orphans what no longer matches; placing follows
        if body_changed:
            annotations_reanchor(old=old, article=current, quotes=quotes, endorsements=endorsements)
            annotations_restore(article=current)
            pipeline.runs_record(revisions=[(current.id, current.revision)])
    for f in Article._meta.concrete_fields:  # the caller's object shows the row as saved
        setattr(article, f.attname, getattr(current, f.attname))
    return current


def annotations_reanchor(*, old: str, article: Article, quotes: list, endorsements: list) -> dict:
    """Move each annotation to where its words are in the new body, or orphan it; each move
    is recorded in the row's history with its method. Returns counts by method.

    A row the correction did not move (same place, words, flags) keeps its `updated_at`, so
    its ETag: an editor or client holding it was not overtaken by anyone. Only its selector's
    context, derived from the text around it, is brought up to date."""
    new = article.body
    diff = anchoring.Diff(old, new)
    counts: dict[str, int] = {}
    now = timezone.now()
    for rows, fields in ((quotes, QUOTE_SPAN_FIELDS), (endorsements, ENDORSEMENT_SPAN_FIELDS)):
        shown = [f for f in fields if f not in ("prefix", "suffix")] + ["anchor"]
        placements = anchoring.reanchor(old, new, [_anchor_of(r) for r in rows], diff)
        moved, unmoved = [], []
        for row, placement in zip(rows, placements):
            counts[placement.method] = counts.get(placement.method, 0) + 1
            before, context = [getattr(row, f) for f in shown], (row.prefix, row.suffix)
            _apply_placement(row, placement, diff, article.revision)
            if [getattr(row, f) for f in shown] == before:
                if (row.prefix, row.suffix) != context:
                    unmoved.append(row)
            else:
                row.updated_at = now
                moved.append(row)
        if moved:
            bulk_update_with_history(moved, type(moved[0]), [*fields, "anchor", "updated_at"])
        if unmoved:
            type(unmoved[0]).objects.bulk_update(unmoved, ["prefix", "suffix"])
    return counts


QUOTE_SPAN_FIELDS = ["start", "end", "exact", "prefix", "suffix", "reworded_from",
                     "speaker_start", "speaker_end", "cue_start", "cue_end"]


ENDORSEMENT_SPAN_FIELDS = ["start", "end", "exact", "prefix", "suffix", "reworded_from"]


def annotations_restore(*, article: Article) -> int:
    """Orphaned quotes and endorsements whose words stand again in the new text with all their
    context (a correction undone, a paragraph put back) are anchored there again; returns how
    many. A quote's speaker mention and cue offsets pointed into an older text: kept only where
    the cue's words are at them again."""
    body, count = article.body, 0
    for model, fields in ((Quote, QUOTE_SPAN_FIELDS), (Endorsement, ENDORSEMENT_SPAN_FIELDS)):
        restored = []
        taken = set(model.objects.filter(article=article, anchor=Anchor.ANCHORED).values_list("start", "end"))
        for row in model.objects.filter(article=article, anchor=Anchor.ORPHANED, start__isnull=False):
            placement = anchoring.restore(body, _anchor_of(row))
            if not placement.placed or (placement.start, placement.end) in taken:
                continue  # not back, or an editor marked those words again meanwhile
            taken.add((placement.start, placement.end))
            before = f"{row.start}-{row.end}"
            row.anchor, row.start, row.end = Anchor.ANCHORED, placement.start, placement.end
            span_set(row, body)
            if model is Quote:
                row.speaker_start = row.speaker_end = None
                if row.cue_start is not None and body[row.cue_start:row.cue_end] != row.cue:
                    row.cue_start = row.cue_end = None
            row.updated_at = timezone.now()
            row._change_reason = (f"restored at revision {article.revision}: its words and their context are back "
                                  f"({before} -> {row.start}-{row.end})")
            restored.append(row)
        if restored:
            bulk_update_with_history(restored, model, [*fields, "anchor", "updated_at"])
        count += len(restored)
    return count


def _anchor_of(row) -> anchoring.Anchor:
    return anchoring.Anchor(row.start, row.end, row.exact, row.prefix, row.suffix)


def _apply_placement(row, placement: anchoring.Placement, diff: anchoring.Diff, revision: int) -> None:
    before = f"{row.start}-{row.end}"
    if not placement.placed:
        row.anchor = Anchor.ORPHANED
        row._change_reason = f"orphaned at revision {revision}: the words at {before} are gone"
        return
    row.anchor = Anchor.ANCHORED
    decided_words = row.exact
    row.start, row.end = placement.start, placement.end
    span_set(row, diff.new)
    if placement.method == anchoring.FUZZY and row.status != Status.SUGGESTED and not row.reworded_from:
        row.reworded_from = decided_words  # the editor decided on those: they check these
    elif row.reworded_from == row.exact:
        row.reworded_from = ""  # a later correction put back the words decided on
    if isinstance(row, Quote):
        # A speaker mention or cue moves with its words, or is dropped when they changed.
        for name in ("speaker", "cue"):
            s, e = getattr(row, f"{name}_start"), getattr(row, f"{name}_end")
            kept = diff.kept(s, e) if s is not None else None
            if not (kept and diff.new[kept[0]:kept[1]] == diff.old[s:e]):
                kept = (None, None)
            setattr(row, f"{name}_start", kept[0])
            setattr(row, f"{name}_end", kept[1])
    row._change_reason = (f"re-anchored at revision {revision} ({placement.method}): "
                          f"{before} -> {row.start}-{row.end}")


def article_lock(*, article_id: int) -> int | None:
    """Take the article's row lock for a write to its annotations, in the caller's transaction;
    returns its revision (None when it is gone).

    The suggestion pass takes the same lock before it replaces the engine's rows, so an
    editor's accept either commits first (and the pass keeps it) or waits and then finds
    its suggestion replaced; never accepted and then deleted.
    """
    return Article.objects.select_for_update(no_key=True).filter(pk=article_id).values_list(
        "revision", flat=True).first()


def article_mark_done(*, article: Article, user, done: bool = True) -> Article:
    """Done (or back to needing review). Done again keeps who finished it and when: retraining
    counts the articles done since the active model by `done_at`."""
    if done and article.review == Article.Review.DONE:
        return article
    article.review = Article.Review.DONE if done else Article.Review.NEEDS_REVIEW
    article.done_by = user if done else None
    article.done_at = timezone.now() if done else None
    article.save(update_fields=["review", "done_by", "done_at", "updated_at"])
    return article
