"""Strict validation of a configuration document (``configuration.document``).

Pure: every structural problem - shape, types, unknown fields, schema version, size,
references without a component and components nothing uses - listed by its JSON path.
What each value may be (a model name, a tag, a URL) is checked by the service that imports
it, with the validators every edit uses.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from configuration.snapshot import canonical_json

SCHEMA_VERSION = 1
# At most this many problems are listed; past it, one more line says how many were left out.
MAX_PROBLEMS = 200

# The definition fields of each kind of component (the catalogue's own, not an agent's).
DEFINITION_FIELDS: dict[str, tuple[str, ...]] = {
    "corpora": ("description",),
    "tools": ("kind", "description"),
    "actions": ("config",),
    "guardrails": ("type", "config"),
}

# ("corpus", name), ("tool", name), ("action", tool name, name) or ("guardrail", name)
Key = tuple[str, ...]


def corpus_key(name: str) -> Key:
    return ("corpus", name)


def tool_key(name: str) -> Key:
    return ("tool", name)


def action_key(tool: str, name: str) -> Key:
    return ("action", tool, name)


def guardrail_key(name: str) -> Key:
    return ("guardrail", name)


def describe_key(key: Key) -> str:
    """A key as people read it: ``tool 'CRM'``, ``action 'lookup' of tool 'CRM'``."""
    if key[0] == "action":
        return f"action {key[2]!r} of tool {key[1]!r}"
    return f"{key[0]} {key[1]!r}"


# --- validation ------------------------------------------------------------------------------


class Problems:
    """Problems found in a document, by JSON path (``tools[0].actions[1].config``)."""

    def __init__(self) -> None:
        self.by_path: dict[str, list[str]] = {}
        self.count = 0

    def add(self, path: str, message: str) -> None:
        self.count += 1
        if self.count <= MAX_PROBLEMS:
            self.by_path.setdefault(path or "document", []).append(message)

    def as_dict(self) -> dict[str, list[str]]:
        found = {path: list(messages) for path, messages in self.by_path.items()}
        if self.count > MAX_PROBLEMS:
            found.setdefault("document", []).append(
                f"... and {self.count - MAX_PROBLEMS} more problems."
            )
        return found

    def __bool__(self) -> bool:
        return self.count > 0


def child(path: str, name: str | int) -> str:
    if isinstance(name, int):
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else name


_TYPES: dict[type, str] = {
    str: "a string",
    bool: "true or false",
    int: "a whole number",
    dict: "an object",
    list: "a list",
}


def _is(value: Any, kind: type) -> bool:
    if kind is type(None):
        return value is None
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


class _Checker:
    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def obj(
        self,
        value: Any,
        path: str,
        fields: Mapping[str, type | tuple[type, ...]],
        *,
        optional: frozenset[str] = frozenset(),
    ) -> dict[str, Any] | None:
        """``value`` as an object with exactly ``fields`` (those in ``optional`` may be
        left out), each of its type; None (and problems noted) if it is not an object."""
        if not isinstance(value, dict):
            self.problems.add(path, "Must be an object.")
            return None
        for key in value:
            if key not in fields:
                self.problems.add(
                    child(path, str(key)),
                    f"Unknown field (allowed: {', '.join(sorted(fields))}).",
                )
        for key, kinds in fields.items():
            if key not in value:
                if key not in optional:
                    self.problems.add(child(path, key), "This field is required.")
                continue
            kinds = kinds if isinstance(kinds, tuple) else (kinds,)
            item = value[key]
            if not any(_is(item, k) for k in kinds):
                wanted = " or ".join("null" if k is type(None) else _TYPES[k] for k in kinds)
                self.problems.add(child(path, key), f"Must be {wanted}.")
        return value

    def items(self, value: Any, path: str) -> Iterator[tuple[str, Any]]:
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield child(path, index), item

    def unique(self, names: list[tuple[str, Any]], what: str) -> None:
        seen: set[Any] = set()
        for path, name in names:
            if name in seen:
                self.problems.add(path, f"The same {what} is listed twice.")
            seen.add(name)


SECTION_FIELDS: dict[str, type | tuple[type, ...]] = {
    "schema_version": int,
    "origin": dict,
    "settings": dict,
    "instructions": list,
    "knowledge_sources": dict,
    "tools": list,
    "guardrails": list,
    "components": dict,
}
SETTINGS_FIELDS = {
    "name": str,
    "description": str,
    "model_config": dict,
    "access_level": str,
    "tags": list,
}
ORIGIN_FIELDS = {"agent_id": int, "source": str, "change_track_id": (str, type(None))}


def validate(document: Any, *, max_instructions: int, max_bytes: int) -> Problems:
    """Every structural problem of ``document``: shape, types, unknown fields, version, size,
    references without a component and components nothing uses.

    What each value may be (a model name, a tag, a URL) is the service's to check, with the
    same validators as every edit.
    """
    problems = Problems()
    check = _Checker(problems)
    try:
        size = len(canonical_json(document).encode())
    except (TypeError, ValueError):
        problems.add("document", "Must be plain JSON.")
        return problems
    if size > max_bytes:
        problems.add(
            "document", f"A document may be at most {max_bytes:,} bytes of JSON (this is {size:,})."
        )
        return problems
    root = check.obj(document, "", SECTION_FIELDS, optional=frozenset({"origin"}))
    if root is None:
        return problems
    version = root.get("schema_version")
    if _is(version, int) and version != SCHEMA_VERSION:
        problems.add(
            "schema_version",
            f"Unsupported schema version {version}; this installation reads {SCHEMA_VERSION}.",
        )
    if isinstance(root.get("origin"), dict):
        check.obj(root["origin"], "origin", ORIGIN_FIELDS, optional=frozenset(ORIGIN_FIELDS))
    if isinstance(root.get("settings"), dict):
        settings = check.obj(root["settings"], "settings", SETTINGS_FIELDS)
        for path, tag in check.items(settings.get("tags"), "settings.tags"):
            if not isinstance(tag, str):
                problems.add(path, "Must be a string.")
    instructions = root.get("instructions")
    if isinstance(instructions, list) and len(instructions) > max_instructions:
        problems.add(
            "instructions",
            f"An agent has at most {max_instructions} instructions (this has {len(instructions)}).",
        )
    for path, item in check.items(instructions, "instructions"):
        check.obj(item, path, {"title": str, "content": str})
    used = _check_configuration(check, root)
    _check_components(check, root.get("components"), used)
    return problems


def _check_configuration(check: _Checker, root: dict[str, Any]) -> dict[Key, str]:
    """The catalogue items' shape; answers the keys they use, each with where it is used."""
    used: dict[Key, str] = {}
    knowledge = root.get("knowledge_sources")
    if isinstance(knowledge, dict):
        check.obj(
            knowledge, "knowledge_sources", {"corpora": list, "sharepoint": (dict, type(None))}
        )
        if isinstance(knowledge.get("sharepoint"), dict):
            check.obj(
                knowledge["sharepoint"],
                "knowledge_sources.sharepoint",
                {"site_url": str, "folder_path": str},
            )
        corpora = knowledge.get("corpora")
        _check_with_settings(check, corpora, "knowledge_sources.corpora", "corpus", used)
    tool_names = []
    for path, tool in check.items(root.get("tools"), "tools"):
        fields = {"tool": str, "enabled": bool, "actions": list}
        if check.obj(tool, path, fields) is None:
            continue
        name = tool.get("tool") if isinstance(tool.get("tool"), str) else None
        if name is not None:
            tool_names.append((path, name))
            used.setdefault(tool_key(name), child(path, "tool"))
        action_names = []
        for action_path, action in check.items(tool.get("actions"), child(path, "actions")):
            fields = {"action": str, "enabled": bool, "config": dict}
            if check.obj(action, action_path, fields) is None:
                continue
            if isinstance(action.get("action"), str):
                action_names.append((action_path, action["action"]))
                if name is not None:
                    used.setdefault(
                        action_key(name, action["action"]), child(action_path, "action")
                    )
        check.unique(action_names, "action")
    check.unique(tool_names, "tool")
    _check_with_settings(check, root.get("guardrails"), "guardrails", "guardrail", used)
    return used


def _check_with_settings(
    check: _Checker, items: Any, path: str, key: str, used: dict[Key, str]
) -> None:
    """A section whose items name a catalogue item by ``key`` and carry the agent's own
    ``settings`` over it (corpora, guardrails): each item's shape, each name once, and the
    component each uses."""
    key_of = {"corpus": corpus_key, "guardrail": guardrail_key}[key]
    names = []
    for item_path, item in check.items(items, path):
        fields = {key: str, "enabled": bool, "settings": dict}
        if check.obj(item, item_path, fields) is not None and isinstance(item.get(key), str):
            names.append((item_path, item[key]))
            used.setdefault(key_of(item[key]), child(item_path, key))
    check.unique(names, key)


COMPONENT_FIELDS: dict[str, dict[str, type]] = {
    "corpora": {"name": str, "description": str},
    "tools": {"name": str, "kind": str, "description": str, "actions": list},
    "guardrails": {"name": str, "type": str, "config": dict},
}
ACTION_FIELDS = {"name": str, "config": dict}
_KEY_OF = {"corpora": corpus_key, "tools": tool_key, "guardrails": guardrail_key}


def _check_components(check: _Checker, components: Any, used: dict[Key, str]) -> None:
    if not isinstance(components, dict):
        return
    fields = {kind: list for kind in COMPONENT_FIELDS}
    check.obj(components, "components", fields)
    defined: set[Key] = set()
    for kind, component_fields in COMPONENT_FIELDS.items():
        names = []
        for path, item in check.items(components.get(kind), f"components.{kind}"):
            if check.obj(item, path, component_fields) is None:
                continue
            if not isinstance(item.get("name"), str):
                continue
            names.append((path, item["name"]))
            key = _KEY_OF[kind](item["name"])
            defined.add(key)
            if key not in used:
                check.problems.add(path, f"The {describe_key(key)} is not used by the agent.")
            if kind != "tools":
                continue
            action_names = []
            for action_path, action in check.items(item.get("actions"), child(path, "actions")):
                if check.obj(action, action_path, ACTION_FIELDS) is None:
                    continue
                if isinstance(action.get("name"), str):
                    action_names.append((action_path, action["name"]))
                    key = action_key(item["name"], action["name"])
                    defined.add(key)
                    if key not in used:
                        check.problems.add(
                            action_path, f"The {describe_key(key)} is not used by the agent."
                        )
            check.unique(action_names, "action")
        check.unique(names, kind.rstrip("s") if kind != "corpora" else "corpus")
    for key, path in used.items():
        if key not in defined:
            check.problems.add(path, f"No component defines the {describe_key(key)}.")
