"""Two editors on one Staging through the API: what each read, and the edits they send on it."""

from __future__ import annotations

from typing import Any

from agents.models import StagingConfiguration
from tests.conftest import client_for


def url(agent: Any, suffix: str = "") -> str:
    return f"/api/v2/agents/{agent.pk}{suffix}"


def staging(agent: Any) -> StagingConfiguration:
    return StagingConfiguration.objects.get(agent=agent)


def etag(response: Any) -> str:
    return response.headers["ETag"]


def read(user: Any, agent: Any) -> tuple[dict[str, Any], str]:
    response = client_for(user).get(url(agent))
    assert response.status_code == 200
    return response.json(), etag(response)


def put_settings(user: Any, agent: Any, seen: dict[str, Any], tag: str | None, **changes: Any):
    """What the settings form does: every field as the editor saw it, with their changes."""
    body = {
        "name": seen["name"],
        "description": seen["description"],
        "model_config": seen["model_config"],
        **changes,
    }
    headers = {"HTTP_IF_MATCH": tag} if tag is not None else {}
    return client_for(user).put(url(agent), body, format="json", **headers)
