"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis).

Every operation in ``/api/schema/`` gets generated requests - valid ones and, in the
negative mode, ones that break the schema - sent in-process through the WSGI application
with a superuser's token. Path ids are pointed at a real, configured agent so requests get
past the 404 and reach validation and the services. Each request runs in a savepoint that
is rolled back, so a DELETE cannot starve the requests after it.

Checks: every one schemathesis has but two. No 5xx; every answer is one the schema
documents, in the documented shape, content type and headers; a request the schema calls
invalid is refused (``negative_data_rejection``: the schema states what the server
enforces); unsupported methods answer 405 with ``Allow``; and the rest. Left out:

* ``positive_data_acceptance``: a schema-valid request may rightly be refused for the data
  it names (an unknown project, a corpus already connected, wrong credentials, a password
  the password policy refuses, a NUL inside a free-form ``config`` object, which the schema
  documents but cannot express), none of which a schema can state;
* ``ignored_auth``: it replays requests with credentials it generated, but this harness
  adds the world's token to every call, so it would report the token working.
"""

from __future__ import annotations

import os
import uuid

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ensure_resource_availability,
    missing_required_header,
    negative_data_rejection,
    object_level_authorization,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
    use_after_free,
)

from ejento_staging.wsgi import application
from tests import factories

pytestmark = pytest.mark.slow

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    missing_required_header,
    unsupported_method,
    allow_header_conformance,
    use_after_free,
    ensure_resource_availability,
    object_level_authorization,
]
EXAMPLES = 25


@pytest.fixture(scope="module")
def world_with_token(shared_world):
    shared_world.token = factories.api_token(shared_world.superuser)
    return shared_world


@pytest.fixture
def world(world_with_token, db):
    """The world (built once for the module), and a WSGI path that keeps the test's
    transaction open.

    Django closes "old" connections at the end of every WSGI request; inside the test's
    transaction that would close it under the test. Django's own test client disconnects
    the same handlers for the same reason.
    """
    built = world_with_token
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield built
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


MAX_ID = 2**63 - 1


def _schema_valid(name: str, value) -> bool:
    if name == "change_track_id":
        try:
            uuid.UUID(value)
        except (TypeError, ValueError, AttributeError):
            return False
        return True
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def aim_at_the_world(case, world) -> None:
    """Point schema-valid path ids at the world's objects. An invalid one is the case's
    point (a negative case mutating the path): it is kept, and must be refused."""
    values = world.path_values()
    for name, value in list((case.path_parameters or {}).items()):
        if name in values and _schema_valid(name, value):
            case.path_parameters[name] = values[name]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    # CI replays the same examples every run, so a red CI names a change, not a dice roll;
    # a developer's run explores new ones (and what it finds becomes a fix and a test).
    derandomize=os.environ.get("CI") == "true",
)
def test_api_conforms_to_its_schema_and_never_fails(case, world):
    aim_at_the_world(case, world)
    cache.clear()  # the token endpoint's throttle is not what this test is about
    with transaction.atomic():
        response = case.call(headers={"Authorization": f"Token {world.token}"})
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS)
