"""The agent representation and its items, rendered from the canonical snapshot.

``staging_snapshot`` for Staging, ``agent.production.snapshot`` for Production: both share
one shape, and the number of queries does not grow with the configuration's size.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework.request import Request

from agents.api.base import STAGING
from agents.exceptions import NotPublished
from agents.models import Agent
from agents.permissions import Role
from agents.selectors import has_unpublished_changes, staging_versions
from agents.serializers.agents import (
    AgentSerializer,
    CorpusConnectionSerializer,
    GuardrailStateSerializer,
    InstructionSerializer,
    ToolBindingSerializer,
)
from agents.snapshot import staging_snapshot
from configuration.snapshot import Snapshot

User = get_user_model()


def user_ref(request: Request, user_id: int | None) -> dict[str, Any] | None:
    if user_id is None:
        return None
    if user_id == request.user.pk:
        # The author of an edit response is the caller: no query needed.
        return {"id": request.user.pk, "username": request.user.get_username()}
    return User.objects.filter(pk=user_id).values("id", "username").first()


def settings_fields(snapshot: Snapshot) -> dict[str, Any]:
    settings = snapshot["settings"]
    return {
        "name": settings["name"],
        "description": settings["description"],
        "access_level": settings["access_level"],
        "tags": list(settings["tags"]),
    }


def publish_fields(production: Any) -> dict[str, Any]:
    """Status fields from ``agent.production`` (None before the first publish)."""
    return {
        "published": production is not None,
        "last_published_at": production.published_at if production else None,
        "last_change_track_id": production.change_track_id if production else None,
    }


def agent_body(
    request: Request, agent: Agent, role: Role, environment: str = STAGING
) -> dict[str, Any]:
    """The agent's representation in one environment, from that environment's snapshot."""
    production = agent.production_or_none()
    if environment == STAGING:
        snapshot = with_versions(staging_snapshot(agent), staging_versions(agent.pk))
        staging = agent.staging
        revision, updated_at = staging.revision, staging.updated_at
        settings_version: int | None = staging.settings_version
        updated_by = user_ref(request, staging.updated_by_id)
        has_changes: bool | None = has_unpublished_changes(agent)
    else:
        if production is None:
            raise NotPublished()
        snapshot = production.snapshot
        revision, updated_at, settings_version = None, production.published_at, None
        updated_by = user_ref(request, production.published_by_id)
        # Viewers see Production only: whether Staging differs is not theirs to know.
        has_changes = has_unpublished_changes(agent) if role >= Role.EDITOR else None
    body = {
        "id": agent.pk,
        "project_id": agent.project_id,
        "organization_id": agent.project.organization_id,
        "environment": environment,
        "role": role.label,
        **settings_fields(snapshot),
        "model_config": snapshot["settings"]["model_config"],
        "sharepoint": snapshot["knowledge_sources"]["sharepoint"],
        "instructions": snapshot["instructions"],
        "knowledge_sources": {"corpora": snapshot["knowledge_sources"]["corpora"]},
        "tools": snapshot["tools"],
        "guardrails": snapshot["guardrails"],
        "revision": revision,
        "settings_version": settings_version,
        "updated_at": updated_at,
        "updated_by": updated_by,
        "has_unpublished_changes": has_changes,
        **publish_fields(production),
    }
    return AgentSerializer(body).data


def with_versions(snapshot: Snapshot, versions: dict[str, int]) -> Snapshot:
    """Staging's snapshot with each item's ``version`` (``staging_versions``), for the API."""

    def versioned(items: list[dict[str, Any]], kind: str, key: str) -> list[dict[str, Any]]:
        return [{**item, "version": versions.get(f"{kind}:{item[key]}")} for item in items]

    knowledge = snapshot["knowledge_sources"]
    return {
        **snapshot,
        "instructions": versioned(snapshot["instructions"], "instruction", "id"),
        "knowledge_sources": {
            **knowledge,
            "corpora": versioned(knowledge["corpora"], "corpus", "corpus_id"),
        },
        "tools": [
            {**tool, "actions": versioned(tool["actions"], "action", "action_id")}
            for tool in versioned(snapshot["tools"], "tool", "tool_id")
        ],
        "guardrails": versioned(snapshot["guardrails"], "guardrail", "guardrail_id"),
    }


SECTIONS: dict[str, tuple[str, type]] = {
    "instructions": ("id", InstructionSerializer),
    "corpora": ("corpus_id", CorpusConnectionSerializer),
    "tools": ("tool_id", ToolBindingSerializer),
    "guardrails": ("guardrail_id", GuardrailStateSerializer),
}


def staging_items(agent: Agent, section: str, ids: list[int]) -> list[dict[str, Any]]:
    """Items of the agent's Staging snapshot, in the shape the representation uses."""
    snapshot = with_versions(staging_snapshot(agent), staging_versions(agent.pk))
    items = {
        "instructions": snapshot["instructions"],
        "corpora": snapshot["knowledge_sources"]["corpora"],
        "tools": snapshot["tools"],
        "guardrails": snapshot["guardrails"],
    }[section]
    key, serializer = SECTIONS[section]
    by_id = {item[key]: item for item in items}
    return serializer([by_id[pk] for pk in ids], many=True).data


def staging_item(agent: Agent, section: str, pk: int) -> dict[str, Any]:
    return staging_items(agent, section, [pk])[0]
