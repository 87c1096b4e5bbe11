"""Reads. Every list a user sees goes through here, scoped to what they may see."""

from django.db.models import Count, Q

from annotations.models import Article, Entity, Status, SuggestionRun


def article_find_duplicate(*, url: str | None, body_sha256: str) -> Article | None:
    """Dedup rule: the url when there is one, else the body hash."""
    if url:
        return Article.objects.filter(url=url).first()
    return Article.objects.filter(url__isnull=True, body_sha256=body_sha256).first()


def article_list_with_counts():
    return Article.objects.annotate(
        suggested_count=Count("quotes", filter=Q(quotes__status=Status.SUGGESTED), distinct=True),
        accepted_count=Count("quotes", filter=Q(quotes__status=Status.ACCEPTED), distinct=True),
    )


def entity_find(*, name: str) -> Entity | None:
    """An entity whose name or any alias equals `name`, ignoring case."""
    name = name.strip()
    found = Entity.objects.filter(name__iexact=name).first()
    if found:
        return found
    return Entity.objects.extra(
        where=["EXISTS (SELECT 1 FROM unnest(aliases) a WHERE lower(a) = lower(%s))"],
        params=[name],
    ).first()


def articles_without_suggestions(*, engine_version: str):
    done = SuggestionRun.objects.filter(engine_version=engine_version).values("article_id")
    return Article.objects.exclude(id__in=done)
