"""Outages of PostgreSQL and of the throttle cache, as a client meets them."""

import pytest
from django.db import connection

from tests import pipeline_procs as procs
from tests.api_helpers import client_for, make_user


@pytest.mark.django_db(transaction=True)
def test_database_down_answers_503_json_with_retry_after():
    viewer = make_user("viewer", "viewers")
    client = client_for(viewer)
    browser = client_for(None)
    browser.force_login(viewer)
    assert client.get("/api/v1/quotes/").status_code == 200
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(procs.free_port())  # nothing listens there
    try:
        response = client.get("/api/v1/quotes/")
        page = browser.get("/articles/")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "database is unavailable" in response.json()["detail"]
    assert response["Retry-After"] == "30"
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert client.get("/api/v1/quotes/").status_code == 200


@pytest.mark.django_db
def test_throttle_fails_open_when_its_redis_is_down(settings, tmp_path, caplog):
    redis = procs.RedisServer(tmp_path)  # never started: the port refuses connections
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": redis.url}}
    # (Django's test signals rebuild the cache handler when CACHES changes.)
    client = client_for(make_user("reader", "viewers"))
    response = client.get("/api/v1/quotes/")
    assert response.status_code == 200
    assert "throttle cache unreachable" in caplog.text
