"""Writes to quotes: create, edit, review, accept all, delete."""

from django.core.exceptions import ValidationError
from django.db import transaction

from annotations.models import Anchor, Article, Origin, Quote, Status
from annotations.services.annotations import _accept_all, _created, _edit_save, _locked_text, _reattaching, review_set
from annotations.services.spans import _check_span, span_anchor


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
    return _created(quote, user, tags)


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


def quote_review(*, quote: Quote, user, status: str) -> Quote:
    return review_set(obj=quote, user=user, status=status)


def quotes_accept_all(*, article: Article, user, min_confidence: float) -> list[int]:
    """Accept the article's remaining suggested quotes at or above a confidence; returns their
    ids (so the editor can undo exactly those)."""
    return _accept_all(Quote, article, user, min_confidence)


def quote_delete(*, quote: Quote, user) -> None:
    """Deleting an engine suggestion rejects it instead, so the engine does not suggest it again."""
    if quote.origin == Origin.ENGINE:
        quote_review(quote=quote, user=user, status=Status.REJECTED)
    else:
        quote.delete()
