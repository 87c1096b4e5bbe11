"""The rights matrix: anonymous, viewer, editor and admin against every endpoint and method."""

import pytest

from tests.api_helpers import BODY, client_for, people, world  # noqa: F401


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
    "list tags": ("get", lambda w: "/api/v1/tags/", None,
                  {"anonymous": 401, "viewer": 200, "editor": 200, "admin": 200}),
    "create tag": ("post", lambda w: "/api/v1/tags/",
                   lambda w: {"name": "Economy", "slug": "economy", "colour": "#112233"},
                   {"anonymous": 401, "viewer": 403, "editor": 201, "admin": 201}),
}


@pytest.mark.parametrize("role", ["anonymous", "viewer", "editor", "admin"])
@pytest.mark.parametrize("case", list(CASES))
def test_rights_matrix(case, role, people, world):  # noqa: F811
    method, url, payload, expected = CASES[case]
    client = client_for(people[role])
    data = payload(world) if payload else None
    response = getattr(client, method)(url(world), data, format="json")
    assert response.status_code == expected[role], (case, role, response.content[:300])


def test_viewer_lists_only_accepted_quotes_and_endorsements(people, world):  # noqa: F811
    viewer = client_for(people["viewer"])
    ids = [q["id"] for q in viewer.get("/api/v1/quotes/").json()["results"]]
    assert ids == [world["accepted"].id]
    editor = client_for(people["editor"])
    ids = {q["id"] for q in editor.get("/api/v1/quotes/").json()["results"]}
    assert ids == {world["accepted"].id, world["suggested"].id}


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
    """The token check loads the role with the user: a user taken out of the editors group
    sees only accepted work on the next request."""
    editor = client_for(people["editor"])
    assert len(editor.get("/api/v1/quotes/").json()["results"]) == 2
    people["editor"].groups.clear()
    assert [q["id"] for q in editor.get("/api/v1/quotes/").json()["results"]] == [world["accepted"].id]
    assert editor.post(f"/api/v1/quotes/{world['accepted'].id}/reject/").status_code == 403


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
