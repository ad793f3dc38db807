"""A diff as side-by-side rows for the pages.

Accepts a ``Diff``, ``Change`` objects, or the dicts of ``Change.as_dict()`` (as stored in a
publish record). Values become readable text (dicts and lists as pretty JSON, ``enabled`` as
Enabled/Disabled, None as an em dash); long or multi-line text gets a word-level diff with
removed words in ``<del>`` on the left and added words in ``<ins>`` on the right.

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

from configuration.changes import ADDED, REMOVED, SECTIONS, ChangePath
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
    items = changes.changes if isinstance(changes, Diff) else changes
    grouped: dict[str, list[DiffRow]] = {section: [] for section in SECTIONS}
    for item in items:
        row = present_change(item)
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


def present_change(change: Change | Mapping[str, Any]) -> DiffRow:
    """One change as a row (a ``Change`` or its ``as_dict()``)."""
    if isinstance(change, Change):
        data, path = change.as_dict(), change.path
    else:
        data = change
        path = ChangePath.parse(data["section"], data["key"], data.get("field"))
    kind = data["change"]
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
    if inline:
        left, right = word_diff(before, after)
    else:
        left, right = _plain(before), _plain(after)
    return DiffRow(
        section=data["section"],
        key=data["key"],
        field=data.get("field"),
        label=data["label"],
        change=kind,
        change_title=CHANGE_TITLES.get(kind, kind.capitalize()),
        left=_html(left),
        right=_html(right),
        inline=inline,
    )


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
