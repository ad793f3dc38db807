"""Undo one publish on top of today's Staging: a three-way merge, pure.

A publish turned ``base`` (Production before it) into ``published``. Each change of
``diff_snapshots(base, published)`` is one atom (a settings field, a model configuration key,
an item's presence, an item field, one key of an item's settings/config). For every atom,
compared with today's Staging (``current``):

* current still has the published value -> it goes back to the base value;
* current already has the base value -> left alone;
* anything else -> a ``Conflict`` (the atom changed again since the publish). The rest is
  still computed, and every conflict is reported; callers refuse the revert when there is any.

Whole items are compared without their catalogue labels (and instructions without their
position, which shifts with every insert). An item whose field the publish changed but which is
gone from ``current`` is a conflict, as is an action the publish removed whose tool is gone.

Order is not a conflict atom: instructions the publish moved go back next to their base
neighbours unless they were moved again since (then the later move stays); instructions the
publish removed come back at their base place in the same way. Positions are renumbered.
Atoms the publish did not touch keep whatever ``current`` has.

Effective definitions (``definition``) come from the catalogue, which Staging cannot write:
a definition change of the publish is left alone when ``current`` already has the base value
(or, for the one-time arrival of definitions, always), and is otherwise a conflict that says
the catalogue holds it. Items are compared for presence without their definitions.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from configuration.changes import (
    ACTION,
    ADDED,
    CORPUS,
    GUARDRAIL,
    INSTRUCTION,
    REMOVED,
    SETTINGS,
    SHAREPOINT,
    TOOL,
    ChangePath,
)
from configuration.diff import (
    CONFIG,
    DEFINITION,
    Change,
    diff_snapshots,
    identity_sort_key,
    moved_ids,
    same,
)
from configuration.labels import is_definition_recorded
from configuration.snapshot import (
    LABEL_FIELDS,
    Snapshot,
    canonical_json,
    empty_snapshot,
    normalize_tags,
)


@dataclass(frozen=True)
class Conflict:
    """An atom the publish changed that has changed again since, so it cannot be undone."""

    section: str
    key: str
    field: str | None
    label: str
    published: Any  # the value the publish set (None: the publish removed it)
    current: Any  # the value in Staging today (None: absent)
    reverted_to: Any  # the value the revert would restore (None: absent)
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class RevertResult:
    snapshot: Snapshot
    conflicts: tuple[Conflict, ...]


_ABSENT: Any = object()  # no such key / item
_GONE: Any = object()  # the item holding the atom is gone, so the atom has no value at all

_CHANGED_AGAIN = "Changed again after this publish."
_ITEM_GONE = "Removed after this publish, so this change cannot be undone."
_EDITED_SINCE = "Changed after this publish; removing it would discard those changes."
_READDED = "Added again after this publish with different content."
_PARENT_GONE = "Its tool was removed after this publish, so the action cannot be restored."
CATALOGUE_DEFINED = (
    "Defined in the catalogue, which Staging cannot change: an organization admin can change "
    "it back in the catalogue."
)


def revert_publish(
    *, base: Snapshot | None, published: Snapshot, current: Snapshot
) -> RevertResult:
    """``current`` with the changes of the publish ``base -> published`` undone.

    ``base=None`` (an agent's first publish) means the empty configuration.
    """
    if base is None:
        base = empty_snapshot()
    work = _Work(current)
    conflicts: list[Conflict] = []
    moved_by_publish: set[Any] = set()
    for change in diff_snapshots(base, published).changes:
        if change.path.kind == INSTRUCTION and change.path.field == "position":
            moved_by_publish.add(change.path.item_id)
        elif change.path.field == DEFINITION:
            _revert_definition(work, change, conflicts)
        elif change.path.field is None:
            _revert_presence(work, change, conflicts)
        else:
            _revert_field(work, change, conflicts)
    work.reorder_instructions(base=base, published=published, moved_by_publish=moved_by_publish)
    return RevertResult(snapshot=work.build(), conflicts=tuple(conflicts))


class _Work:
    """A mutable copy of ``current``, its items indexed by kind and identity."""

    def __init__(self, current: Snapshot) -> None:
        snapshot = copy.deepcopy(current)
        self.settings: dict[str, Any] = snapshot["settings"]
        self.current_order = [i["id"] for i in snapshot["instructions"]]
        ks = snapshot["knowledge_sources"]
        # SharePoint is the one item of its kind (identity None); absent when None.
        sharepoint = {} if ks.get("sharepoint") is None else {None: ks["sharepoint"]}
        self.items_by_kind: dict[str, dict[Any, Any]] = {
            INSTRUCTION: {i["id"]: i for i in snapshot["instructions"]},
            CORPUS: {c["corpus_id"]: c for c in ks["corpora"]},
            SHAREPOINT: sharepoint,
            TOOL: {t["tool_id"]: t for t in snapshot["tools"]},
            GUARDRAIL: {g["guardrail_id"]: g for g in snapshot["guardrails"]},
        }
        self.instructions = self.items_by_kind[INSTRUCTION]
        self.readded_instructions: set[Any] = set()

    def items(self, path: ChangePath) -> Any:
        """The mapping identity -> item that holds ``path``'s item (None: its tool is gone)."""
        if path.kind != ACTION:
            return self.items_by_kind[path.kind]
        holder = self.items_by_kind[TOOL].get(path.parent_id)
        return None if holder is None else _ActionMap(holder)

    def reorder_instructions(
        self, *, base: Snapshot, published: Snapshot, moved_by_publish: set[Any]
    ) -> None:
        base_order = [i["id"] for i in base["instructions"]]
        published_order = [i["id"] for i in published["instructions"]]
        current_set = set(self.current_order)
        published_set = set(published_order)
        moved_since = moved_ids(
            [k for k in published_order if k in current_set],
            [k for k in self.current_order if k in published_set],
        )
        to_place = {
            k
            for k in moved_by_publish
            if k in self.instructions and k in current_set and k not in moved_since
        } | (self.readded_instructions & self.instructions.keys())
        order = [k for k in self.current_order if k in self.instructions and k not in to_place]
        # Ascending base index: each item's base predecessors are placed before it, so with
        # nothing changed since the publish this rebuilds the base order exactly.
        for key in [k for k in base_order if k in to_place]:
            placed = set(order)
            index = base_order.index(key)
            anchor = next(
                (base_order[i] for i in range(index - 1, -1, -1) if base_order[i] in placed),
                None,
            )
            order.insert(0 if anchor is None else order.index(anchor) + 1, key)
        self.order = order

    def build(self) -> Snapshot:
        settings = dict(self.settings)
        if isinstance(settings.get("model_config"), dict):
            settings["model_config"] = dict(sorted(settings["model_config"].items()))
        if isinstance(settings.get("tags"), list):
            settings["tags"] = normalize_tags(settings["tags"])
        instructions = []
        for index, key in enumerate(self.order):
            item = dict(self.instructions[key])
            item["position"] = index
            instructions.append(item)
        tools = []
        for tool in _by_identity(self.items_by_kind[TOOL].values(), "tool_id"):
            tool = dict(tool)
            tool["actions"] = _by_identity(tool.get("actions", []), "action_id")
            tools.append(tool)
        snapshot = {
            "settings": settings,
            "instructions": instructions,
            "knowledge_sources": {
                "corpora": _by_identity(self.items_by_kind[CORPUS].values(), "corpus_id"),
                "sharepoint": self.items_by_kind[SHAREPOINT].get(None),
            },
            "tools": tools,
            "guardrails": _by_identity(self.items_by_kind[GUARDRAIL].values(), "guardrail_id"),
        }
        return json.loads(canonical_json(snapshot))


class _ActionMap:
    """A tool's action list seen as a mapping action id -> action (a handful per tool)."""

    def __init__(self, tool: dict[str, Any]) -> None:
        self.tool = tool
        tool.setdefault("actions", [])

    def get(self, action_id: Any, default: Any = None) -> Any:
        for action in self.tool["actions"]:
            if action["action_id"] == action_id:
                return action
        return default

    def __setitem__(self, action_id: Any, value: dict[str, Any]) -> None:
        self.pop(action_id)
        self.tool["actions"].append(value)

    def pop(self, action_id: Any) -> None:
        self.tool["actions"] = [a for a in self.tool["actions"] if a["action_id"] != action_id]


def _by_identity(items: Any, identity: str) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: identity_sort_key(item[identity]))


# Per item kind: the fields that are no configuration (catalogue labels; an instruction's
# position, which shifts with every insert).
_NOT_CONTENT: dict[str, frozenset[str]] = {
    INSTRUCTION: frozenset({"position"}),
    CORPUS: LABEL_FIELDS["corpora"],
    TOOL: LABEL_FIELDS["tools"],
    ACTION: LABEL_FIELDS["actions"],
    GUARDRAIL: LABEL_FIELDS["guardrails"],
}


def _content(path: ChangePath, item: Any) -> Any:
    """An item as configuration: labels dropped (instructions: position too)."""
    if not isinstance(item, dict):
        return item
    drop = _NOT_CONTENT.get(path.kind, frozenset()) | {DEFINITION}
    out = {k: v for k, v in item.items() if k not in drop}
    if path.kind == TOOL and isinstance(out.get("actions"), list):
        action_drop = _NOT_CONTENT[ACTION] | {DEFINITION}
        out["actions"] = _by_identity(
            [{k: v for k, v in a.items() if k not in action_drop} for a in out["actions"]],
            "action_id",
        )
    return out


def _published_value(change: Change) -> Any:
    return _ABSENT if change.change == REMOVED else change.after


def _base_value(change: Change) -> Any:
    return _ABSENT if change.change == ADDED else change.before


def _shown(value: Any) -> Any:
    return None if value is _ABSENT or value is _GONE else value


def _conflict(conflicts: list[Conflict], change: Change, current: Any, detail: str) -> None:
    conflicts.append(
        Conflict(
            section=change.section,
            key=change.key,
            field=change.field,
            label=change.label,
            published=_shown(_published_value(change)),
            current=_shown(current),
            reverted_to=_shown(_base_value(change)),
            detail=detail,
        )
    )


def _revert_presence(work: _Work, change: Change, conflicts: list[Conflict]) -> None:
    path = change.path
    items = work.items(path)
    published, base = _published_value(change), _base_value(change)
    if items is None:  # an action whose tool is gone from Staging
        if published is not _ABSENT:
            return  # the publish added it; it is gone already
        _conflict(conflicts, change, _GONE, _PARENT_GONE)
        return
    current = items.get(path.item_id, _ABSENT)
    if same(_content(path, current), _content(path, published)):
        if base is _ABSENT:
            items.pop(path.item_id)
        else:
            items[path.item_id] = copy.deepcopy(base)
            if path.kind == INSTRUCTION:
                work.readded_instructions.add(path.item_id)
    elif same(_content(path, current), _content(path, base)):
        return
    else:
        detail = _EDITED_SINCE if base is _ABSENT else _READDED
        _conflict(conflicts, change, current, detail)


_OWN_FIELD = {CORPUS: None, TOOL: None, ACTION: "config", GUARDRAIL: "settings"}


def _revert_definition(work: _Work, change: Change, conflicts: list[Conflict]) -> None:
    """A change of an effective definition: nothing to do when Staging already has the base
    value; else a conflict, for only the catalogue can change it."""
    if is_definition_recorded(change):
        return
    path = change.path
    items = work.items(path)
    item = items.get(path.item_id, None) if items is not None else None
    if not isinstance(item, dict):
        return  # the item is gone since, and its definition with it
    definition = item.get(DEFINITION, _ABSENT)
    key = path.field_key
    current: Any
    if key is None:
        current = definition
    elif not isinstance(definition, dict):
        current = _ABSENT
    else:
        head, dot, sub = key.partition(".")
        own = item.get(_OWN_FIELD.get(path.kind) or "", None)
        if dot and head == CONFIG:
            config = definition.get(CONFIG)
            if isinstance(own, dict) and sub in own:
                current = _GONE  # the agent's own setting decides it now
            else:
                current = config.get(sub, _ABSENT) if isinstance(config, dict) else _ABSENT
        else:
            current = definition.get(key, _ABSENT)
    if not same(current, _base_value(change)):
        _conflict(conflicts, change, current, CATALOGUE_DEFINED)


def _revert_field(work: _Work, change: Change, conflicts: list[Conflict]) -> None:
    path = change.path
    if path.kind == SETTINGS:
        item: Any = work.settings
    else:
        items = work.items(path)
        item = items.get(path.item_id, None) if items is not None else None
    if not isinstance(item, dict):
        _conflict(conflicts, change, _GONE, _ITEM_GONE)
        return
    name, sub = path.field, path.field_key
    holder: Any = item
    slot: str = name
    if sub is not None:
        holder, slot = item.get(name), sub
        if not isinstance(holder, dict):  # the whole field was replaced since
            _conflict(conflicts, change, item.get(name, _ABSENT), _CHANGED_AGAIN)
            return
    current = holder.get(slot, _ABSENT)
    published, base = _published_value(change), _base_value(change)
    if same(current, published):
        if base is _ABSENT:
            holder.pop(slot, None)
        else:
            holder[slot] = copy.deepcopy(base)
    elif not same(current, base):
        _conflict(conflicts, change, current, _CHANGED_AGAIN)
