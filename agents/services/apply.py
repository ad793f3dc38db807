"""Whole-configuration writes: Staging made exactly a given snapshot, in one recorded edit.

Restoring a checkpoint, restoring or reverting a publish and discarding unpublished changes
all come here (``publishing.services``); each needs the publisher role, as those do. A
configuration brought in from elsewhere - an imported document, another agent's
configuration (``agents.services.transfer``) - comes through ``replace_staging``, which is a
staging edit like any other and needs the editor role.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.core.exceptions import ValidationError

from agents.models import (
    ActionSetting,
    Agent,
    AgentCatalogueItem,
    CorpusConnection,
    GuardrailSetting,
    Instruction,
    StagingConfiguration,
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
    restored = None if restored_from is None else (restored_from, restored_mode)
    return _make_staging(agent, acting_user, snapshot, reason, restored)


def replace_staging(
    *, agent: Agent, acting_user: Any, snapshot: dict[str, Any], reason: str
) -> StagingConfiguration:
    """Make Staging exactly ``snapshot``, as ``apply_snapshot_to_staging`` does, for a
    configuration that comes from outside this agent's past (an imported document, another
    agent's configuration): an editor's staging edit, which clears any pending restore."""
    require_role(acting_user, agent, Role.EDITOR)
    return _make_staging(agent, acting_user, snapshot, reason, restored=None)


def _make_staging(
    agent: Agent,
    acting_user: Any,
    snapshot: dict[str, Any],
    reason: str,
    restored: tuple[Any, str] | None,
) -> StagingConfiguration:
    """The one recorded edit behind both: ``restored`` is the publish record and mode a
    rollback restores, None for any other whole-configuration write."""
    # Exactly the snapshot (``exact``), never merged: a restore's preview is bound to the state
    # it replaces by the fingerprint it showed (publishing.services), and an import or a copy
    # by the revision it was previewed on when the caller names one (If-Match, the copy
    # page's base_revision): on an older one it is refused, not written over newer work.
    with staging_edit(agent, acting_user=acting_user, reason=reason, exact=True) as change:
        _apply_settings(change, snapshot["settings"], snapshot["knowledge_sources"]["sharepoint"])
        _apply_instructions(change, agent, snapshot["instructions"])
        items = _snapshot_items(snapshot)
        for part in KEYED_PARTS:
            _apply_keyed(change, agent, part, items[part.model])
        # A rollback names its record as the source of the next publish - unless it changed
        # nothing (no checkpoint either). Any other whole-configuration write clears it.
        if restored is None or not change.is_empty:
            _set_pending_restore(change.agent, restored)
    return change.staging


class KeyedPart(NamedTuple):
    """One kind of child row keyed by a catalogue object (the model's ``ITEM``).

    A snapshot sets its ``enabled`` and ``options`` fields; the catalogue object must still
    exist in the agent's organization, reached from it by ``organization_path``.
    """

    model: type[AgentCatalogueItem]
    options: tuple[str, ...]
    organization_path: str
    label: str  # what a refusal calls the catalogue object


KEYED_PARTS = (
    KeyedPart(CorpusConnection, ("settings",), "project__organization_id", "knowledge source"),
    KeyedPart(ToolBinding, (), "organization_id", "tool"),
    KeyedPart(ActionSetting, ("config",), "tool__organization_id", "tool action"),
    KeyedPart(GuardrailSetting, ("settings",), "organization_id", "guardrail"),
)


def _snapshot_items(snapshot: dict[str, Any]) -> dict[type, list[dict[str, Any]]]:
    """Each kind's items in the snapshot; actions are listed inside their tools."""
    return {
        CorpusConnection: snapshot["knowledge_sources"]["corpora"],
        ToolBinding: snapshot["tools"],
        ActionSetting: [action for tool in snapshot["tools"] for action in tool["actions"]],
        GuardrailSetting: snapshot["guardrails"],
    }


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


def _apply_keyed(
    change: StagingChanges, agent: Agent, part: KeyedPart, items: list[dict[str, Any]]
) -> None:
    model, label = part.model, part.label
    key = f"{model.ITEM}_id"
    wanted = {item[key]: {f: item[f] for f in ("enabled", *part.options)} for item in items}
    # Where each key must still exist: the catalogue objects of the agent's organization.
    catalogue = model._meta.get_field(model.ITEM).related_model.objects.filter(
        **{part.organization_path: agent.project.organization_id}
    )
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
