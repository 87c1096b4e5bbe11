"""The editor's pages. They render text only; every change goes through the REST API."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import ensure_csrf_cookie

from annotations import roles, selectors
from annotations.api.serializers import (
    ArticleSerializer,
    EndorsementSerializer,
    TagSerializer,
    quote_representation,
)
from annotations.models import Article, Tag


def _reader(request) -> None:
    if not roles.can_read(request.user):
        raise PermissionDenied("Your account has no role yet (editors or viewers): ask an admin to give it one.")


@login_required
def article_list(request):
    _reader(request)
    for name, value in request.GET.items():
        if "\x00" in value:  # PostgreSQL text cannot hold it; say so instead of failing
            return HttpResponseBadRequest(f"{name}: contains a NUL character", content_type="text/plain")
    articles = selectors.article_list_with_counts(user=request.user).order_by("-published_on", "-id")
    q = request.GET.get("q", "").strip()
    if q:
        articles = articles.filter(Q(title__icontains=q) | Q(body__icontains=q))
    if outlet := request.GET.get("outlet", "").strip():
        articles = articles.filter(outlet__iexact=outlet)
    if after := request.GET.get("after", ""):
        articles = articles.filter(published_on__gte=after) if _is_date(after) else articles
    if before := request.GET.get("before", ""):
        articles = articles.filter(published_on__lte=before) if _is_date(before) else articles
    state = request.GET.get("state", "")
    if state in (Article.Review.NEEDS_REVIEW, Article.Review.DONE):
        articles = articles.filter(review=state)
    page = Paginator(articles.defer("body"), 50).get_page(request.GET.get("page"))
    outlets = Article.objects.exclude(outlet="").values_list("outlet", flat=True).distinct().order_by("outlet")[:200]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "annotations/article_list.html", {
        "page": page, "q": q, "outlet": outlet, "after": after, "before": before, "state": state,
        "outlets": outlets, "query": query.urlencode(), "can_edit": roles.is_editor(request.user)})


def _is_date(value: str) -> bool:
    import datetime

    try:
        datetime.date.fromisoformat(value)
        return True
    except ValueError:
        return False


@login_required
@ensure_csrf_cookie
def article_edit(request, pk):
    _reader(request)
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
