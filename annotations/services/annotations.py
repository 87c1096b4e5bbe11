"""What quotes and endorsements share when an editor writes one: the article's text read under
its lock, the review stamp, edits that re-attach an orphan, accept all."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from annotations.models import Anchor, Article, Status
from annotations.services.articles import article_lock


def _mark_reviewed(obj, user) -> None:
    obj.reviewed_by = user
    obj.reviewed_at = timezone.now()
    obj.reworded_from = ""  # a review of the words as they are now


def _created(obj, user, tags):
    """A quote or endorsement an editor wrote, saved reviewed by them with its tags (the
    callers' transaction holds the save and the tags together)."""
    _mark_reviewed(obj, user)
    obj.save()
    obj.tags.set(tags)
    return obj


def _locked_text(article: Article) -> None:
    """Take the article's row lock (as article_lock) and read its text and revision again under
    it: a correction that committed since the caller read the article is what a new annotation
    is checked against and placed in, never the text before it."""
    article.body, article.revision = Article.objects.select_for_update(no_key=True).values_list(
        "body", "revision").get(pk=article.pk)


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


def _accept_all(model, article, user, min_confidence) -> list[int]:
    with transaction.atomic():
        article_lock(article_id=article.id)
        rows = list(model.objects.select_for_update().filter(
            article=article, status=Status.SUGGESTED, confidence__gte=min_confidence).order_by("pk"))
        for row in rows:
            review_set(obj=row, user=user, status=Status.ACCEPTED)
    return [row.pk for row in rows]
