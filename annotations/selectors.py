"""Reads. Every list a user sees goes through here, scoped to what they may see."""

import re

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Substr, TruncMonth

from annotations import roles
from annotations.models import (
    Anchor,
    Article,
    Endorsement,
    Entity,
    Quote,
    Status,
    Tag,
)
from annotations.text import body_sha256, normalise_body, one_line


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


def entity_find(*, name: str) -> Entity | None:
    """An entity whose name or any alias equals `name`, ignoring case and spacing."""
    name = one_line(name)
    found = Entity.objects.filter(name__iexact=name).first()
    if found:
        return found
    return Entity.objects.extra(
        where=["annotations_lower_array(aliases) @> ARRAY[lower(%s)]"], params=[name]
    ).first()


def quotes_visible(*, user):
    """Viewers see accepted quotes only; editors and admins also see suggested and rejected."""
    qs = Quote.objects.all()
    if not roles.is_editor(user):
        qs = qs.filter(status=Status.ACCEPTED)
    return qs


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


# What a quote row carries, read with values(): no model instances on list paths.
QUOTE_VALUES = [
    "id", "article_id", "article__title", "article__url", "article__outlet", "article__published_on",
    "exact", "start", "end", "prefix", "suffix", "kind", "speaker_id", "speaker__name",
    "speaker__description", "speaker_start", "speaker_end", "cue", "cue_start", "cue_end", "status",
    "origin", "engine_version", "confidence", "created_by__username", "created_at",
    "reviewed_by__username", "reviewed_at", "updated_at", "anchor", "reworded_from",
]


def quote_values(qs, *, user):
    """Rows with everything a quote shows, tag slugs and the endorsements (that `user` may see)
    it is evidence for included, in one query."""
    return qs.annotate(
        tag_slugs=ArraySubquery(
            Quote.tags.through.objects.filter(quote_id=OuterRef("id")).order_by("tag__slug").values("tag__slug")
        ),
        endorsement_ids=ArraySubquery(
            _endorsements_scope(user).filter(evidence_id=OuterRef("id")).order_by("id").values("id")
        ),
    ).values(*QUOTE_VALUES, "tag_slugs", "endorsement_ids")


def quote_mentions(ids: list[int]) -> dict[int, str]:
    """{id: the words naming the speaker} of those quotes whose speaker is only a mention in the
    text ("He", "A senior Taliban member"), as the editor shows them: a slice of the body read
    in the database, not the whole body."""
    rows = (Quote.objects.filter(id__in=ids, speaker__isnull=True, speaker_start__isnull=False,
                                 anchor=Anchor.ANCHORED)
            .annotate(mention=Substr("article__body", F("speaker_start") + 1, F("speaker_end") - F("speaker_start")))
            .values_list("id", "mention"))
    return dict(rows)


def quote_rows(qs, ids: list[int], *, user) -> list[dict]:
    """quote_values rows of `qs` (the user's scope, so they still see only what they may) for
    `ids`, in that order: for a page whose order was found first."""
    by_id = {row["id"]: row for row in quote_values(qs.filter(id__in=ids).order_by(), user=user)}
    return [by_id[i] for i in ids if i in by_id]


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


def entities_visible(*, user):
    """Editors see every speaker; viewers only those in a quote or endorsement they may see, so
    that a speaker known only from a suggestion stays hidden."""
    if roles.is_editor(user):
        return Entity.objects.all()
    quotes = quotes_visible(user=user)
    endorsements = _endorsements_scope(user)
    return Entity.objects.filter(
        Exists(quotes.filter(speaker_id=OuterRef("id")))
        | Exists(endorsements.filter(endorser_id=OuterRef("id")))
        | Exists(endorsements.filter(target_id=OuterRef("id")))
    )


def search_lexeme(text: str) -> str | None:
    """The one word a search is for, as the English stemmer stores it ("Taxes" -> "tax");
    None when it holds several words, an operator, or only stop words."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT numnode(q), q::text FROM websearch_to_tsquery('english', %s) q", [text])
        nodes, written = cursor.fetchone()
    if nodes != 1 or len(written) < 2 or written[0] != "'" or written[-1] != "'":
        return None
    # Written as a tsquery literal: 'word', with quotes doubled and backslashes escaped.
    return re.sub(r"''|\\\\", lambda m: m.group()[0], written[1:-1])


def quotes_search(qs, *, text: str, user):
    """Full-text search over the quote text of `qs` (`user`'s scope), best match first (rank
    as an integer for cursors). A one-word search reads its matches in rank order from the term
    index; others rank every match. Both give the same ranks."""
    # A "quoted phrase" must stand in the text as written: PostgreSQL drops stop words, so
    # "very positive" would otherwise match every quote with "positive".
    for phrase in re.findall(r'(?<!-)"([^"]+)"', text):
        words = re.findall(r"\w+", phrase)
        if len(words) > 1:
            qs = qs.filter(exact__iregex=r"\m" + r"\W+".join(words) + r"\M")
    lexeme = search_lexeme(text)
    if lexeme is None:
        return quotes_ranked(qs, text=text)
    return quotes_with_lexeme(qs, lexeme=lexeme, accepted_only=not roles.is_editor(user))


def quotes_with_lexeme(qs, *, lexeme: str, accepted_only: bool = False):
    """Quotes holding `lexeme`, with their rank for it, from QuoteTerm: its primary key is in
    rank order, so a page costs the same for a rare word and for one in every tenth quote.
    accepted_only reads the accepted quotes' terms alone (a partial index): a viewer's search
    then neither reads nor waits for the hidden quotes that hold the word."""
    terms = {"terms__lexeme": lexeme, **({"terms__accepted": True} if accepted_only else {})}
    return qs.filter(**terms).annotate(rank=F("terms__rank"))


def ranks_every_match(qs) -> bool:
    """Whether a search queryset came from quotes_ranked, so its time grows with its matches."""
    return isinstance(qs.query.annotations.get("rank"), Cast)


def quotes_ranked(qs, *, text: str):
    """Matches of a websearch query, each ranked (reads every match)."""
    query = SearchQuery(text, config="english", search_type="websearch")
    return qs.filter(search_vector=query).annotate(
        rank=Cast(SearchRank(F("search_vector"), query) * 1_000_000, IntegerField())
    )


def entity_ids_named(*, name: str) -> RawSQL:
    """Entities whose name or any alias contains `name`, ignoring case."""
    pattern = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return RawSQL(
        "SELECT id FROM annotations_entity WHERE name ILIKE %s"
        " OR EXISTS (SELECT 1 FROM unnest(aliases) a WHERE a ILIKE %s)",
        [pattern, pattern],
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


def entity_quotes(*, user, entity_id: int):
    """The speaker's quotes `user` may see, rejected ones left out."""
    return _not_rejected(quotes_visible(user=user).filter(speaker_id=entity_id))


def entity_counts(*, user, ids) -> dict[int, dict]:
    """{id: {"quotes", "given", "received"}} for the speakers `ids` (one page of them), counted
    over the rows `user` may see (a viewer's counts say nothing of hidden rows), rejected ones
    left out. Counted for the page alone: counting every speaker to show fifty read every quote."""
    ids = list(ids)
    counts = {i: {"quotes": 0, "given": 0, "received": 0} for i in ids}
    endorsements = _not_rejected(_endorsements_scope(user))
    for key, qs, field in (("quotes", _not_rejected(quotes_visible(user=user)), "speaker_id"),
                           ("given", endorsements, "endorser_id"), ("received", endorsements, "target_id")):
        for entity_id, n in (qs.filter(**{f"{field}__in": ids}).order_by().values(field)
                             .annotate(n=Count("id")).values_list(field, "n")):
            counts[entity_id][key] = n
    return counts


def entity_quotes_by_month(*, user, entity_id: int) -> tuple[list[tuple], int]:
    """([(first day of month, count)], undated count) of the speaker's quotes `user` may see
    (not rejected), by the month their article was published."""
    rows = (entity_quotes(user=user, entity_id=entity_id).order_by()
            .values(month=TruncMonth("article__published_on")).annotate(n=Count("*")).values_list("month", "n"))
    months, undated = [], 0
    for month, n in rows:
        if month is None:
            undated = n
        else:
            months.append((month, n))
    return sorted(months), undated


def entity_endorsements(*, user, entity_id: int):
    """(given, received): the speaker's endorsements `user` may see (not rejected), newest article first."""
    # Not the article bodies: a list names its articles, it does not show them.
    qs = _not_rejected(_endorsements_scope(user)).select_related("article", "endorser", "target").defer(
        "article__body").order_by(F("article__published_on").desc(nulls_last=True), "-id")
    return qs.filter(endorser_id=entity_id), qs.filter(target_id=entity_id)


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


def gold_from_editors(*, limit: int | None = None) -> list[dict]:
    """The editors' decisions as gold articles (the eval format). An article marked done is
    complete: its accepted, anchored quotes and its accepted endorsements are the truth and
    everything else in it is not. An article still in review where editors rejected something
    comes as "partial": what they accepted and rejected there, and the suggestions still open
    (which teach nothing yet)."""
    from annotations.models import Anchor

    done = Article.objects.filter(review=Article.Review.DONE).order_by("id")
    if limit:
        done = done[:limit]
    done_ids = list(done.values_list("id", flat=True))
    partial_ids = set(Quote.objects.filter(status=Status.REJECTED).exclude(article__review=Article.Review.DONE)
                      .values_list("article_id", flat=True).distinct()[:limit or None])
    partial_ids |= set(Endorsement.objects.filter(status=Status.REJECTED)
                       .exclude(article__review=Article.Review.DONE)
                       .values_list("article_id", flat=True).distinct()[:limit or None])
    docs = {}
    for a in Article.objects.filter(id__in=[*done_ids, *partial_ids]).order_by("id").only("id", "body"):
        doc = {"id": f"article-{a.id}", "text": a.body, "quotes": [], "stances": []}
        if a.id in partial_ids:
            doc.update(partial=True, rejected_quotes=[], open_quotes=[], rejected_stances=[])
        docs[a.id] = doc
    quotes = Quote.objects.filter(article_id__in=docs, anchor=Anchor.ANCHORED).order_by("start")
    for q in quotes.values("article_id", "status", "start", "end", "exact", "speaker_start", "speaker_end",
                           "cue_start", "cue_end", "speaker__name"):
        doc = docs[q["article_id"]]
        if q["status"] == Status.ACCEPTED:
            doc["quotes"].append({
                "start": q["start"], "end": q["end"], "text": q["exact"], "speaker": q["speaker__name"],
                "speaker_start": q["speaker_start"], "speaker_end": q["speaker_end"],
                "cue_start": q["cue_start"], "cue_end": q["cue_end"]})
        elif doc.get("partial"):
            key = "rejected_quotes" if q["status"] == Status.REJECTED else "open_quotes"
            doc[key].append([q["start"], q["end"]])
    endorsements = Endorsement.objects.filter(article_id__in=docs).exclude(status=Status.SUGGESTED)
    for e in endorsements.values("article_id", "status", "polarity", "endorser__name", "target__name",
                                 "target_text"):
        doc, target = docs[e["article_id"]], e["target__name"] or e["target_text"]
        if not target:
            continue
        if e["status"] == Status.ACCEPTED:
            doc["stances"].append({"subject": e["endorser__name"], "object": target, "polarity": e["polarity"]})
        elif doc.get("partial"):
            doc["rejected_stances"].append([e["endorser__name"], target])
    return list(docs.values())
