"""The rights matrix: anonymous, viewer, editor and admin against every endpoint and method."""

import pytest

from annotations.models import Endorsement, Tag
from tests.api_helpers import BODY, client_for, people, world  # noqa: F401
from tests.factories import EntityFactory


@pytest.fixture
def rights_world(world):  # noqa: F811
    """world, plus an accepted endorsement an editor made, a suggested one from the engine (its
    evidence the accepted quote, so a quote row could leak it), an unused speaker and a tag."""
    article, jane, bob = world["article"], world["jane"], world["bob"]
    endorsed = Endorsement.objects.create(article=article, endorser=jane, target=bob, polarity="opposes",
                                          status="accepted", origin="editor")
    suggested = Endorsement.objects.create(article=article, endorser=bob, target_text="tax cuts",
                                           polarity="supports", evidence=world["accepted"], status="suggested",
                                           origin="engine", engine_version="t", confidence=0.9)
    return {**world, "endorsement": endorsed, "suggested_endorsement": suggested,
            "spare": EntityFactory(name="Nobody Quoted"), "tag": Tag.objects.create(name="Budget", slug="budget")}


def quote_payload(world):
    start = BODY.index("Jane Roe")
    return {"article_id": world["article"].id, "start": start, "end": start + 8, "text": "Jane Roe",
            "speaker_id": world["jane"].id, "kind": "direct"}


CASES = {
    # (method, url builder, payload builder): expected status per role
    "list quotes": ("get", lambda w: "/api/v1/quotes/", None,
                    {"anonymous": 401, "viewer": 200, "editor": 200, "admin": 200}),
    "read accepted quote": ("get", lambda w: f"/api/v1/quotes/{w['accepted'].id}/", None,
                            {"anonymous": 401, "viewer": 200, "editor": 200, "admin": 200}),
    # A viewer must not learn that a suggestion exists: 404, not 403.
    "read suggested quote": ("get", lambda w: f"/api/v1/quotes/{w['suggested'].id}/", None,
                             {"anonymous": 401, "viewer": 404, "editor": 200, "admin": 200}),
    "create quote": ("post", lambda w: "/api/v1/quotes/", quote_payload,
                     {"anonymous": 401, "viewer": 403, "editor": 201, "admin": 201}),
    "update quote": ("patch", lambda w: f"/api/v1/quotes/{w['accepted'].id}/", lambda w: {"kind": "mixed"},
                     {"anonymous": 401, "viewer": 403, "editor": 200, "admin": 200}),
    "accept suggestion": ("post", lambda w: f"/api/v1/quotes/{w['suggested'].id}/accept/", None,
                          {"anonymous": 401, "viewer": 403, "editor": 200, "admin": 200}),
    "reject suggestion": ("post", lambda w: f"/api/v1/quotes/{w['suggested'].id}/reject/", None,
                          {"anonymous": 401, "viewer": 403, "editor": 200, "admin": 200}),
    "delete quote": ("delete", lambda w: f"/api/v1/quotes/{w['accepted'].id}/", None,
                     {"anonymous": 401, "viewer": 403, "editor": 204, "admin": 204}),
    "list articles": ("get", lambda w: "/api/v1/articles/", None,
                      {"anonymous": 401, "viewer": 200, "editor": 200, "admin": 200}),
    "read article": ("get", lambda w: f"/api/v1/articles/{w['article'].id}/", None,
                     {"anonymous": 401, "viewer": 200, "editor": 200, "admin": 200}),
    "create article": ("post", lambda w: "/api/v1/articles/",
                       lambda w: {"body": "A brand new article body.", "outlet": "X"},
                       {"anonymous": 401, "viewer": 403, "editor": 403, "admin": 201}),
    "edit article": ("patch", lambda w: f"/api/v1/articles/{w['article'].id}/", lambda w: {"title": "T"},
                     {"anonymous": 401, "viewer": 403, "editor": 403, "admin": 200}),
    "mark article done": ("post", lambda w: f"/api/v1/articles/{w['article'].id}/done/", None,
                          {"anonymous": 401, "viewer": 403, "editor": 200, "admin": 200}),
    "delete article": ("delete", lambda w: f"/api/v1/articles/{w['article'].id}/", None,
                       {"anonymous": 401, "viewer": 403, "editor": 403, "admin": 204}),
    "list speakers": ("get", lambda w: "/api/v1/speakers/", None,
                      {"anonymous": 401, "viewer": 200, "editor": 200, "admin": 200}),
    "create speaker": ("post", lambda w: "/api/v1/speakers/", lambda w: {"name": "New Person"},
                       {"anonymous": 401, "viewer": 403, "editor": 201, "admin": 201}),
    "update speaker": ("patch", lambda w: f"/api/v1/speakers/{w['bob'].id}/",
                       lambda w: {"description": "senator"},
                       {"anonymous": 401, "viewer": 403, "editor": 200, "admin": 200}),
    "list endorsements": ("get", lambda w: "/api/v1/endorsements/", None,
                          {"anonymous": 401, "viewer": 200, "editor": 200, "admin": 200}),
    "create endorsement": ("post", lambda w: "/api/v1/endorsements/",
                           lambda w: {"article_id": w["article"].id, "endorser_id": w["jane"].id,
                                      "target_text": "tax cuts", "polarity": "supports"},
                           {"anonymous": 401, "viewer": 403, "editor": 201, "admin": 201}),
    "read accepted endorsement": ("get", lambda w: f"/api/v1/endorsements/{w['endorsement'].id}/", None,
                                  {"anonymous": 401, "viewer": 200, "editor": 200, "admin": 200}),
    "read suggested endorsement": ("get", lambda w: f"/api/v1/endorsements/{w['suggested_endorsement'].id}/",
                                   None, {"anonymous": 401, "viewer": 404, "editor": 200, "admin": 200}),
    "update endorsement": ("patch", lambda w: f"/api/v1/endorsements/{w['endorsement'].id}/",
                           lambda w: {"polarity": "supports"},
                           {"anonymous": 401, "viewer": 403, "editor": 200, "admin": 200}),
    "accept endorsement": ("post", lambda w: f"/api/v1/endorsements/{w['suggested_endorsement'].id}/accept/",
                           None, {"anonymous": 401, "viewer": 403, "editor": 200, "admin": 200}),
    "reject endorsement": ("post", lambda w: f"/api/v1/endorsements/{w['suggested_endorsement'].id}/reject/",
                           None, {"anonymous": 401, "viewer": 403, "editor": 200, "admin": 200}),
    "delete endorsement": ("delete", lambda w: f"/api/v1/endorsements/{w['endorsement'].id}/", None,
                           {"anonymous": 401, "viewer": 403, "editor": 204, "admin": 204}),
    "accept all": ("post", lambda w: "/api/v1/quotes/accept-all/",
                   lambda w: {"article_id": w["article"].id, "min_confidence": 0.5},
                   {"anonymous": 401, "viewer": 403, "editor": 200, "admin": 200}),
    "reopen article": ("post", lambda w: f"/api/v1/articles/{w['article'].id}/reopen/", None,
                       {"anonymous": 401, "viewer": 403, "editor": 200, "admin": 200}),
    "read speaker": ("get", lambda w: f"/api/v1/speakers/{w['jane'].id}/", None,
                     {"anonymous": 401, "viewer": 200, "editor": 200, "admin": 200}),
    "delete speaker": ("delete", lambda w: f"/api/v1/speakers/{w['spare'].id}/", None,
                       {"anonymous": 401, "viewer": 403, "editor": 204, "admin": 204}),
    # One that quotes or endorsements use stays, for everyone.
    "delete used speaker": ("delete", lambda w: f"/api/v1/speakers/{w['bob'].id}/", None,
                            {"anonymous": 401, "viewer": 403, "editor": 400, "admin": 400}),
    "update tag": ("patch", lambda w: f"/api/v1/tags/{w['tag'].id}/", lambda w: {"colour": "#445566"},
                   {"anonymous": 401, "viewer": 403, "editor": 200, "admin": 200}),
    "delete tag": ("delete", lambda w: f"/api/v1/tags/{w['tag'].id}/", None,
                   {"anonymous": 401, "viewer": 403, "editor": 204, "admin": 204}),
    "list tags": ("get", lambda w: "/api/v1/tags/", None,
                  {"anonymous": 401, "viewer": 200, "editor": 200, "admin": 200}),
    "create tag": ("post", lambda w: "/api/v1/tags/",
                   lambda w: {"name": "Economy", "slug": "economy", "colour": "#112233"},
                   {"anonymous": 401, "viewer": 403, "editor": 201, "admin": 201}),
}


@pytest.mark.parametrize("role", ["anonymous", "viewer", "editor", "admin"])
@pytest.mark.parametrize("case", list(CASES))
def test_rights_matrix(case, role, people, rights_world):  # noqa: F811
    method, url, payload, expected = CASES[case]
    client = client_for(people[role])
    data = payload(rights_world) if payload else None
    response = getattr(client, method)(url(rights_world), data, format="json")
    assert response.status_code == expected[role], (case, role, response.content[:300])
    if response.status_code == 403 and role == "viewer":
        # The refusal says who may: editors for annotations and marking done, admins for articles.
        who = "Only admins" if case in ("create article", "edit article", "delete article") else "Only editors"
        assert response.json()["detail"].startswith(who), (case, response.json())


def test_viewer_lists_only_accepted_quotes_and_endorsements(people, rights_world):  # noqa: F811
    w = rights_world
    viewer, editor = client_for(people["viewer"]), client_for(people["editor"])
    assert [q["id"] for q in viewer.get("/api/v1/quotes/").json()["results"]] == [w["accepted"].id]
    assert {q["id"] for q in editor.get("/api/v1/quotes/").json()["results"]} == {w["accepted"].id,
                                                                                  w["suggested"].id}
    endorsements = viewer.get("/api/v1/endorsements/").json()["results"]
    assert [(e["id"], e["status"]) for e in endorsements] == [(w["endorsement"].id, "accepted")]
    assert viewer.get(f"/api/v1/endorsements/?article={w['article'].id}").json()["results"] == endorsements
    assert {e["id"] for e in editor.get("/api/v1/endorsements/").json()["results"]} == {
        w["endorsement"].id, w["suggested_endorsement"].id}


def test_endorsement_review_and_delete_do_what_they_say(people, rights_world):  # noqa: F811
    w = rights_world
    editor = client_for(people["editor"])
    accepted = editor.post(f"/api/v1/endorsements/{w['suggested_endorsement'].id}/accept/")
    assert (accepted.json()["status"], accepted.json()["reviewed_by"]) == ("accepted", "eddie")
    assert Endorsement.objects.get(pk=w["suggested_endorsement"].id).status == "accepted"
    assert editor.post(f"/api/v1/endorsements/{w['suggested_endorsement'].id}/reject/").json()["status"] == "rejected"
    # An engine suggestion is rejected, not deleted, so the engine does not suggest it again;
    # an editor's own endorsement is gone.
    assert editor.delete(f"/api/v1/endorsements/{w['suggested_endorsement'].id}/").status_code == 204
    assert Endorsement.objects.get(pk=w["suggested_endorsement"].id).status == "rejected"
    assert editor.delete(f"/api/v1/endorsements/{w['endorsement'].id}/").status_code == 204
    assert not Endorsement.objects.filter(pk=w["endorsement"].id).exists()


def test_session_writes_need_csrf(people, world):  # noqa: F811
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(people["editor"])
    response = client.patch(f"/api/v1/quotes/{world['accepted'].id}/", {"kind": "mixed"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_tokens_that_do_not_open_the_api(people, world):  # noqa: F811
    from rest_framework.test import APIClient

    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    response = stranger.get("/api/v1/quotes/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}

    editor = client_for(people["editor"])
    people["editor"].is_active = False
    people["editor"].save()
    response = editor.get("/api/v1/quotes/")
    assert response.status_code == 401
    assert "inactive" in response.json()["detail"]


def test_the_role_is_read_with_each_request(people, world):  # noqa: F811
    """The token check loads the role with the user: an editor made a viewer sees only
    accepted work on the next request, and one with no role left reads nothing."""
    from django.contrib.auth.models import Group

    editor = client_for(people["editor"])
    assert len(editor.get("/api/v1/quotes/").json()["results"]) == 2
    people["editor"].groups.set([Group.objects.get(name="viewers")])
    assert [q["id"] for q in editor.get("/api/v1/quotes/").json()["results"]] == [world["accepted"].id]
    assert editor.post(f"/api/v1/quotes/{world['accepted'].id}/reject/").status_code == 403
    people["editor"].groups.clear()
    refused = editor.get("/api/v1/quotes/")
    assert refused.status_code == 403 and "no role" in refused.json()["detail"]


def test_token_clients_are_throttled_the_browser_is_not(people, world, monkeypatch):  # noqa: F811
    from django.core.cache import cache
    from rest_framework.test import APIClient

    from annotations.api.permissions import TokenClientThrottle

    monkeypatch.setattr(TokenClientThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    cache.clear()
    client = client_for(people["viewer"])
    assert [client.get("/api/v1/tags/").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/v1/tags/")
    assert refused.status_code == 429
    assert "throttled" in refused.json()["detail"].lower() and refused["Retry-After"]

    browser = APIClient()
    browser.force_login(people["viewer"])
    assert {browser.get("/api/v1/tags/").status_code for _ in range(5)} == {200}


def test_quote_rows_do_not_name_hidden_endorsements(people, rights_world):  # noqa: F811
    viewer = client_for(people["viewer"])
    quote_id = rights_world["accepted"].id
    assert viewer.get("/api/v1/quotes/").json()["results"][0]["endorsements"] == []
    assert viewer.get(f"/api/v1/quotes/{quote_id}/").json()["endorsements"] == []


@pytest.mark.django_db
def test_an_account_with_no_role_reads_nothing_and_staff_need_the_article_permission(client):
    from django.contrib.auth.models import User

    from tests.api_helpers import make_user

    nobody = make_user("nobody", None)
    assert client_for(nobody).get("/api/v1/quotes/").status_code == 403
    assert client_for(nobody).get("/api/v1/articles/").status_code == 403
    client.force_login(nobody)
    for page in ("/articles/", "/speakers/", "/quotes/", "/endorsements/"):
        assert client.get(page).status_code == 403, page
    # Staff with no permissions: as on the admin's pages, no article writes through the API.
    bare_staff = User.objects.create_user("staffer", password="pw", is_staff=True)
    api = client_for(bare_staff)
    assert api.get("/api/v1/articles/").status_code == 200
    assert api.post("/api/v1/articles/", {"body": "Some text."}, format="json").status_code == 403
    admin = make_user("boss", "admin")
    assert client_for(admin).post("/api/v1/articles/", {"body": "Some text."}, format="json").status_code == 201


@pytest.mark.django_db
def test_a_name_belongs_to_one_speaker_and_responses_do_not_circle(people, world):  # noqa: F811
    from annotations.models import Endorsement, Entity

    editor = client_for(people["editor"])
    mujahid = Entity.objects.create(name="Zabiullah Mujahid", aliases=["Mujahid"])
    other = Entity.objects.create(name="Tim Murtaugh")
    taken = editor.patch(f"/api/v1/speakers/{other.id}/", {"name": "Mujahid"}, format="json")
    assert taken.status_code == 400 and "merge the two" in taken.json()["name"][0]
    alias = editor.patch(f"/api/v1/speakers/{other.id}/", {"aliases": ["Zabiullah Mujahid"]}, format="json")
    assert alias.status_code == 400 and "already exists as a name or alias" in alias.json()["aliases"][0]
    made = editor.post("/api/v1/speakers/", {"name": "Someone", "aliases": ["mujahid"]}, format="json")
    assert made.status_code == 400
    garbage = editor.post("/api/v1/speakers/", {"name": "Someone", "wikidata_id": "garbage"}, format="json")
    assert garbage.status_code == 400 and "such as Q42" in garbage.json()["wikidata_id"][0]
    assert editor.post("/api/v1/speakers/", {"name": "Someone", "wikidata_id": "Q42"},
                       format="json").status_code == 201
    blank = editor.post("/api/v1/speakers/", {"name": "Nobody Known", "wikidata_id": ""}, format="json")
    assert blank.status_code == 201 and blank.json()["wikidata_id"] is None
    # Its own name and aliases are fine to keep.
    assert editor.patch(f"/api/v1/speakers/{mujahid.id}/", {"aliases": ["Mujahid", "Z. Mujahid"]},
                        format="json").status_code == 200

    article = world["article"]
    a = Endorsement.objects.create(article=article, endorser=mujahid, target=other, polarity="supports")
    b = Endorsement.objects.create(article=article, endorser=other, target=mujahid, polarity="opposes",
                                   responds_to=a)
    c = Endorsement.objects.create(article=article, endorser=mujahid, target=other, polarity="opposes",
                                   responds_to=b)
    circle = editor.patch(f"/api/v1/endorsements/{a.id}/", {"responds_to": c.id}, format="json")
    assert circle.status_code == 400 and "circle" in circle.json()["responds_to"][0]


@pytest.mark.django_db
def test_endorsement_links_never_point_at_rejected_rows_and_nobody_endorses_themselves(people, world):  # noqa: F811
    from annotations.models import Endorsement

    editor = client_for(people["editor"])
    article, jane, bob = world["article"], world["jane"], world["bob"]
    a = Endorsement.objects.create(article=article, endorser=jane, target=bob, polarity="supports")
    rejected = Endorsement.objects.create(article=article, endorser=bob, target=jane, polarity="opposes",
                                          status="rejected")
    answer = editor.patch(f"/api/v1/endorsements/{a.id}/", {"responds_to": rejected.id}, format="json")
    assert answer.status_code == 400 and "was rejected" in answer.json()["responds_to"][0]
    world["suggested"].status = "rejected"
    world["suggested"].save()
    answer = editor.patch(f"/api/v1/endorsements/{a.id}/", {"evidence_id": world["suggested"].id}, format="json")
    assert answer.status_code == 400 and "was rejected" in answer.json()["evidence_id"][0]
    answer = editor.patch(f"/api/v1/endorsements/{a.id}/", {"target_id": jane.id}, format="json")
    assert answer.status_code == 400 and "themselves" in answer.json()["target_id"][0]
    answer = editor.post("/api/v1/endorsements/", {"article_id": article.id, "endorser_id": bob.id,
                                                   "target_id": bob.id, "polarity": "opposes"}, format="json")
    assert answer.status_code == 400 and "themselves" in answer.json()["target_id"][0]
    a.refresh_from_db()
    assert (a.responds_to_id, a.evidence_id, a.target_id) == (None, None, bob.id)
    # A link made before its row was rejected stays, and the endorsement can still be edited.
    b = Endorsement.objects.create(article=article, endorser=bob, target=jane, polarity="opposes", responds_to=a)
    a.status = "rejected"
    a.save()
    answer = editor.patch(f"/api/v1/endorsements/{b.id}/", {"responds_to": a.id, "polarity": "supports"},
                          format="json")
    assert answer.status_code == 200, answer.content


def test_an_endorsement_has_a_target_speaker_or_a_target_text_not_both(people, world):  # noqa: F811
    """The editor shows the speaker, the exports the text: both at once would say two things."""
    from annotations.models import Endorsement

    editor = client_for(people["editor"])
    article, jane, bob = world["article"], world["jane"], world["bob"]
    answer = editor.post("/api/v1/endorsements/", {"article_id": article.id, "endorser_id": jane.id, "target_id": bob.id,
                                                   "target_text": "tax cuts", "polarity": "supports"}, format="json")
    assert answer.status_code == 400 and "not both" in answer.json()["target_text"][0]
    made = editor.post("/api/v1/endorsements/", {"article_id": article.id, "endorser_id": jane.id,
                                                 "target_text": "tax cuts", "polarity": "supports"}, format="json")
    assert made.status_code == 201
    url = f"/api/v1/endorsements/{made.json()['id']}/"
    answer = editor.patch(url, {"target_id": bob.id}, format="json")  # the text would stay beside it
    assert answer.status_code == 400 and "'tax cuts'" in answer.json()["target_text"][0]
    answer = editor.patch(url, {"target_id": bob.id, "target_text": ""}, format="json")  # as the editor sends it
    assert answer.status_code == 200 and answer.json()["target"]["id"] == bob.id
    assert Endorsement.objects.get(pk=made.json()["id"]).target_text == ""


def test_an_empty_edit_is_no_review_and_a_number_is_no_article_text(people, world):  # noqa: F811
    from annotations.models import Endorsement

    editor, admin = client_for(people["editor"]), client_for(people["admin"])
    suggested = Endorsement.objects.create(article=world["article"], endorser=world["bob"], target_text="the plan",
                                           polarity="supports", status="suggested", origin="engine",
                                           engine_version="rules-4")
    for path in (f"/api/v1/endorsements/{suggested.id}/", f"/api/v1/quotes/{world['suggested'].id}/"):
        answer = editor.patch(path, {}, format="json")
        assert answer.status_code == 200 and answer.json()["status"] == "suggested", (path, answer.content)
    answer = admin.patch(f"/api/v1/articles/{world['article'].id}/", {"body": 123, "title": ["x"]}, format="json")
    assert answer.status_code == 400, answer.content
    assert answer.json() == {"body": ["expected text, not int"], "title": ["expected text, not list"]}
    # A well-formed date that is no day: said so, not "wrong format"; a wrong format still is.
    url = f"/api/v1/articles/{world['article'].id}/"
    answer = admin.patch(url, {"published_on": "2021-02-29"}, format="json")
    assert answer.status_code == 400 and answer.json() == {"published_on": ["2021-02-29 is not a day of the calendar."]}
    answer = admin.patch(url, {"published_on": "29.02.2021"}, format="json")
    assert answer.status_code == 400 and "format" in answer.json()["published_on"][0]
    assert admin.patch(url, {"published_on": "2024-02-29"}, format="json").json()["published_on"] == "2024-02-29"
