"""Two snapshots in, the list of their differences out.

Pure: no ORM, no HTML. The review page, the publish record, the restore/revert preview and
the API all render the same ``Diff``; ``revert.py`` uses its changes as the atoms it undoes.
Each ``Change`` has a ``ChangePath`` (``changes.py`` shows every kind of path) and the names
its label is made of; the words themselves (labels, the summary) come from ``labels.py``.

Nested dict fields (``model_config``, ``settings``, ``config``) are compared key by key, so a
change to ``top_k`` shows as ``settings.top_k`` and revert can undo one key without touching
its neighbours. Key-level changes use ``added`` / ``removed`` for keys present on one side
only, ``modified`` otherwise.

Catalogue labels (``snapshot.LABEL_FIELDS``) are never compared, only shown: a tool renamed in
the catalogue is no change, and labels take the name from ``after`` when there is one.

Definitions (``definition``, a catalogue item's effective definition, see ``snapshot``) are
compared per key (``definition.kind``, ``definition.type``, ...) and their ``config`` per
config key (``definition.config.<key>``), leaving out the keys the agent's own settings set
on either side: those changes are the agent's own and already reported as such, and what is
left is exactly what came from the catalogue. A snapshot stored before definitions were
recorded has none: the item's definition then shows as one ``definition`` change (added),
the one-time change of the first publish that records them.

Moves: the instructions present on both sides are compared by relative order; only those
outside a longest common subsequence get a ``position`` change, so inserting one instruction
at the top is one ``added`` change and moving one instruction is one ``position`` change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from configuration import labels
from configuration.changes import (
    ACTION,
    ADDED,
    CORPUS,
    GUARDRAIL,
    INSTRUCTION,
    MODIFIED,
    REMOVED,
    SECTIONS,
    SETTINGS,
    SHAREPOINT,
    TOOL,
    ChangePath,
    nested_fields,
)
from configuration.definitions import CONFIG, DEFINITION, definition_changes
from configuration.equality import MISSING, same
from configuration.order import moved_ids
from configuration.snapshot import (
    DEFINITION_OWN_FIELD,
    LABEL_FIELDS,
    Snapshot,
    empty_snapshot,
)

__all__ = [
    "ADDED",
    "CONFIG",
    "DEFINITION",
    "MODIFIED",
    "REMOVED",
    "SECTIONS",
    "Change",
    "Diff",
    "diff_snapshots",
    "moved_ids",
    "same",
]

_MISSING: Any = MISSING

# Order in which fields are reported; unknown fields follow, sorted.
_SETTINGS_ORDER = ("name", "description", "model_config", "access_level", "tags")
_FIELD_ORDER = ("title", "content", "position", "enabled", "site_url", "folder_path")


@dataclass(frozen=True)
class Change:
    """One difference between two snapshots.

    ``name`` is the item's display name (None when it has none), ``parent_name`` that of an
    action's tool: what its label is made of, never compared as configuration.
    """

    path: ChangePath
    change: str  # ADDED | REMOVED | MODIFIED
    before: Any
    after: Any
    name: Any = None
    parent_name: Any = None

    @property
    def section(self) -> str:
        return self.path.section

    @property
    def key(self) -> str:
        return self.path.key

    @property
    def field(self) -> str | None:
        return self.path.field_name

    @property
    def label(self) -> str:
        return labels.change_label(self)

    def as_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "key": self.key,
            "field": self.field,
            "label": self.label,
            "change": self.change,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class Diff:
    """The differences between two snapshots, ordered by section then within each section."""

    changes: tuple[Change, ...]

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SECTIONS, 0)
        for change in self.changes:
            counts[change.section] = counts.get(change.section, 0) + 1
        return counts

    def for_section(self, section: str) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.section == section)

    @property
    def summary(self) -> str:
        return labels.summary(self.changes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "has_changes": self.has_changes,
            "counts": self.counts,
            "summary": self.summary,
            "changes": [c.as_dict() for c in self.changes],
        }


# --- comparing --------------------------------------------------------------------------


def diff_snapshots(before: Snapshot | None, after: Snapshot) -> Diff:
    """What changed from ``before`` to ``after``.

    ``before=None`` compares against ``empty_snapshot()``: every item shows as added, and
    each setting that differs from the empty defaults as modified.
    """
    if before is None:
        before = empty_snapshot()
    changes: list[Change] = []
    item = _Item(changes, ChangePath("settings", SETTINGS))
    item.compare_fields(before["settings"], after["settings"], frozenset(), _SETTINGS_ORDER)
    _diff_instructions(changes, before["instructions"], after["instructions"])
    _diff_knowledge(changes, before["knowledge_sources"], after["knowledge_sources"])
    _diff_tools(changes, before["tools"], after["tools"])
    _diff_items(
        changes,
        ChangePath("guardrails", GUARDRAIL),
        before["guardrails"],
        after["guardrails"],
        identity="guardrail_id",
        label_kind="guardrails",
    )
    return Diff(changes=tuple(changes))


def _kind(before: Any, after: Any) -> str:
    if before is _MISSING:
        return ADDED
    if after is _MISSING:
        return REMOVED
    return MODIFIED


def _value(value: Any) -> Any:
    return None if value is _MISSING else value


def _ordered_fields(names: Iterable[str], order: tuple[str, ...]) -> list[str]:
    names = set(names)
    known = [n for n in order if n in names]
    return known + sorted(names.difference(order))


def identity_sort_key(value: Any) -> tuple[int, Any]:
    # Identities are ints in a built snapshot; anything else still sorts deterministically.
    if isinstance(value, int) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value))


def _name(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, field: str) -> Any:
    """The item's display name: from ``after`` when it has one, else from ``before``."""
    for item in (after, before):
        if item is not None and item.get(field):
            return item[field]
    return None


@dataclass(frozen=True)
class _Item:
    """One item's changes go out through here, each with the item's path and names."""

    changes: list[Change]
    path: ChangePath
    name: Any = None
    parent_name: Any = None

    def add(self, path: ChangePath, before: Any, after: Any) -> None:
        kind, before, after = _kind(before, after), _value(before), _value(after)
        self.changes.append(Change(path, kind, before, after, self.name, self.parent_name))

    def whole(self, before: Any, after: Any) -> None:
        """The item added, removed, or (not a dict on some side) replaced."""
        self.changes.append(
            Change(
                self.path,
                ADDED if before is None else REMOVED if after is None else MODIFIED,
                before,
                after,
                self.name,
                self.parent_name,
            )
        )

    def compare_fields(
        self,
        before: Mapping[str, Any],
        after: Mapping[str, Any],
        skip: frozenset[str] | set[str],
        order: tuple[str, ...] = _FIELD_ORDER,
    ) -> None:
        """Per-field changes of an item present on both sides (nested dicts key by key)."""
        nested = nested_fields(self.path.kind)
        for name in _ordered_fields((before.keys() | after.keys()) - skip, order):
            b, a = before.get(name, _MISSING), after.get(name, _MISSING)
            if name in nested and isinstance(b, dict) and isinstance(a, dict):
                for sub in sorted(b.keys() | a.keys()):
                    bv, av = b.get(sub, _MISSING), a.get(sub, _MISSING)
                    if not same(bv, av):
                        self.add(self.path.with_field(name, sub), bv, av)
            elif not same(b, a):
                self.add(self.path.with_field(name), b, a)


def _diff_instructions(
    changes: list[Change], before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> None:
    before_index = {item["id"]: index for index, item in enumerate(before)}
    after_ids = {item["id"] for item in after}
    common_before = [item["id"] for item in before if item["id"] in after_ids]
    common_after = [item["id"] for item in after if item["id"] in before_index]
    moved = moved_ids(common_before, common_after)

    def instruction(ident: Any, old: Any, new: Any) -> _Item:
        path = ChangePath("instructions", INSTRUCTION, ident)
        return _Item(changes, path, _name(old, new, "title"))

    for index, new in enumerate(after):
        ident = new["id"]
        old_index = before_index.get(ident)
        old = before[old_index] if old_index is not None else None
        item = instruction(ident, old, new)
        if old is None:
            item.whole(None, new)
            continue
        item.compare_fields(old, new, frozenset({"id", "position"}))
        if ident in moved:
            item.add(item.path.with_field("position"), old_index, index)
    for old in before:
        if old["id"] not in after_ids:
            instruction(old["id"], old, None).whole(old, None)


def _merge_by(
    before: list[dict[str, Any]], after: list[dict[str, Any]], identity: str
) -> list[tuple[Any, dict[str, Any] | None, dict[str, Any] | None]]:
    old = {item[identity]: item for item in before}
    new = {item[identity]: item for item in after}
    idents = sorted(old.keys() | new.keys(), key=identity_sort_key)
    return [(ident, old.get(ident), new.get(ident)) for ident in idents]


def _diff_items(
    changes: list[Change],
    kind_path: ChangePath,
    before: list[dict[str, Any]],
    after: list[dict[str, Any]],
    *,
    identity: str,
    label_kind: str,
    parent_name: Any = None,
    skip: frozenset[str] = frozenset(),
    then: Callable[[_Item, dict[str, Any], dict[str, Any]], None] | None = None,
) -> None:
    """Items matched by ``identity``: added and removed ones reported whole, fields of the
    rest compared, each followed by what ``then`` reports of it (a tool's actions)."""
    skip = LABEL_FIELDS[label_kind] | {identity, DEFINITION} | skip
    for ident, old, new in _merge_by(before, after, identity):
        path = ChangePath(kind_path.section, kind_path.kind, ident, kind_path.parent_id)
        item = _Item(changes, path, _name(old, new, "name"), parent_name)
        if old is None or new is None:
            item.whole(old, new)
        else:
            item.compare_fields(old, new, skip)
            _diff_definition(item, old, new, DEFINITION_OWN_FIELD[label_kind])
            if then is not None:
                then(item, old, new)


def _diff_definition(
    item: _Item, old: Mapping[str, Any], new: Mapping[str, Any], own_field: str | None
) -> None:
    for key, before, after in definition_changes(old, new, own_field):
        path = (
            item.path.with_field(DEFINITION)
            if key is None
            else item.path.with_field(DEFINITION, key)
        )
        item.add(path, before, after)


def _diff_knowledge(
    changes: list[Change], before: Mapping[str, Any], after: Mapping[str, Any]
) -> None:
    _diff_items(
        changes,
        ChangePath("knowledge_sources", CORPUS),
        before.get("corpora", []),
        after.get("corpora", []),
        identity="corpus_id",
        label_kind="corpora",
    )
    old, new = before.get("sharepoint"), after.get("sharepoint")
    item = _Item(changes, ChangePath("knowledge_sources", SHAREPOINT))
    if old is None and new is None:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        item.compare_fields(old, new, frozenset())
    elif old is None or new is None or not same(old, new):
        item.whole(old, new)


def _diff_tools(
    changes: list[Change], before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> None:
    def actions(tool: _Item, old: dict[str, Any], new: dict[str, Any]) -> None:
        _diff_items(
            changes,
            ChangePath("tools", ACTION, parent_id=tool.path.item_id),
            old.get("actions", []),
            new.get("actions", []),
            identity="action_id",
            label_kind="actions",
            parent_name=tool.name,
        )

    _diff_items(
        changes,
        ChangePath("tools", TOOL),
        before,
        after,
        identity="tool_id",
        label_kind="tools",
        skip=frozenset({"actions"}),
        then=actions,
    )
