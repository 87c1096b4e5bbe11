import shutil
import time
import uuid

import pytest
from django.db import connections

from newsdesk.celery import app as celery_app


@pytest.fixture(scope="session", autouse=True)
def _isolated_task_queue():
    """Each test session publishes to and consumes from a queue of its own.

    A developer's running stack (same broker folder or Redis) never sees test
    tasks, and the test worker never eats theirs.
    """
    celery_app.conf.task_default_queue = f"newsdesk-test-{uuid.uuid4().hex[:12]}"
    yield


@pytest.fixture(scope="session", autouse=True)
def _plain_http():
    """Tests speak plain HTTP (the test client, the live server the browser uses); production
    redirects to HTTPS and marks cookies secure. Session-wide, so the live server's
    middleware, built once, sees it too."""
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    # Password hashing is deliberately slow; tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (in a thread) consuming from the real broker."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    # Close the worker thread's connection after each task so the test
    # database can be dropped at the end of the session.
    def close_connections(**kwargs):
        connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30
        ) as worker:
            yield worker
    finally:
        task_postrun.disconnect(close_connections)


def wait_for(predicate, timeout=30.0, interval=0.1):
    """Poll until predicate() is truthy; returns its value or fails with the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def pytest_sessionfinish(session, exitstatus):
    """Stop the embedded PostgreSQL if this test session started it."""
    from django.conf import settings

    from newsdesk import embedded_db

    if getattr(settings, "EMBEDDED_PGDATA", None) and embedded_db.started_here:
        connections.close_all()
        embedded_db.stop(settings.EMBEDDED_PGDATA)


def chromium_path():
    return shutil.which("chromium") or shutil.which("chromium-browser")
