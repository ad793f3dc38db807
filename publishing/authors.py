"""Who is behind each pending change: the authors of a staging-diff's entries.

Every staging edit writes one django-simple-history record per row it changes, tagged with
the Staging revision (``agents.staging``). Since the last publish (Production's
``staging_revision``), each row's records are compared one with the next - the first with
the newest record at or below that revision, the row as it went live - and what changed
between two records is named the way the diff names it: both records become one-item
snapshots (``configuration.snapshot.build_snapshot``) and ``configuration.diff`` says which
places (``ChangePath``) differ. A diff entry's authors are the people who touched its place:
the same field (and key of a nested field), or any part of the item when the entry is the
whole item (a whole tool includes its actions).

One query per Staging model whose places the diff names (``attribute``: at most six, whatever
the size of the configuration or of its history, and one for a settings-only change); the
comparison itself is plain Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from django.db.models import Max, OuterRef, Q, Subquery

from agents.models import (
    ActionSetting,
    CorpusConnection,
    GuardrailSetting,
    Instruction,
    StagingConfiguration,
    ToolAction,
    ToolBinding,
)
from agents.services.catalogue_impact import NO_SETTINGS
from agents.snapshot import ITEM_KINDS
from configuration.changes import ACTION, INSTRUCTION, TOOL, ChangePath
from configuration.diff import Change, diff_snapshots
from configuration.snapshot import Snapshot, build_snapshot

# The last publish as Production keeps it: (staging revision, time). Publishes made before
# the revision was kept have only the time; (None, None) before the first publish.
LastPublish = tuple[int | None, datetime | None]


@dataclass(frozen=True)
class Touch:
    """One person changing one place of the configuration in one edit."""

    path: ChangePath
    user_id: int | None
    username: str
    at: datetime
    revision: int | None

    @property
    def person(self) -> tuple[Any, ...]:
        # A deleted user's records keep their username only.
        return ("id", self.user_id) if self.user_id is not None else ("name", self.username)


@dataclass(frozen=True)
class Author:
    id: int | None
    username: str
    changed_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "username": self.username, "changed_at": self.changed_at}

    def as_record(self) -> dict[str, Any]:
        """As a publish record keeps it (plain JSON, inside its hash)."""
        return {"id": self.id, "username": self.username, "changed_at": self.changed_at.isoformat()}


@dataclass(frozen=True)
class Attribution:
    """Per diff entry (in the diff's order) its authors, newest first; and everyone."""

    authors: tuple[tuple[Author, ...], ...]
    contributors: tuple[Author, ...]


# --- one record as a one-item snapshot -------------------------------------------------------

_UNNAMED = SimpleNamespace(name="", kind="", type="")


def _item_snapshot(model: type, record: Any, tool_id: Any = None) -> Snapshot:
    """What ``record`` (None: the row absent) contributes to a snapshot, alone; an action
    setting's with its tool (``tool_id``) present, so that it shows as the action's."""
    rows: dict[str, Any] = {
        "staging": NO_SETTINGS,
        "instructions": [],
        "corpus_connections": [],
        "tool_bindings": [],
        "action_settings": [],
        "guardrail_settings": [],
    }
    if model is ActionSetting:
        # An action is reported inside its tool: the tool is there on both sides.
        rows["tool_bindings"] = [SimpleNamespace(tool_id=tool_id, tool=_UNNAMED, enabled=True)]
    if record is None:
        return build_snapshot(**rows)
    if model is StagingConfiguration:
        rows["staging"] = record
    elif model is Instruction:
        rows["instructions"] = [record]
    elif model is CorpusConnection:
        rows["corpus_connections"] = [_with(record, corpus=_UNNAMED)]
    elif model is ToolBinding:
        rows["tool_bindings"] = [_with(record, tool=_UNNAMED)]
    elif model is ActionSetting:
        action = SimpleNamespace(name="", tool_id=tool_id)
        rows["action_settings"] = [_with(record, action=action)]
    elif model is GuardrailSetting:
        rows["guardrail_settings"] = [_with(record, guardrail=_UNNAMED)]
    return build_snapshot(**rows)


def _with(record: Any, **attached: Any) -> SimpleNamespace:
    fields = {f.attname: getattr(record, f.attname) for f in record.instance_type._meta.fields}
    return SimpleNamespace(**fields, **attached)


def _places(model: type, before: Any, after: Any) -> set[ChangePath]:
    """The places that differ between two records of one row (None: the row absent)."""
    if before is not None and before.history_type == "-":
        before = None
    if after is not None and after.history_type == "-":
        after = None
    if before is None and after is None:
        return set()
    tool_id = getattr(after if after is not None else before, "tool_of_action", None)
    diff = diff_snapshots(
        _item_snapshot(model, before, tool_id), _item_snapshot(model, after, tool_id)
    )
    places = {change.path for change in diff.changes}
    # A one-item snapshot has every instruction at index 0: a move shows in the stored
    # position only.
    both = model is Instruction and before is not None and after is not None
    if both and before.position != after.position:
        places.add(ChangePath("instructions", INSTRUCTION, after.id, field="position"))
    return places


# --- the records since the last publish ------------------------------------------------------

# The item kinds whose changes a model's records can be behind: its own items' kinds, and a
# whole tool for an action's (a tool added or removed carries its actions). A model none of
# whose kinds is among the diff's changes cannot name an author, so it is not read.
KINDS_BEHIND: dict[type, frozenset[str]] = {
    model: (kinds | {TOOL}) if ACTION in kinds else kinds for model, kinds in ITEM_KINDS.items()
}


def _records(model: type, agent_id: int, last_publish: LastPublish) -> list[Any]:
    """The row records made since the last publish, each row's with the one it went live
    as (its newest record before), in one query; rows untouched since are not read."""
    history = model.history.filter(agent_id=agent_id)
    revision, published_at = last_publish
    if revision is not None:
        since = Q(staging_revision__gt=revision)
    elif published_at is not None:
        since = Q(history_date__gt=published_at)
    else:
        since = None
    records = history
    if since is not None:
        row = "agent_id" if model is StagingConfiguration else "id"
        touched = history.filter(since).values(row)
        baseline = (
            history.filter(~since, **{f"{row}__in": touched})
            .order_by()
            .values(row)
            .annotate(last=Max("history_id"))
            .values("last")
        )
        records = history.filter(since | Q(history_id__in=baseline))
    if model is ActionSetting:
        # The action's tool; None once the action has left the catalogue.
        records = records.annotate(
            tool_of_action=Subquery(
                ToolAction.objects.filter(pk=OuterRef("action_id")).values("tool_id")[:1]
            )
        )
    # Edits of one agent are serialised by its row lock: record ids follow their order.
    return list(records.select_related("history_user").order_by("history_id"))


def touches(
    agent_id: int, last_publish: LastPublish, kinds: frozenset[str] | None = None
) -> list[Touch]:
    """Every place changed since the last publish, by whom and when: one query per model
    (six); with ``kinds``, only of the models whose records can be behind a change of an item
    of those kinds (``KINDS_BEHIND``)."""
    found: list[Touch] = []
    for model, behind in KINDS_BEHIND.items():  # the settings row first, then each item kind
        if kinds is not None and not behind & kinds:
            continue
        by_row: dict[Any, list[Any]] = {}
        row = "agent_id" if model is StagingConfiguration else "id"
        for record in _records(model, agent_id, last_publish):
            by_row.setdefault(getattr(record, row), []).append(record)
        for records in by_row.values():
            found.extend(_row_touches(model, records, last_publish))
    return found


def _after_publish(record: Any, last_publish: LastPublish) -> bool:
    revision, published_at = last_publish
    if revision is not None:
        return record.staging_revision is not None and record.staging_revision > revision
    if published_at is not None:
        return record.history_date > published_at
    return True


def _row_touches(model: type, records: list[Any], last_publish: LastPublish) -> Iterator[Touch]:
    previous = None
    for record in records:
        if _after_publish(record, last_publish):
            user = record.history_user
            for place in _places(model, previous, record):
                yield Touch(
                    path=place,
                    user_id=user.pk if user is not None else None,
                    username=user.get_username() if user is not None else record.history_username,
                    at=record.history_date,
                    revision=record.staging_revision,
                )
        previous = record


# --- touches to diff entries -----------------------------------------------------------------


def _matches(touch: ChangePath, entry: ChangePath) -> bool:
    if entry.field is None or touch.field is None:
        return True
    if touch.field != entry.field:
        return False
    return entry.field_key is None or touch.field_key is None or touch.field_key == entry.field_key


def _newest_per_person(found: Iterable[Touch]) -> tuple[Author, ...]:
    newest: dict[tuple[Any, ...], Touch] = {}
    for touch in found:
        held = newest.get(touch.person)
        if held is None or (touch.at, touch.revision or 0) > (held.at, held.revision or 0):
            newest[touch.person] = touch
    ordered = sorted(newest.values(), key=lambda t: (t.at, t.revision or 0), reverse=True)
    return tuple(Author(t.user_id, t.username, t.at) for t in ordered)


def attribute_changes(changes: Iterable[Change], found: list[Touch]) -> Attribution:
    """Each change's authors among ``found``, and the contributors: everyone behind at least
    one of the changes (someone whose edits were all undone since is no contributor)."""
    by_item: dict[ChangePath, list[Touch]] = {}
    for touch in found:
        by_item.setdefault(touch.path.item(), []).append(touch)
        if touch.path.kind == ACTION:
            # A whole tool added or removed carries its actions.
            by_item.setdefault(touch.path.parent(), []).append(touch)  # type: ignore[arg-type]
    per_change = []
    behind: list[Touch] = []
    for change in changes:
        path = change.path
        candidates = by_item.get(path.item(), [])
        if not (path.kind == TOOL and path.field is None):
            candidates = [t for t in candidates if t.path.item() == path.item()]
        mine = [t for t in candidates if _matches(t.path, path)]
        behind.extend(mine)
        per_change.append(_newest_per_person(mine))
    return Attribution(authors=tuple(per_change), contributors=_newest_per_person(behind))


def attribute(agent_id: int, last_publish: LastPublish, changes: Iterable[Change]) -> Attribution:
    """The authors of ``changes`` (Staging against Production) since the last publish."""
    changes = list(changes)
    kinds = frozenset(change.path.kind for change in changes)
    return attribute_changes(changes, touches(agent_id, last_publish, kinds))
