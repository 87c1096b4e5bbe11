"""Property-based run of the whole API against its own OpenAPI schema (bounded examples).

Finds any 5xx and any response that does not match the schema, as an editor
(who may call every operation) on a database with real rows in it.
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


@pytest.fixture
def api_schema(db, world):  # noqa: F811
    # Requests must not close the test's connection (its transaction holds the rows),
    # as Django's own test client arranges too.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        # Built here, after the test settings apply (middleware reads them when created).
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token_header(db):
    user = make_user("fuzz", "editors")
    return {"Authorization": client_for(user)._credentials["HTTP_AUTHORIZATION"]}


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}


@schema.parametrize()
@hsettings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_matches_its_schema(case, token_header):
    case.call_and_validate(
        headers=token_header,
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
