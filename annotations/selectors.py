"""Reads. Every list a user sees goes through here, scoped to what they may see."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import Count, IntegerField, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from annotations import roles
from annotations.models import Article, Endorsement, Entity, Quote, Status, SuggestionRun, Tag

# The same expression as the GIN index on Quote, so PostgreSQL uses the index.
QUOTE_SEARCH_VECTOR = SearchVector("exact", config="english")


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


def quotes_visible(*, user):
    """Viewers see accepted quotes only; editors and admins also see suggested and rejected."""
    qs = Quote.objects.select_related("article", "speaker", "created_by", "reviewed_by").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.only("id", "slug")),
        Prefetch("endorsements", queryset=Endorsement.objects.only("id", "evidence_id")),
    )
    if not roles.is_editor(user):
        qs = qs.filter(status=Status.ACCEPTED)
    return qs


def endorsements_visible(*, user):
    qs = Endorsement.objects.select_related(
        "article", "endorser", "target", "created_by", "reviewed_by"
    ).prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "slug")))
    if not roles.is_editor(user):
        qs = qs.filter(status=Status.ACCEPTED)
    return qs


def quotes_search(qs, *, text: str):
    """Full-text search over the quote text, best match first (rank as an integer for cursors)."""
    query = SearchQuery(text, config="english", search_type="websearch")
    return qs.annotate(search=QUOTE_SEARCH_VECTOR).filter(search=query).annotate(
        rank=Cast(SearchRank(QUOTE_SEARCH_VECTOR, query) * 1_000_000, IntegerField())
    )


def entity_ids_named(*, name: str) -> RawSQL:
    """Entities whose name or any alias contains `name`, ignoring case."""
    pattern = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return RawSQL(
        "SELECT id FROM annotations_entity WHERE name ILIKE %s"
        " OR EXISTS (SELECT 1 FROM unnest(aliases) a WHERE a ILIKE %s)",
        [pattern, pattern],
    )


def entities_matching(*, text: str):
    return Entity.objects.filter(id__in=entity_ids_named(name=text))
