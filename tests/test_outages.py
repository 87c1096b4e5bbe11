"""Outages of PostgreSQL and of the throttle cache, as a client meets them."""

import pytest
from django.db import connection, connections

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


def test_a_deadlock_is_a_conflict_to_retry_not_a_database_outage(rf):
    """Two writes that waited for each other: PostgreSQL aborts one; the client is told to try
    again at once (409), not that the database is down."""
    import psycopg
    from django.db import OperationalError

    from annotations.middleware import DatabaseUnavailableMiddleware

    try:
        try:
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        except psycopg.Error as cause:
            raise OperationalError("deadlock detected") from cause
    except OperationalError as exc:
        deadlock = exc
    response = DatabaseUnavailableMiddleware(lambda r: None).process_exception(rf.post("/api/v1/speakers/1/merge/"),
                                                                               deadlock)
    assert response.status_code == 409 and response["Retry-After"] == "1"
    assert "got in the way; nothing was changed" in response.content.decode()


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


@pytest.mark.django_db(transaction=True)  # the second "process" (a thread) reads the token itself
def test_throttle_counters_are_shared_through_redis(settings):
    """With CACHE_URL on Redis, every web process counts against one limit: two separate
    cache connections (as two processes have) see one count."""
    import os

    from django.core.cache import caches
    from annotations.api.permissions import TokenClientThrottle

    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://"):
        pytest.skip("needs a Redis server: set CELERY_BROKER_URL to redis://... (CI does)")
    location = broker.rsplit("/", 1)[0] + "/3"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": location, "KEY_PREFIX": f"throttle-test-{os.getpid()}"}}
    caches["default"].clear()
    client = client_for(make_user("reader", "viewers"))
    rates = {"token": "3/minute"}
    original = TokenClientThrottle.THROTTLE_RATES
    TokenClientThrottle.THROTTLE_RATES = rates
    try:
        assert [client.get("/api/v1/tags/").status_code for _ in range(2)] == [200, 200]
        # Another web process: a thread has cache connections of its own, to the same Redis.
        import threading

        codes = []

        def other_process():
            codes.extend(client.get("/api/v1/tags/").status_code for _ in range(2))
            connections.close_all()  # this thread's own database connection

        other = threading.Thread(target=other_process)
        other.start()
        other.join()
        assert codes == [200, 429]
    finally:
        TokenClientThrottle.THROTTLE_RATES = original
        caches["default"].clear()
