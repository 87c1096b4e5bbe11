"""Writes to endorsements: create, edit (with their links checked), review, accept all, delete."""

from django.core.exceptions import ValidationError
from django.db import transaction

from annotations import selectors
from annotations.models import Article, Endorsement, Origin, Status
from annotations.services.annotations import _accept_all, _created, _edit_save, _locked_text, _reattaching, review_set
from annotations.services.spans import _check_span, span_set
from annotations.text import one_line


def endorsements_accept_all(*, article: Article, user, min_confidence: float) -> list[int]:
    """The same for the article's suggested endorsements."""
    return _accept_all(Endorsement, article, user, min_confidence)


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
    return _created(endorsement, user, tags)


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
