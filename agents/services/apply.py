"""Whole-configuration writes: Staging made exactly a given snapshot, in one recorded edit.

Restoring a checkpoint, restoring or reverting a publish and discarding unpublished changes
all come here (``publishing.services``); each needs the publisher role, as those do.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.core.exceptions import ValidationError

from agents.models import (
    ActionSetting,
    Agent,
    Corpus,
    CorpusConnection,
    Guardrail,
    GuardrailSetting,
    Instruction,
    StagingConfiguration,
    Tool,
    ToolAction,
    ToolBinding,
)
from agents.permissions import Role, require_role
from agents.services.common import update_changed
from agents.staging import StagingChanges, staging_edit


def apply_snapshot_to_staging(
    *,
    agent: Agent,
    acting_user: Any,
    snapshot: dict[str, Any],
    reason: str,
    restored_from: Any = None,
    restored_mode: str = "",
) -> StagingConfiguration:
    """Make Staging exactly the configuration in ``snapshot``, in one recorded edit.

    Only rows that differ are written, with bulk operations, so the cost does not grow with
    the parts that stay the same. Instructions keep their ids (a deleted one comes back under
    its old id), so the diff matches them across a restore. A catalogue object that no
    longer exists is refused with a ValidationError naming it, and nothing is written.
    """
    require_role(acting_user, agent, Role.PUBLISHER)
    with staging_edit(agent, acting_user=acting_user, reason=reason) as change:
        _apply_settings(change, snapshot["settings"], snapshot["knowledge_sources"]["sharepoint"])
        _apply_instructions(change, agent, snapshot["instructions"])
        for part in _keyed_parts(snapshot, agent.project.organization_id):
            _apply_keyed(change, agent, part)
        # A rollback names its record as the source of the next publish - unless it changed
        # nothing (no checkpoint either). Any other whole-configuration write clears it.
        if restored_from is None:
            _set_pending_restore(change.agent, None)
        elif not change.is_empty:
            _set_pending_restore(change.agent, (restored_from, restored_mode))
    return change.staging


class KeyedPart(NamedTuple):
    """One list of child rows keyed by a catalogue object, as a snapshot wants it."""

    model: type
    key: str
    wanted: dict[int, dict[str, Any]]
    catalogue: Any  # where each key must still exist
    label: str  # what a refusal calls the catalogue object


def _by(items: list[dict[str, Any]], key: str, *fields: str) -> dict[int, dict[str, Any]]:
    return {item[key]: {field: item[field] for field in fields} for item in items}


def _keyed_parts(snapshot: dict[str, Any], organization_id: int) -> list[KeyedPart]:
    actions = [action for tool in snapshot["tools"] for action in tool["actions"]]
    corpora = snapshot["knowledge_sources"]["corpora"]
    in_organization = {"organization_id": organization_id}
    return [
        KeyedPart(
            CorpusConnection,
            "corpus_id",
            _by(corpora, "corpus_id", "enabled", "settings"),
            Corpus.objects.filter(project__organization_id=organization_id),
            "knowledge source",
        ),
        KeyedPart(
            ToolBinding,
            "tool_id",
            _by(snapshot["tools"], "tool_id", "enabled"),
            Tool.objects.filter(**in_organization),
            "tool",
        ),
        KeyedPart(
            ActionSetting,
            "action_id",
            _by(actions, "action_id", "enabled", "config"),
            ToolAction.objects.filter(tool__organization_id=organization_id),
            "tool action",
        ),
        KeyedPart(
            GuardrailSetting,
            "guardrail_id",
            _by(snapshot["guardrails"], "guardrail_id", "enabled", "settings"),
            Guardrail.objects.filter(**in_organization),
            "guardrail",
        ),
    ]


def _set_pending_restore(agent: Agent, pending: tuple[Any, str] | None) -> None:
    restored_from, mode = pending or (None, "")
    if (agent.pending_restored_from, agent.pending_restored_mode) != (restored_from, mode):
        agent.pending_restored_from, agent.pending_restored_mode = restored_from, mode
        agent.save(update_fields=["pending_restored_from", "pending_restored_mode"])


def _apply_settings(
    change: StagingChanges, settings: dict[str, Any], sharepoint: dict[str, str] | None
) -> None:
    change.set_settings(
        name=settings["name"],
        description=settings["description"],
        model_config=settings["model_config"],
        access_level=settings["access_level"],
        tags=list(settings["tags"]),
        sharepoint_site_url=(sharepoint or {}).get("site_url", ""),
        sharepoint_folder_path=(sharepoint or {}).get("folder_path", ""),
    )


def _apply_instructions(change: StagingChanges, agent: Agent, wanted: list[dict[str, Any]]) -> None:
    current = {i.pk: i for i in Instruction.objects.filter(agent_id=agent.pk)}
    wanted_ids = {item["id"] for item in wanted}
    for pk, instruction in current.items():
        if pk not in wanted_ids:
            change.delete(instruction)
    # An id that now belongs to another agent (impossible through the services, but a
    # snapshot is data) must not be overwritten: it is re-created under a fresh id.
    foreign = set(
        Instruction.objects.filter(pk__in=wanted_ids - set(current))
        .exclude(agent_id=agent.pk)
        .values_list("pk", flat=True)
    )
    for index, item in enumerate(wanted):
        fields = {"title": item["title"], "content": item["content"], "position": index}
        existing = current.get(item["id"])
        if existing is None:
            pk = None if item["id"] in foreign else item["id"]
            change.create(Instruction(pk=pk, agent_id=agent.pk, **fields))
            continue
        update_changed(change, existing, **fields)


def _apply_keyed(change: StagingChanges, agent: Agent, part: KeyedPart) -> None:
    model, key, wanted, catalogue, label = part
    current = {getattr(row, key): row for row in model.objects.filter(agent_id=agent.pk)}
    for ref, row in current.items():
        if ref not in wanted:
            change.delete(row)
    missing = set(wanted) - set(current)
    if missing:
        available = set(catalogue.filter(pk__in=missing).values_list("pk", flat=True))
        gone = sorted(missing - available)
        if gone:
            raise ValidationError(
                {"snapshot": [f"The {label}(s) {gone} no longer exist in the catalogue."]}
            )
    for ref, fields in wanted.items():
        row = current.get(ref)
        if row is None:
            change.create(model(agent_id=agent.pk, **{key: ref}, **fields))
            continue
        update_changed(change, row, **fields)
