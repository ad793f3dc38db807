"""Changes in words: each change's label and a diff's one-line summary.

Pure, like the diff: a change carries its path and the names of its item (and of an action's
tool); this module turns them into "Tool “CRM”: action “search”: enabled" and "Name changed,
2 instructions added". Publish records store both texts, and their hash covers them, so every
word here stays as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

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
)

if TYPE_CHECKING:
    from configuration.diff import Change

NO_CHANGES = "No changes"
DEFINITIONS_RECORDED = "Definitions now recorded with the configuration"
SHAREPOINT_LABEL = "SharePoint folder"

_SETTINGS_LABELS = {
    "name": "Name",
    "description": "Description",
    "model_config": "Model configuration",
    "access_level": "Access level",
    "tags": "Tags",
}
_FIELD_LABELS = {"site_url": "site URL", "folder_path": "folder path"}
_NESTED_LABELS = {"settings": "setting", "config": "config"}
_NOUNS = {
    INSTRUCTION: "Instruction",
    CORPUS: "Knowledge source",
    TOOL: "Tool",
    GUARDRAIL: "Guardrail",
}


def quoted(name: Any) -> str:
    return f"\u201c{name}\u201d"


def _named(noun: str, name: Any, identity: Any) -> str:
    return f"{noun} {quoted(name)}" if name else f"{noun} #{identity}"


def settings_label(name: str) -> str:
    return _SETTINGS_LABELS.get(name) or name.replace("_", " ").capitalize()


def tool_label(change: Change) -> str:
    """The tool a change in the tools section belongs to: itself, or an action's tool."""
    if change.path.kind == TOOL:
        return _named("Tool", change.name, change.path.item_id)
    return _named("Tool", change.parent_name, change.path.parent_id)


def item_label(change: Change) -> str:
    """The item a change is in: ``Tool “CRM”``, ``Tool “CRM”: action #31``."""
    path = change.path
    if path.kind == SHAREPOINT:
        return SHAREPOINT_LABEL
    if path.parent_id is not None:
        return _named(f"{tool_label(change)}: action", change.name, path.item_id)
    return _named(_NOUNS[path.kind], change.name, path.item_id)


def is_definition_recorded(change: Change) -> bool:
    """The one-time change of a snapshot stored before definitions were recorded."""
    return (
        change.path.field == "definition"
        and change.path.field_key is None
        and (change.change == ADDED)
    )


def definition_label(change: Change, label: str) -> str:
    """``Guardrail “PII”: catalogue config “threshold”``, ``Tool “CRM”: catalogue kind``."""
    key = change.path.field_key
    if key is None:
        if change.change == ADDED:
            return f"{label}: definition now recorded with the configuration"
        if change.change == REMOVED:
            return f"{label}: definition not recorded"
        return f"{label}: definition"
    head, dot, sub = key.partition(".")
    if dot and head == "config":
        return f"{label}: catalogue config {quoted(sub)}"
    return f"{label}: catalogue {key.replace('_', ' ')}"


def change_label(change: Change) -> str:
    path = change.path
    if path.kind == SETTINGS:
        if path.field_key is not None:
            return f"Model configuration: {path.field_key}"
        return settings_label(path.field or "")
    label = item_label(change)
    if path.field is None:
        return label
    if path.field == "definition":
        return definition_label(change, label)
    if path.field_key is not None:
        return f"{label}: {_NESTED_LABELS[path.field]} {quoted(path.field_key)}"
    return f"{label}: {_FIELD_LABELS.get(path.field, path.field.replace('_', ' '))}"


# --- summary ----------------------------------------------------------------------------


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _counted(noun: str, groups: dict[str, set[Any]], verbs: tuple[str, ...]) -> list[str]:
    return [f"{_plural(len(groups[verb]), noun)} {verb}" for verb in verbs if groups.get(verb)]


def _verb(change: Change, *, field_verb: str = "changed") -> str:
    """What happened to the item: added/removed whole, enabled/disabled, or ``field_verb``."""
    if change.path.field is None:
        return change.change
    if change.path.field == "enabled" and change.path.kind in (TOOL, ACTION):
        return "enabled" if change.after else "disabled"
    return field_verb


def summary(changes: Iterable[Change]) -> str:
    """One line for a diff: settings by name, items counted per section and verb."""
    by_section: dict[str, list[Change]] = {}
    recorded = False
    for change in changes:
        if is_definition_recorded(change):
            recorded = True
            continue
        by_section.setdefault(change.path.section, []).append(change)
    if not by_section and not recorded:
        return NO_CHANGES
    parts: list[str] = []

    # Settings, in field order; the model configuration counts once.
    for name in dict.fromkeys(c.path.field or "" for c in by_section.get("settings", [])):
        parts.append(f"{settings_label(name)} changed")

    groups: dict[str, set[Any]] = {}
    for change in by_section.get("instructions", []):
        verb = "moved" if change.path.field == "position" else _verb(change, field_verb="edited")
        groups.setdefault(verb, set()).add(change.path.item())
    parts += _counted("instruction", groups, (ADDED, REMOVED, "edited", "moved"))

    groups = {}
    knowledge = by_section.get("knowledge_sources", [])
    for change in knowledge:
        if change.path.kind != SHAREPOINT:
            groups.setdefault(_verb(change), set()).add(change.path.item())
    parts += _counted("knowledge source", groups, (ADDED, REMOVED, "changed"))
    if any(change.path.kind == SHAREPOINT for change in knowledge):
        parts.append(f"{SHAREPOINT_LABEL} changed")

    parts += _tool_summary(by_section.get("tools", []))

    groups = {}
    for change in by_section.get("guardrails", []):
        groups.setdefault(_verb(change), set()).add(change.path.item())
    parts += _counted("guardrail", groups, (ADDED, REMOVED, "changed"))
    if recorded:
        parts.append(DEFINITIONS_RECORDED)
    return ", ".join(parts)


def _tool_summary(changes: list[Change]) -> list[str]:
    # Per tool, in order: its own state, then its actions.
    tools: dict[Any, dict[str, Any]] = {}
    for change in changes:
        path = change.path
        tool = path.parent() or path.item()
        entry = tools.setdefault(tool, {"label": tool_label(change), "own": {}, "actions": {}})
        if path.kind == TOOL:
            entry["own"][_verb(change)] = None
        else:
            entry["actions"].setdefault(_verb(change), set()).add(path.item())

    parts: list[str] = []
    for entry in tools.values():
        parts += [f"{entry['label']} {verb}" for verb in entry["own"]]
        for phrase in _counted(
            "action", entry["actions"], (ADDED, REMOVED, "enabled", "disabled", "changed")
        ):
            parts.append(f"{entry['label']}: {phrase}")
    return parts
