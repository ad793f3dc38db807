"""Reads for configuration as code: which configuration a source names, its document, and
the catalogue objects a document's keys name (``configuration.document``).

Production and publish records are read through the relations ``publishing.models``
declares (``agent.production``, ``agent.publish_records``); this app never imports it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError

from agents.exceptions import NotPublished
from agents.models import Agent, Corpus, Guardrail, Tool, ToolAction
from agents.permissions import Role, organizations_for
from agents.snapshot import staging_snapshot
from configuration.document import (
    Catalogue,
    Key,
    action_key,
    build_document,
    corpus_key,
    guardrail_key,
    tool_key,
)
from configuration.snapshot import Snapshot

STAGING = "staging"
PRODUCTION = "production"
PUBLISH = "publish"
SOURCE_HELP = "`staging`, `production`, or the `change_track_id` of one of the agent's publishes."


class PublishNotFound(ObjectDoesNotExist):
    """No publish of this agent has that change_track_id (answered as 404)."""


@dataclass(frozen=True)
class Source:
    """One of an agent's configurations: Staging, Production or one publish."""

    kind: str
    change_track_id: uuid.UUID | None = None

    @property
    def required_role(self) -> Role:
        """What reading it needs: Production is for viewers; Staging and the publish records
        (as the publish history shows them) for editors."""
        return Role.VIEWER if self.kind == PRODUCTION else Role.EDITOR

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.kind,
            "change_track_id": str(self.change_track_id) if self.change_track_id else None,
        }


def parse_source(value: Any, field: str = "source") -> Source:
    """``staging`` (also when not given), ``production`` or a change_track_id; else a 400."""
    if value is None or value == STAGING:
        return Source(STAGING)
    if value == PRODUCTION:
        return Source(PRODUCTION)
    if isinstance(value, str) and len(value) == 36:
        try:
            return Source(PUBLISH, uuid.UUID(value))
        except ValueError:
            pass
    raise ValidationError({field: [f"Must be {SOURCE_HELP}"]})


def source_snapshot(agent: Agent, source: Source) -> Snapshot:
    """The configuration ``source`` names (``NotPublished`` or ``PublishNotFound`` when it
    has none). The caller has checked ``source.required_role``."""
    if source.kind == STAGING:
        return staging_snapshot(agent)
    if source.kind == PRODUCTION:
        production = agent.production_or_none()
        if production is None:
            raise NotPublished()
        return production.snapshot
    snapshot = (
        agent.publish_records.filter(change_track_id=source.change_track_id)
        .values_list("snapshot", flat=True)
        .first()
    )
    if snapshot is None:
        raise PublishNotFound("No publish of this agent has that change_track_id.")
    return snapshot


def catalogue_of(snapshot: Snapshot, organization_id: int) -> Catalogue:
    """The catalogue objects a snapshot points at, in four queries whatever its size."""
    tools = snapshot["tools"]
    action_ids = [a["action_id"] for tool in tools for a in tool["actions"]]
    return Catalogue(
        corpora=_rows(
            Corpus.objects.filter(
                project__organization_id=organization_id,
                pk__in=[c["corpus_id"] for c in snapshot["knowledge_sources"]["corpora"]],
            ),
            ("name", "description"),
        ),
        tools=_rows(
            Tool.objects.filter(
                organization_id=organization_id, pk__in=[t["tool_id"] for t in tools]
            ),
            ("name", "kind", "description"),
        ),
        actions=_rows(
            ToolAction.objects.filter(tool__organization_id=organization_id, pk__in=action_ids),
            ("name", "config", "tool_id"),
        ),
        guardrails=_rows(
            Guardrail.objects.filter(
                organization_id=organization_id,
                pk__in=[g["guardrail_id"] for g in snapshot["guardrails"]],
            ),
            ("name", "type", "config"),
        ),
    )


def _rows(queryset: Any, fields: tuple[str, ...]) -> dict[int, dict[str, Any]]:
    return {row["pk"]: row for row in queryset.values("pk", *fields)}


NO_CATALOGUE = Catalogue(corpora={}, tools={}, actions={}, guardrails={})


def export_document(
    agent: Agent, source: Source, *, reader: Any = None, role: Role | None = None
) -> dict[str, Any]:
    """The document of one of the agent's configurations (``configuration.document``).

    The catalogue's definitions are read for ``reader`` (whose ``role`` on the agent is
    known) only when they may list the organization's catalogue: its members - every editor
    is one - and superusers; None is an operator. A public agent's viewer from elsewhere gets
    the definitions the snapshot itself carries, and nothing more.
    """
    snapshot = source_snapshot(agent, source)
    origin = {"agent_id": agent.pk, **source.as_dict()}
    organization_id = agent.project.organization_id
    if (
        reader is None
        or (role is not None and role >= Role.EDITOR)
        or organizations_for(reader).filter(pk=organization_id).exists()
    ):
        catalogue = catalogue_of(snapshot, organization_id)
    else:
        catalogue = NO_CATALOGUE
    return build_document(snapshot, catalogue, origin=origin)


# --- the catalogue objects a document names ---------------------------------------------------


@dataclass
class Found:
    """What the organization's catalogue holds for each key: the objects of that name."""

    objects: dict[Key, list[Any]]

    def get(self, key: Key) -> list[Any]:
        return self.objects.get(key, [])


def find_components(organization_id: int, keys: Iterable[Key]) -> Found:
    """The catalogue objects of the organization named by ``keys``, in four queries."""
    keys = list(keys)
    names = {kind: {k[1] for k in keys if k[0] == kind} for kind in ("corpus", "tool", "guardrail")}
    found: dict[Key, list[Any]] = {}
    for corpus in Corpus.objects.filter(
        project__organization_id=organization_id, name__in=names["corpus"]
    ).order_by("pk"):
        found.setdefault(corpus_key(corpus.name), []).append(corpus)
    tools = list(
        Tool.objects.filter(organization_id=organization_id, name__in=names["tool"]).order_by("pk")
    )
    for tool in tools:
        found.setdefault(tool_key(tool.name), []).append(tool)
    action_names = {k[2] for k in keys if k[0] == "action"}
    for action in ToolAction.objects.filter(tool__in=tools, name__in=action_names).select_related(
        "tool"
    ):
        found.setdefault(action_key(action.tool.name, action.name), []).append(action)
    for guardrail in Guardrail.objects.filter(
        organization_id=organization_id, name__in=names["guardrail"]
    ).order_by("pk"):
        found.setdefault(guardrail_key(guardrail.name), []).append(guardrail)
    return Found(found)
