"""Edits made on an older Staging: merged field by field, or refused as a conflict.

An editor sends the Staging revision they saw (the API's ``If-Match``, the pages'
``base_revision``). When others have edited since, the edit - already applied by its service
to the current rows - is reconciled with the state the editor saw (``configuration.merge``):

* a field the editor left as they saw it keeps the current value, so a form that sends every
  field of a section never undoes a colleague's change to one of them;
* a field only the editor changed is written;
* a field both changed to different values is a conflict: ``EditConflict`` (409
  ``edit_conflict``) names it, with both values and who changed it when, and nothing is
  written. Model configuration and item settings merge key by key, instruction texts line by
  line, so different keys and different paragraphs are not conflicts.

Instruction positions are not merged: every service places instructions on the current
order, so a move and an edit of the same instruction both stand, and of two moves the later
one orders the list. A row deleted by one side and edited by the other is a conflict.

The reconciliation reads the history records of the rows the edit touches (a fixed number of
queries per kind of row); who changed a conflicting field is looked up only for conflicts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models

from agents.edit_base import BASE_FIELD, current_base
from agents.models import (
    ActionSetting,
    CorpusConnection,
    GuardrailSetting,
    Instruction,
    StagingConfiguration,
    ToolBinding,
)
from configuration.changes import (
    ACTION,
    CORPUS,
    GUARDRAIL,
    INSTRUCTION,
    SETTINGS,
    SHAREPOINT,
    TOOL,
    ChangePath,
)
from configuration.merge import MISSING, FieldConflict, merge_field
from ejento_staging.exceptions import DomainError

if TYPE_CHECKING:
    from agents.staging import StagingChanges

# Settings columns that the snapshot shows as the SharePoint item of the knowledge sources.
SHAREPOINT_COLUMNS = {"sharepoint_site_url": "site_url", "sharepoint_folder_path": "folder_path"}
# Fields merged key by key, and texts merged line by line.
NESTED = frozenset({"model_config", "settings", "config"})
TEXT = frozenset({"content", "description"})
# Bookkeeping columns, never a person's edit.
NOT_EDITED = frozenset({"id", "agent", "agent_id", "position", "version"})


class EditConflict(DomainError):
    code = "edit_conflict"
    default_detail = (
        "Someone else changed this since you loaded it; nothing was saved. "
        "Compare the values and save again."
    )

    def __init__(self, conflicts: list[dict[str, Any]]) -> None:
        super().__init__(conflicts=conflicts)


class StagingChanged(DomainError):
    """A whole-configuration write (import, copy, restore) named the revision it was
    previewed on, and Staging has moved since: writing it would drop what was saved since."""

    code = "staging_changed"

    def __init__(self, base: int, revision: int) -> None:
        super().__init__(
            f"Staging changed since revision {base} (it is at {revision}): nothing was "
            "written. Preview again to see what this would now replace.",
            base_revision=base,
            revision=revision,
        )


def refuse_if_moved(staging: Any) -> None:
    """For a write that replaces Staging whole: refuse it when the caller named an older
    revision (``If-Match``) than Staging is at - there is nothing to merge it with."""
    base = current_base()
    if base is not None and base != staging.revision:
        if base > staging.revision:
            raise ValidationError(
                {BASE_FIELD: [f"Staging has no revision {base} yet (it is at {staging.revision})."]}
            )
        raise StagingChanged(base, staging.revision)


def reconcile(changes: StagingChanges, base: int) -> None:
    """Make ``changes`` (applied to the current rows) keep everything others did since ``base``.

    Raises ``EditConflict`` with every conflict found; the caller's transaction then writes
    nothing.
    """
    staging = changes.staging
    if base > staging.revision:
        raise ValidationError(
            {BASE_FIELD: [f"Staging has no revision {base} yet (it is at {staging.revision})."]}
        )
    if base == staging.revision:
        return
    conflicts: list[tuple[ChangePath, FieldConflict, Any, Any]] = []
    if changes.settings_fields:
        conflicts += _reconcile_settings(changes, base)
    for model, (objs, names) in list(changes.updated.items()):
        conflicts += _reconcile_updates(changes, model, objs, names, base)
    for model, doomed in changes.deleted.items():
        conflicts += _reconcile_deletes(changes, model, doomed, base)
    if conflicts:
        agent_id = staging.agent_id
        raise EditConflict(
            [_describe(*conflict, base=base, agent_id=agent_id) for conflict in conflicts]
        )


def refuse_if_deleted_since(model: type[models.Model], agent_id: int, pk: Any) -> None:
    """An edit of a row someone deleted after the editor's base is a conflict, not a 404."""
    base = current_base()
    if base is None:
        return
    record = (
        model.history.filter(agent_id=agent_id, id=pk, staging_revision__gt=base)
        .order_by("-staging_revision", "-history_id")
        .first()
    )
    if record is not None and record.history_type == "-":
        path = _path(model, record)
        raise EditConflict(
            [
                {
                    "section": path.section,
                    "key": path.key,
                    "field": None,
                    "theirs": None,
                    "yours": "(your edit of it)",
                    "changed_by": record.history_username or None,
                    "changed_at": record.history_date,
                    "revision": record.staging_revision,
                }
            ]
        )


def _reconcile_settings(changes: StagingChanges, base: int) -> list[Any]:
    staging = changes.staging
    seen = (
        StagingConfiguration.history.filter(agent_id=staging.agent_id, revision=base)
        .order_by("-history_id")
        .first()
    )
    if seen is None:
        raise ValidationError({BASE_FIELD: [f"Staging has no revision {base}."]})
    conflicts = []
    for name in sorted(changes.settings_fields):
        theirs = changes.settings_before[name]
        merged, found = merge_field(
            name,
            getattr(seen, name),
            theirs,
            getattr(staging, name),
            nested=name in NESTED,
            text=name in TEXT,
        )
        setattr(staging, name, merged)
        if merged == theirs:
            changes.settings_fields.discard(name)
            changes.settings_before.pop(name)
        conflicts += [
            (_settings_path(name), conflict, StagingConfiguration, None) for conflict in found
        ]
    return conflicts


def _reconcile_updates(
    changes: StagingChanges,
    model: type[models.Model],
    objs: dict[int, models.Model],
    names: set[str],
    base: int,
) -> list[Any]:
    edited = sorted(names - NOT_EDITED)
    if not edited:
        return []
    pks = [obj.pk for obj in objs.values()]
    current = {row.pk: row for row in model.objects.filter(pk__in=pks)}
    seen = _rows_at(model, changes.staging.agent_id, pks, base)
    conflicts = []
    for key, obj in list(objs.items()):
        now = current[obj.pk]
        before = seen.get(obj.pk)
        untouched = True
        for name in edited:
            theirs = getattr(now, name)
            # A row made after the base: the editor cannot have seen it as it was.
            base_value = getattr(before, name) if before is not None else MISSING
            merged, found = merge_field(
                name,
                base_value,
                theirs,
                getattr(obj, name),
                nested=name in NESTED,
                text=name in TEXT,
            )
            setattr(obj, name, merged)
            untouched = untouched and merged == theirs
            conflicts += [(_path(model, obj), conflict, model, obj.pk) for conflict in found]
        if untouched and getattr(obj, "position", None) == getattr(now, "position", None):
            del objs[key]
    if not objs:
        del changes.updated[model]
    return conflicts


def _reconcile_deletes(
    changes: StagingChanges, model: type[models.Model], doomed: list[models.Model], base: int
) -> list[Any]:
    seen = _rows_at(model, changes.staging.agent_id, [obj.pk for obj in doomed], base)
    edited = [f.attname for f in model._meta.concrete_fields if f.attname not in NOT_EDITED]
    conflicts = []
    for obj in doomed:
        before = seen.get(obj.pk)
        changed = before is None or any(
            getattr(before, name) != getattr(obj, name) for name in edited
        )
        if changed:
            conflicts.append(
                (_path(model, obj), FieldConflict("", None, "(changed)", None), model, obj.pk)
            )
    return conflicts


def _rows_at(model: type[models.Model], agent_id: int, pks: list[Any], revision: int) -> dict:
    """The rows ``pks`` as they stood at ``revision`` (absent: not there then)."""
    rows: dict[Any, Any] = {}
    records = model.history.filter(
        agent_id=agent_id, id__in=pks, staging_revision__lte=revision
    ).order_by("staging_revision", "history_id")
    for record in records:
        rows[record.id] = record
    return {pk: record for pk, record in rows.items() if record.history_type != "-"}


def _settings_path(name: str) -> ChangePath:
    if name in SHAREPOINT_COLUMNS:
        return ChangePath("knowledge_sources", SHAREPOINT, field=SHAREPOINT_COLUMNS[name])
    return ChangePath("settings", SETTINGS, field=name)


def _path(model: type[models.Model], row: Any) -> ChangePath:
    if model is Instruction:
        return ChangePath("instructions", INSTRUCTION, row.id)
    if model is CorpusConnection:
        return ChangePath("knowledge_sources", CORPUS, row.corpus_id)
    if model is ToolBinding:
        return ChangePath("tools", TOOL, row.tool_id)
    if model is ActionSetting:
        return ChangePath("tools", ACTION, row.action_id, row.action.tool_id)
    if model is GuardrailSetting:
        return ChangePath("guardrails", GUARDRAIL, row.guardrail_id)
    raise LookupError(model)


def _describe(
    path: ChangePath, conflict: FieldConflict, model: Any, pk: Any, *, base: int, agent_id: int
) -> dict[str, Any]:
    """A conflict as the API answers it: where, both values, who changed it and when."""
    if path.field is not None:  # a settings column: the path already names the field
        located = path.with_field(path.field, conflict.field_key)
        column: str | None = next(
            (c for c, f in SHAREPOINT_COLUMNS.items() if f == path.field), path.field
        )
    elif conflict.field:
        located, column = path.with_field(conflict.field, conflict.field_key), conflict.field
    else:
        located, column = path, None
    if model is StagingConfiguration:
        records = StagingConfiguration.history.filter(
            agent_id=agent_id, revision__gte=base
        ).order_by("revision", "history_id")
    else:
        records = model.history.filter(agent_id=agent_id, id=pk).order_by(
            "staging_revision", "history_id"
        )
    author = _last_change(list(records), column, conflict.field_key, base)
    return {
        "section": located.section,
        "key": located.key,
        "field": located.field_name,
        "theirs": None if conflict.theirs is MISSING else conflict.theirs,
        "yours": None if conflict.yours is MISSING else conflict.yours,
        **author,
    }


def _last_change(
    records: list[Any], column: str | None, field_key: str | None, base: int
) -> dict[str, Any]:
    """Who last changed ``column`` (one key of it; None: anything) after ``base``, and when.

    ``records`` are one row's history records in order; a record changes the field when its
    value differs from the record before it.
    """
    found: Any = None
    previous: Any = None
    for record in records:
        if _revision(record) > base and (
            previous is None
            or record.history_type == "-"
            or column is None
            or _value(record, column, field_key) != _value(previous, column, field_key)
        ):
            found = record
        previous = record
    if found is None:
        return {"changed_by": None, "changed_at": None, "revision": None}
    return {
        "changed_by": found.history_username or None,
        "changed_at": found.history_date,
        "revision": _revision(found),
    }


def _revision(record: Any) -> int:
    """The Staging revision a record belongs to (the settings row's own ``revision``)."""
    revision = getattr(record, "staging_revision", None)
    return revision if revision is not None else record.revision


def _value(record: Any, column: str, field_key: str | None) -> Any:
    value = getattr(record, column, MISSING)
    if field_key is not None and isinstance(value, dict):
        return value.get(field_key, MISSING)
    return value
