"""Configuration as code: Staging made a document's configuration, or another agent's.

Both are one staging edit through ``apply.replace_staging`` (editors of the target), so the
import is attributed, recorded with its reason in the edit history and checked against the
size bounds like any edit - and Production is untouched until the next publish. A dry run
makes the same edit and rolls it back, so the diff it answers is exactly what the edit would
do, every check included.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from agents import selectors_transfer
from agents.document_checks import checked_document
from agents.edit_base import based_on
from agents.models import Agent, StagingConfiguration
from agents.permissions import Role, lock_agent, organizations_for, require_role
from agents.selectors_transfer import Found, Source, find_components, source_snapshot
from agents.services.apply import replace_staging
from agents.services.catalogue import create_corpus, create_guardrail, create_tool
from agents.snapshot import staging_snapshot
from configuration import document as configuration_document
from configuration.diff import Diff, diff_snapshots
from configuration.document import Key, describe_key
from configuration.snapshot import Snapshot, canonical_json
from ejento_staging.exceptions import DomainError

MISSING, DIFFERENT, AMBIGUOUS = "missing", "different", "ambiguous"


class ComponentsUnresolved(DomainError):
    """Catalogue components a document names are missing, different or ambiguous here.

    ``components`` lists each: its ``kind``, ``name`` (and ``tool``, for an action), the
    ``problem`` and a ``detail``; nothing was written.
    """

    code = "components_unresolved"
    default_detail = "Some components of the document do not match this organization's catalogue."


@dataclass(frozen=True)
class TransferResult:
    """What an import or a copy did to Staging (or, in a dry run, would do)."""

    diff: Diff
    dry_run: bool
    created: list[str] = field(default_factory=list)  # components created (or to be)
    staging: StagingConfiguration | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "created_components": self.created,
            "revision": None if self.staging is None else self.staging.revision,
            **self.diff.as_dict(),
        }


def import_document(
    *,
    agent: Agent,
    acting_user: Any,
    document: Any,
    dry_run: bool = False,
    create_missing_components: bool = False,
) -> TransferResult:
    """Make the agent's Staging exactly the document's configuration, in one staging edit.

    The document is checked whole first (``ValidationError`` listing every problem by its
    JSON path); its components are matched by key in the agent's organization and refused
    together (``ComponentsUnresolved``, 409) when missing, different or ambiguous - missing
    ones are created in the catalogue instead when ``create_missing_components`` (which
    needs membership of the organization, as creating them anywhere does).
    """
    require_role(acting_user, agent, Role.EDITOR)
    cleaned = checked_document(document)
    reason = _import_reason(cleaned)
    with _edit(dry_run) as outcome:
        locked = lock_agent(agent, acting_user, Role.EDITOR)
        keys = configuration_document.used_keys(cleaned)
        found = find_components(locked.project.organization_id, keys)
        ids, to_create = _resolve(cleaned, keys, found, create_missing_components)
        if to_create:
            _require_member(acting_user, locked)
            ids.update(_create(locked, cleaned, to_create))
        before = staging_snapshot(locked)
        instruction_ids = configuration_document.match_instructions(
            before["instructions"], cleaned["instructions"]
        )
        target = configuration_document.to_snapshot(cleaned, ids, instruction_ids)
        outcome.update(_write(locked, acting_user, before, target, reason))
        outcome["created"] = [describe_key(key) for key in to_create]
    return _result(agent, outcome, dry_run)


def copy_configuration(
    *,
    agent: Agent,
    acting_user: Any,
    source_agent: Agent,
    source: Source,
    dry_run: bool = False,
) -> TransferResult:
    """Make the agent's Staging exactly another agent's Staging or Production, in one staging
    edit: both agents of one organization, the editor role on this one and, on the other,
    the role reading that source needs (editor for Staging, viewer for Production)."""
    require_role(acting_user, agent, Role.EDITOR)
    if source.kind not in (selectors_transfer.STAGING, selectors_transfer.PRODUCTION):
        raise ValidationError({"source": ["Must be staging or production."]})
    require_role(acting_user, source_agent, source.required_role)
    if source_agent.pk == agent.pk:
        raise ValidationError(
            {"source_agent_id": ["Copy from another agent (to undo edits, discard them)."]}
        )
    if source_agent.project.organization_id != agent.project.organization_id:
        raise ValidationError({"source_agent_id": ["Copy only within one organization."]})
    reason = f"Copied from agent {source_agent.pk} ({source_agent.staging.name}), {source.kind}"
    with _edit(dry_run) as outcome:
        locked = lock_agent(agent, acting_user, Role.EDITOR)
        wanted = source_snapshot(source_agent, source)
        before = staging_snapshot(locked)
        instruction_ids = configuration_document.match_instructions(
            before["instructions"], wanted["instructions"]
        )
        target = {
            **wanted,
            "instructions": [
                {**item, "id": pk}
                for pk, item in zip(instruction_ids, wanted["instructions"], strict=True)
            ],
        }
        outcome.update(_write(locked, acting_user, before, target, reason))
    return _result(agent, outcome, dry_run)


# --- the steps ---------------------------------------------------------------------------------


@contextmanager
def _edit(dry_run: bool) -> Iterator[dict[str, Any]]:
    """One transaction for the whole transfer; a dry run's is rolled back at the end."""
    outcome: dict[str, Any] = {}
    with transaction.atomic():
        if not dry_run:
            yield outcome
            return
        # A fresh block, so the revision the rolled-back edit reached is not reported (an
        # API answer's ETag) as if Staging were at it.
        with based_on(None):
            yield outcome
        transaction.set_rollback(True)


def _write(
    agent: Agent, acting_user: Any, before: Snapshot, target: Snapshot, reason: str
) -> dict[str, Any]:
    staging = replace_staging(agent=agent, acting_user=acting_user, snapshot=target, reason=reason)
    after = staging_snapshot(agent, staging=staging)
    return {"diff": diff_snapshots(before, after), "staging": staging}


def _result(agent: Agent, outcome: dict[str, Any], dry_run: bool) -> TransferResult:
    staging = None if dry_run else outcome["staging"]
    if staging is not None:
        agent.staging = staging
    return TransferResult(
        diff=outcome["diff"], dry_run=dry_run, created=outcome.get("created", []), staging=staging
    )


def _import_reason(document: dict[str, Any]) -> str:
    origin = document.get("origin") or {}
    parts = []
    if origin.get("agent_id") is not None:
        parts.append(f"agent {origin['agent_id']}")
    if origin.get("source"):
        parts.append(str(origin["source"]))
    if origin.get("change_track_id"):
        parts.append(f"publish {origin['change_track_id']}")
    return "Imported from document" + (f" ({', '.join(parts)})" if parts else "")


_DEFINITIONS = {
    "corpus": ("description",),
    "tool": ("kind", "description"),
    "action": ("config",),
    "guardrail": ("type", "config"),
}


def _resolve(
    document: dict[str, Any], keys: list[Key], found: Found, create_missing: bool
) -> tuple[dict[Key, int], list[Key]]:
    """Each key's catalogue id, and the keys to create; ``ComponentsUnresolved`` otherwise."""
    definitions = configuration_document.component_definitions(document)
    ids: dict[Key, int] = {}
    to_create: list[Key] = []
    problems: list[dict[str, Any]] = []
    for key in keys:
        objects = found.get(key)
        wanted = definitions[key]
        if len(objects) > 1:
            problems.append(_problem(key, AMBIGUOUS, f"{len(objects)} of this name"))
        elif not objects:
            if key[0] == "action" and not found.get(("tool", key[1])):
                continue  # comes with its tool, or is refused with it
            if key[0] == "action":
                # The catalogue services create a tool with its actions, not an action alone.
                detail = "not on that tool; add it to the tool in the catalogue first"
                problems.append(_problem(key, MISSING, detail))
            elif create_missing:
                to_create.append(key)
            else:
                problems.append(_problem(key, MISSING, "not in this organization's catalogue"))
        else:
            current = objects[0]
            differs = [
                name
                for name in _DEFINITIONS[key[0]]
                if canonical_json(getattr(current, name)) != canonical_json(wanted[name])
            ]
            if differs:
                verb = "differs" if len(differs) == 1 else "differ"
                detail = f"the catalogue's {' and '.join(differs)} {verb}"
                problems.append(_problem(key, DIFFERENT, detail))
            else:
                ids[key] = current.pk
    if problems:
        raise ComponentsUnresolved(components=problems)
    return ids, to_create


def _problem(key: Key, problem: str, detail: str) -> dict[str, Any]:
    entry = {"kind": key[0], "name": key[-1], "problem": problem}
    if key[0] == "action":
        entry["tool"] = key[1]
    entry["detail"] = f"The {describe_key(key)}: {detail}."
    return entry


def _require_member(acting_user: Any, agent: Agent) -> None:
    if not organizations_for(acting_user).filter(pk=agent.project.organization_id).exists():
        raise PermissionDenied("Only members of the organization can add to its catalogue.")


def _create(agent: Agent, document: dict[str, Any], keys: list[Key]) -> dict[Key, int]:
    """Create the missing components through the catalogue services; their ids by key."""
    definitions = configuration_document.component_definitions(document)
    organization = agent.project.organization
    ids: dict[Key, int] = {}
    for key in keys:
        kind, name = key[0], key[1]
        wanted = definitions[key]
        if kind == "corpus":
            made = create_corpus(
                project=agent.project, name=name, description=wanted["description"]
            )
        elif kind == "guardrail":
            made = create_guardrail(
                organization=organization, name=name, type=wanted["type"], config=wanted["config"]
            )
        else:
            component = next(t for t in document["components"]["tools"] if t["name"] == name)
            made = create_tool(
                organization=organization,
                name=name,
                kind=wanted["kind"],
                description=wanted["description"],
                actions=[{"name": a["name"], "config": a["config"]} for a in component["actions"]],
            )
            for action in made.actions.all():
                ids[("action", name, action.name)] = action.pk
        ids[key] = made.pk
    return ids
