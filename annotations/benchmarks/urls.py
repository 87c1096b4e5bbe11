"""The bare baseline: the same quote rows as the API, via values() and orjson, no DRF."""

import orjson
from django.http import HttpResponse
from django.urls import path

from annotations.models import Quote
from newsdesk.urls import urlpatterns as site_urlpatterns

FIELDS = ["id", "article_id", "article__title", "article__url", "article__outlet", "article__published_on",
          "exact", "start", "end", "prefix", "suffix", "kind", "speaker_id", "speaker__name",
          "speaker__description", "speaker_start", "speaker_end", "cue", "cue_start", "cue_end", "status",
          "origin", "engine_version", "confidence", "created_at", "updated_at"]


def bare_quotes(request):
    qs = Quote.objects.filter(status="accepted").order_by("-id")
    if "speaker" in request.GET:
        qs = qs.filter(speaker_id=int(request.GET["speaker"]))
    if "before" in request.GET:
        qs = qs.filter(id__lt=int(request.GET["before"]))
    size = min(int(request.GET.get("page_size", 100)), 500)
    rows = list(qs.values(*FIELDS)[:size])
    return HttpResponse(orjson.dumps({"results": rows}), content_type="application/json")


urlpatterns = [path("bare/quotes/", bare_quotes), *site_urlpatterns]
