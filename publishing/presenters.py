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

Every piece of text is escaped and marked safe in one place: ``_html``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from configuration.changes import ADDED, MODEL_CONFIG, MODIFIED, REMOVED, SECTIONS, ChangePath
from configuration.diff import Change, Diff

SECTION_TITLES: dict[str, str] = {
    "settings": "Settings",
    "instructions": "Instructions",
    "knowledge_sources": "Knowledge sources",
    "tools": "Tools",
    "guardrails": "Guardrails",
}
CHANGE_TITLES: dict[str, str] = {"added": "Added", "removed": "Removed", "modified": "Changed"}

EMPTY = "\u2014"  # em dash: no value on this side
LONG_TEXT = 80
# Fields always shown with word highlights when both sides are text.
_PROSE_FIELDS = frozenset({"content", "description"})
_TOKENS = re.compile(r"(\s+)")

# A run of text and how to mark it: None (plain), "del" or "ins".
Segment = tuple[str, str | None]


# Unchanged lines kept on each side of a change; a shorter unchanged run is not worth folding.
CONTEXT = 1
MIN_GAP = 2

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
class Hunk:
    """One run of lines of a multi-line value.

    ``kind`` is ``change`` (the two sides differ, word highlights inside), ``same`` (context,
    equal on both sides) or ``gap`` (``count`` unchanged lines folded away, ``right`` holds
    them for whoever opens the fold).
    """

    kind: str
    left: SafeString
    right: SafeString
    count: int = 0
    anchor: str = ""
    lines: str = ""  # "line 7" / "lines 7-9" of the change, for the jump list


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
    changes: Diff | Iterable[Change | Mapping[str, Any]], *, include_empty: bool = False
) -> list[DiffSection]:
    """Rows grouped by section, in ``SECTIONS`` order.

    Sections without changes are left out unless ``include_empty``.
    """
    items = list(changes.changes if isinstance(changes, Diff) else changes)
    first = _from_nothing(items)
    grouped: dict[str, list[DiffRow]] = {section: [] for section in SECTIONS}
    for index, item in enumerate(items, start=1):
        row = present_change(item, anchor=f"change-{index}", from_nothing=first)
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
        left, right = _plain(before), _plain(after)
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
        left=_html(left),
        right=_html(right),
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


_LINES = re.compile(r"[^\n]*\n*")


def _lines(text: str) -> list[str]:
    """Lines with the line breaks after them: a paragraph and its blank lines are one."""
    return [line for line in _LINES.findall(text) if line]


def _run(lines: list[str], start: int, end: int) -> str:
    # Each run is shown in its own cell: the blank lines after its last line would only
    # pad the cell, their spacing is the table's.
    return "".join(lines[start:end]).rstrip("\n")


def _span(start: int, end: int) -> str:
    return f"line {start}" if end <= start else f"lines {start}\u2013{end}"


def line_hunks(before: str, after: str, *, anchor: str = "change") -> tuple[Hunk, ...]:
    """The two texts as hunks: changes with ``CONTEXT`` lines around them, the rest folded.

    Lines are matched ignoring their trailing blank lines, so appending a paragraph after
    the last one does not count the last one as changed.
    """
    a, b = _lines(before), _lines(after)
    matcher = SequenceMatcher(
        None, [line.rstrip("\n") for line in a], [line.rstrip("\n") for line in b], autojunk=False
    )
    opcodes = matcher.get_opcodes()
    if all(op == "equal" for op, *_ in opcodes):
        return ()
    hunks: list[Hunk] = []
    changes = 0

    def same(i1: int, i2: int, j1: int) -> None:
        if i2 > i1:
            left = _run(a, i1, i2)
            right = _run(b, j1, j1 + i2 - i1)
            hunks.append(Hunk("same", _html(_plain(left)), _html(_plain(right)), i2 - i1))

    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op != "equal":
            changes += 1
            left, right = word_diff(_run(a, i1, i2), _run(b, j1, j2))
            hunks.append(
                Hunk(
                    "change",
                    _html(left) if i2 > i1 else _html(_plain(None)),
                    _html(right) if j2 > j1 else _html(_plain(None)),
                    max(i2 - i1, j2 - j1),
                    anchor=f"{anchor}-{changes}",
                    # Where to find it in the text being reviewed (the right side).
                    lines=_span(j1 + 1, j2) if j2 > j1 else f"removed after line {j1}",
                )
            )
            continue
        head = 0 if index == 0 else CONTEXT
        tail = 0 if index == len(opcodes) - 1 else CONTEXT
        hidden = (i2 - i1) - head - tail
        if hidden < MIN_GAP:
            same(i1, i2, j1)
            continue
        same(i1, i1 + head, j1)
        folded = _run(b, j1 + head, j1 + head + hidden)
        hunks.append(Hunk("gap", _html(_plain(folded)), _html(_plain(folded)), hidden))
        same(i2 - tail, i2, j2 - tail)
    return tuple(hunks)


def _plain(text: str | None) -> list[Segment]:
    return [(EMPTY if text is None else text, None)]


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


def _tokens(text: str) -> list[str]:
    return [token for token in _TOKENS.split(text) if token]


def word_diff(before: str, after: str) -> tuple[list[Segment], list[Segment]]:
    """Word-level segments for both sides: removed runs ``del`` left, added runs ``ins`` right."""
    a, b = _tokens(before), _tokens(after)
    # Trimming the common ends first keeps the matcher on the edited middle of long text.
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end = 0
    while end < len(a) - start and end < len(b) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a_mid, b_mid = a[start : len(a) - end], b[start : len(b) - end]

    left: list[Segment] = [("".join(a[:start]), None)]
    right: list[Segment] = [("".join(b[:start]), None)]
    opcodes = SequenceMatcher(None, a_mid, b_mid).get_opcodes()
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        # Whitespace alone between two edits joins them into one highlight ("one two").
        joins = (
            op == "equal"
            and 0 < index < len(opcodes) - 1
            and all(token.isspace() for token in a_mid[i1:i2])
        )
        if op == "equal" and not joins:
            left.append(("".join(a_mid[i1:i2]), None))
            right.append(("".join(b_mid[j1:j2]), None))
            continue
        if i2 > i1:
            left.append(("".join(a_mid[i1:i2]), "del"))
        if j2 > j1:
            right.append(("".join(b_mid[j1:j2]), "ins"))
    left.append(("".join(a[len(a) - end :]), None))
    right.append(("".join(b[len(b) - end :]), None))
    return _merged(left), _merged(right)


def _merged(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for text, tag in segments:
        if not text:
            continue
        if out and out[-1][1] == tag:
            out[-1] = (out[-1][0] + text, tag)
        else:
            out.append((text, tag))
    return out


def _html(segments: list[Segment]) -> SafeString:
    """The one place text turns into HTML: every run escaped, then marked safe."""
    parts = []
    for text, tag in segments:
        escaped = escape(text)
        parts.append(f"<{tag}>{escaped}</{tag}>" if tag in ("del", "ins") else escaped)
    # Safe: every run above went through escape(); the only tags are our own del/ins.
    return mark_safe("".join(parts))
