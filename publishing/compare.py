"""Any two states of one agent compared: Staging, Production, a publish or a checkpoint.

A side is named the way ``GET /agents/{id}/compare?from=…&to=…`` and the compare page take
it: ``staging``, ``production``, a publish's ``change_track_id`` or ``checkpoint:{history_id}``
(``parse_side``). ``compare`` loads the two snapshots and diffs them with the one diff
(``configuration.diff``), in a fixed number of queries whatever the size of the agent.
A side that names nothing of this agent - another agent's publish included - is
``SideNotFound``, as unknown as a made-up one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError

from agents.models import Agent, StagingConfiguration
from agents.snapshot import staging_snapshot
from configuration.diff import Diff, diff_snapshots
from configuration.snapshot import Snapshot, combine_fingerprints, fingerprint
from ejento_staging.ids import parse_id
from publishing.models import PublishRecord
from publishing.selectors import checkpoint_snapshot, production_snapshot

STAGING = "staging"
PRODUCTION = "production"
CHECKPOINT_PREFIX = "checkpoint:"
# What a side may look like, for the schema: the server checks the same (``parse_side``).
SIDE_PATTERN = (
    "^(staging|production|checkpoint:[1-9][0-9]{0,18}|"
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
)
_DIGITS = re.compile(r"[1-9][0-9]{0,18}")
# The hyphenated form only (``uuid.UUID`` also takes braces, "urn:uuid:", no hyphens).
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
SIDE_HELP = (
    "`staging`, `production`, a publish's `change_track_id`, or `checkpoint:{history_id}` "
    "(a checkpoint of the edit history)."
)


class SideNotFound(ObjectDoesNotExist):
    """A well-formed side that names nothing of this agent."""


@dataclass(frozen=True)
class Side:
    """One side as asked for: its kind and, for a publish or checkpoint, which one."""

    kind: str  # staging | production | publish | checkpoint
    change_track_id: str | None = None
    history_id: int | None = None  # None: a number past any id

    @property
    def name(self) -> str:
        """The side as the API names it back (``before`` / ``after``)."""
        if self.kind == "publish":
            return str(self.change_track_id)
        if self.kind == "checkpoint":
            return f"{CHECKPOINT_PREFIX}{self.history_id}"
        return self.kind


def parse_side(value: Any, field: str) -> Side:
    """``value`` as a side, or a ValidationError naming ``field`` (never a database error)."""
    if not isinstance(value, str) or not value:
        raise ValidationError({field: ["This parameter is required."]})
    if value in (STAGING, PRODUCTION):
        return Side(value)
    if value.startswith(CHECKPOINT_PREFIX):
        digits = value[len(CHECKPOINT_PREFIX) :]
        if not _DIGITS.fullmatch(digits):
            raise ValidationError(
                {field: ["A checkpoint is `checkpoint:` and its history_id (a positive integer)."]}
            )
        # Well formed but past any id: a checkpoint that does not exist (``load_side``).
        return Side("checkpoint", history_id=parse_id(digits))
    if not _UUID.fullmatch(value):
        raise ValidationError(
            {
                field: [
                    "Must be staging, production, a publish's change_track_id or "
                    "checkpoint:{history_id}."
                ]
            }
        )
    return Side("publish", change_track_id=value.lower())


@dataclass(frozen=True)
class Loaded:
    """A side with its snapshot and what the pages call it."""

    side: Side
    snapshot: Snapshot
    label: str


def load_side(agent: Agent, side: Side) -> Loaded:
    """The side's snapshot; ``SideNotFound`` when it names nothing of this agent."""
    if side.kind == STAGING:
        return Loaded(side, staging_snapshot(agent), "Staging now")
    if side.kind == PRODUCTION:
        snapshot = production_snapshot(agent)
        if snapshot is None:
            raise SideNotFound("This agent has not been published: it has no Production.")
        return Loaded(side, snapshot, "Production (live)")
    if side.kind == "publish":
        row = (
            PublishRecord.objects.filter(agent_id=agent.pk, change_track_id=side.change_track_id)
            .values_list("snapshot", "sequence")
            .first()
        )
        if row is None:
            raise SideNotFound("No such publish for this agent.")
        return Loaded(side, row[0], f"Publish #{row[1]}")
    if side.history_id is None:
        raise SideNotFound("No such checkpoint for this agent.")
    revision = (
        StagingConfiguration.history.filter(agent_id=agent.pk, history_id=side.history_id)
        .values_list("revision", flat=True)
        .first()
    )
    if revision is None:
        raise SideNotFound("No such checkpoint for this agent.")
    snapshot = checkpoint_snapshot(agent_id=agent.pk, revision=revision)
    return Loaded(side, snapshot, f"Checkpoint {revision}")


@dataclass(frozen=True)
class Comparison:
    before: Loaded
    after: Loaded
    diff: Diff

    @property
    def fingerprint(self) -> str:
        """Names exactly this pair of states, as the staging-diff's fingerprint does."""
        return combine_fingerprints(
            fingerprint(self.before.snapshot), fingerprint(self.after.snapshot)
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "has_changes": self.diff.has_changes,
            "fingerprint": self.fingerprint,
            "before": self.before.side.name,
            "after": self.after.side.name,
            "counts": self.diff.counts,
            "summary": self.diff.summary,
            "changes": [change.as_dict() for change in self.diff.changes],
        }


def compare(agent: Agent, before: Side, after: Side) -> Comparison:
    """What changed from ``before`` to ``after``; ``SideNotFound`` names the missing side."""
    loaded = []
    for field, side in (("from", before), ("to", after)):
        try:
            loaded.append(load_side(agent, side))
        except SideNotFound as exc:
            raise SideNotFound(f"{field}: {exc}") from None
    return Comparison(loaded[0], loaded[1], diff_snapshots(loaded[0].snapshot, loaded[1].snapshot))
