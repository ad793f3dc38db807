"""Three-way merge of one edit made on an older state: base, theirs (now), mine (the edit).

An editor's change was made on the state they saw (``base``); others may have changed
Staging since (``theirs``). What the editor did not change keeps theirs; what only the editor
changed takes theirs' place; what both changed to different values is a conflict. Nested
dicts (model configuration, item settings) merge key by key, and long texts line by line,
so two people editing different keys or different paragraphs both keep their work.

Pure data in, pure data out: the caller decides what a field is and where its values live.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any, NamedTuple

# Marks a key that one side of a nested dict does not have.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()


class FieldConflict(NamedTuple):
    """A field (or one key of a nested dict field) both sides changed to different values."""

    field: str
    field_key: str | None
    theirs: Any  # MISSING: they removed the key
    yours: Any  # MISSING: you removed the key


def merge_field(
    field: str, base: Any, theirs: Any, mine: Any, *, nested: bool = False, text: bool = False
) -> tuple[Any, list[FieldConflict]]:
    """The merged value of one field and the conflicts left (theirs kept for those).

    ``nested``: a dict compared key by key; ``text``: a string merged line by line.
    """
    if mine in (base, theirs):
        return theirs, []
    if theirs == base:
        return mine, []
    if nested and all(isinstance(v, dict) for v in (base, theirs, mine)):
        return _merge_dict(field, base, theirs, mine)
    if text and all(isinstance(v, str) for v in (base, theirs, mine)):
        merged = merge_text(base, theirs, mine)
        if merged is not None:
            return merged, []
    return theirs, [FieldConflict(field, None, theirs, mine)]


def _merge_dict(
    field: str, base: dict[str, Any], theirs: dict[str, Any], mine: dict[str, Any]
) -> tuple[dict[str, Any], list[FieldConflict]]:
    merged = dict(theirs)
    conflicts: list[FieldConflict] = []
    for key in sorted(set(base) | set(theirs) | set(mine)):
        b, t, m = (side.get(key, MISSING) for side in (base, theirs, mine))
        if m in (b, t):
            continue
        if t != b:
            conflicts.append(FieldConflict(field, key, t, m))
        elif m is MISSING:
            merged.pop(key, None)
        else:
            merged[key] = m
    return merged, conflicts


def merge_text(base: str, theirs: str, mine: str) -> str | None:
    """Both sides' line changes applied to ``base``, or None when they touch the same lines.

    Changes that overlap or sit next to each other are a conflict (as in diff3): two edits
    to neighbouring lines are rarely independent.
    """
    base_lines = base.splitlines(keepends=True)
    ours = _hunks(base_lines, mine.splitlines(keepends=True))
    others = _hunks(base_lines, theirs.splitlines(keepends=True))
    for start, end, _lines in ours:
        for other_start, other_end, _other in others:
            if start <= other_end and other_start <= end:
                return None
    result = list(base_lines)
    for start, end, lines in sorted(ours + others, key=lambda hunk: hunk[0], reverse=True):
        result[start:end] = lines
    return "".join(result)


def _hunks(base: list[str], changed: list[str]) -> list[tuple[int, int, list[str]]]:
    """The base line ranges ``changed`` replaces, with what replaces each."""
    matcher = SequenceMatcher(None, base, changed, autojunk=False)
    return [
        (i1, i2, changed[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    ]
