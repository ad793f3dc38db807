"""An edit's reason in words: what it changed, by the labels the diff pages use.

A reason is what the edit history lists for a checkpoint, so it names the item by its name
and only the fields that really changed (a form sends every field, most of them as they
were). Stored in ``history_change_reason``, at most ``REASON_MAX_LENGTH`` characters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from configuration.labels import quoted, settings_label

REASON_MAX_LENGTH = 100
ELLIPSIS = "\u2026"

ON_OFF = {True: "turned on", False: "turned off"}


def clip(reason: str, limit: int = REASON_MAX_LENGTH) -> str:
    """``reason`` within ``limit`` characters, cut at a word where one is near, with "…"."""
    if len(reason) <= limit:
        return reason
    head = reason[: limit - 1]
    # A cut mid-word reads as a typo; back up to the last space unless that loses too much.
    space = head.rfind(" ")
    if space >= limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:") + ELLIPSIS


def plural(count: int, singular: str, plural_form: str) -> str:
    return f"{count} {singular if count == 1 else plural_form}"


def changed_keys(before: Any, after: Any) -> list[str]:
    """The keys of a nested dict field whose values differ, in order; [] if not both dicts."""
    if not isinstance(before, Mapping) or not isinstance(after, Mapping):
        return []
    keys = dict.fromkeys([*before, *after])
    return [str(k) for k in keys if k not in before or k not in after or before[k] != after[k]]


def _with_keys(label: str, before: Any, after: Any) -> str:
    keys = changed_keys(before, after)
    return f"{label}: {', '.join(keys)}" if keys else label


def settings_reason(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """ "Settings changed: Description, Model configuration: temperature" for the fields
    in ``before`` (their old values; ``after`` holds the new)."""
    labels = []
    for name in dict.fromkeys(("name", "description", "model_config", *sorted(before))):
        if name not in before:
            continue
        label = settings_label(name)
        if name == "model_config":
            label = _with_keys(label, before[name], after[name])
        labels.append(label)
    return f"Settings changed: {', '.join(labels)}" if labels else "Settings changed"


def named(noun: str, name: Any) -> str:
    return f"{noun} {quoted(name)}"


def item_reason(
    noun: str,
    name: Any,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    nested: str = "settings",
) -> str:
    """One item's edit: "Guardrail “PII” turned on, settings changed: threshold".

    ``before`` holds the old values of the fields that changed, ``after`` the new ones.
    """
    parts = []
    if "enabled" in before:
        parts.append(ON_OFF[bool(after["enabled"])])
    if nested in before:
        parts.append(_with_keys(f"{nested} changed", before[nested], after[nested]))
    return f"{named(noun, name)} {', '.join(parts) or 'changed'}"


def instruction_reason(title: Any, fields: Iterable[str]) -> str:
    """ "Instruction “Tone” edited: content", "… moved", or both."""
    fields = set(fields)
    edited = [f for f in ("title", "content") if f in fields]
    parts = [f"edited: {', '.join(edited)}"] if edited else []
    if "position" in fields:
        parts.append("moved")
    return f"{named('Instruction', title)} {' and '.join(parts) or 'edited'}"


def several(noun: str, noun_plural: str, names: list[Any], verb: str) -> str:
    """ "Corpus “Manuals” connected", or "2 corpora connected: “A”, “B”"."""
    if len(names) == 1:
        return f"{named(noun, names[0])} {verb}"
    listed = ", ".join(quoted(name) for name in names)
    return f"{plural(len(names), noun.lower(), noun_plural)} {verb}: {listed}"
