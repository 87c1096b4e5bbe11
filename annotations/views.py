"""The editor's pages. They render text only; every change goes through the REST API."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import ensure_csrf_cookie
from rest_framework.exceptions import ValidationError

from annotations import charts, roles, selectors
from annotations.api.serializers import (
    ArticleSerializer,
    EndorsementSerializer,
    SpeakerSerializer,
    TagSerializer,
    quote_representation,
)
from annotations.api.concurrency import etag_of
from annotations.api.filters import EndorsementFilter, QuoteFilter
from annotations.api.views import search_time_limit
from annotations.models import Article, Entity, Status, Tag


def reader_required(view):
    """Signed in, and with a role: an account in no group yet sees no page (403 that says so).
    A NUL character in the query string is a 400 that names the parameter: PostgreSQL text
    cannot hold one, and every page's filters reach the database."""
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not roles.can_read(request.user):
            raise PermissionDenied("Your account has no role yet (editors or viewers): ask an admin to give it one.")
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return HttpResponseBadRequest(f"{name!r}: contains a NUL character", content_type="text/plain")
        return view(request, *args, **kwargs)
    return wrapped


@reader_required
def article_list(request):
    articles = selectors.article_list_with_counts(user=request.user).order_by("-published_on", "-id")
    q = request.GET.get("q", "").strip()
    if q:
        articles = articles.filter(Q(title__icontains=q) | Q(body__icontains=q))
    if outlet := request.GET.get("outlet", "").strip():
        articles = articles.filter(outlet__iexact=outlet)
    errors = {}
    for name, lookup in (("after", "published_on__gte"), ("before", "published_on__lte")):
        if value := request.GET.get(name, ""):
            if _is_date(value):
                articles = articles.filter(**{lookup: value})
            else:
                errors[name] = [f"{value[:40]!r} is not a date (YYYY-MM-DD); not applied"]
    after, before = request.GET.get("after", ""), request.GET.get("before", "")
    state = request.GET.get("state", "")
    if state in (Article.Review.NEEDS_REVIEW, Article.Review.DONE):
        articles = articles.filter(review=state)
    page = Paginator(articles.defer("body"), 50).get_page(request.GET.get("page"))
    outlets = Article.objects.exclude(outlet="").values_list("outlet", flat=True).distinct().order_by("outlet")[:200]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "annotations/article_list.html", {
        "page": page, "q": q, "outlet": outlet, "after": after, "before": before, "state": state, "errors": errors,
        "outlets": outlets, "query": query.urlencode(), "can_edit": roles.is_editor(request.user)})


def _is_date(value: str) -> bool:
    import datetime

    try:
        datetime.date.fromisoformat(value)
        return True
    except ValueError:
        return False


@reader_required
@ensure_csrf_cookie
def article_edit(request, pk):
    article = get_object_or_404(Article.objects.select_related("done_by"), pk=pk)
    quotes_qs = selectors.quotes_visible(user=request.user).filter(article=article).order_by("start", "id")
    quotes = [quote_representation(r) for r in selectors.quote_values(quotes_qs, user=request.user)]
    endorsements = EndorsementSerializer(
        selectors.endorsements_visible(user=request.user).filter(article=article).order_by("start", "id"),
        many=True).data
    data = {
        "article": ArticleSerializer(article).data,
        "quotes": quotes,
        "endorsements": endorsements,
        "tags": TagSerializer(Tag.objects.all(), many=True).data,
        "can_edit": roles.is_editor(request.user),
        "user": request.user.get_username(),
    }
    return render(request, "annotations/article_edit.html", {"article": article, "data": data})


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@reader_required
def speaker_list(request):
    speakers = selectors.entities_visible(user=request.user).order_by("name", "id")
    q = request.GET.get("q", "").strip()[:200]
    if q:
        speakers = speakers.filter(id__in=selectors.entity_ids_named(name=q))
    kind = request.GET.get("kind", "")
    if kind in Entity.Kind.values:
        speakers = speakers.filter(kind=kind)
    page = Paginator(speakers, 50).get_page(request.GET.get("page"))
    counts = selectors.entity_counts(user=request.user, ids=[s.pk for s in page])
    for speaker in page:
        speaker.quote_count, speaker.given_count, speaker.received_count = counts[speaker.pk].values()
    return render(request, "annotations/speaker_list.html", {
        "page": page, "q": q, "kind": kind, "kinds": Entity.Kind.choices, "query": _query_without_page(request)})


QUOTES_ON_SPEAKER_PAGE = 200
ENDORSEMENTS_ON_SPEAKER_PAGE = 100


@reader_required
@ensure_csrf_cookie
def speaker_detail(request, pk):
    user = request.user
    speaker = get_object_or_404(selectors.entities_visible(user=user), pk=pk)
    months, undated = selectors.entity_quotes_by_month(user=user, entity_id=speaker.pk)
    quotes_qs = selectors.entity_quotes(user=user, entity_id=speaker.pk).order_by(
        F("article__published_on").desc(nulls_last=True), "-id")
    total = sum(n for _, n in months) + undated
    quotes = list(selectors.quote_values(quotes_qs[:QUOTES_ON_SPEAKER_PAGE], user=user))
    given, received = selectors.entity_endorsements(user=user, entity_id=speaker.pk)
    given_total, received_total = given.count(), received.count()
    given, received = given[:ENDORSEMENTS_ON_SPEAKER_PAGE], received[:ENDORSEMENTS_ON_SPEAKER_PAGE]
    can_edit = roles.is_editor(user)
    return render(request, "annotations/speaker_detail.html", {
        "speaker": speaker, "chart": charts.bars_by_month(months), "undated": undated, "quote_total": total,
        "quotes": quotes, "quotes_shown": len(quotes), "given": given, "received": received, "given_total": given_total,
        "received_total": received_total, "can_edit": can_edit,
        "data": {"speaker": {**SpeakerSerializer(speaker).data, "etag": etag_of(speaker)}, "can_edit": can_edit}})


QUOTES_PAGE_SIZE = 50
QUOTES_MAX_PAGE = 200  # deeper than this, narrow the search (or use the API's cursor)


@reader_required
def quote_list(request):
    """All quotes the user may see, filtered with the API's own filters (same parameters as
    /api/v1/quotes/), best match first with `q`, else newest first."""
    user = request.user
    scope = selectors.quotes_visible(user=user)
    filterset = QuoteFilter(request.GET, queryset=scope, request=request)
    rows, errors, has_next = [], {}, False
    try:
        number = min(max(int(request.GET.get("page", "1")), 1), QUOTES_MAX_PAGE)
    except ValueError:
        number = 1
    if filterset.is_valid():
        qs = filterset.qs
        ranked = "rank" in qs.query.annotations
        ordered = qs.values("id", "rank").order_by("-rank", "-id") if ranked else qs.values("id").order_by("-id")
        offset = (number - 1) * QUOTES_PAGE_SIZE
        try:
            with search_time_limit(ranked and selectors.ranks_every_match(qs)):
                ids = [r["id"] for r in ordered[offset:offset + QUOTES_PAGE_SIZE + 1]]
        except ValidationError as exc:
            ids, errors = [], exc.detail
        has_next = len(ids) > QUOTES_PAGE_SIZE and number < QUOTES_MAX_PAGE
        rows = selectors.quote_rows(scope, ids[:QUOTES_PAGE_SIZE], user=user)
        mentions = selectors.quote_mentions([r["id"] for r in rows if r["speaker_id"] is None])
        for row in rows:
            row["mention"] = mentions.get(row["id"])
    else:
        errors = filterset.errors
    speaker = None
    if filterset.is_valid() and filterset.form.cleaned_data.get("speaker"):
        speaker = selectors.entities_visible(user=user).filter(pk=filterset.form.cleaned_data["speaker"]).first()
    params = {name: request.GET.get(name, "") for name in
              ("q", "speaker", "speaker_name", "tag", "status", "outlet", "published_after", "published_before")}
    return render(request, "annotations/quote_list.html", {
        "rows": rows, "errors": errors, "params": params, "speaker": speaker, "number": number,
        "has_next": has_next, "query": _query_without_page(request), "can_edit": roles.is_editor(user),
        "tags": Tag.objects.order_by("name").values_list("slug", "name"),
        "outlets": Article.objects.exclude(outlet="").values_list("outlet", flat=True).distinct().order_by("outlet")[:200],
        "statuses": Status.values})


GRAPH_NODES_DRAWN = 40


@reader_required
def endorsement_network(request):
    """Who supports or opposes whom, drawn as SVG from the graph API's own selector and filters;
    an edge is a link to the list of its endorsements and their evidence quotes."""
    user = request.user
    scope = selectors.endorsements_for_graph(user=user, status=request.GET.get("status"))
    # The graph is drawn without the edge picked (endorser, target, polarity); the list under
    # it is that edge's endorsements, with the same other filters.
    base = request.GET.copy()
    for name in ("endorser", "target", "polarity"):
        base.pop(name, None)
    filterset = EndorsementFilter(base, queryset=scope, request=request)
    errors, graph, layout, edge_rows = {}, None, None, None
    raw_count = request.GET.get("min_count") or "1"
    try:
        min_count = min(max(int(raw_count), 1), 2**31 - 1)
    except ValueError:
        min_count = 1
        errors["min_count"] = [f"{raw_count[:40]!r} is not a whole number; not applied"]
    if filterset.is_valid():
        graph = selectors.endorsement_graph(qs=filterset.qs, min_count=min_count)
        drawn = graph["nodes"][:GRAPH_NODES_DRAWN]
        ids = {n["id"] for n in drawn}
        edges = [e for e in graph["edges"] if e["endorser"] in ids and e["target"] in ids]
        layout = charts.circle_layout(drawn, edges)
        for edge in layout["edges"]:
            edge["href"] = "?" + urlencode({**base.dict(), "endorser": edge["endorser"], "target": edge["target"],
                                            "polarity": edge["polarity"]}) + "#evidence"
        picked = {k: request.GET.get(k) for k in ("endorser", "target", "polarity")}
        edge_filter = EndorsementFilter(request.GET, queryset=scope, request=request)
        if all(picked.values()) and edge_filter.is_valid():
            edge_rows = _edge_evidence(user, edge_filter.qs)
            for edge in layout["edges"]:
                edge["current"] = (str(edge["endorser"]), str(edge["target"]), edge["polarity"]) == (
                    picked["endorser"], picked["target"], picked["polarity"])
    else:
        errors.update(filterset.errors)
    params = {name: request.GET.get(name, "") for name in
              ("published_after", "published_before", "min_count", "status", "outlet", "tag")}
    return render(request, "annotations/endorsement_network.html", {
        "graph": graph, "layout": layout, "errors": errors, "params": params, "edge_rows": edge_rows,
        "can_edit": roles.is_editor(user), "statuses": Status.values,
        # The export is what the graph counts: with no status chosen, all but the rejected.
        "export_query": urlencode({**{k: v for k, v in params.items() if v and k != "min_count"},
                                   **({} if params["status"] else {"status_not": Status.REJECTED})}),
        "colours": charts.POLARITY_COLOURS})


def _edge_evidence(user, qs):
    """The endorsements of one edge (the filtered scope `qs`), each with its evidence quote
    when `user` may see it."""
    rows = list(qs.select_related("article", "endorser", "target", "evidence").defer("article__body").order_by(
        F("article__published_on").desc(nulls_last=True), "-id")[:200])
    editor = roles.is_editor(user)
    for row in rows:
        shown = row.evidence if row.evidence_id and (editor or row.evidence.status == Status.ACCEPTED) else None
        row.shown_evidence = shown
    return rows
