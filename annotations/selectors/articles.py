"""Reads of articles: the desk's list with its counts, the next one to review, a duplicate's
match."""

from django.db.models import Count, Q

from annotations import roles
from annotations.models import Article, Status
from annotations.text import body_sha256, normalise_body


def article_find_duplicate(*, url: str | None, body: str) -> Article | None:
    """Dedup rule: the url when there is one, else the hash of the body as it is stored (normalised)."""
    if url:
        return Article.objects.filter(url=url).first()
    return Article.objects.filter(url__isnull=True, body_sha256=body_sha256(normalise_body(body))).first()


def article_list_with_counts(*, user):
    """Articles with their counts of accepted quotes and, for editors only, of suggested ones:
    a viewer's count of suggestions would tell them that hidden quotes exist."""
    counts = {"accepted_count": Count("quotes", filter=Q(quotes__status=Status.ACCEPTED), distinct=True)}
    if roles.is_editor(user):
        counts["suggested_count"] = Count("quotes", filter=Q(quotes__status=Status.SUGGESTED), distinct=True)
    return Article.objects.annotate(**counts)


def article_next_to_review(*, after_id: int) -> Article | None:
    """The first article needing review after `after_id`, else the first one before it."""
    pending = Article.objects.filter(review=Article.Review.NEEDS_REVIEW).exclude(pk=after_id).only("id", "title")
    return pending.filter(pk__gt=after_id).order_by("pk").first() or pending.order_by("pk").first()
