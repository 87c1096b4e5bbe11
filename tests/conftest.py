import os
import random
import shutil
import time
import uuid

import pytest
from django.db import connections

from newsdesk.celery import app as celery_app


# In CI a green run must mean the browser, the real worker, the whole stack and the compiled CRF
# ran: a skip of one of these tests (no Chromium, say) fails it there, and stays a note on a
# developer's machine.
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
MUST_RUN = ("slow", "browser", "worker", "compiled")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "browser" in item.fixturenames or item.path.parent.name == "browser":
            item.add_marker(pytest.mark.browser)
        if "celery_worker" in item.fixturenames:
            item.add_marker(pytest.mark.worker)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        kinds = [name for name in MUST_RUN if item.get_closest_marker(name)]
        if kinds:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            report.outcome = "failed"
            report.longrepr = f"CI=true: a {'/'.join(kinds)} test may not be skipped ({reason})"


@pytest.fixture(params=["numpy", pytest.param("compiled", marks=pytest.mark.compiled)])
def crf_compiled(request):
    """Each of the CRF's two ways, numpy and C (annotations/suggest/_crf.c): True for C, which
    may be skipped only off CI (a machine with no C compiler at install)."""
    from annotations.suggest import crf

    if request.param == "compiled" and crf._crf is None:
        pytest.skip("annotations/suggest/_crf.c was not built (no C compiler at install)")
    return request.param == "compiled"


# The fuzzing run (tests/test_api_schemathesis.py) draws new cases each session from this seed;
# FUZZ_SEED=<seed> replays a run.
FUZZ_SEED = int(os.environ.get("FUZZ_SEED") or random.SystemRandom().randrange(2**32))
FUZZ_SEED_USED = pytest.StashKey[bool]()


def pytest_report_header(config):
    return f"fuzz seed: {FUZZ_SEED}"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if config.stash.get(FUZZ_SEED_USED, False):
        terminalreporter.write_line(f"fuzz seed: {FUZZ_SEED} (replay the API fuzzing with FUZZ_SEED={FUZZ_SEED})")


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
