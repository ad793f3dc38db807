"""Which agents use a catalogue item, and what a change of it does to each one's Staging.

Computed from the agents' rows for that one item (``_item_snapshot``), by the same rule as
the whole configuration (``configuration.snapshot.build_snapshot``), so it costs the same
whatever the size of the agents' configurations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.db import models
from django.db.models import F, QuerySet

from agents.models import (
    ActionSetting,
    Corpus,
    CorpusConnection,
    Guardrail,
    GuardrailSetting,
    Tool,
    ToolAction,
    ToolBinding,
)
from configuration.diff import Diff, diff_snapshots
from configuration.snapshot import Snapshot, build_snapshot

NO_SETTINGS = SimpleNamespace(
    name="",
    description="",
    model_config={},
    access_level="private",
    tags=[],
    sharepoint_site_url="",
    sharepoint_folder_path="",
)


@dataclass(frozen=True)
class Use:
    """One agent's use of a catalogue item, and what a change of the item does to it: the
    diff it adds to the agent's Staging (the item alone, so it costs no query and does not
    grow with the agent's configuration)."""

    agent_id: int
    name: str
    live: bool
    diff: Diff

    def as_dict(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "name": self.name,
            "live": self.live,
            **self.diff.as_dict(),
        }


@dataclass(frozen=True)
class Kind:
    """How one kind of catalogue item is changed: its fields, which of them make its
    definition, how an agent's row points at it, and how one row becomes a snapshot."""

    noun: str
    model: type[models.Model]
    organization_path: str
    definition_fields: frozenset[str]
    rows: type[models.Model]
    row_key: str
    own: str | None

    def organization_id(self, item: Any) -> int:
        """The organization an item of this kind belongs to (an action's through its tool, a
        corpus's through its project): ``organization_path`` followed on the item."""
        found = item
        for step in self.organization_path.split("__"):
            found = getattr(found, step)
        return found


KINDS: dict[str, Kind] = {
    "tool": Kind(
        "Tool",
        Tool,
        "organization_id",
        frozenset({"kind", "description"}),
        ToolBinding,
        "tool",
        None,
    ),
    "action": Kind(
        "Action",
        ToolAction,
        "tool__organization_id",
        frozenset({"config"}),
        ActionSetting,
        "action",
        "config",
    ),
    "guardrail": Kind(
        "Guardrail",
        Guardrail,
        "organization_id",
        frozenset({"type", "config"}),
        GuardrailSetting,
        "guardrail",
        "settings",
    ),
    "corpus": Kind(
        "Knowledge source",
        Corpus,
        "project__organization_id",
        frozenset({"description"}),
        CorpusConnection,
        "corpus",
        "settings",
    ),
}


def item_snapshot(kind: str, catalogue: Any, row: dict[str, Any], tool: Any) -> Snapshot:
    """One agent's snapshot of this one item (``row``: the agent's row for it), built by the
    same rule as the whole configuration."""
    empty: dict[str, list[Any]] = {
        "instructions": [],
        "corpus_connections": [],
        "tool_bindings": [],
        "action_settings": [],
        "guardrail_settings": [],
    }
    enabled = row["enabled"]
    if kind == "tool":
        empty["tool_bindings"] = [SimpleNamespace(tool_id=catalogue.pk, tool=catalogue, enabled=1)]
        empty["tool_bindings"][0].enabled = enabled
    elif kind == "action":
        empty["tool_bindings"] = [SimpleNamespace(tool_id=tool.pk, tool=tool, enabled=True)]
        empty["action_settings"] = [
            SimpleNamespace(
                action_id=catalogue.pk, action=catalogue, enabled=enabled, config=row["own"]
            )
        ]
    elif kind == "guardrail":
        empty["guardrail_settings"] = [
            SimpleNamespace(
                guardrail_id=catalogue.pk, guardrail=catalogue, enabled=enabled, settings=row["own"]
            )
        ]
    else:
        empty["corpus_connections"] = [
            SimpleNamespace(
                corpus_id=catalogue.pk, corpus=catalogue, enabled=enabled, settings=row["own"]
            )
        ]
    return build_snapshot(staging=NO_SETTINGS, **empty)


def uses_query(kind: str, item: Any) -> QuerySet[Any]:
    """The rows of the agents (not archived) that use ``item``, by agent id."""
    spec = KINDS[kind]
    rows = spec.rows.objects.filter(**{spec.row_key: item}, agent__deleted_at__isnull=True)
    if kind == "action":
        # An action is in an agent's configuration only under its bound tool.
        rows = rows.filter(agent__tool_bindings__tool_id=item.tool_id)
    own = {"own": F(spec.own)} if spec.own else {}
    return rows.order_by("agent_id").values(
        "agent_id",
        "enabled",
        name=F("agent__staging__name"),
        live=F("agent__production__change_track_id"),
        **own,
    )


def uses(kind: str, before: Any, after: Any, rows: Iterable[dict[str, Any]]) -> list[Use]:
    tool = before.tool if kind == "action" else None
    return [
        Use(
            agent_id=row["agent_id"],
            name=row["name"] or "",
            live=row["live"] is not None,
            diff=diff_snapshots(
                item_snapshot(kind, before, {"own": None, **row}, tool),
                item_snapshot(kind, after, {"own": None, **row}, tool),
            ),
        )
        for row in rows
    ]
