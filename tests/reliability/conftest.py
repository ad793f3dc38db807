"""Fixtures for the reliability suite: PostgreSQL-only gates, a richly configured agent, and
the fuzz world built once per module (``shared_world``)."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from tests import factories
from tests.redis_required import redis_client
from tests.reliability import helpers, servers
from tests.reliability.fuzz_world import shared_world  # noqa: F401


def require_postgres() -> None:
    """Skip on another database - or fail, with REQUIRE_ALL=1, so CI cannot go green by
    silently skipping the tests that need real row locks (SQLite ignores select_for_update)."""
    if connection.vendor == "postgresql":
        return
    reason = (
        f"needs PostgreSQL (row locks, concurrent connections); the database is {connection.vendor}"
    )
    if os.environ.get("REQUIRE_ALL") == "1":
        pytest.fail(f"REQUIRE_ALL=1 but this test {reason}")
    pytest.skip(reason)


@pytest.fixture
def postgres(transactional_db):
    """A committed (not wrapped in a test transaction) PostgreSQL database."""
    require_postgres()


@pytest.fixture
def publisher(db):
    """The user who builds, edits and publishes ``rich_agent``.

    ``db`` turns into a committed database where a test asks for ``postgres`` as well."""
    return factories.UserFactory(username="publisher")


@pytest.fixture
def rich_agent(publisher):
    """An agent with something in every section of its configuration, never published."""
    return helpers.make_rich_agent(publisher)


REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/9")


@pytest.fixture(scope="module", params=["local", "redis"])
def deployment_server(request, django_db_setup, tmp_path_factory):
    """gunicorn with four workers and production settings on the test database, with the
    per-process cache (REDIS_URL unset) or with Redis: started once per module and cache,
    since starting four workers costs more than most of these tests. ``deployment`` gives
    each test a committed, emptied database and, with Redis, an emptied cache."""
    require_postgres()
    env: dict[str, str] = {}
    if request.param == "redis":
        redis_client(REDIS_TEST_URL)  # fail or skip before starting anything
        env["REDIS_URL"] = REDIS_TEST_URL
    with servers.gunicorn(tmp_path_factory.mktemp("gunicorn"), workers=4, env=env) as running:
        yield request.param, running


@pytest.fixture
def deployment(deployment_server, postgres, settings):
    """The module's gunicorn (``deployment_server``) for one test.

    With Redis, this process uses that cache too, so a change it makes through the ORM
    (as a management command on the same deployment would) invalidates as a worker's does.
    The workers' own per-process caches outlive the test; what a test makes is new (new
    ids, new tokens), so nothing an earlier test left there can answer for it.
    """
    kind, running = deployment_server
    client = None
    if kind == "redis":
        client = redis_client(REDIS_TEST_URL)
        client.flushdb()
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_TEST_URL,
                "KEY_PREFIX": "ejento",  # the app's own, see settings.py
            }
        }
    running.start_test()
    try:
        yield running
    finally:
        if client is not None:
            client.flushdb()
