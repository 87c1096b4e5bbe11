"""Streamed exports of a filtered quote list: JSON Lines, CSV and W3C Web Annotation JSON-LD.

Rows are read with a server-side cursor in chunks and written as they come, so a
million quotes never sit in memory at once.
"""

import csv

import orjson
from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer, JSONRenderer

from annotations import selectors
from annotations.api.serializers import iso_utc

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
               "speaker_description", "speaker_start", "speaker_end", "cue", "tags", "status", "anchor",
               "reworded_from", "origin", "engine_version", "confidence", "created_by", "created_at",
               "reviewed_by", "updated_at"]


def quote_row(row: dict) -> dict:
    """A flat export row from a completed selectors.quote_values row."""
    published = row["article__published_on"]
    return {
        "id": row["id"],
        "article_id": row["article_id"],
        "article_title": row["article__title"],
        "article_url": row["article__url"],
        "outlet": row["article__outlet"],
        "published_on": published.isoformat() if published else None,
        "text": row["exact"],
        "start": row["start"],
        "end": row["end"],
        "prefix": row["prefix"],
        "suffix": row["suffix"],
        "kind": row["kind"],
        "speaker_id": row["speaker_id"],
        "speaker": row["speaker__name"],
        "speaker_description": row["speaker__description"],
        "speaker_start": row["speaker_start"],
        "speaker_end": row["speaker_end"],
        "cue": row["cue"],
        "tags": row["tag_slugs"],
        "status": row["status"],
        # Orphaned: start/end are where its words were in an older text, no place in this one.
        "anchor": row["anchor"],
        "reworded_from": row["reworded_from"],
        "origin": row["origin"],
        "engine_version": row["engine_version"],
        "confidence": row["confidence"],
        "created_by": row["created_by__username"],
        "created_at": iso_utc(row["created_at"]),
        "reviewed_by": row["reviewed_by__username"],
        "updated_at": iso_utc(row["updated_at"]),
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


def quote_annotation(row: dict, absolute) -> dict:
    """One quote as a W3C Web Annotation with TextQuote and TextPosition selectors."""
    bodies = [{"type": "TextualBody", "purpose": "classifying", "value": f"{row['kind']} quote",
               "format": "text/plain"}]
    if row["speaker_id"]:
        bodies.append({"type": "TextualBody", "purpose": "identifying", "value": row["speaker__name"],
                       "format": "text/plain"})
    if row["cue"]:
        bodies.append({"type": "TextualBody", "purpose": "describing", "value": row["cue"],
                       "format": "text/plain"})
    bodies += [{"type": "TextualBody", "purpose": "tagging", "value": slug} for slug in row["tag_slugs"]]
    creator = row["created_by__username"]
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": absolute(f"/api/v1/quotes/{row['id']}/"),
        "type": "Annotation",
        "motivation": "identifying",
        "created": iso_utc(row["created_at"]),
        "modified": iso_utc(row["updated_at"]),
        "creator": ({"type": "Person", "nickname": creator} if creator else
                    {"type": "Software", "name": f"Newsdesk {row['engine_version'] or row['origin']}"}),
        "body": bodies,
        "target": {
            "source": row["article__url"] or absolute(f"/api/v1/articles/{row['article_id']}/"),
            "selector": [
                {"type": "TextQuoteSelector", "exact": row["exact"], "prefix": row["prefix"],
                 "suffix": row["suffix"]},
                # An orphan's offsets point into an older text: its words are all it has.
                *([{"type": "TextPositionSelector", "start": row["start"], "end": row["end"]}]
                  if row["anchor"] == "anchored" else []),
            ],
        },
    }


def rows_by_id(scope, ids: list[int], *, user):
    """quote_values rows of these ids, read a chunk at a time, in order."""
    for i in range(0, len(ids), CHUNK):
        yield from selectors.quote_rows(scope, ids[i:i + CHUNK], user=user)


def stream_quotes(rows, fmt: str, request) -> StreamingHttpResponse:
    """Stream quote_values rows as JSON Lines, CSV or W3C Web Annotation JSON-LD."""
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


ENDORSEMENT_RENDERERS = [JSONLinesRenderer, CSVRenderer]
ENDORSEMENT_COLUMNS = ["id", "article_id", "article_title", "article_url", "outlet", "published_on",
                       "endorser_id", "endorser", "target_id", "target", "target_text", "polarity",
                       "evidence_id", "responds_to", "text", "start", "end", "tags", "status", "anchor",
                       "reworded_from", "origin", "engine_version", "confidence", "created_by", "created_at",
                       "reviewed_by", "updated_at"]


def endorsement_row(row: dict) -> dict:
    """A flat export row from a selectors.endorsement_values row."""
    published = row["article__published_on"]
    return {
        "id": row["id"], "article_id": row["article_id"], "article_title": row["article__title"],
        "article_url": row["article__url"], "outlet": row["article__outlet"],
        "published_on": published.isoformat() if published else None,
        "endorser_id": row["endorser_id"], "endorser": row["endorser__name"],
        "target_id": row["target_id"], "target": row["target__name"], "target_text": row["target_text"],
        "polarity": row["polarity"], "evidence_id": row["evidence_shown"], "responds_to": row["responds_to_shown"],
        "text": row["exact"], "start": row["start"], "end": row["end"], "tags": row["tag_slugs"],
        "status": row["status"], "anchor": row["anchor"], "reworded_from": row["reworded_from"],
        "origin": row["origin"],
        "engine_version": row["engine_version"], "confidence": row["confidence"], "created_by": row["created_by__username"],
        "created_at": iso_utc(row["created_at"]), "reviewed_by": row["reviewed_by__username"],
        "updated_at": iso_utc(row["updated_at"]),
    }


def stream_endorsements(queryset, fmt: str, request) -> StreamingHttpResponse:
    rows = selectors.endorsement_values(queryset, user=request.user).iterator(chunk_size=CHUNK)
    if fmt == "jsonl":
        body = (orjson.dumps(endorsement_row(e)) + b"\n" for e in rows)
        content_type = "application/x-ndjson"
    else:
        writer = csv.writer(_Echo())

        def lines():
            yield "\ufeff" + writer.writerow(ENDORSEMENT_COLUMNS)
            for e in rows:
                row = endorsement_row(e)
                yield writer.writerow([_csv_cell(row[c]) for c in ENDORSEMENT_COLUMNS])

        body, content_type = lines(), "text/csv; charset=utf-8"
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="endorsements.{fmt}"'
    return response
