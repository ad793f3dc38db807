"""The live read: what end-users and integrations get, cached per agent.

The cache holds the exact JSON body and ETag of ``GET /api/v2/agents/{id}/production``; a
publish drops it on commit (never before, so no reader caches a state that is rolled back).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.cache import cache

CACHE_SECONDS = 60 * 60


def cache_key(agent_id: int) -> str:
    return f"live:agent:{agent_id}"


def invalidate(agent_id: int) -> None:
    cache.delete(cache_key(agent_id))


def live_payload(agent_id: int, row: dict[str, Any]) -> dict[str, Any]:
    """The body and ETag for one Production row (``snapshot``, ``change_track_id``...)."""
    body = {
        "agent_id": agent_id,
        "environment": "production",
        "change_track_id": str(row["change_track_id"]),
        "published_at": row["published_at"].isoformat().replace("+00:00", "Z"),
        "configuration": row["snapshot"],
    }
    return {
        "body": json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        "etag": f'"{row["fingerprint"][:32]}-{str(row["change_track_id"])[:8]}"',
    }
