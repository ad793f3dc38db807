"""The Redis a test needs: a client of it, or a skip - a failure under ``REQUIRE_ALL=1``, so CI
cannot go green by silently skipping the tests that prove the Redis deployment."""

from __future__ import annotations

import os
from typing import Any

import pytest


def redis_client(url: str) -> Any:
    """A client of the Redis at ``url``, answering; skipped without one (failed with
    ``REQUIRE_ALL=1``)."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("REQUIRE_ALL") == "1":
            pytest.fail(f"REQUIRE_ALL=1 but no Redis at {url}")
        pytest.skip(f"no Redis at {url}")
    return client
