"""Guessing is slowed down: login forms lock a user name out from an address after
LOGIN_FAILURE_LIMIT wrong passwords (django-axes), and an address that sends too many wrong API
tokens gets 429 with Retry-After for any token."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api_helpers import client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_wrong_passwords_lock_the_login_out_right_one_included(client, url):
    user = make_user("lena", "admin")  # staff, so the admin login would let her in
    wrong = [client.post(url, {"username": "lena", "password": f"guess-{i}"}).status_code for i in range(6)]
    assert wrong[:4] == [200] * 4 and wrong[4:] == [429, 429]
    locked = client.post(url, {"username": "lena", "password": "pw-lena"})
    assert locked.status_code == 429 and "too many login attempts" in locked.content.decode()
    assert not _logged_in(client)

    # Only that name from that address: a colleague at the same address still gets in, and so
    # does Lena from elsewhere.
    make_user("otto", "admin")
    assert client.post(url, {"username": "otto", "password": "pw-otto"}).status_code == 302
    elsewhere = client.__class__(REMOTE_ADDR="10.9.8.7")
    assert elsewhere.post(url, {"username": "lena", "password": "pw-lena"}).status_code == 302

    # Once the lockout has run out, the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    client.logout()
    assert client.post(url, {"username": "lena", "password": "pw-lena"}).status_code == 302
    assert _logged_in(client) and user.pk == int(client.session["_auth_user_id"])


def test_the_lockout_is_configurable(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    make_user("lena", "viewers")
    codes = [client.post("/login/", {"username": "lena", "password": "nope"}).status_code for _ in range(2)]
    assert codes == [200, 429]


def test_wrong_tokens_from_one_address_get_429_with_retry_after(settings):
    settings.API_FAILED_TOKEN_RATE = "5/hour"
    viewer = make_user("vera", "viewers")
    guesser = APIClient(REMOTE_ADDR="203.0.113.7")
    codes = []
    for i in range(7):
        guesser.credentials(HTTP_AUTHORIZATION=f"Token guess{i:036d}")
        codes.append(guesser.get("/api/v1/quotes/").status_code)
    assert codes == [401] * 5 + [429] * 2
    refused = guesser.get("/api/v1/quotes/")
    assert refused.status_code == 429 and 3000 <= int(refused["Retry-After"]) <= 3600
    assert "too many invalid tokens" in refused.json()["detail"].lower()

    # The right token is refused from there too, else a hit would still show among the 429s.
    right = client_for(viewer)
    right.defaults["REMOTE_ADDR"] = "203.0.113.7"
    assert right.get("/api/v1/quotes/").status_code == 429
    # Other addresses are not affected; a forged X-Forwarded-For is not believed.
    assert client_for(viewer).get("/api/v1/quotes/").status_code == 200
    guesser.credentials(HTTP_AUTHORIZATION="Token another-guess", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert guesser.get("/api/v1/quotes/").status_code == 429


def test_behind_a_proxy_the_address_it_saw_counts(settings):
    settings.API_FAILED_TOKEN_RATE = "2/hour"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = APIClient(REMOTE_ADDR="10.0.0.2")
    for client_ip in ("198.51.100.1", "198.51.100.1"):
        proxy.credentials(HTTP_AUTHORIZATION="Token wrong", HTTP_X_FORWARDED_FOR=f"1.2.3.4, {client_ip}")
        assert proxy.get("/api/v1/quotes/").status_code == 401
    assert proxy.get("/api/v1/quotes/").status_code == 429
    proxy.credentials(HTTP_AUTHORIZATION="Token wrong", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert proxy.get("/api/v1/quotes/").status_code == 401


def test_a_broken_cache_lets_tokens_through_and_logs_a_warning(monkeypatch, caplog):
    viewer = make_user("vera", "viewers")

    def down(*args, **kwargs):
        raise ConnectionError("cache is down")

    for method in ("get_many", "add", "incr"):  # the counter's (the request throttle has its own)
        monkeypatch.setattr(cache, method, down)
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    assert stranger.get("/api/v1/quotes/").status_code == 401
    assert "failed-token counter unavailable" in caplog.text
    assert client_for(viewer).get("/api/v1/quotes/").status_code == 200
