"""Publish, roll back, discard and restore checkpoints: the only writers of Production.

``publish_agent`` is the one function that writes Production (DESIGN invariant 1). The
others write Staging only, through ``agents.services.apply_snapshot_to_staging``, and are
recorded in the edit history like any other staging edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agents.models import Agent, StagingConfiguration
from agents.permissions import Role, lock_agent, require_role
from agents.services import apply_snapshot_to_staging
from agents.snapshot import staging_snapshot, with_current_definitions
from configuration.diff import DEFINITION, Diff, diff_snapshots
from configuration.revert import Conflict, revert_publish
from configuration.snapshot import Snapshot, combine_fingerprints, empty_snapshot, fingerprint
from publishing import events
from publishing.authors import attribute
from publishing.definitions import resolve_definitions
from publishing.exceptions import (
    DefinitionChanged,
    NothingToDiscard,
    NothingToPublish,
    RevertConflict,
    StaleReview,
)
from publishing.inputs import clean_notes
from publishing.integrity import compute_record_hash
from publishing.live import cache as live
from publishing.models import ProductionConfiguration, PublishRecord, ScheduledPublish
from publishing.selectors import (
    checkpoint_snapshot,
    get_checkpoint,
    production_row,
    production_snapshot,
)
from publishing.signals import agent_published
from reviews.services import clean_break_glass_reason, hold_publish

RESTORE = "restore"
REVERT = "revert"
MODES = (RESTORE, REVERT)


def publish_agent(
    *,
    agent: Agent,
    acting_user: Any,
    notes: str = "",
    expected_fingerprint: str | None = None,
    schedule: ScheduledPublish | None = None,
    break_glass_reason: str = "",
) -> PublishRecord:
    """Make Production equal to Staging and append a publish record, atomically.

    Refused (``PermissionDenied``, or ``Agent.DoesNotExist`` for an agent they may not see)
    unless ``acting_user`` is at least a publisher. Raises ``NothingToPublish`` when Staging
    equals Production, and ``StaleReview`` when ``expected_fingerprint`` is given and Staging
    or Production moved since that review. The agent's publish policy must be met for the
    exact state published (``ApprovalRequired``, ``ChecksNotPassed``), unless an owner
    gives ``break_glass_reason``; the record keeps what the policy said, inside its hash,
    and the contributors: who made the changes it takes live (``publishing.authors``).
    ``schedule`` is the scheduled publish this one carries out, if any. The
    ``publish.created`` webhook event is recorded in the same transaction; the live-read
    cache is dropped and ``agent_published`` sent after commit.
    """
    role = require_role(acting_user, agent, Role.PUBLISHER)
    notes = clean_notes(notes)
    break_glass_reason = clean_break_glass_reason(break_glass_reason)
    with transaction.atomic():
        locked = lock_agent(agent, acting_user, role)
        before, before_fingerprint, last_publish = production_row(locked)
        staging_row = StagingConfiguration.objects.get(agent_id=locked.pk)
        after = staging_snapshot(locked, staging=staging_row)
        diff = diff_snapshots(before, after)
        if not diff.has_changes:
            raise NothingToPublish()
        after_fingerprint = fingerprint(after)
        current_review = combine_fingerprints(before_fingerprint, after_fingerprint)
        if expected_fingerprint and expected_fingerprint != current_review:
            raise StaleReview(fingerprint=current_review)
        gate = hold_publish(
            agent=locked,
            acting_user=acting_user,
            role=role,
            fingerprint=current_review,
            staging=after,
            break_glass_reason=break_glass_reason,
        )
        previous = (
            PublishRecord.objects.filter(agent_id=locked.pk)
            .only("id", "sequence", "record_hash", "agent_id")
            .order_by("-sequence")
            .first()
        )
        restored_from = None
        if locked.pending_restored_from:
            restored_from = (
                PublishRecord.objects.filter(
                    agent_id=locked.pk, change_track_id=locked.pending_restored_from
                )
                .only("id", "change_track_id")
                .first()
            )
        record = PublishRecord(
            agent=locked,
            sequence=(previous.sequence + 1) if previous else 1,
            published_by=acting_user,
            published_by_username=acting_user.username,
            published_at=timezone.now(),
            notes=notes,
            summary=diff.summary[:1000],
            counts=diff.counts,
            changes=[change.as_dict() for change in diff.changes],
            snapshot=after,
            fingerprint=after_fingerprint,
            previous=previous,
            previous_hash=previous.record_hash if previous else "",
            restored_from=restored_from,
            restored_mode=locked.pending_restored_mode if restored_from else "",
            gate=gate,
            broke_glass=bool(gate.get("break_glass")),
            contributors=[
                author.as_record()
                for author in attribute(locked.pk, last_publish, diff.changes).contributors
            ],
            staging_revision=staging_row.revision,
        )
        record.record_hash = compute_record_hash(record)
        record.save(force_insert=True)
        ProductionConfiguration.objects.update_or_create(
            agent_id=locked.pk,
            defaults={
                "snapshot": after,
                "fingerprint": record.fingerprint,
                "change_track_id": record.change_track_id,
                "published_at": record.published_at,
                "published_by": acting_user,
                "staging_revision": staging_row.revision,
            },
        )
        if locked.pending_restored_from:
            locked.pending_restored_from = None
            locked.pending_restored_mode = ""
            locked.save(update_fields=["pending_restored_from", "pending_restored_mode"])
        events.publish_created(record, schedule=schedule)
        agent_id = locked.pk
        # robust: a failing receiver is logged, not raised - the publish has committed, and
        # answering 500 for it would tell the client it did not happen.
        transaction.on_commit(lambda: live.invalidate(agent_id), robust=True)
        transaction.on_commit(
            lambda: agent_published.send_robust(sender=PublishRecord, record=record, agent=locked),
            robust=True,
        )
    return record


@dataclass(frozen=True)
class RollbackPlan:
    """What a rollback would do: Staging's new state, and the two diffs the preview shows."""

    record: PublishRecord
    mode: str
    target: Snapshot
    staging_diff: Diff
    production_diff: Diff
    conflicts: tuple[Conflict, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "change_track_id": str(self.record.change_track_id),
            "mode": self.mode,
            "staging": {
                "has_changes": self.staging_diff.has_changes,
                "counts": self.staging_diff.counts,
                "summary": self.staging_diff.summary,
                "changes": [c.as_dict() for c in self.staging_diff.changes],
            },
            "production": {
                "has_changes": self.production_diff.has_changes,
                "counts": self.production_diff.counts,
                "summary": self.production_diff.summary,
                "changes": [c.as_dict() for c in self.production_diff.changes],
            },
            "conflicts": [c.as_dict() for c in self.conflicts],
        }


ONLY_DEFINITIONS = (
    "Staging differs from Production only in definitions that come from the catalogue; they "
    "go live with the next publish, or change back in the catalogue."
)


def refuse_conflicts(conflicts: tuple[Conflict, ...]) -> None:
    """Raise ``DefinitionChanged`` when a catalogue definition is among the conflicts, else
    ``RevertConflict``; nothing when there are none."""
    if not conflicts:
        return
    payload = [c.as_dict() for c in conflicts]
    if any((c.field or "").partition(".")[0] == DEFINITION for c in conflicts):
        raise DefinitionChanged(conflicts=payload)
    raise RevertConflict(conflicts=payload)


def _clean_mode(mode: Any) -> str:
    if mode not in MODES:
        raise ValidationError({"mode": [f"Must be one of: {', '.join(MODES)}."]})
    return mode


def plan_rollback(*, agent: Agent, record: PublishRecord, mode: str = RESTORE) -> RollbackPlan:
    """Preview a restore or revert of ``record`` without writing anything."""
    mode = _clean_mode(mode)
    current = staging_snapshot(agent)
    conflicts: tuple[Conflict, ...] = ()
    if mode == RESTORE:
        target = record.snapshot
    else:
        previous = (
            # The agent filter, whatever previous_id says: a rewritten link must never
            # serve another agent's (another organization's) configuration.
            PublishRecord.objects.filter(pk=record.previous_id, agent_id=record.agent_id)
            .values_list("snapshot", flat=True)
            .first()
            if record.previous_id
            else None
        )
        # Before an agent's first publish there was no Production: reverting that publish
        # removes everything it added, but an agent always keeps its settings.
        base = previous or empty_snapshot(settings=record.snapshot["settings"])
        result = revert_publish(base=base, published=record.snapshot, current=current)
        target, conflicts = result.snapshot, result.conflicts
    target, lost = resolve_definitions(target)
    conflicts += lost
    production = production_snapshot(agent)
    return RollbackPlan(
        record=record,
        mode=mode,
        target=target,
        staging_diff=diff_snapshots(current, target),
        production_diff=diff_snapshots(production, target),
        conflicts=conflicts,
    )


def rollback_agent(
    *, agent: Agent, acting_user: Any, record: PublishRecord, mode: str = RESTORE
) -> RollbackPlan:
    """Restore or revert ``record`` onto Staging; Production is untouched.

    ``restore``: Staging becomes the configuration as published in ``record``.
    ``revert``: only the changes ``record`` introduced are undone; a field changed again
    since is a conflict, and then ``RevertConflict`` is raised and nothing is written.
    Either way, a catalogue definition in the target that differs from today's catalogue is
    refused with ``DefinitionChanged`` (``resolve_definitions``).
    Refused unless ``acting_user`` is at least a publisher.
    """
    role = require_role(acting_user, agent, Role.PUBLISHER)
    mode = _clean_mode(mode)
    if record.agent_id != agent.pk:
        raise PublishRecord.DoesNotExist("No such publish for this agent.")
    with transaction.atomic():
        locked = lock_agent(agent, acting_user, role)
        plan = plan_rollback(agent=locked, record=record, mode=mode)
        refuse_conflicts(plan.conflicts)
        apply_snapshot_to_staging(
            agent=locked,
            acting_user=acting_user,
            snapshot=plan.target,
            reason=f"{mode.capitalize()} of publish #{record.sequence}",
            restored_from=record.change_track_id,
            restored_mode=mode,
        )
        events.rollback_applied(plan, agent=locked, acting_user=acting_user)
    return plan


def discard_staging(*, agent: Agent, acting_user: Any) -> None:
    """Drop every unpublished change: Staging becomes Production again (recorded), but for
    the catalogue's definitions, which Staging cannot hold apart from the catalogue.

    A publisher's call: it throws away other people's unpublished work, like a rollback.
    """
    role = require_role(acting_user, agent, Role.PUBLISHER)
    with transaction.atomic():
        locked = lock_agent(agent, acting_user, role)
        production = production_snapshot(locked)
        if production is None:
            raise NothingToDiscard(
                "This agent has never been published; there is no Production to go back to."
            )
        staging = staging_snapshot(locked)
        if not diff_snapshots(production, staging).has_changes:
            raise NothingToDiscard()
        # Definitions come from the catalogue: a discard gives back the agent's own settings,
        # and catalogue changes stay until published (or changed back in the catalogue).
        if not diff_snapshots(with_current_definitions(production), staging).has_changes:
            raise NothingToDiscard(ONLY_DEFINITIONS)
        apply_snapshot_to_staging(
            agent=locked,
            acting_user=acting_user,
            snapshot=production,
            reason="Unpublished changes discarded",
        )
        events.staging_discarded(agent=locked, acting_user=acting_user)


def restore_checkpoint(*, agent: Agent, acting_user: Any, history_id: Any) -> int:
    """Make Staging what it was at one checkpoint of the edit history; returns its revision.

    Refused unless ``acting_user`` is at least a publisher.
    """
    role = require_role(acting_user, agent, Role.PUBLISHER)
    with transaction.atomic():
        locked = lock_agent(agent, acting_user, role)
        checkpoint = get_checkpoint(agent=locked, history_id=history_id)
        snapshot = checkpoint_snapshot(
            agent_id=locked.pk, revision=checkpoint.revision, for_restore=True
        )
        snapshot, lost = resolve_definitions(snapshot)
        refuse_conflicts(lost)
        apply_snapshot_to_staging(
            agent=locked,
            acting_user=acting_user,
            snapshot=snapshot,
            reason=f"Restored checkpoint {checkpoint.revision}",
        )
    return checkpoint.revision
