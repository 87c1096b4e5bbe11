"""REST endpoints under /api/v1/. Thin: querysets come from selectors, writes go to services."""

from contextlib import contextmanager

import psycopg
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, OperationalError, connection, transaction
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler

from annotations import selectors, services
from annotations.api import exports, filters, serializers
from annotations.api.concurrency import AtomicWritesMixin, ETagMixin, Gone, PreconditionFailed, check_article_revision
from annotations.api.permissions import ReadAnyWriteAdmins, ReadAnyWriteEditors
from annotations.api.renderers import FastJSONRenderer
from annotations.models import Article, Entity, Status, Tag


def api_exception_handler(exc, context):
    """Model and database rule violations are the client's fault: 400 with the reason."""
    if isinstance(exc, (PreconditionFailed, Gone)):
        from rest_framework.views import set_rollback

        set_rollback()
        return Response(exc.data, status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": f"the request body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20} MB"},
                        status=413)
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    elif isinstance(exc, IntegrityError):
        exc = ValidationError({"detail": f"the change breaks a data rule: {str(exc).splitlines()[0]}"})
    elif isinstance(exc, DataError):
        # A value the database cannot hold (a NUL character, a number out of range), wherever
        # in the request it was: the client's to fix.
        exc = ValidationError({"detail": f"a value cannot be stored: {str(exc).splitlines()[0]}"})
    return exception_handler(exc, context)


class Pagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"

    def get_ordering(self, request, queryset, view):
        if "rank" in queryset.query.annotations:
            return ("-rank", "-id")
        return self.ordering if isinstance(self.ordering, tuple) else (self.ordering,)

    def get_page_size(self, request):
        # DRF falls back to the default on a bad value; a client that asked for 0 or "abc" is told.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            raise ValidationError({"page_size": f"a whole number from 1 to {self.max_page_size}, not {raw[:20]!r}"})
        return super().get_page_size(request)

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # Every ordering here is on integers (id, rank). DRF passes the position on unchecked, so
        # a tampered cursor with another one failed in the query (500); it is an invalid cursor.
        if cursor is not None and cursor.position is not None:
            try:
                int(cursor.position)
            except ValueError:
                raise NotFound(self.invalid_cursor_message) from None
        return cursor


# The mixins' notes are comments, not docstrings: the API schema describes a view by the first
# docstring in its classes, and these are about the code, not the endpoint.


# DRF's view, request and response point at one another, so every response (a page of rows with
# it) stayed in memory until the collector's next pass: a 10 ms stall every ten or so requests.
# Once the bytes are made, cut the links so it is freed at once.
class ReleaseAfterRender:

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if hasattr(response, "add_post_render_callback"):
            response.add_post_render_callback(self._release)
        return response

    def _release(self, response):
        response.renderer_context = None
        self.__dict__.clear()


# Exports are of lists: other actions answer JSON only (and the schema offers no `format` for
# them). An error on an export request is rendered as JSON, not as a half-made CSV.
class ListExports:

    def get_renderers(self):
        if getattr(self, "action", None) != "list":
            return [r() for r in self.renderer_classes if r.format not in exports.EXPORT_FORMATS]
        return super().get_renderers()

    def finalize_response(self, request, response, *args, **kwargs):
        if (getattr(response, "status_code", 200) >= 400
                and getattr(request, "accepted_renderer", None)
                and request.accepted_renderer.format in exports.EXPORT_FORMATS):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


@contextmanager
def search_time_limit(limited: bool):
    """Cancel a search still ranking after settings.SEARCH_TIMEOUT_MS: 400, asking for a
    narrower one, instead of a worker and a database process held for seconds."""
    if not limited:
        yield
        return
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(settings.SEARCH_TIMEOUT_MS)])
            yield
    except OperationalError as exc:
        if not isinstance(exc.__cause__, psycopg.errors.QueryCanceled):
            raise
        raise ValidationError({"q": [f"this search matches too many quotes to rank within "
                                     f"{settings.SEARCH_TIMEOUT_MS / 1000:g} s: add a word, or filter by "
                                     f"speaker, outlet or date"]}) from exc


def _service_fields(serializer) -> tuple[dict, object, list | None]:
    """(fields, article, tags) for a quote or endorsement service, from validated API data."""
    data = dict(serializer.validated_data)
    article = data.pop("article", None)
    if serializer.instance is not None and article is not None and article.pk != serializer.instance.article_id:
        raise ValidationError({"article_id": "an annotation stays in its article: make a new one in the other"})
    if "exact" in data:
        data["text"] = data.pop("exact")
    return data, article, data.pop("tags", None)


# accept / reject for quotes and endorsements.
class ReviewActions:

    review_service = None

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept it (editors): it becomes part of the article's annotations, and no suggestion
        pass changes it again."""
        return self._review(Status.ACCEPTED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject it (editors): it is hidden from viewers, and the same span is not suggested again."""
        return self._review(Status.REJECTED)

    def _review(self, new_status):
        obj = self.get_object()
        type(self).review_service(obj, self.request.user, new_status)
        return Response(self.get_serializer(obj).data)


@extend_schema_view(
    list=extend_schema(
        description="Quotes you may see, newest first (ranked by relevance with `q`). "
        "`?format=jsonl|csv|jsonld` streams the whole filtered list as JSON Lines, CSV or a "
        "W3C Web Annotation collection.",
        responses={
            (200, "application/json"): serializers.QuoteSerializer(many=True),
            (200, "application/x-ndjson"): OpenApiTypes.STR,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/ld+json"): OpenApiTypes.OBJECT,
        },
    ),
)
class QuoteViewSet(ReleaseAfterRender, AtomicWritesMixin, ListExports, ReviewActions, ETagMixin,
                   viewsets.ModelViewSet):
    """Quotes: the words an article quotes or reports (offsets into its body), who said them and
    the cue. Viewers see accepted quotes; editors also see suggestions and write. A detail carries
    an ETag: sent back as If-Match, a write over a newer change gets 412."""

    serializer_class = serializers.QuoteSerializer
    permission_classes = [ReadAnyWriteEditors]
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.QuoteFilter
    pagination_class = Pagination
    renderer_classes = [FastJSONRenderer, BrowsableAPIRenderer, *exports.EXPORT_RENDERERS]
    review_service = staticmethod(lambda q, user, s: services.quote_review(quote=q, user=user, status=s))

    def get_queryset(self):
        return selectors.quotes_visible(user=self.request.user)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        fmt = request.accepted_renderer.format
        if fmt in exports.EXPORT_FORMATS:
            if not selectors.ranks_every_match(queryset):
                rows = selectors.quote_values(queryset.order_by("id"), user=request.user).iterator(
                    chunk_size=exports.CHUNK)
                return exports.stream_quotes(rows, fmt, request)
            # A broad search is held to the same time limit as a page of it: its matches are
            # found first (400 when that takes too long), then streamed a chunk at a time.
            with search_time_limit(True):
                ids = list(queryset.order_by("id").values_list("id", flat=True))
            return exports.stream_quotes(exports.rows_by_id(self.get_queryset(), ids, user=request.user),
                                         fmt, request)
        if "rank" in queryset.query.annotations:
            # A search orders its matches on narrow rows, then reads the page's full rows by
            # id, from the user's scope alone: joining and reading every match before sorting
            # was most of its time, and repeating the search's join makes PostgreSQL read
            # every match again.
            with search_time_limit(selectors.ranks_every_match(queryset)):
                ranked = self.paginate_queryset(queryset.values("id", "rank"))
            page = selectors.quote_rows(self.get_queryset(), [row["id"] for row in ranked], user=request.user)
        else:
            page = self.paginate_queryset(selectors.quote_values(queryset, user=request.user))
        return self.get_paginated_response([serializers.quote_representation(row) for row in page])

    def perform_create(self, serializer):
        data, article, tags = _service_fields(serializer)
        check_article_revision(self.request, services.article_lock(article_id=article.id))
        serializer.instance = services.quote_create(article=article, user=self.request.user, tags=tags or (), **data)

    def perform_update(self, serializer):
        data, _, tags = _service_fields(serializer)
        serializer.instance = services.quote_update(quote=serializer.instance, user=self.request.user, tags=tags, **data)

    def perform_destroy(self, instance):
        services.quote_delete(quote=instance, user=self.request.user)

    @extend_schema(request=serializers.ReviewSerializer,
                   responses={200: OpenApiResponse(description='{"accepted": N, "ids": [the accepted quotes], '
                                                           '"endorsements_accepted": M, "endorsement_ids": [...]}')})
    @action(detail=False, methods=["post"], url_path="accept-all")
    def accept_all(self, request):
        """Accept every suggested quote and endorsement of an article whose confidence is at
        least `min_confidence` (editors). With the header X-Article-Revision (the revision you
        reviewed), a text changed since is a 412 and nothing is accepted."""
        body = serializers.ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        article = get_object_or_404(Article, pk=body.validated_data["article_id"])
        # The revision as locked: a correction still being stored is waited for, then seen.
        check_article_revision(request, services.article_lock(article_id=article.id))
        floor = body.validated_data["min_confidence"]
        ids = services.quotes_accept_all(article=article, user=request.user, min_confidence=floor)
        endorsement_ids = services.endorsements_accept_all(article=article, user=request.user, min_confidence=floor)
        return Response({"accepted": len(ids), "ids": ids,
                         "endorsements_accepted": len(endorsement_ids), "endorsement_ids": endorsement_ids})


@extend_schema_view(
    list=extend_schema(
        description="Endorsements you may see, newest first. `?format=jsonl|csv` streams the whole "
        "filtered list as JSON Lines or CSV.",
        responses={
            (200, "application/json"): serializers.EndorsementSerializer(many=True),
            (200, "application/x-ndjson"): OpenApiTypes.STR,
            (200, "text/csv"): OpenApiTypes.STR,
        },
    ),
)
class EndorsementViewSet(ReleaseAfterRender, AtomicWritesMixin, ListExports, ReviewActions, ETagMixin,
                         viewsets.ModelViewSet):
    """Endorsements: who supports or opposes whom (a speaker, or a cause in words) in an
    article, with the evidence for it. Viewers see accepted ones; editors also see suggestions
    and write. A detail carries an ETag: sent back as If-Match, a write over a newer change gets 412."""

    serializer_class = serializers.EndorsementSerializer
    permission_classes = [ReadAnyWriteEditors]
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.EndorsementFilter
    pagination_class = Pagination
    renderer_classes = [FastJSONRenderer, BrowsableAPIRenderer, *exports.ENDORSEMENT_RENDERERS]
    review_service = staticmethod(
        lambda e, user, s: services.endorsement_review(endorsement=e, user=user, status=s)
    )

    def get_queryset(self):
        renderer = getattr(self.request, "accepted_renderer", None)
        if self.action == "graph":
            status = self.request.query_params.get("status")
            return selectors.endorsements_for_graph(user=self.request.user, status=status)
        if getattr(renderer, "format", None) in exports.EXPORT_FORMATS:
            return selectors.endorsements_scope(user=self.request.user)
        return selectors.endorsements_visible(user=self.request.user)

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format in exports.EXPORT_FORMATS:
            queryset = self.filter_queryset(self.get_queryset())
            return exports.stream_endorsements(queryset.order_by("id"), request.accepted_renderer.format, request)
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[serializers.GraphQuerySerializer],
        responses={200: serializers.GraphSerializer},
        description="Who supports or opposes whom, among the endorsements you may see that match the "
        "filters (dates, outlet, tag, status, polarity; rejected ones only with status=rejected): "
        "parties as nodes with the counts of the edges they give and receive, edges endorser -> target "
        "with polarity and count (at least `min_count`; the heaviest 500). Endorsements of a slogan "
        "rather than a party are counted as `slogans`.")
    @action(detail=False, methods=["get"], renderer_classes=[FastJSONRenderer, BrowsableAPIRenderer])
    def graph(self, request):
        params = serializers.GraphQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        queryset = self.filter_queryset(self.get_queryset())
        return Response(selectors.endorsement_graph(qs=queryset, min_count=params.validated_data["min_count"]))

    def perform_create(self, serializer):
        data, article, tags = _service_fields(serializer)
        check_article_revision(self.request, services.article_lock(article_id=article.id))
        serializer.instance = services.endorsement_create(article=article, user=self.request.user, tags=tags or (),
                                                          **data)

    def perform_update(self, serializer):
        data, _, tags = _service_fields(serializer)
        serializer.instance = services.endorsement_update(endorsement=serializer.instance, user=self.request.user,
                                                          tags=tags, **data)

    def perform_destroy(self, instance):
        services.endorsement_delete(endorsement=instance, user=self.request.user)


class SpeakerViewSet(ReleaseAfterRender, AtomicWritesMixin, ETagMixin, viewsets.ModelViewSet):
    """Speakers: the people and organisations quotes and endorsements name, with their aliases.
    Viewers see the speakers of accepted annotations; editors write and merge."""

    serializer_class = serializers.SpeakerSerializer
    permission_classes = [ReadAnyWriteEditors]
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.SpeakerFilter
    pagination_class = Pagination
    queryset = Entity.objects.all()  # for the schema; requests read get_queryset

    def get_queryset(self):
        return selectors.entities_visible(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.entity_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.entity_update(entity=serializer.instance, **serializer.validated_data)

    @extend_schema(request=serializers.MergeSerializer,
                   responses={200: serializers.MergeResultSerializer},
                   description="Merge the speakers named in `others` into this one: their quotes, "
                   "endorsements and names (as aliases) move here, in one transaction, and they are "
                   "deleted. Editors and admins only.")
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        # Not get_object(): that locks this row first, and the service locks all the rows in id
        # order, so that two merges of the same speakers cannot deadlock.
        survivor = generics.get_object_or_404(self.get_queryset(), pk=pk)  # a bad id is a 404 too
        body = serializers.MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.entity_merge(survivor=survivor, others=body.validated_data["others"], user=request.user)
        return Response(serializers.MergeResultSerializer(result).data)

    def perform_destroy(self, instance):
        if instance.quotes.exists() or instance.endorsements_made.exists() or instance.endorsements_received.exists():
            raise ValidationError({"detail": "this speaker is used by quotes or endorsements"})
        instance.delete()


class TagViewSet(ReleaseAfterRender, AtomicWritesMixin, viewsets.ModelViewSet):
    """Tags that editors put on quotes and endorsements."""

    serializer_class = serializers.TagSerializer
    permission_classes = [ReadAnyWriteEditors]
    pagination_class = Pagination
    queryset = Tag.objects.all()


class ArticleViewSet(ReleaseAfterRender, AtomicWritesMixin, ETagMixin, viewsets.ModelViewSet):
    """Articles: title, outlet, date and body. Admins create and correct them (a corrected body
    is a new revision, its annotations moved to the new words); everyone else reads."""

    permission_classes = [ReadAnyWriteAdmins]
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.ArticleFilter
    pagination_class = Pagination
    editor_actions = ("done", "reopen")

    def get_queryset(self):
        return selectors.article_list_with_counts(user=self.request.user).select_related("done_by")

    def get_serializer_class(self):
        return serializers.ArticleListSerializer if self.action == "list" else serializers.ArticleSerializer

    def perform_create(self, serializer):
        data = serializer.validated_data
        if selectors.article_find_duplicate(url=data.get("url"), body=data["body"]):
            raise ValidationError({"url": "this article is already stored (same url, or same body without url)"})
        serializer.instance = services.article_create(**data)

    def perform_update(self, serializer):
        serializer.instance = services.article_update(article=serializer.instance, **serializer.validated_data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """Mark the article done (editors): its annotations are complete. With the header
        X-Article-Revision (the revision reviewed), a text changed since is a 412."""
        article = self.get_object()
        check_article_revision(request, services.article_lock(article_id=article.id))
        article = services.article_mark_done(article=article, user=request.user)
        return Response(serializers.ArticleSerializer(article).data)

    @extend_schema(parameters=[OpenApiParameter("after", int, description="the article you are on")],
                   responses={200: OpenApiResponse(description='{"id": N, "title": "..."} or {"id": null}')})
    @action(detail=False, methods=["get"], url_path="next-to-review")
    def next_to_review(self, request):
        """The next article that still needs review, after `?after=` (wrapping round)."""
        after = request.query_params.get("after", "0").strip()
        if not (after.isascii() and after.isdigit()):
            raise ValidationError({"after": "an article id"})
        article = selectors.article_next_to_review(after_id=min(int(after), 2**63 - 1))
        return Response({"id": article.pk, "title": article.title} if article else {"id": None, "title": None})

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a done article for review (editors). X-Article-Revision is checked as for done."""
        article = self.get_object()
        check_article_revision(request, services.article_lock(article_id=article.id))
        article = services.article_mark_done(article=article, user=request.user, done=False)
        return Response(serializers.ArticleSerializer(article).data)
