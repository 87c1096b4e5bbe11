"""The desk pages (speakers, quotes, endorsement network), the graph API and the endorsement
exports: each counts and shows only what the user may see."""

import csv
import io
import json
import re

import pytest

from annotations import charts
from annotations.models import Endorsement, Quote
from tests.api_helpers import BODY, client_for, people, world  # noqa: F401
from tests.factories import ArticleFactory, EntityFactory

pytestmark = pytest.mark.django_db


def streamed(response) -> str:
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def network(world):  # noqa: F811
    """Jane opposes Bob (accepted, twice: two articles) and supports Bob (suggested, hidden from
    viewers); the Taliban supports Jane (rejected); an endorsement of a slogan."""
    jane, bob, article = world["jane"], world["bob"], world["article"]
    taliban = EntityFactory(name="Taliban")
    other = ArticleFactory(published_on="2024-07-02", outlet="Daily Planet")
    quote2 = Quote.objects.create(article=other, start=0, end=7, exact=other.body[:7], speaker=jane,
                                  status="accepted")
    rows = [
        Endorsement.objects.create(article=article, endorser=jane, target=bob, polarity="opposes",
                                   evidence=world["accepted"], status="accepted"),
        Endorsement.objects.create(article=other, endorser=jane, target=bob, polarity="opposes",
                                   evidence=quote2, status="accepted"),
        Endorsement.objects.create(article=article, endorser=jane, target=bob, polarity="supports",
                                   evidence=world["suggested"], status="suggested", origin="engine",
                                   engine_version="t"),
        Endorsement.objects.create(article=article, endorser=taliban, target=jane, polarity="supports",
                                   status="rejected"),
        Endorsement.objects.create(article=article, endorser=jane, target_text="=America First",
                                   polarity="supports", evidence=world["suggested"], status="accepted"),
    ]
    return {**world, "taliban": taliban, "other": other, "quote2": quote2, "rows": rows}


def edges_of(data):
    return {(e["endorser"], e["target"], e["polarity"]): e["count"] for e in data["edges"]}


# --- Speakers ------------------------------------------------------------------------------

def test_speaker_list_counts_for_a_viewer_exclude_hidden_rows(network, people, client):
    jane, bob = network["jane"], network["bob"]
    client.force_login(people["viewer"])
    page = client.get("/speakers/")
    assert page.status_code == 200
    speakers = {s.pk: s for s in page.context["page"]}
    # Bob's only quote is a suggestion; the Taliban's only endorsement is rejected.
    assert network["taliban"].pk not in speakers
    assert (speakers[jane.pk].quote_count, speakers[jane.pk].given_count, speakers[jane.pk].received_count) == (2, 3, 0)
    assert (speakers[bob.pk].quote_count, speakers[bob.pk].received_count) == (0, 2)
    client.force_login(people["editor"])
    speakers = {s.pk: s for s in client.get("/speakers/").context["page"]}
    # Editors count suggestions too, never what they rejected (the Taliban's endorsement of Jane).
    assert (speakers[jane.pk].quote_count, speakers[jane.pk].given_count, speakers[jane.pk].received_count) == (2, 4, 0)
    assert speakers[bob.pk].quote_count == 1 and network["taliban"].pk in speakers
    network["suggested"].status = "rejected"
    network["suggested"].save()
    speakers = {s.pk: s for s in client.get("/speakers/").context["page"]}
    assert speakers[bob.pk].quote_count == 0 and speakers[network["taliban"].pk].given_count == 0


def test_a_speakers_page_leaves_out_what_editors_rejected(network, people, client):
    bob = network["bob"]
    client.force_login(people["editor"])
    assert client.get(f"/speakers/{bob.pk}/").context["quote_total"] == 1
    network["suggested"].status = "rejected"
    network["suggested"].save()
    page = client.get(f"/speakers/{bob.pk}/")
    assert page.context["quote_total"] == 0 and page.context["quotes"] == []
    assert all(b.count == 0 for b in page.context["chart"]["bars"])
    taliban = client.get(f"/speakers/{network['taliban'].pk}/")
    assert list(taliban.context["given"]) == [] and taliban.context["given_total"] == 0
    assert "Taliban" not in client.get("/endorsements/").content.decode()
    assert "Taliban" in client.get("/endorsements/", {"status": "rejected"}).content.decode()


def test_speaker_list_search_by_alias_and_kind(network, people, client):
    client.force_login(people["editor"])
    found = [s.pk for s in client.get("/speakers/", {"q": "j. roe"}).context["page"]]
    assert found == [network["jane"].pk]
    assert list(client.get("/speakers/", {"kind": "party"}).context["page"]) == []


def test_speaker_page_timeline_and_lists_for_a_viewer(network, people, client):
    jane = network["jane"]
    jane.name = "Jane <b>Roe</b>"  # names are escaped, in the SVG too
    jane.save()
    client.force_login(people["viewer"])
    page = client.get(f"/speakers/{jane.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<b>Roe" not in html and "Jane &lt;b&gt;Roe&lt;/b&gt;" in html
    bars = {b.label: b.count for b in page.context["chart"]["bars"]}
    assert bars == {"2024-05": 1, "2024-06": 0, "2024-07": 1}
    assert f'href="/articles/{network["article"].pk}/#quote-{network["accepted"].pk}"' in html
    given = list(page.context["given"])
    assert {e.pk for e in given} == {network["rows"][0].pk, network["rows"][1].pk, network["rows"][4].pk}
    assert list(page.context["received"]) == []
    # A speaker a viewer may not see is not found.
    assert client.get(f"/speakers/{network['taliban'].pk}/").status_code == 404
    assert 'id="alias-form"' not in html and 'id="merge"' not in html


def test_speaker_page_offers_editors_the_alias_form_and_merge(network, people, client):
    client.force_login(people["editor"])
    html = client.get(f"/speakers/{network['jane'].pk}/").content.decode()
    assert 'id="alias-form"' in html and 'id="merge-form"' in html and 'id="timeline"' in html


def test_bars_by_month_fills_gaps_and_turns_to_years():
    import datetime

    d = datetime.date
    chart = charts.bars_by_month([(d(2020, 1, 1), 2), (d(2020, 3, 1), 4)])
    assert [(b.label, b.count) for b in chart["bars"]] == [("2020-01", 2), ("2020-02", 0), ("2020-03", 4)]
    assert chart["bars"][2].height > chart["bars"][0].height > chart["bars"][1].height == 0
    long = charts.bars_by_month([(d(2000, 1, 1), 1), (d(2010, 6, 1), 3)])
    assert [b.label for b in long["bars"]][:2] == ["2000", "2001"] and len(long["bars"]) == 11


# --- Quotes --------------------------------------------------------------------------------

def test_quotes_page_searches_and_scopes(network, people, client):
    client.force_login(people["viewer"])
    page = client.get("/quotes/")
    ids = [r["id"] for r in page.context["rows"]]
    assert ids == [network["quote2"].pk, network["accepted"].pk]  # newest first, no suggestion
    hits = client.get("/quotes/", {"q": "taxes"})
    assert [r["id"] for r in hits.context["rows"]] == [network["accepted"].pk]
    html = hits.content.decode()
    assert f'/articles/{network["article"].pk}/#quote-{network["accepted"].pk}' in html and "Jane Roe" in html
    # The suggestion matches for an editor only.
    assert client.get("/quotes/", {"speaker_name": "bob"}).context["rows"] == []
    assert client.get("/quotes/", {"status": "suggested"}).context["rows"] == []
    client.force_login(people["editor"])
    assert [r["id"] for r in client.get("/quotes/", {"speaker_name": "bob"}).context["rows"]] == [network["suggested"].pk]
    assert [r["id"] for r in client.get("/quotes/", {"status": "suggested"}).context["rows"]] == [network["suggested"].pk]
    by_speaker = client.get("/quotes/", {"speaker": network["jane"].pk, "published_before": "2024-06-01"})
    assert [r["id"] for r in by_speaker.context["rows"]] == [network["accepted"].pk]
    assert by_speaker.context["speaker"] == network["jane"]


def test_quotes_and_speaker_pages_say_when_a_quote_lost_its_place_or_its_words_changed(network, people, client):
    Quote.objects.filter(pk=network["accepted"].pk).update(anchor="orphaned")
    Quote.objects.filter(pk=network["quote2"].pk).update(reworded_from="the older words")
    client.force_login(people["viewer"])
    for page in (client.get("/quotes/"), client.get(f"/speakers/{network['jane'].pk}/")):
        html = page.content.decode()
        assert html.count("lost its place") == 1 and html.count("words changed") == 1


def test_quotes_page_shows_a_bare_mention_as_the_editor_does(network, people, client):
    quote = network["accepted"]
    at = BODY.index("Jane Roe")
    Quote.objects.filter(pk=quote.pk).update(speaker=None, speaker_start=at, speaker_end=at + len("Jane Roe"))
    client.force_login(people["editor"])
    html = client.get("/quotes/", {"q": "taxes"}).content.decode()
    assert '<strong title="named only in the text">Jane Roe</strong>' in html and "no speaker" not in html


def test_quotes_page_reports_bad_filters(network, people, client):
    client.force_login(people["viewer"])
    page = client.get("/quotes/", {"published_after": "not a date"})
    assert page.status_code == 200 and "published_after" in page.context["errors"]
    assert page.context["rows"] == []


def test_quotes_page_paginates(world, people, client):  # noqa: F811
    article = world["article"]
    for _ in range(55):
        Quote.objects.create(article=article, start=0, end=5, exact=BODY[:5], status="accepted")
    client.force_login(people["viewer"])
    first = client.get("/quotes/")
    second = client.get("/quotes/", {"page": 2})
    assert len(first.context["rows"]) == 50 and first.context["has_next"]
    assert len(second.context["rows"]) == 6 and not second.context["has_next"]
    assert not {r["id"] for r in first.context["rows"]} & {r["id"] for r in second.context["rows"]}


# --- Graph ---------------------------------------------------------------------------------

def test_graph_api_for_editor_and_viewer(network, people):
    jane, bob, taliban = network["jane"], network["bob"], network["taliban"]
    editor = client_for(people["editor"])
    data = editor.get("/api/v1/endorsements/graph/").json()
    # Suggestions are drawn for editors; what they rejected only when they ask for it.
    assert edges_of(data) == {(jane.pk, bob.pk, "opposes"): 2, (jane.pk, bob.pk, "supports"): 1}
    nodes = {n["id"]: n for n in data["nodes"]}
    assert (nodes[jane.pk]["given"], nodes[jane.pk]["received"]) == (3, 0) and taliban.pk not in nodes
    assert data["slogans"] == 1 and data["truncated"] is False
    rejected = editor.get("/api/v1/endorsements/graph/?status=rejected").json()
    assert edges_of(rejected) == {(taliban.pk, jane.pk, "supports"): 1}
    viewer = client_for(people["viewer"]).get("/api/v1/endorsements/graph/").json()
    assert edges_of(viewer) == {(jane.pk, bob.pk, "opposes"): 2}
    assert {n["id"] for n in viewer["nodes"]} == {jane.pk, bob.pk}


def test_graph_api_filters(network, people):
    jane, bob = network["jane"], network["bob"]
    editor = client_for(people["editor"])
    assert edges_of(editor.get("/api/v1/endorsements/graph/?min_count=2").json()) == {(jane.pk, bob.pk, "opposes"): 2}
    dated = editor.get("/api/v1/endorsements/graph/?published_after=2024-06-01").json()
    assert edges_of(dated) == {(jane.pk, bob.pk, "opposes"): 1}
    assert editor.get("/api/v1/endorsements/graph/?published_before=2024-01-01").json()["nodes"] == []
    assert editor.get("/api/v1/endorsements/graph/?min_count=0").status_code == 400
    assert editor.get("/api/v1/endorsements/graph/?published_after=x").status_code == 400
    assert client_for(None).get("/api/v1/endorsements/graph/").status_code in (401, 403)


def test_network_page_reports_a_minimum_count_that_is_no_number_and_still_draws(network, people, client):
    client.force_login(people["viewer"])
    page = client.get("/endorsements/", {"min_count": "abc"})
    assert page.status_code == 200
    assert page.context["errors"] == {"min_count": ["'abc' is not a whole number; not applied"]}
    assert "min_count: &#x27;abc&#x27; is not a whole number" in page.content.decode()
    assert page.content.decode().count('class="edge') == 1  # drawn with the minimum of 1
    both = client.get("/endorsements/", {"min_count": "abc", "published_after": "x"})
    assert set(both.context["errors"]) == {"min_count", "published_after"}


def test_network_page_draws_edges_and_lists_an_edges_evidence(network, people, client):
    jane, bob = network["jane"], network["bob"]
    client.force_login(people["viewer"])
    page = client.get("/endorsements/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="graph"' in html
    assert html.count('class="edge') == 1 and 'data-polarity="opposes"' in html and 'data-count="2"' in html
    assert "Taliban" not in html
    picked = client.get("/endorsements/", {"endorser": jane.pk, "target": bob.pk, "polarity": "opposes"})
    assert {e.pk for e in picked.context["edge_rows"]} == {network["rows"][0].pk, network["rows"][1].pk}
    html = picked.content.decode()
    assert f'#quote-{network["accepted"].pk}' in html and f'#quote-{network["quote2"].pk}' in html
    # The graph still shows every edge when one is picked.
    assert html.count('class="edge') == 1 and 'class="edge current"' in html
    # A hidden edge lists nothing for a viewer.
    hidden = client.get("/endorsements/", {"endorser": jane.pk, "target": bob.pk, "polarity": "supports"})
    assert hidden.context["edge_rows"] == []


# --- Exports -------------------------------------------------------------------------------

def test_endorsement_exports_jsonl_and_csv(network, people):
    viewer = client_for(people["viewer"])
    response = viewer.get("/api/v1/endorsements/?format=jsonl")
    assert response.status_code == 200 and response["Content-Type"] == "application/x-ndjson"
    rows = [json.loads(line) for line in streamed(response).splitlines()]
    accepted = [r for r in network["rows"] if r.status == "accepted"]
    assert [r["id"] for r in rows] == [r.pk for r in accepted]
    first = rows[0]
    assert (first["endorser"], first["target"], first["polarity"], first["evidence_id"]) == (
        "Jane Roe", "Bob Poe", "opposes", network["accepted"].pk)
    assert first["published_on"] == "2024-05-01" and first["outlet"] == "Daily Planet"
    # Evidence a viewer may not see (a suggestion) is not named.
    assert rows[-1]["evidence_id"] is None and rows[-1]["target_text"] == "=America First"
    response = viewer.get("/api/v1/endorsements/?format=csv&polarity=supports")
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(streamed(response).lstrip("\ufeff"))))
    assert [int(r["id"]) for r in table] == [network["rows"][4].pk]
    assert table[0]["target_text"] == "'=America First"  # not run as a formula
    editor_rows = streamed(client_for(people["editor"]).get("/api/v1/endorsements/?format=jsonl")).splitlines()
    assert len(editor_rows) == 5
    assert viewer.get("/api/v1/endorsements/?format=csv&published_after=x").status_code == 400


def test_the_network_pages_export_is_what_its_graph_counts(network, people, client):
    client.force_login(people["editor"])
    editor = client_for(people["editor"])
    for shown in ({}, {"status": "rejected"}):
        page = client.get("/endorsements/", shown)
        graph = page.context["graph"]
        graph_count = sum(e["count"] for e in graph["edges"]) + graph["slogans"]
        link = re.search(r'href="(/api/v1/endorsements/\?[^"]*format=jsonl)"', page.content.decode()).group(1)
        exported = b"".join(editor.get(link.replace("&amp;", "&")).streaming_content).decode().splitlines()
        assert len(exported) == graph_count > 0, (shown, link)
        assert all(('"rejected"' in row) == bool(shown) for row in exported)


def test_an_outlet_filter_in_another_case_shows_as_chosen(network, people, client):
    client.force_login(people["editor"])
    for path in ("/articles/", "/quotes/"):
        html = client.get(path, {"outlet": "daily PLANET"}).content.decode()
        assert '<option value="Daily Planet" selected>' in html, path


def test_a_long_name_in_the_network_goes_on_two_lines_that_fit_its_margin():
    nodes = [{"id": i, "name": name, "given": 1, "received": 1}
             for i, name in enumerate(["Councilwoman Jia Chen of the Third Ward", "Ann Lee", "Supercalifragilisticexpialidocious"])]
    placed = {n["id"]: n for n in charts.circle_layout(nodes, [])["nodes"]}
    assert placed[0]["lines"] == ["Councilwoman", "Jia Chen of…"] and placed[1]["lines"] == ["Ann Lee"]
    assert all(len(line) <= charts.LABEL_CHARS for n in placed.values() for line in n["lines"])


def test_a_speaker_filter_that_finds_no_speaker_stays_shown_and_removable(network, people, client):
    client.force_login(people["editor"])
    html = client.get("/quotes/", {"speaker": "99999", "q": "taxes"}).content.decode()
    assert "speaker #99999: not found" in html and '<input type="hidden" name="speaker" value="99999">' in html
    assert 'href="?q=taxes&amp;" aria-label="any speaker"' in html
