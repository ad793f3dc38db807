"""An instruction's blame: each line of its content with the edit that last changed it, and
the publish that first took that line live.

The versions are the instruction's django-simple-history records (every staging edit that
touched it, restores and reverts included: they are edits too), oldest first; a deletion
drops every line, so text a restore brings back is the restorer's. The line attribution is
``configuration.blame``. A line last changed at Staging revision ``r`` went live with the
first publish of a revision at or after ``r``: from ``r`` on the line stood unchanged.

Three queries whatever the size of the instruction, its history or the agent: the
instruction, its records, and the agent's publishes with the revision each took live.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

from agents.models import Agent, Instruction, StagingConfiguration
from configuration.blame import BlamedLine, blame
from ejento_staging.ids import parse_id
from publishing.models import PublishRecord


@dataclass(frozen=True)
class Publish:
    change_track_id: str
    sequence: int
    staging_revision: int | None
    published_at: datetime


@dataclass(frozen=True)
class Origin:
    """The edit that last changed a line, and the publish that first took it live."""

    history_id: int
    staging_revision: int | None
    user_id: int | None
    username: str
    changed_at: datetime
    published: Publish | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "author": {"id": self.user_id, "username": self.username}
            if self.user_id is not None or self.username
            else None,
            "changed_at": self.changed_at,
            "staging_revision": self.staging_revision,
            "history_id": self.history_id,
            "published": (
                {
                    "change_track_id": self.published.change_track_id,
                    "sequence": self.published.sequence,
                }
                if self.published
                else None
            ),
        }


@dataclass(frozen=True)
class Run:
    """Consecutive lines with the same origin (how the page shows them)."""

    origin: Origin
    lines: tuple[BlamedLine[Origin], ...]


@dataclass(frozen=True)
class InstructionBlame:
    instruction: Instruction
    lines: tuple[BlamedLine[Origin], ...]

    @property
    def runs(self) -> list[Run]:
        runs: list[Run] = []
        for line in self.lines:
            if runs and runs[-1].origin == line.origin:
                runs[-1] = Run(runs[-1].origin, (*runs[-1].lines, line))
            else:
                runs.append(Run(line.origin, (line,)))
        return runs

    def as_dict(self) -> dict[str, Any]:
        return {
            "instruction_id": self.instruction.pk,
            "title": self.instruction.title,
            "lines": [
                {"number": line.number, "text": line.text, **line.origin.as_dict()}
                for line in self.lines
            ],
        }


def _origin(record: Any) -> Origin:
    user = record.history_user
    return Origin(
        history_id=record.history_id,
        staging_revision=record.staging_revision,
        user_id=user.pk if user is not None else None,
        username=user.get_username() if user is not None else record.history_username,
        changed_at=record.history_date,
    )


def publishes_with_revisions(agent: Agent) -> list[Publish]:
    """The agent's publishes, oldest first, each with the Staging revision it took live.

    Records made before they kept it: the newest checkpoint made before the publish, which
    the agent's row lock (held by edits and publishes alike) makes the one it copied.
    """
    checkpoint_then = Subquery(
        StagingConfiguration.history.filter(
            agent_id=OuterRef("agent_id"), history_date__lte=OuterRef("published_at")
        )
        .order_by("-revision")
        .values("revision")[:1]
    )
    rows = (
        PublishRecord.objects.filter(agent_id=agent.pk)
        .annotate(taken=Coalesce("staging_revision", checkpoint_then))
        .order_by("sequence")
        .values_list("change_track_id", "sequence", "taken", "published_at")
    )
    return [Publish(str(track), sequence, taken, at) for track, sequence, taken, at in rows]


def _first_live(origin: Origin, publishes: list[Publish]) -> Publish | None:
    for publish in publishes:
        if origin.staging_revision is not None and publish.staging_revision is not None:
            if publish.staging_revision >= origin.staging_revision:
                return publish
        elif publish.published_at >= origin.changed_at:
            return publish
    return None


def instruction_blame(*, agent: Agent, instruction_id: Any) -> InstructionBlame:
    """``Instruction.DoesNotExist`` unless the agent's Staging has that instruction now."""
    pk = parse_id(instruction_id)
    instruction = (
        Instruction.objects.filter(agent_id=agent.pk, pk=pk).first() if pk is not None else None
    )
    if instruction is None:
        raise Instruction.DoesNotExist("No such instruction on this agent.")
    records = (
        Instruction.history.filter(agent_id=agent.pk, id=instruction.pk)
        .select_related("history_user")
        .only(
            "history_id",
            "history_date",
            "history_type",
            "staging_revision",
            "history_username",
            "content",
            "history_user__id",
            "history_user__username",
        )
        # Edits of one agent are serialised by its row lock: record ids follow their order.
        .order_by("history_id")
    )
    # Streamed: only the version being compared is held, not every one.
    versions = (
        (None if record.history_type == "-" else record.content, _origin(record))
        for record in records.iterator(chunk_size=50)
    )
    publishes = publishes_with_revisions(agent)
    live: dict[Origin, Origin] = {}
    lines = []
    for line in blame(versions):
        if line.origin not in live:
            first = _first_live(line.origin, publishes)
            live[line.origin] = dataclasses.replace(line.origin, published=first)
        lines.append(BlamedLine(line.number, line.text, live[line.origin]))
    return InstructionBlame(instruction=instruction, lines=tuple(lines))
