"""Writes. Views, admin, commands and tasks call these and nothing else to change data."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from annotations import anchoring, pipeline, selectors
from annotations.models import (
    Anchor,
    Article,
    Endorsement,
    Entity,
    Origin,
    Quote,
    Status,
)
from annotations.text import body_sha256, normalise_body, one_line, selector, title_from_body

log = logging.getLogger(__name__)

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


def span_anchor(body: str, start: int, end: int) -> dict:
    """The W3C TextQuoteSelector parts for a span, checked against the body."""
    if not (0 <= start < end <= len(body)):
        raise ValidationError({"start": f"span {start}-{end} is outside the body (0-{len(body)})"})
    return selector(body, start, end)


def span_set(row, body: str) -> None:
    """A quote's or endorsement's words and their context at its offsets (none without a span)."""
    if row.start is None:
        row.exact = row.prefix = row.suffix = ""
    else:
        row.exact, row.prefix, row.suffix = span_anchor(body, row.start, row.end).values()


# --- Editor writes: quotes, endorsements, speakers, tags -------------------------------------


def _check_span(body: str, start, end, exact: str | None, field: str) -> None:
    if start is None and end is None:
        return
    if start is None or end is None:
        raise ValidationError({field: "give both start and end, or neither"})
    if not (0 <= start < end <= len(body)):
        raise ValidationError({field: f"span {start}-{end} is not inside the body (0-{len(body)})"})
    if exact is not None and body[start:end] != exact:
        raise ValidationError(
            {field: f"body[{start}:{end}] is {body[start:end]!r}, not the text sent {exact!r}"}
        )


def _mark_reviewed(obj, user) -> None:
    obj.reviewed_by = user
    obj.reviewed_at = timezone.now()
    obj.reworded_from = ""  # a review of the words as they are now


def quote_check_spans(body: str, fields: dict) -> str | None:
    """A quote's spans against its article's text: its words (`text`), its speaker's and its
    cue's. A cue with offsets is the body's words there: a cue text sent with them must be those
    words. Returns the cue to store (None: no cue offsets, the cue text stays as it is)."""
    _check_span(body, fields.get("start"), fields.get("end"), fields.get("text"), "text")
    _check_span(body, fields.get("speaker_start"), fields.get("speaker_end"), None, "speaker_start")
    cue_start, cue_end = fields.get("cue_start"), fields.get("cue_end")
    _check_span(body, cue_start, cue_end, None, "cue_start")
    if cue_start is not None:
        words = body[cue_start:cue_end]
        if fields.get("cue") and fields["cue"] != words:
            raise ValidationError({"cue": f"body[{cue_start}:{cue_end}] is {words!r}, not the cue sent {fields['cue']!r}"})
        return words
    return None


def quote_check_not_twice(article_id: int, start: int, end: int, speaker, this: Quote | None = None) -> None:
    """The same words by the same speaker twice would be counted twice in every export. The API
    holds the article's row lock when it writes, so two such writes at once cannot both pass."""
    same = Quote.objects.filter(article_id=article_id, start=start, end=end, speaker=speaker).exclude(
        status=Status.REJECTED)
    if this is not None and this.pk:
        same = same.exclude(pk=this.pk)
    found = same.values_list("pk", "status").first()
    if found is not None:
        raise ValidationError({"start": f"quote {found[0]} ({found[1]}) already marks these words for this speaker: "
                                        f"{'accept' if found[1] == Status.SUGGESTED else 'edit'} it instead"})


def _locked_text(article: Article) -> None:
    """Take the article's row lock (as article_lock) and read its text and revision again under
    it: a correction that committed since the caller read the article is what a new annotation
    is checked against and placed in, never the text before it."""
    article.body, article.revision = Article.objects.select_for_update(no_key=True).values_list(
        "body", "revision").get(pk=article.pk)


@transaction.atomic
def quote_create(*, article: Article, user, start: int, end: int, text: str, tags=(), **fields) -> Quote:
    _locked_text(article)
    cue = quote_check_spans(article.body, {**fields, "start": start, "end": end, "text": text})
    if cue is not None:
        fields["cue"] = cue
    quote_check_not_twice(article.id, start, end, fields.get("speaker"))
    quote = Quote(
        article=article,
        start=start,
        end=end,
        **span_anchor(article.body, start, end),
        status=fields.pop("status", Status.ACCEPTED),
        origin=Origin.EDITOR,
        created_by=user,
        **fields,
    )
    _mark_reviewed(quote, user)
    with transaction.atomic():
        quote.save()
        quote.tags.set(tags)
    return quote


def quote_update(*, quote: Quote, user, tags=None, **fields) -> Quote:
    """An edit is a review: an edited suggestion becomes the editor's, so no engine pass replaces it."""
    body = quote.article.body
    was_orphan = quote.anchor == Anchor.ORPHANED
    if not _reattaching(quote, fields):
        return _edit_save(quote, user, fields, tags)  # an orphan's old offsets stay as they were
    if "cue" in fields and not {"cue_start", "cue_end"} & set(fields) and quote.cue_start is not None \
            and fields["cue"] != body[quote.cue_start:quote.cue_end]:
        fields["cue_start"] = fields["cue_end"] = None  # a cue typed anew (the editor's form) is words, not a place
    spans = {name: fields.get(name, getattr(quote, name)) for name in
             ("start", "end", "speaker_start", "speaker_end", "cue_start", "cue_end")}
    spans.update(text=fields.pop("text", None), cue=fields.get("cue"))
    cue = quote_check_spans(body, spans)
    if cue is not None:
        fields["cue"] = cue
    speaker = fields.get("speaker", quote.speaker)
    if was_orphan and fields.get("status", quote.status) == Status.ACCEPTED:
        # The correction that orphaned this decision let a pass suggest its new words again: the
        # editor's decision takes its place back, and the machine's undecided copy of it goes.
        Quote.objects.filter(article_id=quote.article_id, start=spans["start"], end=spans["end"], speaker=speaker,
                             status=Status.SUGGESTED, origin=Origin.ENGINE).exclude(pk=quote.pk).delete()
    if fields.get("status", quote.status) != Status.REJECTED:
        quote_check_not_twice(quote.article_id, spans["start"], spans["end"], speaker, this=quote)
    quote.exact, quote.prefix, quote.suffix = span_anchor(body, spans["start"], spans["end"]).values()
    return _edit_save(quote, user, fields, tags)


def _reattaching(obj, fields: dict) -> bool:
    """Whether an edit places the annotation: always for an anchored one; for an orphan only
    when the editor gives its new span (start, end and the text), which re-attaches it."""
    if obj.anchor == Anchor.ANCHORED:
        return True
    given = {"start", "end", "text"} & set(fields)
    if given and given != {"start", "end", "text"}:
        raise ValidationError({"start": "this annotation lost its place in an edit of the article: "
                                        "re-attach it by giving start, end and text together"})
    offsets = ("speaker_start", "speaker_end", "cue_start", "cue_end")
    if not given:
        for name in offsets:
            if fields.get(name) is not None:
                raise ValidationError({name: "this annotation lost its place in an edit of the article: give "
                                             "start, end and text to re-attach it, then offsets in the text"})
            fields.pop(name, None)  # its old ones point into a text that no longer exists
        return False
    for name in offsets:
        if hasattr(obj, name):
            fields.setdefault(name, None)  # the old ones point into the old text: not carried over
    obj.anchor = Anchor.ANCHORED
    return True


def _edit_save(obj, user, fields: dict, tags):
    """Apply an editor's edit to a quote or endorsement: an edited suggestion becomes accepted
    (so no engine pass replaces it) and the edit counts as a review. One put back to suggested
    (an undo) is an open suggestion again, reviewed by nobody. An edit of nothing (an empty
    PATCH) changes nothing, its status neither."""
    if not fields and tags is None:
        return obj
    for name, value in fields.items():
        setattr(obj, name, value)
    if "status" not in fields and obj.status == Status.SUGGESTED:
        obj.status = Status.ACCEPTED
    if obj.status == Status.SUGGESTED:
        obj.reviewed_by, obj.reviewed_at = None, None
    else:
        _mark_reviewed(obj, user)
    with transaction.atomic():
        obj.save()
        if tags is not None:
            obj.tags.set(tags)
    return obj


def review_set(*, obj, user, status: str):
    """Accept or reject a quote or an endorsement. Accepting what is accepted (or rejecting what
    is rejected) changes nothing: not its reviewer, nor the ETag other editors hold. Unless its
    words changed since the decision (reworded_from): then the same decision again confirms it."""
    if obj.status == status and not obj.reworded_from:
        return obj
    obj.status = status
    _mark_reviewed(obj, user)
    obj.save(update_fields=["status", "reviewed_by", "reviewed_at", "reworded_from", "updated_at"])
    return obj


def quote_review(*, quote: Quote, user, status: str) -> Quote:
    return review_set(obj=quote, user=user, status=status)


def quotes_accept_all(*, article: Article, user, min_confidence: float) -> list[int]:
    """Accept the article's remaining suggested quotes at or above a confidence; returns their
    ids (so the editor can undo exactly those)."""
    return _accept_all(Quote, article, user, min_confidence)


def endorsements_accept_all(*, article: Article, user, min_confidence: float) -> list[int]:
    """The same for the article's suggested endorsements."""
    return _accept_all(Endorsement, article, user, min_confidence)


def _accept_all(model, article, user, min_confidence) -> list[int]:
    with transaction.atomic():
        article_lock(article_id=article.id)
        rows = list(model.objects.select_for_update().filter(
            article=article, status=Status.SUGGESTED, confidence__gte=min_confidence).order_by("pk"))
        for row in rows:
            review_set(obj=row, user=user, status=Status.ACCEPTED)
    return [row.pk for row in rows]


def quote_delete(*, quote: Quote, user) -> None:
    """Deleting an engine suggestion rejects it instead, so the engine does not suggest it again."""
    if quote.origin == Origin.ENGINE:
        quote_review(quote=quote, user=user, status=Status.REJECTED)
    else:
        quote.delete()


def _endorsement_span(body: str, start, end, text: str | None) -> None:
    """An endorsement's evidence words, when it has some: a text comes with its place."""
    if text and start is None and end is None:
        raise ValidationError({"text": "give start and end with the text: where its words are in the article"})
    _check_span(body, start, end, text, "text")


@transaction.atomic
def endorsement_create(*, article: Article, user, tags=(), **fields) -> Endorsement:
    _locked_text(article)
    _endorsement_span(article.body, fields.get("start"), fields.get("end"), fields.pop("text", None))
    _endorsement_check_links(article, fields)
    endorsement = Endorsement(article=article, origin=Origin.EDITOR, created_by=user, **fields)
    span_set(endorsement, article.body)
    _mark_reviewed(endorsement, user)
    with transaction.atomic():
        endorsement.save()
        endorsement.tags.set(tags)
    return endorsement


def endorsement_update(*, endorsement: Endorsement, user, tags=None, **fields) -> Endorsement:
    body = endorsement.article.body
    _endorsement_check_links(endorsement.article, fields, this=endorsement)
    if not _reattaching(endorsement, fields):
        return _edit_save(endorsement, user, fields, tags)
    start, end = fields.get("start", endorsement.start), fields.get("end", endorsement.end)
    _endorsement_span(body, start, end, fields.pop("text", None))
    endorsement.start, endorsement.end = start, end
    span_set(endorsement, body)
    return _edit_save(endorsement, user, fields, tags)


def endorsement_check(*, article: Article, fields: dict, this: Endorsement | None = None) -> None:
    """What an endorsement written outside the API (the admin) must pass: its span against the
    text (`text`: the words sent) and its links."""
    _endorsement_span(article.body, fields.get("start"), fields.get("end"), fields.get("text"))
    _endorsement_check_links(article, fields, this)


def _endorsement_check_links(article, fields, this=None) -> None:
    """An endorsement's links stay in its article and never point at a rejected row (one set
    before the row was rejected may stay), and nobody endorses themselves."""
    def newly_rejected(row, current_id) -> bool:  # a link kept from before the row was rejected may stay
        return row.status == Status.REJECTED and (this is None or row.pk != current_id)

    evidence = fields.get("evidence")
    if evidence is not None and evidence.article_id != article.id:
        raise ValidationError({"evidence_id": "the evidence quote belongs to another article"})
    if evidence is not None and newly_rejected(evidence, this and this.evidence_id):
        raise ValidationError({"evidence_id": f"quote {evidence.pk} was rejected: it cannot be evidence"})
    endorser = fields.get("endorser", this.endorser if this is not None else None)
    target = fields.get("target", this.target if this is not None else None)
    target_text = fields.get("target_text", this.target_text if this is not None else "") or ""
    if target is not None and target_text.strip():
        # Both would be shown differently by the editor (the speaker) and the exports (the text).
        raise ValidationError({"target_text": f"give a target speaker (target_id {target.pk}) or a target_text "
                                              f"({target_text.strip()[:60]!r}), not both: send the other as null or \"\""})
    if endorser is not None and (target.pk == endorser.pk if target is not None else
                                 one_line(target_text).lower() in {endorser.name.lower(), *map(str.lower, endorser.aliases)}):
        raise ValidationError({"target_id": f"{endorser.name} cannot endorse or oppose themselves"})
    responds_to = fields.get("responds_to")
    if responds_to is not None:
        if responds_to.article_id != article.id:
            raise ValidationError({"responds_to": "the endorsement it responds to is in another article"})
        if this is not None and responds_to.pk == this.pk:
            raise ValidationError({"responds_to": "an endorsement cannot respond to itself"})
        if newly_rejected(responds_to, this and this.responds_to_id):
            raise ValidationError({"responds_to": f"endorsement {responds_to.pk} was rejected: nothing responds to it"})
        if this is not None and this.pk in selectors.endorsement_response_chain(endorsement=responds_to):
            raise ValidationError({"responds_to": f"endorsement {responds_to.pk} already responds, through its "
                                                  f"chain, to this one: responses cannot go in a circle"})
    target, target_text = fields.get("target"), fields.get("target_text")
    if this is None and target is None and not (target_text or "").strip():
        raise ValidationError({"target_id": "give a target speaker or a target_text"})


def endorsement_review(*, endorsement: Endorsement, user, status: str) -> Endorsement:
    return review_set(obj=endorsement, user=user, status=status)


def endorsement_delete(*, endorsement: Endorsement, user) -> None:
    if endorsement.origin == Origin.ENGINE:
        endorsement_review(endorsement=endorsement, user=user, status=Status.REJECTED)
    else:
        endorsement.delete()


def entity_clean_aliases(name: str, aliases) -> list[str]:
    seen, result = {one_line(name).lower()}, []
    for alias in aliases or []:
        alias = one_line(alias)
        if alias and alias.lower() not in seen:
            seen.add(alias.lower())
            result.append(alias)
    return result


def entity_check_names(name: str, aliases: list[str], this: Entity | None = None) -> None:
    """A name or alias belongs to one speaker: "Mujahid" cannot point at two parties."""
    for field, names in (("name", [name]), ("aliases", aliases)):
        for other_name in names:
            other = selectors.entity_find(name=other_name)
            if other is not None and (this is None or other.pk != this.pk):
                raise ValidationError({field: f"{other_name!r} already exists as a name or alias of the "
                                              f"speaker {other.name!r} (id {other.pk}); merge the two instead"})


def entity_create(*, name: str, **fields) -> Entity:
    name = one_line(name)
    fields["aliases"] = entity_clean_aliases(name, fields.get("aliases"))
    entity_check_names(name, fields["aliases"])
    entity = Entity(name=name, **fields)
    entity.full_clean()
    entity.save()
    return entity


def entity_update(*, entity: Entity, **fields) -> Entity:
    for name, value in fields.items():
        setattr(entity, name, value)
    entity.name = one_line(entity.name)
    entity.aliases = entity_clean_aliases(entity.name, entity.aliases)
    entity_check_names(entity.name, entity.aliases, this=entity)
    entity.full_clean()
    entity.save()
    return entity


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


def _merge_check(survivor: Entity, group: list[int]) -> None:
    """What a merge would make that no write may: an endorsement of the speaker by itself, or
    the same words marked twice for it. Refused with the rows to change first, nothing moved."""
    problems = [
        f"endorsement {pk} ({polarity}) is between two of these speakers: as one, {survivor.name} would "
        f"endorse or oppose themselves; delete it or change its endorser or target first"
        for pk, polarity in Endorsement.objects.filter(endorser_id__in=group, target_id__in=group)
        .order_by("pk").values_list("pk", "polarity")]
    seen: dict[tuple, int] = {}
    for pk, article_id, start, end in Quote.objects.filter(speaker_id__in=group).exclude(
            status=Status.REJECTED).order_by("pk").values_list("pk", "article_id", "start", "end"):
        first = seen.setdefault((article_id, start, end), pk)
        if first != pk:
            problems.append(f"quotes {first} and {pk} mark the same words (article {article_id}, {start}-{end}) "
                            f"for two of these speakers: as one, the words would be quoted twice; reject or "
                            f"delete one first")
    if problems:
        raise ValidationError({"others": problems[:20]})


def entity_merge(*, survivor: Entity, others, user) -> dict:
    """Merge `others` into `survivor`, in one transaction: their quotes, endorsements (given and
    received) and names move to the survivor, then they are deleted. Every moved row, the
    survivor and each deleted entity gets a history record naming the merge. Returns counts."""
    other_ids = sorted({o.pk if isinstance(o, Entity) else int(o) for o in others})
    if not other_ids:
        raise ValidationError({"others": "name at least one speaker to merge"})
    if survivor.pk in other_ids:
        raise ValidationError({"others": "a speaker cannot be merged into itself"})
    with transaction.atomic():
        # Rows locked in id order, as speakers.py does, so two merges cannot deadlock; and not
        # against key-share locks (no_key), which a quote's write takes on the speaker it names:
        # an edit that holds its quote while it names one of these would otherwise deadlock.
        locked = list(Entity.objects.select_for_update(no_key=True).filter(
            pk__in=[survivor.pk, *other_ids]).order_by("pk"))
        by_id = {e.pk: e for e in locked}
        missing = [i for i in other_ids if i not in by_id]
        if survivor.pk not in by_id or missing:
            raise ValidationError({"others": f"unknown speaker ids: {missing or [survivor.pk]}"})
        survivor = by_id[survivor.pk]
        merged = [by_id[i] for i in other_ids]
        _merge_check(survivor, [survivor.pk, *other_ids])
        names = ", ".join(f"{e.name} (#{e.pk})" for e in merged)
        reason = f"speaker merged into {survivor.name} (#{survivor.pk}) from {names}"[:100]
        now = timezone.now()
        moved = {"quotes": 0, "endorsements_given": 0, "endorsements_received": 0}
        for model, field, key in ((Quote, "speaker", "quotes"), (Endorsement, "endorser", "endorsements_given"),
                                  (Endorsement, "target", "endorsements_received")):
            rows = list(model.objects.select_for_update().filter(**{f"{field}_id__in": other_ids}).order_by("pk"))
            for row in rows:
                setattr(row, f"{field}_id", survivor.pk)
                row.updated_at = now
            if rows:
                bulk_update_with_history(rows, model, [field, "updated_at"], default_user=user,
                                         default_change_reason=reason)
            moved[key] = len(rows)
        aliases = list(survivor.aliases)
        for entity in merged:
            aliases += [entity.name, *entity.aliases]
            survivor.description = survivor.description or entity.description
            if entity.wikidata_id and not survivor.wikidata_id:
                survivor.wikidata_id = entity.wikidata_id
            entity._change_reason = reason
            entity._history_user = user
            entity.delete()
        survivor.aliases = entity_clean_aliases(survivor.name, aliases)
        survivor._change_reason = f"merged {names}"[:100]
        survivor._history_user = user
        survivor.full_clean()
        survivor.save()
    return {"survivor": survivor, "merged": other_ids, **moved}
