"""Request bodies above DATA_UPLOAD_MAX_MEMORY_SIZE are refused with 413 on every write
endpoint, before anything is parsed or written - never a 500, never a slow parse."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from agents.models import StagingConfiguration
from publishing.models import PublishRecord
from tests.reliability.fuzz_world import build_world
from tests.reliability.test_fuzz_json import OPERATIONS


@pytest.fixture
def world(db):
    return build_world()


def oversized(valid: dict) -> bytes:
    """A valid body made too big by one long string (not by a hostile structure)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = {**valid, "description": "x" * (limit + 1024)}
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("method", "path"),
    [(m, p) for m, p, _ in OPERATIONS],
    ids=[f"{m} {p}" for m, p, _ in OPERATIONS],
)
def test_body_over_the_limit_is_refused_with_413(world, method, path):
    cache.clear()
    client = APIClient()
    client.force_authenticate(world.superuser)
    revision = StagingConfiguration.objects.get(agent_id=world.agent.pk).revision
    records = PublishRecord.objects.count()

    response = client.generic(
        method,
        world.url(path),
        data=oversized(world.valid_bodies()[(method, path)]),
        content_type="application/json",
    )

    assert response.status_code == 413, response.content[:300]
    assert response.json() == {"detail": "Request body too large."}
    assert StagingConfiguration.objects.get(agent_id=world.agent.pk).revision == revision
    assert PublishRecord.objects.count() == records


def test_body_just_under_the_limit_is_parsed(world):
    """The limit is the setting, not something smaller: a big but allowed body gets a
    validation answer (a 100 KB instruction is the largest field; this is far bigger)."""
    client = APIClient()
    client.force_authenticate(world.superuser)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    padding = "x" * (limit - 200)
    response = client.generic(
        "PATCH",
        f"/api/v2/agents/{world.agent.pk}",
        data=json.dumps({"description": padding}).encode(),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "description" in response.json()
