"""A diff as side-by-side rows for the pages.

Accepts a ``Diff``, ``Change`` objects, or the dicts of ``Change.as_dict()`` (as stored in a
publish record). Values become readable text (dicts and lists as pretty JSON, ``enabled`` as
Enabled/Disabled, None as an em dash); long or multi-line text gets a word-level diff with
removed words in ``<del>`` on the left and added words in ``<ins>`` on the right.

Multi-line text reads like a code review: split into lines (a paragraph and the blank lines
after it count as one), each change a ``Hunk`` with both sides side by side, a little context
around it and the unchanged runs between collapsed into ``gap`` hunks. Every change has an
anchor for the diff's jump list. Tags show as chips, model configuration keys by their labels.

Stored records keep their labels and ``change`` kinds; what this module shows differently
(labels, "Added" for a value that was empty before) is presentation only.

Every piece of text is escaped and marked safe in one place: ``publishing.text_diff.html``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString

from configuration.changes import ADDED, MODEL_CONFIG, MODIFIED, REMOVED, SECTIONS, ChangePath
from configuration.diff import Change, Diff
from publishing.text_diff import Hunk, html, line_hunks, plain, word_diff

SECTION_TITLES: dict[str, str] = {
    "settings": "Settings",
    "instructions": "Instructions",
    "knowledge_sources": "Knowledge sources",
    "tools": "Tools",
    "guardrails": "Guardrails",
}
CHANGE_TITLES: dict[str, str] = {"added": "Added", "removed": "Removed", "modified": "Changed"}

LONG_TEXT = 80
# Fields always shown with word highlights when both sides are text.
_PROSE_FIELDS = frozenset({"content", "description"})


# What people read for the model configuration's keys (stored labels keep the keys).
MODEL_CONFIG_LABELS: dict[str, str] = {
    "model": "Model",
    "temperature": "Temperature",
    "top_p": "Top P",
    "max_tokens": "Max tokens",
    "frequency_penalty": "Frequency penalty",
    "presence_penalty": "Presence penalty",
    "seed": "Seed",
    "reasoning_effort": "Reasoning effort",
    "response_format": "Response format",
    "stop": "Stop sequences",
}
_MODEL_CONFIG_PREFIX = "Model configuration"


def model_config_label(key: str) -> str:
    return MODEL_CONFIG_LABELS.get(key) or key.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Chip:
    text: str
    state: str | None  # None (on both sides), "added" or "removed"


@dataclass(frozen=True)
class Jump:
    anchor: str
    label: str


@dataclass(frozen=True)
class DiffRow:
    section: str
    key: str
    field: str | None
    label: str
    change: str  # added | removed | modified
    change_title: str  # Added | Removed | Changed
    left: SafeString  # before, as HTML
    right: SafeString  # after, as HTML
    inline: bool  # word-level highlights were computed
    hunks: tuple[Hunk, ...] = ()  # multi-line values: shown instead of left/right
    left_chips: tuple[Chip, ...] | None = None  # lists of words (tags): shown as chips
    right_chips: tuple[Chip, ...] | None = None
    anchor: str = ""
    authors: tuple[Any, ...] = ()  # who made this change (publishing.authors.Author)
    links: tuple[tuple[str, str], ...] = ()  # (words, url) shown under the label

    @property
    def jumps(self) -> tuple[Jump, ...]:
        """Where the jump list links for this row: each change of a long value, or the row."""
        changes = [h for h in self.hunks if h.kind == "change"]
        if len(changes) > 1 or (changes and any(h.kind == "gap" for h in self.hunks)):
            return tuple(Jump(h.anchor, f"{self.label}, {h.lines}") for h in changes)
        return (Jump(self.anchor, self.label),)


@dataclass(frozen=True)
class DiffSection:
    section: str
    title: str
    count: int
    rows: tuple[DiffRow, ...]


def present_diff(
    changes: Diff | Iterable[Change | Mapping[str, Any]],
    *,
    include_empty: bool = False,
    authors: Iterable[tuple[Any, ...]] | None = None,
) -> list[DiffSection]:
    """Rows grouped by section, in ``SECTIONS`` order.

    Sections without changes are left out unless ``include_empty``. ``authors``: per change,
    in the same order, who made it (``publishing.authors.Attribution.authors``).
    """
    items = list(changes.changes if isinstance(changes, Diff) else changes)
    people = list(authors) if authors is not None else [()] * len(items)
    first = _from_nothing(items)
    grouped: dict[str, list[DiffRow]] = {section: [] for section in SECTIONS}
    for index, (item, who) in enumerate(zip(items, people, strict=True), start=1):
        row = present_change(item, anchor=f"change-{index}", from_nothing=first)
        if who:
            row = dataclasses.replace(row, authors=tuple(who))
        grouped.setdefault(row.section, []).append(row)
    return [
        DiffSection(
            section=section,
            title=SECTION_TITLES.get(section, section.replace("_", " ").capitalize()),
            count=len(rows),
            rows=tuple(rows),
        )
        for section, rows in grouped.items()
        if rows or include_empty
    ]


def jump_list(sections: Iterable[DiffSection]) -> list[Jump]:
    return [jump for section in sections for row in section.rows for jump in row.jumps]


def _as_dict(change: Change | Mapping[str, Any]) -> Mapping[str, Any]:
    return change.as_dict() if isinstance(change, Change) else change


def _from_nothing(items: list[Change | Mapping[str, Any]]) -> bool:
    """A diff against no configuration at all (a first publish): the name was empty.

    The stored diff compares against an empty configuration, so its settings come out as
    "modified" from the empty defaults; every agent has a name once it has been published.
    """
    return any(
        data["section"] == "settings" and data.get("field") == "name" and not data.get("before")
        for data in map(_as_dict, items)
    )


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def present_change(
    change: Change | Mapping[str, Any], *, anchor: str = "change", from_nothing: bool = False
) -> DiffRow:
    """One change as a row (a ``Change`` or its ``as_dict()``).

    ``from_nothing``: the diff is a first publish's, so every setting reads as added.
    """
    if isinstance(change, Change):
        data, path = change.as_dict(), change.path
    else:
        data = change
        path = ChangePath.parse(data["section"], data["key"], data.get("field"))
    kind = data["change"]
    # A value set where there was none reads as added, and one emptied as removed.
    if kind == MODIFIED and (
        _empty(data.get("before")) or (from_nothing and data["section"] == "settings")
    ):
        kind = ADDED
    elif kind == MODIFIED and _empty(data.get("after")):
        kind = REMOVED
    whole_item = path.field is None and kind in (ADDED, REMOVED)
    before = None if kind == ADDED else _text(data.get("before"), path, whole_item)
    after = None if kind == REMOVED else _text(data.get("after"), path, whole_item)

    inline = (
        before is not None
        and after is not None
        and (
            path.field in _PROSE_FIELDS
            or max(len(before), len(after)) > LONG_TEXT
            or "\n" in before
            or "\n" in after
        )
    )
    hunks: tuple[Hunk, ...] = ()
    if inline:
        left, right = word_diff(before, after)
        if "\n" in before or "\n" in after:
            hunks = line_hunks(before, after, anchor=anchor)
    else:
        left, right = plain(before), plain(after)
    left_chips = right_chips = None
    if path.field == "tags" and path.kind == "settings":
        left_chips, right_chips = tag_chips(
            None if kind == ADDED else data.get("before"),
            None if kind == REMOVED else data.get("after"),
        )
    return DiffRow(
        section=data["section"],
        key=data["key"],
        field=data.get("field"),
        label=_label(data["label"], path),
        change=kind,
        change_title=CHANGE_TITLES.get(kind, kind.capitalize()),
        left=html(left),
        right=html(right),
        inline=inline,
        hunks=hunks,
        left_chips=left_chips,
        right_chips=right_chips,
        anchor=anchor,
    )


def _label(stored: str, path: ChangePath) -> str:
    if path.kind == "settings" and path.field == MODEL_CONFIG and path.field_key is not None:
        return f"{_MODEL_CONFIG_PREFIX}: {model_config_label(path.field_key)}"
    return stored


def tag_chips(before: Any, after: Any) -> tuple[tuple[Chip, ...] | None, tuple[Chip, ...] | None]:
    """Both sides' tags as chips: those only on the left removed, only on the right added.

    A side that is not a list (no value, or an odd stored one) has no chips: its text shows.
    """
    old = [str(t) for t in before] if isinstance(before, list) else None
    new = [str(t) for t in after] if isinstance(after, list) else None
    left = right = None
    if old is not None:
        left = tuple(Chip(t, None if new is not None and t in new else "removed") for t in old)
    if new is not None:
        right = tuple(Chip(t, None if old is not None and t in old else "added") for t in new)
    return left, right


def _text(value: Any, path: ChangePath, whole_item: bool = False) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        if path.field == "enabled" and path.field_key is None:
            return "Enabled" if value else "Disabled"
        return "Yes" if value else "No"
    if isinstance(value, str):
        return value
    if whole_item and isinstance(value, dict):
        return _item_text(value)
    if isinstance(value, dict | list):
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False)


# A whole added or removed item: its identity and name are in the row's label already.
_ITEM_HIDDEN = frozenset(
    {"id", "corpus_id", "tool_id", "action_id", "guardrail_id", "position", "name"}
)


def _item_text(item: Mapping[str, Any]) -> str:
    """A whole item as a person reads it: an instruction as its title and text, anything
    else as one line per setting (actions with their state), not as raw JSON."""
    if "title" in item and "content" in item:
        return f"{item['title']}\n\n{item['content']}"
    lines = []
    for key in sorted(item, key=lambda k: (k != "enabled", k == "actions", k)):
        value = item[key]
        if key in _ITEM_HIDDEN:
            continue
        if key == "enabled":
            lines.append("Enabled" if value else "Disabled")
        elif key == "actions":
            states = [f"{a.get('name')} ({'on' if a.get('enabled') else 'off'})" for a in value]
            lines.append("Actions: " + (", ".join(states) or "none"))
        elif isinstance(value, dict):
            pairs = [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(value.items())]
            lines.append(f"{key.replace('_', ' ').capitalize()}: " + (", ".join(pairs) or "none"))
        else:
            lines.append(f"{key.replace('_', ' ').capitalize()}: {value}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Contributor:
    id: int | None
    username: str
    changed_at: datetime | None


def present_contributors(stored: Iterable[Mapping[str, Any]]) -> list[Contributor]:
    """A publish record's contributors (kept as JSON), with their times as datetimes."""
    return [
        Contributor(
            id=item.get("id"),
            username=item.get("username") or "",
            changed_at=parse_datetime(item["changed_at"]) if item.get("changed_at") else None,
        )
        for item in stored
    ]
