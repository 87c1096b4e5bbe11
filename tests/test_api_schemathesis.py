"""Property-based run of the whole API against its own OpenAPI schema.

Finds any 5xx and any response that does not match the schema, as an editor (who may call
every operation) on a database with real rows in it. The run draws new cases each time from a
seed printed at the end of the session; FUZZ_SEED=<seed> replays one.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings as hsettings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)
from schemathesis.checks import not_a_server_error

from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from tests.api_helpers import client_for, make_user, world  # noqa: F401
from tests.conftest import FUZZ_SEED, FUZZ_SEED_USED

# Enough cases per operation to reach hostile values (NUL and lone surrogates in strings, ints
# past 64 bits, garbage cursors) beside the coverage phase's boundary cases; about 2 minutes.
EXAMPLES = 120


@pytest.fixture
def api_schema(db, world, request):  # noqa: F811
    request.config.stash[FUZZ_SEED_USED] = True
    # Requests must not close the test's connection (its transaction holds the rows),
    # as Django's own test client arranges too.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        # Built here, after the test settings apply (middleware reads them when created).
        loaded = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
        loaded.config.seed = FUZZ_SEED  # each operation draws from a seed derived from this one
        yield loaded
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token_header(db):
    user = make_user("fuzz", "editors")
    return {"Authorization": client_for(user)._credentials["HTTP_AUTHORIZATION"]}


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _no_throttle(monkeypatch):
    """Throttle classes are bound to each view class when it is defined, so changing the
    settings here would not reach them: every view is told it has none instead."""
    from rest_framework.views import APIView

    monkeypatch.setattr(APIView, "get_throttles", lambda self: [])


def test_throttling_is_off_for_the_run(token_header, monkeypatch):
    from django.core.cache import cache
    from rest_framework.test import APIClient

    from annotations.api.permissions import TokenClientThrottle

    monkeypatch.setattr(TokenClientThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    cache.clear()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=token_header["Authorization"])
    assert {client.get("/api/v1/tags/").status_code for _ in range(5)} == {200}


@schema.parametrize()
# Large generated bodies are the point; a slow case is a finding, not a health problem.
@hsettings(max_examples=EXAMPLES, deadline=None,
           suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                  HealthCheck.function_scoped_fixture])
def test_api_matches_its_schema(case, token_header):
    case.call_and_validate(
        headers=token_header,
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )


LISTS = ["/api/v1/quotes/", "/api/v1/articles/", "/api/v1/speakers/", "/api/v1/endorsements/", "/api/v1/tags/"]


def _cursor(raw: str) -> str:
    import base64

    return base64.b64encode(raw.encode()).decode()


# What the fuzzer may draw in a run or not: asked every run. A cursor is opaque to clients, so a
# tampered one (any position, offset or direction) must get a 4xx like a garbage one.
HOSTILE = {
    "NUL in a search": {"q": "tax\x00es"},
    "NUL in a name filter": {"speaker_name": "\x00"},
    "a page size past 64 bits": {"page_size": str(2**70)},
    "an id past 64 bits": {"speaker": str(2**70), "article": str(-2**70)},
    "a party past 64 bits, or a NUL in its name": {"endorser": str(2**70), "target": "tali\x00ban"},
    "a garbage cursor": {"cursor": "garbage"},
    "a cursor whose position is no number": {"cursor": _cursor("o=0&r=0&p=%00")},
    "a cursor past 64 bits": {"cursor": _cursor(f"o={10**30}&r=1&p={10**30}")},
    "a cursor with a broken direction": {"cursor": _cursor("r=x&p=1")},
}


@pytest.mark.parametrize("path", LISTS)
def test_hostile_query_values_get_an_answer_not_a_crash(path, token_header):
    from rest_framework.test import APIClient

    client = APIClient()
    client.raise_request_exception = False
    client.credentials(HTTP_AUTHORIZATION=token_header["Authorization"])
    answers = {name: client.get(path, params).status_code for name, params in HOSTILE.items()}
    assert all(status in (200, 400, 404) for status in answers.values()), answers
    assert answers["a cursor whose position is no number"] == answers["a garbage cursor"] == 404
