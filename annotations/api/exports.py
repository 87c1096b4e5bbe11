"""Streamed exports of a filtered quote list: JSON Lines, CSV and W3C Web Annotation JSON-LD.

Rows are read with a server-side cursor in chunks and written as they come, so a
million quotes never sit in memory at once.
"""

import csv

import orjson
from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer, JSONRenderer

CHUNK = 2000
# A cell starting with one of these is run as a formula by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _ExportRenderer(BaseRenderer):
    """Lets `?format=` select an export; the view streams the body itself."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data, accepted_media_type, renderer_context)


class JSONLinesRenderer(_ExportRenderer):
    media_type = "application/x-ndjson"
    format = "jsonl"


class CSVRenderer(_ExportRenderer):
    media_type = "text/csv"
    format = "csv"


class JSONLDRenderer(_ExportRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


EXPORT_RENDERERS = [JSONLinesRenderer, CSVRenderer, JSONLDRenderer]
EXPORT_FORMATS = {r.format for r in EXPORT_RENDERERS}

CSV_COLUMNS = ["id", "article_id", "article_title", "article_url", "outlet", "published_on",
               "text", "start", "end", "prefix", "suffix", "kind", "speaker_id", "speaker",
               "speaker_description", "speaker_start", "speaker_end", "cue", "tags", "status",
               "origin", "confidence", "created_by", "created_at", "reviewed_by", "updated_at"]


def quote_row(quote) -> dict:
    article, speaker = quote.article, quote.speaker
    return {
        "id": quote.id,
        "article_id": article.id,
        "article_title": article.title,
        "article_url": article.url,
        "outlet": article.outlet,
        "published_on": article.published_on.isoformat() if article.published_on else None,
        "text": quote.exact,
        "start": quote.start,
        "end": quote.end,
        "prefix": quote.prefix,
        "suffix": quote.suffix,
        "kind": quote.kind,
        "speaker_id": speaker.id if speaker else None,
        "speaker": speaker.name if speaker else None,
        "speaker_description": speaker.description if speaker else None,
        "speaker_start": quote.speaker_start,
        "speaker_end": quote.speaker_end,
        "cue": quote.cue,
        "tags": [tag.slug for tag in quote.tags.all()],
        "status": quote.status,
        "origin": quote.origin,
        "confidence": quote.confidence,
        "created_by": quote.created_by.get_username() if quote.created_by else None,
        "created_at": quote.created_at.isoformat(),
        "reviewed_by": quote.reviewed_by.get_username() if quote.reviewed_by else None,
        "updated_at": quote.updated_at.isoformat(),
    }


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, list):
        value = ";".join(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def _iso(dt) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def quote_annotation(quote, absolute) -> dict:
    """One quote as a W3C Web Annotation with TextQuote and TextPosition selectors."""
    article, speaker = quote.article, quote.speaker
    bodies = [{"type": "TextualBody", "purpose": "classifying", "value": f"{quote.kind} quote",
               "format": "text/plain"}]
    if speaker:
        bodies.append({"type": "TextualBody", "purpose": "identifying", "value": speaker.name,
                       "format": "text/plain"})
    if quote.cue:
        bodies.append({"type": "TextualBody", "purpose": "describing", "value": quote.cue,
                       "format": "text/plain"})
    bodies += [{"type": "TextualBody", "purpose": "tagging", "value": tag.slug} for tag in quote.tags.all()]
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": absolute(f"/api/v1/quotes/{quote.id}/"),
        "type": "Annotation",
        "motivation": "identifying",
        "created": _iso(quote.created_at),
        "modified": _iso(quote.updated_at),
        "body": bodies,
        "target": {
            "source": article.url or absolute(f"/api/v1/articles/{article.id}/"),
            "selector": [
                {"type": "TextQuoteSelector", "exact": quote.exact, "prefix": quote.prefix,
                 "suffix": quote.suffix},
                {"type": "TextPositionSelector", "start": quote.start, "end": quote.end},
            ],
        },
    }
    if quote.created_by:
        annotation["creator"] = {"type": "Person", "nickname": quote.created_by.get_username()}
    else:
        annotation["creator"] = {"type": "Software", "name": f"Newsdesk {quote.engine_version or quote.origin}"}
    return annotation


def stream_quotes(queryset, fmt: str, request) -> StreamingHttpResponse:
    rows = queryset.iterator(chunk_size=CHUNK)
    if fmt == "jsonl":
        body = (orjson.dumps(quote_row(q)) + b"\n" for q in rows)
        content_type, ext = "application/x-ndjson", "jsonl"
    elif fmt == "csv":
        writer = csv.writer(_Echo())

        def lines():
            yield "\ufeff" + writer.writerow(CSV_COLUMNS)  # BOM so spreadsheets read UTF-8
            for q in rows:
                row = quote_row(q)
                yield writer.writerow([_csv_cell(row[c]) for c in CSV_COLUMNS])

        body, content_type, ext = lines(), "text/csv; charset=utf-8", "csv"
    else:
        absolute = request.build_absolute_uri

        def lines():
            head = {"@context": "http://www.w3.org/ns/anno.jsonld", "id": absolute(),
                    "type": "AnnotationCollection", "label": "Newsdesk quotes"}
            yield orjson.dumps(head)[:-1] + b',"first":{"type":"AnnotationPage","items":['
            for i, q in enumerate(rows):
                yield (b"," if i else b"") + orjson.dumps(quote_annotation(q, absolute))
            yield b"]}}"

        body, content_type, ext = lines(), "application/ld+json", "jsonld"
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="quotes.{ext}"'
    return response
