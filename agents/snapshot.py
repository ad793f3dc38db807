"""Staging, loaded into the configuration's snapshot shape (``configuration.snapshot``)."""

from __future__ import annotations

import copy
import json
from typing import Any

from agents.models import (
    ActionSetting,
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
from configuration.changes import ACTION, CORPUS, GUARDRAIL, INSTRUCTION, SETTINGS, SHAREPOINT, TOOL
from configuration.snapshot import (
    Snapshot,
    build_snapshot,
    canonical_json,
    effective_definition,
)

# The item kinds (``configuration.changes``) each Staging model's rows become in a snapshot:
# the settings row holds the SharePoint folder too.
ITEM_KINDS: dict[type, frozenset[str]] = {
    StagingConfiguration: frozenset({SETTINGS, SHAREPOINT}),
    Instruction: frozenset({INSTRUCTION}),
    CorpusConnection: frozenset({CORPUS}),
    ToolBinding: frozenset({TOOL}),
    ActionSetting: frozenset({ACTION}),
    GuardrailSetting: frozenset({GUARDRAIL}),
}


def staging_snapshot(agent: Any, *, staging: Any = None) -> Snapshot:
    """The agent's Staging configuration as a snapshot, in six queries whatever its size.

    ``staging`` may pass the settings row already in hand (five queries then), e.g. one
    being saved with its new fingerprint.
    """
    if staging is None:
        staging = StagingConfiguration.objects.get(agent_id=agent.pk)
    return build_snapshot(
        staging=staging,
        instructions=list(Instruction.objects.filter(agent_id=agent.pk)),
        corpus_connections=list(
            CorpusConnection.objects.filter(agent_id=agent.pk).select_related("corpus")
        ),
        tool_bindings=list(ToolBinding.objects.filter(agent_id=agent.pk).select_related("tool")),
        action_settings=list(
            ActionSetting.objects.filter(agent_id=agent.pk).select_related("action")
        ),
        guardrail_settings=list(
            GuardrailSetting.objects.filter(agent_id=agent.pk).select_related("guardrail")
        ),
    )


def catalogue_as_of(model: Any, ids: set[int], when: Any) -> dict[int, Any]:
    """The catalogue objects ``ids`` of ``model`` as they stood at ``when``, from their history
    records: per object the newest record at or before ``when`` - or, for a time before its
    history began, its earliest record. One query. An object with no record at all is left
    out (the caller falls back to the current row)."""
    if not ids:
        return {}
    found: dict[int, Any] = {}
    earliest: dict[int, Any] = {}
    records = model.history.filter(id__in=ids).order_by("history_date", "history_id")
    for record in records:
        earliest.setdefault(record.id, record)
        if record.history_date <= when:
            found[record.id] = record
    return {
        pk: record for pk, record in {**earliest, **found}.items() if record.history_type != "-"
    }


def catalogue_at(model: Any, ids: set[int], when: Any) -> dict[int, Any]:
    """The catalogue objects ``ids`` that still exist, each with its definition as it stood
    at ``when`` (``catalogue_as_of``; the current row where no record was kept). Two queries.

    A catalogue change and the Staging edits it makes share one transaction, the catalogue
    record written first, so a checkpoint shows the definitions its fingerprint was made from.
    """
    current = model.objects.in_bulk(ids)
    as_of = catalogue_as_of(model, set(current), when)
    return {pk: as_of.get(pk, row) for pk, row in current.items()}


def with_current_definitions(snapshot: Snapshot) -> Snapshot:
    """``snapshot`` with each item's definition as today's catalogue and the item's own
    settings make it: what Staging holds once the snapshot is written onto it (Staging keeps
    the agent's own settings; the catalogue gives the rest). Four queries. An item whose
    catalogue object is gone keeps what it had (writing it is refused elsewhere)."""
    snapshot = copy.deepcopy(snapshot)
    ks = snapshot["knowledge_sources"]
    actions = [action for tool in snapshot["tools"] for action in tool.get("actions", [])]
    parts = (
        ("corpora", Corpus, ks["corpora"], "corpus_id", None),
        ("tools", Tool, snapshot["tools"], "tool_id", None),
        ("actions", ToolAction, actions, "action_id", "config"),
        ("guardrails", Guardrail, snapshot["guardrails"], "guardrail_id", "settings"),
    )
    for kind, model, items, key, own in parts:
        if not items:
            continue
        rows = model.objects.in_bulk({item[key] for item in items})
        for item in items:
            row = rows.get(item[key])
            if row is not None:
                item["definition"] = effective_definition(kind, row, item.get(own) if own else None)
    return json.loads(canonical_json(snapshot))
