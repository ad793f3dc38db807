"""Fixtures for the reliability suite: PostgreSQL-only gates and a richly configured agent."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from tests import factories
from tests.reliability import helpers


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
def rich_agent(db):
    """An agent with something in every section of its configuration, never published."""
    owner = factories.UserFactory(username="rich-owner")
    return helpers.make_rich_agent(owner)
