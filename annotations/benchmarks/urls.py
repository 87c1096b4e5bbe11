"""The bare baseline: the same quote rows as the API (same values() query, tags and
endorsements included), rendered by orjson in a plain Django view: no DRF, no auth (so the
scope of an anonymous user, which is a viewer's)."""

import orjson
from django.http import HttpResponse
from django.urls import path

from annotations import selectors
from annotations.api.views import Pagination
from annotations.models import Quote
from newsdesk.urls import urlpatterns as site_urlpatterns


def bare_quotes(request):
    qs = Quote.objects.filter(status="accepted")
    if "speaker" in request.GET:
        qs = qs.filter(speaker_id=int(request.GET["speaker"]))
    if "before" in request.GET:
        qs = qs.filter(id__lt=int(request.GET["before"]))
    size = min(int(request.GET.get("page_size", Pagination.page_size)), Pagination.max_page_size)
    if "q" in request.GET:  # ranked on narrow rows first, as the API does
        ranked = selectors.quotes_search(qs, text=request.GET["q"], user=request.user).order_by("-rank", "-id")
        rows = selectors.quote_rows(qs, list(ranked.values_list("id", flat=True)[:size]), user=request.user)
    else:
        rows = list(selectors.quote_values(qs.order_by("-id"), user=request.user)[:size])
    return HttpResponse(orjson.dumps({"results": rows}), content_type="application/json")


urlpatterns = [path("bare/quotes/", bare_quotes), *site_urlpatterns]
