"""Which version of a text last changed each of its lines (blame).

Pure: the versions go in oldest first, each with its origin (whatever the caller wants a
line to name: an edit, its author and revision); each line of the last version comes out
with the origin of the version that last changed it. Consecutive versions are compared
line by line with ``difflib``: a line in an unchanged run keeps its origin, a line inserted
or replaced takes the new version's. A version equal to the one before changes nothing; a
version that is absent (``None``: the text deleted) drops every line, so text brought back
(a restore) is the restorer's.

Lines are the text split at ``"\\n"``, so joining them with ``"\\n"`` gives the text back
exactly; the empty text has no lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class BlamedLine(Generic[T]):
    number: int  # 1-based
    text: str
    origin: T


def split_lines(text: str | None) -> list[str]:
    return text.split("\n") if text else []


def carry(before: list[str], origins: list[T], after: list[str], origin: T) -> list[T]:
    """The origins of ``after``'s lines: those in a run unchanged from ``before`` keep
    theirs, the others take ``origin``.

    The common head and tail are matched first, so an edit in one place of a long text
    compares only the lines between (and a line can never be "moved" across an edit).
    """
    head = 0
    limit = min(len(before), len(after))
    while head < limit and before[head] == after[head]:
        head += 1
    tail = 0
    while tail < limit - head and before[len(before) - 1 - tail] == after[len(after) - 1 - tail]:
        tail += 1
    middle_before = before[head : len(before) - tail]
    middle_after = after[head : len(after) - tail]
    result = origins[:head]
    matcher = SequenceMatcher(None, middle_before, middle_after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result.extend(origins[head + i1 : head + i2])
        else:
            result.extend([origin] * (j2 - j1))
    result.extend(origins[len(before) - tail :])
    return result


def blame(versions: Iterable[tuple[str | None, T]]) -> list[BlamedLine[T]]:
    """Each line of the last version with the origin of the version that last changed it."""
    lines: list[str] = []
    origins: list[T] = []
    for text, origin in versions:
        new = split_lines(text)
        if new == lines:
            continue
        origins = carry(lines, origins, new, origin)
        lines = new
    return [
        BlamedLine(number, line, line_origin)
        for number, (line, line_origin) in enumerate(zip(lines, origins, strict=True), start=1)
    ]
