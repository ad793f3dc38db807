"""How a change reaches Staging: one locked, attributed, recorded unit of work.

Every staging edit - a single field or a whole restored snapshot - goes through
``staging_edit``. It

* locks the agent row (``select_for_update``), so edits, publishes and rollbacks of one agent
  run one after another and a publish never copies a half-made edit;
* writes the changed rows with bulk operations, so a rollback of a large agent costs the same
  number of queries as a small edit;
* records one django-simple-history row per changed row, attributed to the acting user, with
  a reason, and tagged with the Staging ``revision`` it belongs to;
* bumps ``StagingConfiguration.revision``, whose historical rows are the checkpoints of the
  edit history. ``staging_rows_at`` rebuilds any checkpoint from those records.

Bulk operations skip simple-history's signals (django-simple-history #174), which is why the
records are written here explicitly rather than left to ``save()``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from agents.concurrency import reconcile, refuse_if_moved
from agents.edit_base import current_base, note_edited
from agents.models import (
    ActionSetting,
    Agent,
    CorpusConnection,
    GuardrailSetting,
    Instruction,
    StagingConfiguration,
    ToolBinding,
)
from agents.reasons import clip
from agents.snapshot import staging_snapshot
from configuration.snapshot import canonical_json, fingerprint, without_labels

CHILD_MODELS: tuple[type[models.Model], ...] = (
    Instruction,
    CorpusConnection,
    ToolBinding,
    ActionSetting,
    GuardrailSetting,
)


def staging_fingerprint(agent: Agent, staging: StagingConfiguration) -> str:
    """The fingerprint of Staging as it stands in this transaction (rows already written)."""
    return fingerprint(staging_snapshot(agent, staging=staging))


def measured_fingerprint(agent: Agent, staging: StagingConfiguration) -> tuple[str, int, int]:
    """``staging_fingerprint``, with the configuration's size: (fingerprint, canonical JSON
    bytes, instructions). The canonical JSON is serialised once for both."""
    snapshot = staging_snapshot(agent, staging=staging)
    encoded = canonical_json(without_labels(snapshot)).encode()
    return hashlib.sha256(encoded).hexdigest(), len(encoded), len(snapshot["instructions"])


def check_size(*, instructions: int, size: int, grows: bool = True) -> None:
    """Refuse a configuration past the documented bounds (settings
    ``MAX_INSTRUCTIONS_PER_AGENT``, ``MAX_CONFIGURATION_BYTES``) with a ValidationError.

    ``grows=False`` (an edit that only removes rows) always passes, so an agent that is over
    a bound - made before it existed, or after it was lowered - can always be cut back down.
    """
    if not grows:
        return
    errors: dict[str, list[str]] = {}
    limit = settings.MAX_INSTRUCTIONS_PER_AGENT
    if instructions > limit:
        errors["instructions"] = [
            f"An agent has at most {limit} instructions (this would make {instructions})."
        ]
    limit = settings.MAX_CONFIGURATION_BYTES
    if size > limit:
        errors["configuration"] = [
            f"The configuration may be at most {limit:,} bytes of JSON (this would make {size:,})."
        ]
    if errors:
        raise ValidationError(errors)


def recorded_user(acting_user: Any) -> Any:
    """The user a record names for ``acting_user``: them when signed in, else nobody."""
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


def record_history(
    model: type[models.Model],
    objs: list[models.Model],
    *,
    kind: str,
    acting_user: Any,
    reason: str,
    when: Any,
    revision: int,
) -> None:
    """Write one historical row per object ('+' created, '~' changed, '-' deleted)."""
    if not objs:
        return
    historical = model.history.model
    tracked = historical.tracked_fields
    actor = recorded_user(acting_user)
    historical.objects.bulk_create(
        [
            historical(
                history_date=when,
                history_user=actor,
                history_username=actor.get_username() if actor is not None else "",
                history_change_reason=clip(reason),
                history_type=kind,
                staging_revision=revision,
                **{f.attname: getattr(obj, f.attname) for f in tracked},
            )
            for obj in objs
        ]
    )


# What each kind of Staging row points at in the catalogue, by the row's key column.
CATALOGUE_KEYS: dict[type[models.Model], str] = {
    CorpusConnection: "corpus_id",
    ToolBinding: "tool_id",
    ActionSetting: "action_id",
    GuardrailSetting: "guardrail_id",
}


def hold_catalogue_items(created: dict[type, list[models.Model]]) -> None:
    """Key-share lock the catalogue items an edit starts using, before the fingerprint reads
    their definitions.

    A catalogue change (``agents.services.catalogue_changes``) holds its item ``FOR UPDATE``
    and edits the agents already using it; an agent that starts using the item meanwhile
    is not one of them. Its edit waits here until the change commits, and so reads - and
    stores the fingerprint of - the definition as changed. (PostgreSQL's own foreign-key
    lock comes too late: Django's constraints are checked at commit.) SQLite runs one writer
    at a time, so there is nothing to wait for.
    """
    if connection.vendor != "postgresql":
        return
    for model, key in CATALOGUE_KEYS.items():
        ids = sorted({getattr(row, key) for row in created.get(model, ())})
        if not ids:
            continue
        table = model._meta.get_field(key).related_model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT 1 FROM "{table}" WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE', [ids]
            )


@dataclass
class StagingChanges:
    """What one edit does to the child rows; flushed at the end of ``staging_edit``."""

    agent: Agent
    staging: StagingConfiguration
    settings_fields: set[str] = field(default_factory=set)
    # The old values of ``settings_fields``, so the reason can say what became of them.
    settings_before: dict[str, Any] = field(default_factory=dict)
    # Set by the service once it knows what the edit did; else the reason it opened with.
    reason: str | None = None
    created: dict[type, list[models.Model]] = field(default_factory=dict)
    updated: dict[type, tuple[dict[int, models.Model], set[str]]] = field(default_factory=dict)
    deleted: dict[type, list[models.Model]] = field(default_factory=dict)
    # Set by a catalogue edit: no row of the agent changes, but a definition its rows point
    # at did, so the edit is still recorded (a checkpoint and the new fingerprint).
    definitions_changed: bool = False

    def set_settings(self, **values: Any) -> None:
        for name, value in values.items():
            if getattr(self.staging, name) != value:
                self.settings_before.setdefault(name, getattr(self.staging, name))
                setattr(self.staging, name, value)
                self.settings_fields.add(name)

    def create(self, obj: models.Model) -> models.Model:
        self.created.setdefault(type(obj), []).append(obj)
        return obj

    def update(self, obj: models.Model, fields: list[str] | set[str]) -> None:
        if not fields:
            return
        objs, names = self.updated.setdefault(type(obj), ({}, set()))
        # Keyed by identity: a row changed twice in one edit (a field, then its position)
        # is written and recorded once.
        objs[id(obj)] = obj
        names.update(fields)

    def delete(self, obj: models.Model) -> None:
        self.deleted.setdefault(type(obj), []).append(obj)

    @property
    def grows(self) -> bool:
        """Whether this edit can make the configuration larger: deleting rows and moving
        instructions (a position-only update) cannot."""
        if self.settings_fields or self.created or self.definitions_changed:
            return True
        return any(names - {"position"} for _objs, names in self.updated.values())

    @property
    def is_empty(self) -> bool:
        return not (
            self.settings_fields
            or self.created
            or self.updated
            or self.deleted
            or self.definitions_changed
        )

    def flush(self, *, acting_user: Any, reason: str) -> None:
        when = timezone.now()
        revision = self.staging.revision + 1

        def record(model: type[models.Model], objs: list[models.Model], kind: str) -> None:
            record_history(
                model,
                objs,
                kind=kind,
                acting_user=acting_user,
                reason=reason,
                when=when,
                revision=revision,
            )

        for model in CHILD_MODELS:
            doomed = self.deleted.get(model, [])
            if doomed:
                record(model, doomed, "-")
                # A raw delete: these rows have no dependents, and the signal-driven
                # history of QuerySet.delete() would cost one INSERT per row.
                model.objects.filter(pk__in=[o.pk for o in doomed])._raw_delete(model.objects.db)
            if model in self.updated:
                objs = list(self.updated[model][0].values())
                for obj in objs:
                    obj.version = revision
                names = self.updated[model][1] | {"version"}
                model.objects.bulk_update(objs, sorted(names), batch_size=500)
                record(model, objs, "~")
            fresh = self.created.get(model, [])
            if fresh:
                for obj in fresh:
                    obj.version = revision
                model.objects.bulk_create(fresh, batch_size=500)
                record(model, fresh, "+")
        self.staging.revision = revision
        if self.settings_fields:
            self.staging.settings_version = revision
        hold_catalogue_items(self.created)
        # The whole snapshot is read again here: the fingerprint is a hash of all of it. Its
        # size comes from the same serialisation, so the bounds cost nothing extra, and a
        # refusal raises inside the transaction - the rows written above are rolled back.
        digest, size, instructions = measured_fingerprint(self.agent, self.staging)
        check_size(instructions=instructions, size=size, grows=self.grows)
        self.staging.fingerprint = digest
        self.staging.updated_by = recorded_user(acting_user)
        self.staging.updated_by_username = (
            self.staging.updated_by.get_username() if self.staging.updated_by else ""
        )
        self.staging.updated_at = when
        self.staging.skip_history_when_saving = True
        self.staging.save()
        del self.staging.skip_history_when_saving
        record(StagingConfiguration, [self.staging], "~")


@contextmanager
def staging_edit(
    agent: Agent, *, acting_user: Any, reason: str, exact: bool = False
) -> Iterator[StagingChanges]:
    """Lock the agent, collect a change, and write it with its history - or nothing.

    ``acting_user`` is who the records name; whether they may make the change is for the
    service that opens the edit to check (``agents.permissions.require_role``). A change
    that turns out to change nothing writes nothing and makes no checkpoint. Inside
    ``agents.concurrency.based_on(revision)``, a change made on an older Staging is merged
    with what others did since, or refused as a conflict (``agents.concurrency``); an
    ``exact`` edit (a whole snapshot written back) is never merged: on an older revision it
    is refused (``StagingChanged``), since it would drop what was saved since.
    """
    with transaction.atomic():
        locked = Agent.objects.select_for_update().get(pk=agent.pk)
        if locked.deleted_at is not None:
            # Archived while this request was on its way: as gone as any unknown agent.
            raise Agent.DoesNotExist("Agent not found.")
        staging = StagingConfiguration.objects.get(agent_id=locked.pk)
        changes = StagingChanges(agent=locked, staging=staging)
        yield changes
        if exact:
            if not changes.is_empty:
                refuse_if_moved(changes.staging)
        else:
            base = current_base()
            if base is not None and not changes.is_empty:
                reconcile(changes, base)
        if not changes.is_empty:
            changes.flush(acting_user=acting_user, reason=changes.reason or reason)
    note_edited(changes.staging.revision)
    agent.staging = changes.staging


def staging_rows_at(agent_id: int, revision: int) -> dict[str, Any]:
    """The Staging rows as they stood at ``revision``, rebuilt from the history records.

    Returns historical instances in the shape ``configuration.snapshot.build_snapshot`` takes
    (catalogue objects attached by the caller). One query per model, whatever the history.
    """
    root = (
        StagingConfiguration.history.filter(agent_id=agent_id, revision=revision)
        .order_by("-history_id")
        .first()
    )
    if root is None:
        raise StagingConfiguration.DoesNotExist(f"No checkpoint {revision} for agent {agent_id}")
    rows: dict[str, Any] = {"staging": root}
    for model in CHILD_MODELS:
        latest: dict[int, Any] = {}
        records = model.history.filter(agent_id=agent_id, staging_revision__lte=revision).order_by(
            "staging_revision", "history_id"
        )
        for record in records:
            latest[record.id] = record
        rows[model.__name__] = [r for r in latest.values() if r.history_type != "-"]
    return rows
