"""Two snapshots in, the list of their differences out.

Pure: no ORM, no HTML. The review page, the publish record, the restore/revert preview and
the API all render the same ``Diff``; ``revert.py`` uses its changes as the atoms it undoes.

Shape of a change (see ``Change``): ``section`` is one of ``SECTIONS``; ``key`` names the
thing that changed, ``field`` the part of it:

==========================  ==========================  ==========================================
key                         field                       before / after
==========================  ==========================  ==========================================
``settings``                ``name`` ``description``     the field's values
                            ``access_level`` ``tags``
``settings``                ``model_config.<key>``       the value; a key added or removed is an
                                                        ``added`` / ``removed`` change (None on
                                                        the missing side)
``instruction:<id>``        None                         whole item (None on the missing side)
``instruction:<id>``        ``title`` ``content``        the field's values
``instruction:<id>``        ``position``                 index before / index after (a move)
``corpus:<id>``             None | ``enabled``           whole item | the field's values
``corpus:<id>``             ``settings.<key>``           one key of the corpus settings
``sharepoint``              None | ``site_url``          whole ``{"site_url", "folder_path"}`` |
                            ``folder_path``              the field's values
``tool:<id>``               None | ``enabled``           whole tool *with its actions* | values
``tool:<id>/action:<id>``   None | ``enabled``           whole action | the field's values
``tool:<id>/action:<id>``   ``config.<key>``             one key of the action config
``guardrail:<id>``          None | ``enabled``           whole item | the field's values
``guardrail:<id>``          ``settings.<key>``           one key of the guardrail settings
==========================  ==========================  ==========================================

Nested dict fields (``model_config``, ``settings``, ``config``) are compared key by key, so a
change to ``top_k`` shows as ``settings.top_k`` and revert can undo one key without touching
its neighbours. When one side of such a field is not a dict at all, the field is compared whole
(field ``settings`` / ``config`` / ``model_config``). Key-level changes use ``added`` /
``removed`` for keys present on one side only, ``modified`` otherwise.

Catalogue labels (``snapshot.LABEL_FIELDS``) are never compared, only shown: a tool renamed in
the catalogue is no change, and labels take the name from ``after`` when there is one.

Moves: the instructions present on both sides are compared by relative order; only those
outside a longest common subsequence get a ``position`` change, so inserting one instruction
at the top is one ``added`` change and moving one instruction is one ``position`` change.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from configuration.snapshot import LABEL_FIELDS, Snapshot, canonical_json, empty_snapshot

SECTIONS: tuple[str, ...] = (
    "settings",
    "instructions",
    "knowledge_sources",
    "tools",
    "guardrails",
)

ADDED = "added"
REMOVED = "removed"
MODIFIED = "modified"

SETTINGS_KEY = "settings"
SHAREPOINT_KEY = "sharepoint"

# Fields whose dict values are compared key by key ("<field>.<key>").
NESTED_DICT_FIELDS: frozenset[str] = frozenset({"settings", "config"})
MODEL_CONFIG = "model_config"

_SETTINGS_ORDER = ("name", "description", "model_config", "access_level", "tags")
_SETTINGS_LABELS = {
    "name": "Name",
    "description": "Description",
    "model_config": "Model configuration",
    "access_level": "Access level",
    "tags": "Tags",
}
# Order in which an item's fields are reported; unknown fields follow, sorted.
_FIELD_ORDER = ("title", "content", "position", "enabled", "site_url", "folder_path")
_FIELD_LABELS = {
    "title": "title",
    "content": "content",
    "position": "position",
    "enabled": "enabled",
    "site_url": "site URL",
    "folder_path": "folder path",
    "settings": "settings",
    "config": "config",
}
_NESTED_LABELS = {"settings": "setting", "config": "config"}

_MISSING: Any = object()


def instruction_key(instruction_id: Any) -> str:
    return f"instruction:{instruction_id}"


def corpus_key(corpus_id: Any) -> str:
    return f"corpus:{corpus_id}"


def tool_key(tool_id: Any) -> str:
    return f"tool:{tool_id}"


def action_key(tool_id: Any, action_id: Any) -> str:
    return f"tool:{tool_id}/action:{action_id}"


def guardrail_key(guardrail_id: Any) -> str:
    return f"guardrail:{guardrail_id}"


def same(a: Any, b: Any) -> bool:
    """Equal as stored JSON: ``True`` is not ``1``, ``1`` is not ``1.0``.

    Plain ``==`` would call those equal while the fingerprint (canonical JSON) does not,
    and "no changes" must mean "same fingerprint".
    """
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, str | int | bool) or a is None:
        return a == b
    if isinstance(a, float):
        return repr(a) == repr(b)
    return a == b and canonical_json(a) == canonical_json(b)


def _q(name: Any) -> str:
    return f"\u201c{name}\u201d"


@dataclass(frozen=True)
class Change:
    """One difference between two snapshots (see the module docstring for keys and fields)."""

    section: str
    key: str
    field: str | None
    label: str
    change: str  # ADDED | REMOVED | MODIFIED
    before: Any
    after: Any

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
    # Item key -> display label ("Tool “CRM”"), so the summary can name things whose own
    # changes carry only nested labels. Optional: a Diff rebuilt from changes alone works.
    item_labels: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

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
        if not self.changes:
            return "No changes"
        return ", ".join(_summary_parts(self))

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
    out = _Collector()
    _diff_settings(out, before["settings"], after["settings"])
    _diff_instructions(out, before["instructions"], after["instructions"])
    _diff_knowledge(out, before["knowledge_sources"], after["knowledge_sources"])
    _diff_tools(out, before["tools"], after["tools"])
    _diff_guardrails(out, before["guardrails"], after["guardrails"])
    return Diff(changes=tuple(out.changes), item_labels=out.item_labels)


class _Collector:
    def __init__(self) -> None:
        self.changes: list[Change] = []
        self.item_labels: dict[str, str] = {}

    def add(
        self,
        section: str,
        key: str,
        field_name: str | None,
        label: str,
        change: str,
        before: Any,
        after: Any,
    ) -> None:
        self.changes.append(Change(section, key, field_name, label, change, before, after))


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


def _identity_sort_key(value: Any) -> tuple[int, Any]:
    # Identities are ints in a built snapshot; anything else still sorts deterministically.
    if isinstance(value, int) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value))


def _diff_settings(out: _Collector, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    for name in _ordered_fields(before.keys() | after.keys(), _SETTINGS_ORDER):
        b, a = before.get(name, _MISSING), after.get(name, _MISSING)
        if name == MODEL_CONFIG and isinstance(b, dict) and isinstance(a, dict):
            for key in sorted(b.keys() | a.keys()):
                bv, av = b.get(key, _MISSING), a.get(key, _MISSING)
                if not same(bv, av):
                    out.add(
                        "settings",
                        SETTINGS_KEY,
                        f"{MODEL_CONFIG}.{key}",
                        f"Model configuration: {key}",
                        _kind(bv, av),
                        _value(bv),
                        _value(av),
                    )
        elif not same(b, a):
            label = _SETTINGS_LABELS.get(name) or name.replace("_", " ").capitalize()
            out.add("settings", SETTINGS_KEY, name, label, _kind(b, a), _value(b), _value(a))


def _field_label(name: str) -> str:
    return _FIELD_LABELS.get(name, name.replace("_", " "))


def _diff_fields(
    out: _Collector,
    section: str,
    key: str,
    label: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    skip: frozenset[str] | set[str],
) -> None:
    """Per-field changes of an item present on both sides (nested dicts key by key)."""
    names = (before.keys() | after.keys()) - skip
    for name in _ordered_fields(names, _FIELD_ORDER):
        b, a = before.get(name, _MISSING), after.get(name, _MISSING)
        if name in NESTED_DICT_FIELDS and isinstance(b, dict) and isinstance(a, dict):
            for sub in sorted(b.keys() | a.keys()):
                bv, av = b.get(sub, _MISSING), a.get(sub, _MISSING)
                if not same(bv, av):
                    out.add(
                        section,
                        key,
                        f"{name}.{sub}",
                        f"{label}: {_NESTED_LABELS[name]} {_q(sub)}",
                        _kind(bv, av),
                        _value(bv),
                        _value(av),
                    )
        elif not same(b, a):
            out.add(
                section,
                key,
                name,
                f"{label}: {_field_label(name)}",
                _kind(b, a),
                _value(b),
                _value(a),
            )


def _named(
    noun: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    *,
    name_field: str,
    identity: Any,
) -> str:
    for item in (after, before):
        if item is not None and item.get(name_field):
            return f"{noun} {_q(item[name_field])}"
    return f"{noun} #{identity}"


def moved_ids(before_order: list[Any], after_order: list[Any]) -> set[Any]:
    """The ids to report as moved: those outside a longest common subsequence.

    Both lists hold the same ids (those on both sides), each once. The LCS of two
    permutations is a longest increasing subsequence of ranks: O(n log n).
    """
    rank = {ident: index for index, ident in enumerate(before_order)}
    seq = [rank[ident] for ident in after_order]
    tail_values: list[int] = []
    tail_indexes: list[int] = []
    previous = [-1] * len(seq)
    for index, value in enumerate(seq):
        slot = bisect_left(tail_values, value)
        if slot > 0:
            previous[index] = tail_indexes[slot - 1]
        if slot == len(tail_values):
            tail_values.append(value)
            tail_indexes.append(index)
        else:
            tail_values[slot] = value
            tail_indexes[slot] = index
    kept: set[Any] = set()
    cursor = tail_indexes[-1] if tail_indexes else -1
    while cursor != -1:
        kept.add(after_order[cursor])
        cursor = previous[cursor]
    return set(after_order) - kept


def _diff_instructions(
    out: _Collector, before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> None:
    before_index = {item["id"]: index for index, item in enumerate(before)}
    after_ids = {item["id"] for item in after}
    common_before = [item["id"] for item in before if item["id"] in after_ids]
    common_after = [item["id"] for item in after if item["id"] in before_index]
    moved = moved_ids(common_before, common_after)
    skip = frozenset({"id", "position"})

    for index, item in enumerate(after):
        ident = item["id"]
        key = instruction_key(ident)
        old_index = before_index.get(ident)
        old = before[old_index] if old_index is not None else None
        label = _named("Instruction", old, item, name_field="title", identity=ident)
        out.item_labels[key] = label
        if old is None:
            out.add("instructions", key, None, label, ADDED, None, item)
            continue
        _diff_fields(out, "instructions", key, label, old, item, skip)
        if ident in moved:
            out.add(
                "instructions", key, "position", f"{label}: position", MODIFIED, old_index, index
            )
    for item in before:
        if item["id"] not in after_ids:
            key = instruction_key(item["id"])
            label = _named("Instruction", item, None, name_field="title", identity=item["id"])
            out.item_labels[key] = label
            out.add("instructions", key, None, label, REMOVED, item, None)


def _merge_by(
    before: list[dict[str, Any]], after: list[dict[str, Any]], identity: str
) -> list[tuple[Any, dict[str, Any] | None, dict[str, Any] | None]]:
    old = {item[identity]: item for item in before}
    new = {item[identity]: item for item in after}
    idents = sorted(old.keys() | new.keys(), key=_identity_sort_key)
    return [(ident, old.get(ident), new.get(ident)) for ident in idents]


def _diff_items(
    out: _Collector,
    section: str,
    before: list[dict[str, Any]],
    after: list[dict[str, Any]],
    *,
    identity: str,
    kind: str,
    key_of: Callable[[Any], str],
    noun: str,
) -> None:
    skip = LABEL_FIELDS[kind] | {identity}
    for ident, old, new in _merge_by(before, after, identity):
        key = key_of(ident)
        label = _named(noun, old, new, name_field="name", identity=ident)
        out.item_labels[key] = label
        if old is None:
            out.add(section, key, None, label, ADDED, None, new)
        elif new is None:
            out.add(section, key, None, label, REMOVED, old, None)
        else:
            _diff_fields(out, section, key, label, old, new, skip)


def _diff_knowledge(out: _Collector, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    _diff_items(
        out,
        "knowledge_sources",
        before.get("corpora", []),
        after.get("corpora", []),
        identity="corpus_id",
        kind="corpora",
        key_of=corpus_key,
        noun="Knowledge source",
    )
    old, new = before.get("sharepoint"), after.get("sharepoint")
    label = "SharePoint folder"
    out.item_labels[SHAREPOINT_KEY] = label
    if old is None and new is None:
        return
    if old is None:
        out.add("knowledge_sources", SHAREPOINT_KEY, None, label, ADDED, None, new)
    elif new is None:
        out.add("knowledge_sources", SHAREPOINT_KEY, None, label, REMOVED, old, None)
    elif isinstance(old, dict) and isinstance(new, dict):
        _diff_fields(out, "knowledge_sources", SHAREPOINT_KEY, label, old, new, frozenset())
    elif not same(old, new):
        out.add("knowledge_sources", SHAREPOINT_KEY, None, label, MODIFIED, old, new)


def _diff_tools(out: _Collector, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> None:
    skip = LABEL_FIELDS["tools"] | {"tool_id", "actions"}
    for ident, old, new in _merge_by(before, after, "tool_id"):
        key = tool_key(ident)
        label = _named("Tool", old, new, name_field="name", identity=ident)
        out.item_labels[key] = label
        if old is None:
            out.add("tools", key, None, label, ADDED, None, new)
            continue
        if new is None:
            out.add("tools", key, None, label, REMOVED, old, None)
            continue
        _diff_fields(out, "tools", key, label, old, new, skip)
        _diff_items(
            out,
            "tools",
            old.get("actions", []),
            new.get("actions", []),
            identity="action_id",
            kind="actions",
            key_of=lambda action_id, tool_id=ident: action_key(tool_id, action_id),
            noun=f"{label}: action",
        )


def _diff_guardrails(
    out: _Collector, before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> None:
    _diff_items(
        out,
        "guardrails",
        before,
        after,
        identity="guardrail_id",
        kind="guardrails",
        key_of=guardrail_key,
        noun="Guardrail",
    )


# --- summary ----------------------------------------------------------------------------


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _counted(noun: str, groups: dict[str, set[str]], verbs: tuple[str, ...]) -> list[str]:
    return [f"{_plural(len(groups[verb]), noun)} {verb}" for verb in verbs if groups.get(verb)]


def _item_label(diff: Diff, change: Change) -> str:
    if change.key in diff.item_labels:
        return diff.item_labels[change.key]
    head, sep, _rest = change.label.partition("\u201d")
    return head + sep if sep else change.label


def _summary_parts(diff: Diff) -> list[str]:
    parts: list[str] = []

    # Settings, in field order; the model configuration counts once.
    said: set[str] = set()
    for change in diff.for_section("settings"):
        name = (change.field or "").split(".", 1)[0]
        if name in said:
            continue
        said.add(name)
        label = _SETTINGS_LABELS.get(name) or name.replace("_", " ").capitalize()
        parts.append(f"{label} changed")

    groups: dict[str, set[str]] = {}
    for change in diff.for_section("instructions"):
        if change.field is None:
            verb = change.change
        elif change.field == "position":
            verb = "moved"
        else:
            verb = "edited"
        groups.setdefault(verb, set()).add(change.key)
    parts += _counted("instruction", groups, (ADDED, REMOVED, "edited", "moved"))

    groups = {}
    sharepoint = False
    for change in diff.for_section("knowledge_sources"):
        if change.key == SHAREPOINT_KEY:
            sharepoint = True
            continue
        verb = change.change if change.field is None else "changed"
        groups.setdefault(verb, set()).add(change.key)
    parts += _counted("knowledge source", groups, (ADDED, REMOVED, "changed"))
    if sharepoint:
        parts.append("SharePoint folder changed")

    parts += _tool_summary(diff)

    groups = {}
    for change in diff.for_section("guardrails"):
        verb = change.change if change.field is None else "changed"
        groups.setdefault(verb, set()).add(change.key)
    parts += _counted("guardrail", groups, (ADDED, REMOVED, "changed"))
    return parts


def _tool_summary(diff: Diff) -> list[str]:
    # Per tool, in order: its own state, then its actions.
    tools: dict[str, dict[str, Any]] = {}
    for change in diff.for_section("tools"):
        tool, _sep, action = change.key.partition("/")
        entry = tools.setdefault(tool, {"label": None, "own": [], "actions": {}})
        if not action:
            entry["label"] = entry["label"] or _item_label(diff, change)
            if change.field is None:
                entry["own"].append(change.change)
            elif change.field == "enabled":
                entry["own"].append("enabled" if change.after else "disabled")
            else:
                entry["own"].append("changed")
            continue
        if entry["label"] is None:
            entry["label"] = diff.item_labels.get(tool) or _item_label(diff, change)
        if change.field is None:
            verb = change.change
        elif change.field == "enabled":
            verb = "enabled" if change.after else "disabled"
        else:
            verb = "changed"
        entry["actions"].setdefault(verb, set()).add(change.key)

    parts: list[str] = []
    for entry in tools.values():
        seen: set[str] = set()
        for verb in entry["own"]:
            if verb not in seen:
                seen.add(verb)
                parts.append(f"{entry['label']} {verb}")
        for phrase in _counted(
            "action", entry["actions"], (ADDED, REMOVED, "enabled", "disabled", "changed")
        ):
            parts.append(f"{entry['label']}: {phrase}")
    return parts
