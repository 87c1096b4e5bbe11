import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from annotations.models import Endorsement, Quote, Tag
from tests.api_helpers import BODY, client_for, people, world  # noqa: F401
from tests.factories import ArticleFactory, EntityFactory

W3C_VALIDATOR = Path(settings.BASE_DIR).parent / "shared" / "w3c-annotation-tests" / "validate.py"


@pytest.fixture
def editor(people):  # noqa: F811
    return client_for(people["editor"])


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def walk_pages(client, url, size):
    """Ids of every page from `url` on, following `next`; no page holds more than `size`."""
    seen = []
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= size
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    return seen


def test_quote_carries_article_speaker_anchor_and_review_fields(editor, world):  # noqa: F811
    data = editor.get(f"/api/v1/quotes/{world['accepted'].id}/").json()
    assert data["article"] == {"id": world["article"].id, "title": world["article"].title,
                               "url": "https://planet.example/a1", "outlet": "Daily Planet",
                               "published_on": "2024-05-01"}
    assert data["speaker"] == {"id": world["jane"].id, "name": "Jane Roe", "description": "finance minister"}
    assert data["text"] == "taxes will fall"
    assert BODY[data["start"]:data["end"]] == "taxes will fall"
    assert {"prefix", "suffix", "kind", "cue", "tags", "status", "origin", "confidence", "created_at",
            "updated_at", "created_by", "reviewed_by", "endorsements"} <= set(data)


def test_filters(editor, world):  # noqa: F811
    other = ArticleFactory(body="Elsewhere, Jane Roe said “inflation is beaten” today.", outlet="Gazette",
                           published_on="2023-01-10")
    start = other.body.index("inflation")
    q3 = Quote.objects.create(article=other, start=start, end=start + 19, exact="inflation is beaten",
                              speaker=world["jane"], kind="indirect")
    tag = Tag.objects.create(name="Economy", slug="economy")
    q3.tags.add(tag)
    Endorsement.objects.create(article=other, endorser=world["jane"], target=world["bob"],
                               polarity="opposes", evidence=q3)
    acc, sug = world["accepted"].id, world["suggested"].id
    base = "/api/v1/quotes/"
    assert set(ids(editor.get(base, {"speaker": world["jane"].id}))) == {acc, q3.id}
    assert set(ids(editor.get(base, {"speaker_name": "j. roe"}))) == {acc, q3.id}  # alias, any case
    assert ids(editor.get(base, {"article": other.id})) == [q3.id]
    assert set(ids(editor.get(base, {"outlet": "daily planet"}))) == {acc, sug}
    assert ids(editor.get(base, {"published_after": "2024-01-01", "status": "suggested"})) == [sug]
    assert ids(editor.get(base, {"published_before": "2023-12-31"})) == [q3.id]
    assert ids(editor.get(base, {"kind": "indirect"})) == [q3.id]
    assert ids(editor.get(base, {"tag": "economy"})) == [q3.id]
    assert ids(editor.get(base, {"q": "tax"})) == [acc]  # stemmed: "taxes" matches "tax"
    assert ids(editor.get(base, {"q": "inflation -taxes"})) == [q3.id]
    assert ids(editor.get(base, {"endorser": world["jane"].id})) == [q3.id]
    assert ids(editor.get(base, {"target": world["bob"].id})) == [q3.id]
    assert ids(editor.get(base, {"endorser": "j. roe"})) == [q3.id]  # a name or alias, any case
    assert ids(editor.get(base, {"target": "Bob"})) == [q3.id]
    assert ids(editor.get(base, {"endorser": "Bob"})) == []
    bad = editor.get(base, {"published_after": "last tuesday", "status": "maybe"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"published_after", "status"}


def test_cursor_pagination_is_stable_and_bounded(editor, world):  # noqa: F811
    article = world["article"]
    for i in range(30):
        Quote.objects.create(article=article, start=0, end=6, exact="Intro.", status="accepted")
    seen = walk_pages(editor, "/api/v1/quotes/?page_size=7", 7)
    assert len(seen) == len(set(seen)) == 32
    assert seen == sorted(seen, reverse=True)
    assert editor.get("/api/v1/quotes/?cursor=garbage").status_code == 404


def more_quotes(article, n):
    """n accepted quotes on `article`, in one insert."""
    Quote.objects.bulk_create(Quote(article=article, start=0, end=6, exact="Intro.", status="accepted")
                              for _ in range(n))


def test_page_size_is_capped_at_500(editor, world):  # noqa: F811
    more_quotes(world["article"], 598)  # 600 with the world's two
    first = editor.get("/api/v1/quotes/?page_size=100000").json()
    assert len(first["results"]) == 500 and first["next"]
    seen = walk_pages(editor, "/api/v1/quotes/?page_size=100000", 500)
    assert len(seen) == len(set(seen)) == 600
    assert len(editor.get("/api/v1/quotes/").json()["results"]) == 50  # the default page
    for bad in ("0", "-1", "abc", "1.5"):
        answer = editor.get(f"/api/v1/quotes/?page_size={bad}")
        assert answer.status_code == 400 and "whole number from 1 to 500" in answer.json()["page_size"], bad


def test_a_format_an_endpoint_does_not_offer_is_406_naming_the_ones_it_does(editor, world):  # noqa: F811
    answer = editor.get("/api/v1/quotes/?format=xml")
    assert answer.status_code == 406 and answer["Content-Type"] == "application/json"
    assert answer.json()["detail"] == "format 'xml' is not offered here; use one of: api, csv, json, jsonl, jsonld"
    answer = editor.get(f"/api/v1/articles/{world['article'].id}/?format=csv")
    assert answer.status_code == 406 and "use one of: api, json" in answer.json()["detail"]
    assert editor.get("/api/v1/quotes/?format=json").status_code == 200


def test_search_pages_follow_the_rank(people, editor, world):  # noqa: F811
    """q ranks every match, then pages through them best first; ties newest first."""
    article = world["article"]
    texts = {3: "budget budget budget", 2: "the budget budget", 1: "a budget vote"}
    # Orphans: the only quotes whose words need not be in the body (as after an edit).
    made = {n: [Quote.objects.create(article=article, start=0, end=6, exact=texts[n], status="accepted",
                                     anchor="orphaned").id
                for _ in range(3)] for n in texts}
    hidden = Quote.objects.create(article=article, start=0, end=6, exact="budget budget budget budget",
                                  status="suggested", anchor="orphaned")
    expected = [i for n in (3, 2, 1) for i in sorted(made[n], reverse=True)]

    assert walk_pages(editor, "/api/v1/quotes/?q=budget&status=accepted&page_size=2", 2) == expected

    viewer = client_for(people["viewer"])
    assert ids(viewer.get("/api/v1/quotes/?q=budget&page_size=500")) == expected
    assert ids(editor.get("/api/v1/quotes/?q=budget&page_size=1"))[0] == hidden.id
    row = editor.get("/api/v1/quotes/?q=budget&page_size=1").json()["results"][0]
    assert row["text"] == "budget budget budget budget" and row["status"] == "suggested"


def test_browsable_api_offers_every_filter(people, world):  # noqa: F811
    from rest_framework.test import APIClient

    browser = APIClient()
    browser.force_login(people["viewer"])
    page = browser.get("/api/v1/quotes/?speaker=1", HTTP_ACCEPT="text/html").content.decode()
    for name in ("speaker_name", "published_after", "q", "endorser"):
        assert f'name="{name}"' in page, name
    # The response is shown indented, one field a line, as people read it.
    assert "{\n  &quot;next&quot;: null,\n  &quot;previous&quot;: null,\n  &quot;results&quot;: [" in page


def test_write_checks_the_span_against_the_body(editor, world):  # noqa: F811
    article = world["article"]
    start = BODY.index("Bob Poe")
    ok = editor.post("/api/v1/quotes/", {"article_id": article.id, "start": start, "end": start + 7,
                                         "text": "Bob Poe", "speaker_id": world["bob"].id}, format="json")
    assert ok.status_code == 201, ok.content
    assert ok.json()["prefix"] == BODY[max(0, start - 32):start]
    mismatch = editor.post("/api/v1/quotes/", {"article_id": article.id, "start": start, "end": start + 7,
                                               "text": "Bob Pox"}, format="json")
    assert mismatch.status_code == 400
    assert "not the text sent" in mismatch.json()["text"][0]
    outside = editor.post("/api/v1/quotes/", {"article_id": article.id, "start": 5, "end": 5000,
                                              "text": "x"}, format="json")
    assert outside.status_code == 400 and "not inside the body" in outside.json()["text"][0]
    no_speaker = editor.post("/api/v1/quotes/", {"article_id": article.id, "start": start, "end": start + 7,
                                                 "text": "Bob Poe", "speaker_id": 999999}, format="json")
    assert no_speaker.status_code == 400 and "speaker_id" in no_speaker.json()
    bad_polarity = editor.post("/api/v1/endorsements/", {"article_id": article.id, "endorser_id": world["bob"].id,
                                                         "target_text": "x", "polarity": "loves"}, format="json")
    assert bad_polarity.status_code == 400 and "polarity" in bad_polarity.json()


def test_stale_write_gets_412_and_changes_nothing(people, world):  # noqa: F811
    alice, bob = client_for(people["editor"]), client_for(people["admin"])
    url = f"/api/v1/quotes/{world['accepted'].id}/"
    etag = alice.get(url)["ETag"]
    first = bob.patch(url, {"kind": "mixed"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    stale = alice.patch(url, {"kind": "indirect"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    body = stale.json()
    assert "changed by ada" in body["detail"] and body["current"]["kind"] == "mixed"
    assert Quote.objects.get(pk=world["accepted"].id).kind == "mixed"
    fresh = alice.patch(url, {"kind": "indirect"}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert fresh.status_code == 200
    assert alice.delete(url, HTTP_IF_MATCH=etag).status_code == 412
    assert Quote.objects.filter(pk=world["accepted"].id).exists()
    # A speaker has no reviewer: who changed it comes from its history, and when reads as a time.
    url = f"/api/v1/speakers/{world['jane'].id}/"
    etag = alice.get(url)["ETag"]
    assert bob.patch(url, {"description": "minister"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    stale = alice.patch(url, {"description": "mayor"}, format="json", HTTP_IF_MATCH=etag).json()["detail"]
    assert re.search(r"changed by ada at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC after you loaded it", stale), stale


def test_deleting_a_suggestion_rejects_it_so_it_does_not_come_back(editor, world):  # noqa: F811
    assert editor.delete(f"/api/v1/quotes/{world['suggested'].id}/").status_code == 204
    assert Quote.objects.get(pk=world["suggested"].id).status == "rejected"


def test_accept_all_above_a_confidence(editor, world):  # noqa: F811
    low = Quote.objects.create(article=world["article"], start=0, end=6, exact="Intro.", status="suggested",
                               origin="engine", engine_version="t", confidence=0.2)
    sure, unsure = (Endorsement.objects.create(
        article=world["article"], endorser=world["jane"], target_text=slogan, polarity="supports",
        status="suggested", origin="engine", engine_version="t", confidence=confidence)
        for slogan, confidence in (("tax cuts", 0.9), ("more tax", 0.1)))
    response = editor.post("/api/v1/quotes/accept-all/", {"article_id": world["article"].id,
                                                          "min_confidence": 0.5}, format="json")
    assert response.json() == {"accepted": 1, "ids": [world["suggested"].id],
                               "endorsements_accepted": 1, "endorsement_ids": [sure.id]}
    assert Endorsement.objects.get(pk=sure.pk).status == "accepted"
    assert Endorsement.objects.get(pk=unsure.pk).status == "suggested"
    assert Quote.objects.get(pk=world["suggested"].id).status == "accepted"
    assert Quote.objects.get(pk=low.pk).status == "suggested"
    # The editor's undo puts exactly those back to suggested, each with its own ETag.
    url = f"/api/v1/quotes/{world['suggested'].id}/"
    etag = editor.get(url).json()["etag"]
    undone = editor.patch(url, {"status": "suggested"}, format="json", HTTP_IF_MATCH=etag)
    assert undone.status_code == 200 and undone.json()["status"] == "suggested"
    # Back to an open suggestion: the engine's again, reviewed by nobody.
    assert (undone.json()["reviewed_by"], undone.json()["reviewed_at"]) == (None, None)
    undone = editor.patch(f"/api/v1/endorsements/{sure.id}/", {"status": "suggested"}, format="json")
    assert (undone.json()["status"], undone.json()["reviewed_by"]) == ("suggested", None)


def test_an_annotation_does_not_move_to_another_article(editor, world):  # noqa: F811
    other = ArticleFactory()
    url = f"/api/v1/quotes/{world['accepted'].id}/"
    moved = editor.patch(url, {"article_id": other.id}, format="json")
    assert moved.status_code == 400 and "stays in its article" in moved.json()["article_id"]
    assert editor.patch(url, {"article_id": world["article"].id, "kind": "mixed"}, format="json").status_code == 200


def test_marking_done_twice_keeps_who_finished_it_and_when(people, world):  # noqa: F811
    url = f"/api/v1/articles/{world['article'].id}/done/"
    first = client_for(people["editor"]).post(url).json()
    again = client_for(people["admin"]).post(url).json()
    assert (again["review"], again["done_by"], again["done_at"]) == ("done", "eddie", first["done_at"])


def test_next_article_to_review_skips_done_ones_and_wraps_round(editor, world):  # noqa: F811
    from annotations import services

    first = world["article"]
    done = services.article_create(body="Done one.", title="Done", suggest_after=False)
    later = services.article_create(body="Later one.", title="Later", suggest_after=False)
    services.article_mark_done(article=done, user=None)
    assert editor.get(f"/api/v1/articles/next-to-review/?after={first.id}").json() == {"id": later.id,
                                                                                        "title": "Later"}
    assert editor.get(f"/api/v1/articles/next-to-review/?after={later.id}").json()["id"] == first.id
    services.article_mark_done(article=first, user=None)
    assert editor.get(f"/api/v1/articles/next-to-review/?after={later.id}").json() == {"id": None, "title": None}
    for bad in ("x", "\x00", "٣"):  # not an id: 400, never a 500
        assert editor.get("/api/v1/articles/next-to-review/", {"after": bad}).status_code == 400


def test_a_speaker_by_exact_name_or_alias_within_the_readers_scope(people, world):  # noqa: F811
    EntityFactory(name="Jane Roe-Smith")  # contains the name; not it
    editor, viewer = client_for(people["editor"]), client_for(people["viewer"])

    def found(client, name):
        return [s["id"] for s in client.get("/api/v1/speakers/", {"name_exact": name}).json()["results"]]

    assert found(editor, "jane roe") == found(editor, "J. ROE") == [world["jane"].id]
    assert found(editor, "Jane") == []
    assert found(editor, "Bob Poe") == [world["bob"].id]
    assert found(viewer, "Bob Poe") == []  # only a suggested quote of his: hidden from viewers


def test_speaker_names_are_unique_across_aliases(editor, world):  # noqa: F811
    response = editor.post("/api/v1/speakers/", {"name": "j. roe"}, format="json")
    assert response.status_code == 400 and "already exists" in response.json()["name"][0]


def test_exports_parse_back(editor, world, tmp_path):  # noqa: F811
    evil = EntityFactory(name="=HYPERLINK(\"http://evil\")")
    world["accepted"].speaker = evil
    world["accepted"].save()

    jsonl = editor.get("/api/v1/quotes/?format=jsonl&status=accepted")
    assert jsonl["Content-Type"] == "application/x-ndjson"
    rows = [json.loads(line) for line in b"".join(jsonl.streaming_content).decode().splitlines()]
    assert [r["text"] for r in rows] == ["taxes will fall"]

    got = editor.get("/api/v1/quotes/?format=csv")
    text = b"".join(got.streaming_content).decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert {r["text"] for r in table} == {"taxes will fall", "no they will not"}
    # Spreadsheet formula injection is defused.
    assert {r["speaker"] for r in table} == {"'=HYPERLINK(\"http://evil\")", "Bob Poe"}
    # Times read as the JSON API writes them, in every format.
    api = editor.get(f"/api/v1/quotes/{rows[0]['id']}/").json()
    assert api["updated_at"].endswith("Z")
    assert (rows[0]["created_at"], rows[0]["updated_at"]) == (api["created_at"], api["updated_at"])
    [csv_row] = [r for r in table if r["id"] == str(api["id"])]
    assert (csv_row["created_at"], csv_row["updated_at"]) == (api["created_at"], api["updated_at"])
    # Which engine made a suggestion travels with it, as in the JSON API.
    assert (csv_row["engine_version"], rows[0]["engine_version"]) == (api["engine_version"], api["engine_version"])

    ld = editor.get("/api/v1/quotes/?format=jsonld")
    doc = json.loads(b"".join(ld.streaming_content))
    items = doc["first"]["items"]
    assert len(items) == 2
    selectors = {s["type"]: s for s in items[0]["target"]["selector"]}
    assert BODY[selectors["TextPositionSelector"]["start"]:selectors["TextPositionSelector"]["end"]] == \
        selectors["TextQuoteSelector"]["exact"]
    # Whether its offsets are a place in the text travels too: an orphan's are not.
    Quote.objects.filter(pk=world["accepted"].pk).update(anchor="orphaned", reworded_from="taxes will rise")
    [orphan] = [json.loads(line) for line in b"".join(
        editor.get("/api/v1/quotes/?format=jsonl&status=accepted").streaming_content).decode().splitlines()]
    assert (orphan["anchor"], orphan["reworded_from"]) == ("orphaned", "taxes will rise")
    table = list(csv.DictReader(io.StringIO(b"".join(
        editor.get("/api/v1/quotes/?format=csv").streaming_content).decode("utf-8-sig"))))
    assert {(r["text"], r["anchor"]) for r in table} == {("taxes will fall", "orphaned"),
                                                         ("no they will not", "anchored")}


@pytest.mark.skipif(not W3C_VALIDATOR.exists(),
                    reason=f"the W3C Web Annotation test suite is not beside the project ({W3C_VALIDATOR})")
def test_the_jsonld_export_passes_the_w3c_suite(editor, world, tmp_path):  # noqa: F811
    # An orphan (its words gone in an edit) is exported too, with its words alone.
    world["accepted"].anchor = "orphaned"
    world["accepted"].save()
    ld = editor.get("/api/v1/quotes/?format=jsonld")
    doc = json.loads(b"".join(ld.streaming_content))
    orphan = next(i for i in doc["first"]["items"] if i["target"]["selector"][0]["exact"] == "taxes will fall")
    assert [s["type"] for s in orphan["target"]["selector"]] == ["TextQuoteSelector"]
    path = tmp_path / "export.jsonld"
    path.write_text(json.dumps(doc))
    result = subprocess.run([sys.executable, str(W3C_VALIDATOR), str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    assert "2 of 2 annotations pass" in result.stdout


def test_exports_hold_every_row_past_one_read_chunk(people, editor, world):  # noqa: F811
    """Exports are read in chunks of exports.CHUNK rows: one of three chunks holds every row,
    each once, and a viewer's holds no suggestion."""
    from annotations.api import exports

    total = 2 * exports.CHUNK + 50
    more_quotes(world["article"], total - 2)
    every = set(Quote.objects.values_list("id", flat=True))
    assert len(every) == total

    def body(client, fmt):
        return b"".join(client.get(f"/api/v1/quotes/?format={fmt}").streaming_content)

    rows = [json.loads(line) for line in body(editor, "jsonl").splitlines()]
    assert len(rows) == total and {r["id"] for r in rows} == every
    assert [r["id"] for r in rows] == sorted(every)
    table = list(csv.DictReader(io.StringIO(body(editor, "csv").decode("utf-8-sig"))))
    assert len(table) == total and {int(r["id"]) for r in table} == every
    items = json.loads(body(editor, "jsonld"))["first"]["items"]
    assert len(items) == total and len({i["id"] for i in items}) == total

    viewer = client_for(people["viewer"])
    seen = [json.loads(line)["id"] for line in body(viewer, "jsonl").splitlines()]
    assert len(seen) == total - 1 and set(seen) == every - {world["suggested"].id}


def test_export_errors_are_json(editor, world):  # noqa: F811
    response = editor.get("/api/v1/quotes/?format=csv&published_after=nope")
    assert response.status_code == 400
    assert response.json() == {"published_after": ["Enter a valid date."]}


def test_openapi_schema_and_offline_docs(editor):
    schema = editor.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/quotes/", "/api/v1/articles/", "/api/v1/speakers/", "/api/v1/endorsements/",
            "/api/v1/tags/"} <= set(paths)
    # Each operation is described for a client (not by a note on the code), and only the lists,
    # which stream exports, take ?format=.
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation.get("description") and "DRF" not in operation["description"], (method, path)
            formats = [p for p in operation.get("parameters", []) if p["name"] == "format"]
            assert bool(formats) == (method == "get" and path in ("/api/v1/quotes/", "/api/v1/endorsements/")), \
                (method, path)
    assert "min_confidence" in paths["/api/v1/quotes/accept-all/"]["post"]["description"]
    docs = editor.get("/api/docs/")
    html = docs.content.decode()
    assert docs.status_code == 200
    assert "swagger-ui" in html and "cdn" not in html.lower() and "//unpkg" not in html


def test_a_nul_character_anywhere_in_a_write_is_a_400(editor, world):  # noqa: F811
    # A tag slug is only looked up, never validated as text: PostgreSQL refuses the NUL.
    answer = editor.post("/api/v1/quotes/", {"article_id": world["article"].id, "start": 0, "end": 6,
                                             "text": "Intro.", "tags": ["bad\x00slug"]}, format="json")
    assert answer.status_code == 400
    assert "cannot be stored" in answer.json()["detail"]


def test_hostile_strings_on_pages_are_400s_not_500s(people, world, client):  # noqa: F811
    client.force_login(people["editor"])
    for url in ("/articles/?q=a%00b", "/articles/?outlet=a%00b", "/speakers/?q=%00", "/quotes/?q=a%00",
                "/endorsements/?outlet=%00"):
        answer = client.get(url)
        assert answer.status_code == 400 and b"NUL" in answer.content, url
    assert client.options("/api/docs/").status_code == 405
    for url in (f"/api/v1/quotes/{world['accepted'].id}/", f"/api/v1/articles/{world['article'].id}/"):
        assert client.options(url).status_code == 200


@pytest.mark.django_db(transaction=True)  # as served: no test transaction around the request
def test_options_on_an_item_describes_it_for_those_who_may_write_it(people, world):  # noqa: F811
    """DRF's metadata asks for the object as if writing (PUT/POST), to check rights: that must not
    take the write path's row locks, which want a transaction an OPTIONS request has not."""
    from annotations.models import Endorsement

    endorsement = Endorsement.objects.create(article=world["article"], endorser=world["jane"], target=world["bob"],
                                             polarity="supports", status="accepted", origin="editor")
    urls = [f"/api/v1/quotes/{world['accepted'].id}/", f"/api/v1/articles/{world['article'].id}/",
            f"/api/v1/speakers/{world['jane'].id}/", f"/api/v1/endorsements/{endorsement.id}/"]
    for role in ("editor", "admin"):
        for url in urls:
            answer = client_for(people[role]).options(url)
            assert answer.status_code == 200, (role, url, answer.content[:300])
            assert answer.json()["name"]


def test_json_nested_too_deeply_is_a_400_that_says_so(editor, world):  # noqa: F811
    # Python's JSON reader gives up on deep nesting with a RecursionError, not a ValueError.
    for depth in (1000, 100_000):
        for method, url in (("patch", f"/api/v1/speakers/{world['jane'].id}/"), ("post", "/api/v1/quotes/")):
            body = '{"a":' * depth + "1" + "}" * depth if method == "patch" else "[" * depth + "]" * depth
            answer = getattr(editor, method)(url, body, content_type="application/json")
            assert answer.status_code == 400, (method, depth, answer.content[:200])
            assert "nested too deeply" in answer.json()["detail"]


def test_article_bodies_over_the_limit_are_refused_with_the_reason(people):  # noqa: F811
    admin = client_for(people["admin"])
    at_limit = admin.post("/api/v1/articles/", {"title": "t", "body": "é" * 1_000_000}, format="json")
    assert at_limit.status_code == 201
    over = admin.post("/api/v1/articles/", {"title": "t", "body": "a" * 1_000_001}, format="json")
    assert over.status_code == 400 and "over the limit of 1,000,000" in over.json()["body"][0]
    huge = admin.post("/api/v1/articles/", '{"title": "t", "body": "' + "a" * 9_000_000 + '"}',
                      content_type="application/json")
    assert huge.status_code == 413 and huge["Content-Type"] == "application/json"
    assert "request body is over 8 MB" in huge.json()["detail"]


def test_pages_send_a_content_security_policy_and_users_change_their_password(people, client):  # noqa: F811
    client.force_login(people["viewer"])
    page = client.get("/articles/")
    assert "script-src 'self'" in page["Content-Security-Policy"] and "'unsafe-inline'" not in \
        page["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert "camera=()" in page["Permissions-Policy"]
    changed = client.post("/account/password/", {"old_password": "pw-vera", "new_password1": "a-Long-new-pass-42",
                                                 "new_password2": "a-Long-new-pass-42"})
    assert changed.status_code == 302 and changed["Location"] == "/account/password/done/"
    people["viewer"].refresh_from_db()
    assert people["viewer"].check_password("a-Long-new-pass-42")


def test_the_article_list_filters(people, client):  # noqa: F811
    import datetime

    from annotations import services

    def make(title, outlet, day, done=False):
        article = services.article_create(body=f"{title}. Some words about the council.", title=title,
                                          outlet=outlet, published_on=datetime.date(2024, 5, day),
                                          suggest_after=False)
        if done:
            services.article_mark_done(article=article, user=people["editor"])
        return article

    make("Bridge vote", "Daily Planet", 1)
    make("Budget cuts", "Daily Planet", 10, done=True)
    make("Budget talks", "Gazette", 20)
    client.force_login(people["editor"])

    def titles(query):
        page = client.get(f"/articles/?{query}").content.decode()
        return {t for t in ("Bridge vote", "Budget cuts", "Budget talks") if t in page}

    assert titles("q=budget") == {"Budget cuts", "Budget talks"}
    assert titles("outlet=gazette") == {"Budget talks"}
    assert titles("after=2024-05-05&before=2024-05-15") == {"Budget cuts"}
    assert titles("state=done") == {"Budget cuts"}
    assert titles("state=needs_review&outlet=Daily+Planet") == {"Bridge vote"}
    assert titles("after=not-a-date") == {"Bridge vote", "Budget cuts", "Budget talks"}
    # ... and the page says the date was not applied, instead of ignoring it in silence.
    assert "after: &#x27;not-a-date&#x27; is not a date (YYYY-MM-DD); not applied" in client.get(
        "/articles/?after=not-a-date").content.decode()


def test_a_quoted_phrase_matches_the_phrase_only(people, world):  # noqa: F811
    from annotations.models import Quote

    article = world["article"]
    body_words = {"phrase": "a very positive meeting", "apart": "positive, but not very"}
    made = {}
    for key, text in body_words.items():
        made[key] = Quote.objects.create(article=article, start=0, end=6, exact=text, status="accepted",
                                         anchor="orphaned")  # free-standing text: see test_search_index
    viewer = client_for(people["viewer"])
    found = {q["id"] for q in viewer.get('/api/v1/quotes/?q="very positive"').json()["results"]}
    assert found == {made["phrase"].id}
    found = {q["id"] for q in viewer.get("/api/v1/quotes/?q=very positive").json()["results"]}
    assert found == {made["phrase"].id, made["apart"].id}


def test_accepting_what_is_accepted_changes_nothing_unless_its_words_changed(people, world):  # noqa: F811
    """A second accept (another editor walking the list, a repeated request) keeps the first
    reviewer and the ETag everyone holds; after a correction reworded it, it confirms the decision."""
    first, second = client_for(people["editor"]), client_for(people["admin"])
    url = f"/api/v1/quotes/{world['suggested'].id}/"
    accepted = first.post(url + "accept/").json()
    assert accepted["status"] == "accepted" and accepted["reviewed_by"] == people["editor"].username
    again = second.post(url + "accept/", HTTP_IF_MATCH=accepted["etag"])
    assert again.status_code == 200
    assert again.json()["etag"] == accepted["etag"] and again.json()["reviewed_by"] == people["editor"].username
    assert again.json()["reviewed_at"] == accepted["reviewed_at"]
    # Words changed under the decision: accepting again is the editor keeping it.
    Quote.objects.filter(pk=world["suggested"].id).update(reworded_from="no they will")
    kept = second.post(url + "accept/")
    assert kept.json()["reworded_from"] == "" and kept.json()["reviewed_by"] == people["admin"].username
    assert kept.json()["etag"] != accepted["etag"]
    rejected = second.post(url + "reject/", HTTP_IF_MATCH=kept.json()["etag"]).json()
    assert rejected["status"] == "rejected"
