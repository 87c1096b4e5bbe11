"""ETag on details, If-Match on writes: a stale write gets 412 and changes nothing."""

import datetime

from django.db import transaction
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError

from annotations import services


class PreconditionFailed(APIException):
    """412 with the item as it is now, in its own JSON types (APIException would turn every
    value into a string), so the client can show what changed and retry."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"

    def __init__(self, data: dict):
        super().__init__(data["detail"])
        self.data = data


class Gone(APIException):
    """404 for a write to an item that is not there: deleted, or a suggestion that a newer
    suggestion pass replaced (after the article's text changed, say). The page offers a reload."""

    status_code = status.HTTP_404_NOT_FOUND
    default_code = "gone"

    def __init__(self, model):
        suggested = hasattr(model, "origin")  # quotes and endorsements can be suggestions
        detail = (f"This {model._meta.verbose_name} is not there any more: it was deleted"
                  + (", or it was a suggestion that a newer suggestion pass replaced" if suggested else "")
                  + ". Nothing was saved; reload the page.")
        super().__init__(detail)
        self.data = {"detail": detail, "code": "gone"}


def check_article_revision(request, revision: int | None) -> None:
    """A page that loaded an older text of the article (it sends X-Article-Revision) must not
    write offsets into the new one: 412, and the page offers a reload that keeps its form."""
    sent = request.headers.get("X-Article-Revision")
    if sent is None or revision is None or sent.strip() == str(revision):
        return
    if not (sent.strip().isascii() and sent.strip().isdigit()):  # "²" is a digit to Python
        raise ValidationError({"X-Article-Revision": f"{sent.strip()[:20]!r} is not a revision (a whole number)."})
    if int(sent) > revision:  # no page loaded a text the article has not had yet
        raise ValidationError({"X-Article-Revision": f"revision {sent.strip()[:20]}{'...' if len(sent.strip()) > 20 else ''}"
                                                     f" is not one this article has had (it is at {revision})."})
    raise PreconditionFailed({
        "detail": f"The article text changed (revision {sent.strip()[:20]} is now {revision}) since this "
                  "page loaded. Nothing was saved; reload the page to annotate the new text.",
        "code": "article_changed",
        "article_revision": revision,
    })


def etag_of(obj) -> str:
    return f'"{obj.pk}-{int(obj.updated_at.timestamp() * 1_000_000)}"'


class ETagMixin:
    """For viewsets whose model has `updated_at`; use with AtomicWritesMixin."""

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag_of(self._object)
        return response

    def get_object(self):
        # The method of the HTTP request itself: an OPTIONS request's metadata asks for the object
        # on a copy of the request marked PUT or POST, outside any transaction, to check rights.
        writing = self.request._request.method not in ("GET", "HEAD", "OPTIONS")
        try:
            obj = super().get_object()
        except Http404:
            if writing:
                raise Gone(self.get_queryset().model) from None
            raise
        if writing:
            # Lock the row so the If-Match check and the write are one step; an annotation's
            # article first, the lock a suggestion pass takes before replacing suggestions.
            if getattr(obj, "article_id", None) is not None:
                check_article_revision(self.request, services.article_lock(article_id=obj.article_id))
            obj = type(obj).objects.select_for_update().filter(pk=obj.pk).first()
            if obj is None:
                raise Gone(self.get_queryset().model)
            self._check_if_match(obj)
        self._object = obj
        return obj

    def _check_if_match(self, obj) -> None:
        wanted = self.request.headers.get("If-Match")
        if not wanted or wanted.strip() == "*":
            return
        current = etag_of(obj)
        tags = [tag.strip().removeprefix("W/") for tag in wanted.split(",")]
        if current not in tags and not any(tag.startswith(f'"{obj.pk}-') for tag in tags):
            raise PreconditionFailed({  # not an older version of this item: a client's mistake, not a change
                "detail": f"If-Match {wanted.strip()[:80]!r} is not an ETag of this item (its ETag now is "
                          f"{current}). Nothing was saved.",
                "current_etag": current,
                "current": self.get_serializer(obj).data,
            })
        if current not in tags:
            # Who made the last change is in the row's history (every model with an ETag keeps one).
            last = obj.history.select_related("history_user").first()
            changed_by = last.history_user if last is not None else None
            who = f" by {changed_by.get_username()}" if changed_by else ""
            when = obj.updated_at.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
            raise PreconditionFailed(
                {
                    "detail": f"This item was changed{who} at {when} "
                    "after you loaded it; reload to see the change. Nothing was saved.",
                    "current_etag": current,
                    "current": self.get_serializer(obj).data,
                }
            )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        obj = getattr(self, "_object", None)
        if obj is not None and request.method in ("PUT", "PATCH", "POST") and response.status_code < 300:
            obj.refresh_from_db(fields=["updated_at"])
            response["ETag"] = etag_of(obj)
        return response



class AtomicWritesMixin:
    """Each write is one transaction; a rejected write (4xx) rolls back all it did."""

    def dispatch(self, request, *args, **kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)
