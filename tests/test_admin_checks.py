"""The admin is held to the API's rules: what the API refuses with a 400, the admin's forms
refuse with a form error (never a database error page), and what the admin stores is what the
services would store. With it, the smaller write rules the API alone had missed."""

import pytest
from django.contrib.auth.models import User

from annotations import services
from annotations.models import Article, Endorsement, Entity, Quote, SuggestionRun
from tests.api_helpers import BODY, client_for, make_user, world  # noqa: F401  (fixture)


@pytest.fixture
def boss(client, db):
    user = User.objects.create_superuser("boss", password="pw-boss")
    client.force_login(user)
    return user


def _quote_form(quote, **changes):
    form = {"article": quote.article_id, "start": quote.start, "end": quote.end, "exact": quote.exact,
            "prefix": quote.prefix, "suffix": quote.suffix, "kind": quote.kind, "speaker": quote.speaker_id or "",
            "speaker_start": "", "speaker_end": "", "cue": "", "cue_start": "", "cue_end": "",
            "status": quote.status, "origin": quote.origin, "engine_version": quote.engine_version,
            "confidence": quote.confidence if quote.confidence is not None else "", "anchor": quote.anchor,
            "created_by": "", "reviewed_by": "", "reviewed_at_0": "", "reviewed_at_1": ""}
    form.update(changes)
    return form


def _errors(response) -> str:
    assert response.status_code == 200, response.status_code  # the form again, not a redirect or a 500
    errors = response.context["adminform"].form.errors.get_json_data()
    return " | ".join(f"{field}: {e['message']}" for field, listed in errors.items() for e in listed)


def test_an_admin_quote_on_words_that_are_not_there_is_a_form_error(client, boss, world):
    quote = world["accepted"]
    url = f"/admin/annotations/quote/{quote.id}/change/"
    for bad in ({"start": 0}, {"end": 99999}):
        errors = _errors(client.post(url, _quote_form(quote, **bad)))
        assert "not inside the body" in errors or "not the text sent" in errors, errors
    quote.refresh_from_db()
    assert BODY[quote.start:quote.end] == quote.exact == "taxes will fall"

    errors = _errors(client.post("/admin/annotations/quote/add/",
                                 _quote_form(quote, start=0, end=4, exact="nope", status="accepted")))
    assert "'Intr'" in errors and "'nope'" in errors, errors
    assert Quote.objects.count() == 2


def test_an_admin_quote_moved_to_other_words_gets_their_context_and_its_cue_is_the_bodys(client, boss, world):
    quote = world["accepted"]
    start = BODY.index("no they")
    form = _quote_form(quote, start=start, end=start + 7, exact="no they", cue_start=BODY.index("said"),
                       cue_end=BODY.index("said") + 4)
    response = client.post(f"/admin/annotations/quote/{quote.id}/change/", form)
    assert response.status_code == 302, _errors(response)
    quote.refresh_from_db()
    assert (quote.exact, quote.prefix, quote.cue) == ("no they", BODY[max(0, start - 32):start], "said")

    errors = _errors(client.post(f"/admin/annotations/quote/{quote.id}/change/", {**form, "cue": "shouted"}))
    assert "not the cue sent 'shouted'" in errors, errors


def test_the_admin_refuses_a_speaker_name_that_is_another_speakers_alias(client, boss, world):
    form = {"name": "J. ROE", "kind": "person", "description": "", "aliases": "", "wikidata_id": ""}
    errors = _errors(client.post("/admin/annotations/entity/add/", form))
    assert "already exists as a name or alias of the speaker 'Jane Roe'" in errors, errors
    bob = world["bob"]
    errors = _errors(client.post(f"/admin/annotations/entity/{bob.id}/change/",
                                 {**form, "name": "Bob Poe", "aliases": "Bobby,j. roe"}))
    assert "'j. roe' already exists" in errors, errors
    assert Entity.objects.filter(name__iexact="j. roe").count() == 0
    bob.refresh_from_db()
    assert bob.aliases == []
    # A speaker of its own still saves, its name trimmed and its aliases cleaned, as the API does.
    response = client.post("/admin/annotations/entity/add/", {**form, "name": "  Ann Lee ", "aliases": "Ann,ann, A. Lee"})
    assert response.status_code == 302
    assert Entity.objects.get(name="Ann Lee").aliases == ["Ann", "A. Lee"]


def test_the_admin_refuses_a_self_endorsement(client, boss, world):
    jane = world["jane"]
    endorsement = services.endorsement_create(article=world["article"], user=boss, endorser=jane,
                                              target=world["bob"], polarity="supports")
    form = {"article": world["article"].id, "endorser": jane.id, "target": jane.id, "target_text": "",
            "polarity": "supports", "evidence": "", "start": "", "end": "", "exact": "", "responds_to": "",
            "status": "accepted", "origin": "editor", "engine_version": "", "confidence": "",
            "anchor": "anchored", "created_by": "", "reviewed_by": "", "reviewed_at_0": "", "reviewed_at_1": ""}
    errors = _errors(client.post(f"/admin/annotations/endorsement/{endorsement.id}/change/", form))
    assert "Jane Roe cannot endorse or oppose themselves" in errors, errors
    errors = _errors(client.post(f"/admin/annotations/endorsement/{endorsement.id}/change/",
                                 {**form, "target": world["bob"].id, "start": 0, "end": 5, "exact": "Outro"}))
    assert "not the text sent 'Outro'" in errors, errors
    endorsement.refresh_from_db()
    assert endorsement.target_id == world["bob"].id and endorsement.start is None


def test_an_admin_article_is_made_as_the_api_makes_one_and_a_duplicate_is_refused(client, boss, db):
    form = {"title": "Hello", "body": "Hello world.  He said “yes”.\r\n", "outlet": "", "url": "", "published_on": "",
            "language": "en", "review": "needs_review", "import_batch": ""}
    response = client.post("/admin/annotations/article/add/", form)
    assert response.status_code == 302, _errors(response)
    article = Article.objects.get()
    assert article.body_sha256 and article.body == "Hello world.  He said “yes”."  # normalised, hashed to deduplicate
    assert SuggestionRun.objects.filter(article=article, revision=article.revision).exists()

    errors = _errors(client.post("/admin/annotations/article/add/", form))
    assert f"already stored as article {article.id}" in errors, errors
    assert Article.objects.count() == 1


def test_a_cue_is_the_bodys_words_at_its_offsets(world):
    editor = make_user("ed", "editors")
    api = client_for(editor)
    article = world["article"]
    said = BODY.index("said")
    s = BODY.index("taxes")
    base = {"article_id": article.id, "text": "taxes", "start": s, "end": s + 5, "cue_start": said, "cue_end": said + 4}
    response = api.post("/api/v1/quotes/", {**base, "cue": "wrong"}, format="json")
    assert response.status_code == 400 and "not the cue sent 'wrong'" in response.json()["cue"][0]
    response = api.post("/api/v1/quotes/", base, format="json")
    assert response.status_code == 201 and response.json()["cue"] == "said"
    # The editor's form sends the cue as typed words: new words are no longer a place in the body.
    quote = response.json()
    response = api.patch(f"/api/v1/quotes/{quote['id']}/", {"cue": "told reporters"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["cue"], response.json()["cue_start"]) == ("told reporters", None)


def test_a_write_to_a_replaced_suggestion_says_so_and_the_page_can_reload(world):
    editor = make_user("ed", "editors")
    api = client_for(editor)
    gone = world["suggested"].id
    Quote.objects.filter(pk=gone).delete()  # as a newer suggestion pass does
    for response in (api.post(f"/api/v1/quotes/{gone}/accept/", HTTP_X_ARTICLE_REVISION="1"),
                     api.patch(f"/api/v1/quotes/{gone}/", {"kind": "direct"}, format="json")):
        assert response.status_code == 404
        assert response.json()["code"] == "gone" and "reload the page" in response.json()["detail"]
    assert api.get(f"/api/v1/quotes/{gone}/").status_code == 404


def test_id_filters_take_whole_numbers_only(world):
    api = client_for(make_user("ed", "editors"))
    for query in ("article=1.5", "speaker=2.5", "article=-1"):
        response = api.get(f"/api/v1/quotes/?{query}")
        assert response.status_code == 400, (query, response.status_code)
    article = world["article"].id
    assert len(api.get(f"/api/v1/quotes/?article={article}").json()["results"]) == 2


def test_an_account_with_no_role_is_told_why_on_a_page_of_the_site(client, db):
    user = make_user("nobody", "none")
    client.force_login(user)
    response = client.get("/articles/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "no role yet" in page and "Log out" in page


def test_an_endorsement_text_needs_its_place_and_a_free_text_target_is_not_the_endorser(world):
    api = client_for(make_user("ed", "editors"))
    jane = world["jane"]
    base = {"article_id": world["article"].id, "endorser_id": jane.id, "polarity": "supports"}
    response = api.post("/api/v1/endorsements/", {**base, "target_text": "the plan", "text": "Intro"}, format="json")
    assert response.status_code == 400 and "give start and end with the text" in response.json()["text"][0]
    for self_named in ("Jane Roe", " j. roe "):
        response = api.post("/api/v1/endorsements/", {**base, "target_text": self_named}, format="json")
        assert response.status_code == 400, response.content
        assert "cannot endorse or oppose themselves" in response.json()["target_id"][0]
    response = api.post("/api/v1/endorsements/", {**base, "target_text": "the plan", "text": "Intro", "start": 0,
                                                  "end": 5}, format="json")
    assert response.status_code == 201 and response.json()["text"] == "Intro"
    assert Endorsement.objects.count() == 1


def test_an_if_match_that_names_no_version_of_the_item_is_told_apart_from_a_change(world):
    api = client_for(make_user("ed", "editors"))
    quote = world["accepted"]
    etag = api.get(f"/api/v1/quotes/{quote.id}/")["ETag"]
    response = api.patch(f"/api/v1/quotes/{quote.id}/", {"kind": "indirect"}, format="json", HTTP_IF_MATCH='"bogus"')
    assert response.status_code == 412
    assert "is not an ETag of this item" in response.json()["detail"] and response.json()["current_etag"] == etag
    quote.refresh_from_db()
    assert quote.kind == "direct"
    older = etag.replace(f'"{quote.id}-', f'"{quote.id}-1')
    response = api.patch(f"/api/v1/quotes/{quote.id}/", {"kind": "indirect"}, format="json", HTTP_IF_MATCH=older)
    assert response.status_code == 412 and "was changed" in response.json()["detail"]


def test_the_same_words_by_the_same_speaker_are_one_quote(world):
    api = client_for(make_user("ed", "editors"))
    article, suggested = world["article"], world["suggested"]
    s = BODY.index("Intro")
    body = {"article_id": article.id, "text": "Intro", "start": s, "end": s + 5}
    first = api.post("/api/v1/quotes/", body, format="json")
    assert first.status_code == 201
    again = api.post("/api/v1/quotes/", body, format="json")
    assert again.status_code == 400
    assert f"quote {first.json()['id']} (accepted) already marks these words" in again.json()["start"][0]
    on_suggestion = api.post("/api/v1/quotes/", {**body, "text": suggested.exact, "start": suggested.start,
                                                 "end": suggested.end, "speaker_id": world["bob"].id}, format="json")
    assert on_suggestion.status_code == 400 and "accept it instead" in on_suggestion.json()["start"][0]
    other_speaker = api.post("/api/v1/quotes/", {**body, "speaker_id": world["jane"].id}, format="json")
    assert other_speaker.status_code == 201
    assert Quote.objects.filter(article=article, start=s).count() == 2


def test_an_edit_or_the_admin_cannot_make_the_duplicate_a_create_refuses(client, boss, world):
    api = client_for(make_user("ed", "editors"))
    accepted, jane = world["accepted"], world["jane"]
    s = BODY.index("Intro")
    other = api.post("/api/v1/quotes/", {"article_id": world["article"].id, "text": "Intro", "start": s, "end": s + 5,
                                         "speaker_id": jane.id}, format="json").json()
    moved = api.patch(f"/api/v1/quotes/{other['id']}/", {"text": accepted.exact, "start": accepted.start,
                                                         "end": accepted.end}, format="json")
    assert moved.status_code == 400 and f"quote {accepted.id} (accepted) already marks" in moved.json()["start"][0]
    assert api.patch(f"/api/v1/quotes/{other['id']}/", {"kind": "indirect"}, format="json").status_code == 200

    errors = _errors(client.post("/admin/annotations/quote/add/", _quote_form(accepted)))
    assert f"quote {accepted.id} (accepted) already marks these words" in errors, errors
    response = client.post(f"/admin/annotations/quote/{accepted.id}/change/", _quote_form(accepted, kind="mixed"))
    assert response.status_code == 302  # a quote is not its own duplicate
    assert Quote.objects.filter(start=accepted.start, end=accepted.end).count() == 1


def test_a_speaker_name_is_one_line_of_single_spaces(world):
    api = client_for(make_user("ed", "editors"))
    made = api.post("/api/v1/speakers/", {"name": " Rosa  Diaz ", "aliases": ["Mayor\u00a0Rosa  Diaz", "Rosa Diaz"]},
                    format="json")
    assert made.status_code == 201 and made.json()["name"] == "Rosa Diaz"
    assert made.json()["aliases"] == ["Mayor Rosa Diaz"]  # its own name is no alias of it
    for twin in ("Rosa\u00a0Diaz", "rosa \t diaz", "Mayor Rosa Diaz"):
        again = api.post("/api/v1/speakers/", {"name": twin}, format="json")
        assert again.status_code == 400 and "already exists" in str(again.json()), (twin, again.content)
    assert api.get("/api/v1/speakers/?name_exact=rosa%20%20diaz").json()["results"][0]["id"] == made.json()["id"]


def test_admin_pages_name_the_sites_icon_and_it_is_served(client, boss, world):
    """Browsers ask every page for an icon: the admin's name the site's, not /favicon.ico (404)."""
    for url in ("/admin/", "/admin/annotations/quote/", f"/admin/annotations/quote/{world['accepted'].id}/change/"):
        page = client.get(url)
        assert page.status_code == 200
        assert b'rel="icon" href="/static/annotations/favicon.svg"' in page.content, url
    assert b"<svg" in b"".join(client.get("/static/annotations/favicon.svg").streaming_content)
