"""Long text compared like a code review: lines folded around the changes, words highlighted.

``line_hunks`` splits two texts into lines (a paragraph and the blank lines after it count
as one) and gives each change a ``Hunk`` with both sides, ``CONTEXT`` lines around it and the
longer unchanged runs between folded into ``gap`` hunks; ``word_diff`` marks the removed
words ``del`` and the added ones ``ins``. ``publishing.presenters`` puts them in rows.

Every piece of text is escaped and marked safe in one place: ``html``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

EMPTY = "\u2014"  # em dash: no value on this side

_TOKENS = re.compile(r"(\s+)")


# A run of text and how to mark it: None (plain), "del" or "ins".
Segment = tuple[str, str | None]


# Unchanged lines kept on each side of a change; a shorter unchanged run is not worth folding.
CONTEXT = 1
MIN_GAP = 2


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
            hunks.append(Hunk("same", html(plain(left)), html(plain(right)), i2 - i1))

    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op != "equal":
            changes += 1
            left, right = word_diff(_run(a, i1, i2), _run(b, j1, j2))
            hunks.append(
                Hunk(
                    "change",
                    html(left) if i2 > i1 else html(plain(None)),
                    html(right) if j2 > j1 else html(plain(None)),
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
        hunks.append(Hunk("gap", html(plain(folded)), html(plain(folded)), hidden))
        same(i2 - tail, i2, j2 - tail)
    return tuple(hunks)


def plain(text: str | None) -> list[Segment]:
    return [(EMPTY if text is None else text, None)]


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


def html(segments: list[Segment]) -> SafeString:
    """The one place text turns into HTML: every run escaped, then marked safe."""
    parts = []
    for text, tag in segments:
        escaped = escape(text)
        parts.append(f"<{tag}>{escaped}</{tag}>" if tag in ("del", "ins") else escaped)
    # Safe: every run above went through escape(); the only tags are our own del/ins.
    return mark_safe("".join(parts))
