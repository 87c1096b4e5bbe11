"""Reads of endorsements, scoped to what the user may see: lists, response chains, the graph
and their rows as the API gives them."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Case, Count, F, OuterRef, Prefetch, When

from annotations import roles
from annotations.models import Endorsement, Entity, Status, Tag
from annotations.selectors.search import entity_ids_named


def _endorsements_scope(user):
    """The endorsements `user` may see, as plain rows (for subqueries and filters)."""
    qs = Endorsement.objects.all()
    if not roles.is_editor(user):
        qs = qs.filter(status=Status.ACCEPTED)
    return qs


def quote_ids_endorsed(*, user, endorser_id: int | None = None, target_id: int | None = None,
                       endorser_name: str | None = None, target_name: str | None = None):
    """Ids of the quotes that are evidence for an endorsement `user` may see, by or of a party
    (by id, or by a name or alias it contains): a hidden endorsement must not make a quote match."""
    found = _endorsements_scope(user).filter(evidence_id__isnull=False)
    if endorser_id is not None:
        found = found.filter(endorser_id=endorser_id)
    if target_id is not None:
        found = found.filter(target_id=target_id)
    if endorser_name is not None:
        found = found.filter(endorser_id__in=entity_ids_named(name=endorser_name))
    if target_name is not None:
        found = found.filter(target_id__in=entity_ids_named(name=target_name))
    return found.values("evidence_id")


def endorsements_visible(*, user):
    """Viewers see accepted endorsements only, and of the quote and the endorsement they refer
    to only the ids of ones they may see (as evidence_shown and responds_to_shown)."""
    qs = _endorsements_scope(user).select_related(
        "article", "endorser", "target", "created_by", "reviewed_by"
    ).prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "slug")))
    if roles.is_editor(user):
        return qs
    return qs.annotate(
        evidence_shown=Case(When(evidence__status=Status.ACCEPTED, then=F("evidence_id"))),
        responds_to_shown=Case(When(responds_to__status=Status.ACCEPTED, then=F("responds_to_id"))),
    )


def endorsement_response_chain(*, endorsement) -> list[int]:
    """The ids that `endorsement` responds to, its answer's answer and so on (cycle-safe)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE chain(id, responds_to_id) AS (
                SELECT id, responds_to_id FROM annotations_endorsement WHERE id = %s
                UNION
                SELECT e.id, e.responds_to_id FROM annotations_endorsement e JOIN chain c ON e.id = c.responds_to_id
            )
            SELECT id FROM chain
            """,
            [endorsement.pk],
        )
        return [row[0] for row in cursor.fetchall()]


def endorsements_scope(*, user):
    """The endorsements `user` may see, as plain rows: for exports."""
    return _endorsements_scope(user)


def _not_rejected(qs):
    """What the desk counts and draws (speakers' counts and pages, the endorsement graph): a
    rejected row is a suggestion an editor found wrong, not something anyone said."""
    return qs.exclude(status=Status.REJECTED)


def endorsements_for_graph(*, user, status: str | None = None):
    """The endorsements `user` may see for the graph: rejected ones only when `status` asks for them."""
    qs = _endorsements_scope(user)
    return qs if status == Status.REJECTED else _not_rejected(qs)


GRAPH_MAX_EDGES = 500


def endorsement_graph(*, qs, min_count: int = 1, max_edges: int = GRAPH_MAX_EDGES) -> dict:
    """Who supports or opposes whom among the endorsements of `qs` (already scoped to the user
    and filtered): an edge per (endorser, target, polarity) with its count, kept when the count
    is at least `min_count`, the heaviest `max_edges` of them; the parties they join as nodes,
    with the counts those edges carry. Endorsements of a slogan (no target party) are counted
    apart, as `slogans`."""
    edges = list(
        qs.filter(target_id__isnull=False).order_by().values("endorser_id", "target_id", "polarity")
        .annotate(count=Count("id")).filter(count__gte=min_count)
        .order_by("-count", "endorser_id", "target_id", "polarity")[:max_edges + 1]
    )
    truncated = len(edges) > max_edges
    edges = [{"endorser": e["endorser_id"], "target": e["target_id"], "polarity": e["polarity"],
              "count": e["count"]} for e in edges[:max_edges]]
    given: dict[int, int] = {}
    received: dict[int, int] = {}
    for e in edges:
        given[e["endorser"]] = given.get(e["endorser"], 0) + e["count"]
        received[e["target"]] = received.get(e["target"], 0) + e["count"]
    ids = set(given) | set(received)
    nodes = [{"id": row["id"], "name": row["name"], "kind": row["kind"],
              "given": given.get(row["id"], 0), "received": received.get(row["id"], 0)}
             for row in Entity.objects.filter(id__in=ids).values("id", "name", "kind")]
    nodes.sort(key=lambda n: (-(n["given"] + n["received"]), n["name"].lower(), n["id"]))
    slogans = qs.filter(target_id__isnull=True).count()
    return {"nodes": nodes, "edges": edges, "truncated": truncated, "slogans": slogans}


ENDORSEMENT_VALUES = [
    "id", "article_id", "article__title", "article__url", "article__outlet", "article__published_on",
    "endorser_id", "endorser__name", "target_id", "target__name", "target_text", "polarity",
    "start", "end", "exact", "status", "anchor", "reworded_from", "origin", "engine_version", "confidence",
    "created_by__username", "created_at", "reviewed_by__username", "updated_at",
]


def endorsement_values(qs, *, user):
    """Export rows of `qs` with tag slugs; the evidence quote and the endorsement responded to
    only when `user` may see them (else None)."""
    if roles.is_editor(user):
        linked = {"evidence_shown": F("evidence_id"), "responds_to_shown": F("responds_to_id")}
    else:
        linked = {"evidence_shown": Case(When(evidence__status=Status.ACCEPTED, then=F("evidence_id"))),
                  "responds_to_shown": Case(When(responds_to__status=Status.ACCEPTED, then=F("responds_to_id")))}
    return qs.annotate(
        tag_slugs=ArraySubquery(
            Endorsement.tags.through.objects.filter(endorsement_id=OuterRef("id")).order_by("tag__slug")
            .values("tag__slug")
        ),
        **linked,
    ).values(*ENDORSEMENT_VALUES, "evidence_shown", "responds_to_shown", "tag_slugs")
