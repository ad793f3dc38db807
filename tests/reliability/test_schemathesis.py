"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis).

Every operation in ``/api/schema/`` gets generated requests - valid ones and, in the
negative mode, ones that break the schema - sent in-process through the WSGI application
with a superuser's token. Path ids are pointed at a real, configured agent so requests get
past the 404 and reach validation and the services. Each request runs in a savepoint that
is rolled back, so a DELETE cannot starve the requests after it.

Checks: no 5xx (``not_a_server_error``), and every answer is one the schema documents,
in the documented shape and content type.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ejento_staging.wsgi import application
from tests import factories
from tests.reliability.fuzz_world import build_world

pytestmark = pytest.mark.slow

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 25


@pytest.fixture
def world(db):
    """The world, and a WSGI path that keeps the test's transaction open.

    Django closes "old" connections at the end of every WSGI request; inside the test's
    transaction that would close it under the test. Django's own test client disconnects
    the same handlers for the same reason.
    """
    built = build_world()
    built.token = factories.api_token(built.superuser)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield built
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def aim_at_the_world(case, world) -> None:
    values = world.path_values()
    for name in list(case.path_parameters or {}):
        if name in values:
            case.path_parameters[name] = values[name]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema_and_never_fails(case, world):
    aim_at_the_world(case, world)
    cache.clear()  # the token endpoint's throttle is not what this test is about
    with transaction.atomic():
        response = case.call(headers={"Authorization": f"Token {world.token}"})
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS)
