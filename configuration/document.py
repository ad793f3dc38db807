"""An agent's configuration as a document a team keeps in git (``docs/configuration-as-code.md``).

Pure: no Django, no database. A document is the snapshot without database ids: instructions
in order, catalogue components named by a **key** (their kind and catalogue name; an action
by its tool's name and its own), and a ``components`` section carrying each used
component's definition, so another agent or another installation can check that its
catalogue holds the same components, or create them. Its form::

    {
      "schema_version": 1,
      "origin": {"agent_id": int, "source": str, "change_track_id": str | None},  # optional
      "settings": {"name", "description", "model_config", "access_level", "tags"},
      "instructions": [{"title": str, "content": str}, ...],          # in order
      "knowledge_sources": {
        "corpora": [{"corpus": name, "enabled": bool, "settings": {...}}, ...],
        "sharepoint": {"site_url": str, "folder_path": str} | None,
      },
      "tools": [{"tool": name, "enabled": bool,
                 "actions": [{"action": name, "enabled": bool, "config": {...}}]}],
      "guardrails": [{"guardrail": name, "enabled": bool, "settings": {...}}],
      "components": {
        "corpora": [{"name", "description"}],
        "tools": [{"name", "kind", "description", "actions": [{"name", "config"}]}],
        "guardrails": [{"name", "type", "config"}],
      },
    }

Lists of components and of catalogue items are sorted by name, so an export is the same
document whatever the ids; ``validate`` lists every structural problem, keyed by its JSON
path; ``to_snapshot`` turns a valid document back into a snapshot once its keys are
resolved to catalogue ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from configuration.document_validation import (
    DEFINITION_FIELDS,
    SCHEMA_VERSION,
    Key,
    Problems,
    action_key,
    corpus_key,
    describe_key,
    guardrail_key,
    tool_key,
    validate,
)
from configuration.snapshot import Snapshot, normalize_tags

__all__ = [
    "SCHEMA_VERSION",
    "Catalogue",
    "Key",
    "Problems",
    "build_document",
    "component_definitions",
    "describe_key",
    "match_instructions",
    "to_snapshot",
    "used_keys",
    "validate",
]


# --- snapshot -> document --------------------------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    """The catalogue objects a snapshot points at, by kind and id: each a dict with ``name``
    and the kind's ``DEFINITION_FIELDS`` (an action also its ``tool_id``). An id missing here
    (a component deleted since a publish) is described from the snapshot alone."""

    corpora: Mapping[int, Mapping[str, Any]]
    tools: Mapping[int, Mapping[str, Any]]
    actions: Mapping[int, Mapping[str, Any]]
    guardrails: Mapping[int, Mapping[str, Any]]


def _definition(kind: str, item: Mapping[str, Any], current: Mapping[str, Any] | None) -> dict:
    """A component's definition: the snapshot's own (``definition``, frozen with it) where it
    has one, else the catalogue's, else what the snapshot's labels say."""
    frozen = item.get("definition")
    frozen = frozen if isinstance(frozen, Mapping) else {}
    found: dict[str, Any] = {}
    for field in DEFINITION_FIELDS[kind]:
        if field == "config" and isinstance(frozen.get("config"), Mapping):
            found[field] = _catalogue_config(kind, item, frozen["config"], current)
        elif field in frozen:
            found[field] = frozen[field]
        elif current is not None and field in current:
            found[field] = current[field]
        elif field in item and field != "config":  # a tool's kind, a guardrail's type
            found[field] = item[field]
        else:
            found[field] = {} if field == "config" else ""
    return found


# Where an item keeps the agent's own config keys, which its effective definition lays over
# the catalogue's (``configuration.snapshot``).
_OWN_CONFIG = {"actions": "config", "guardrails": "settings"}


def _catalogue_config(
    kind: str,
    item: Mapping[str, Any],
    effective: Mapping[str, Any],
    current: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The catalogue's part of an effective config: without the keys the agent sets itself
    (the document carries those as the agent's own), and for those keys the catalogue's
    value today where the catalogue is known - so a component compares equal to itself."""
    own = item.get(_OWN_CONFIG.get(kind, ""))
    own = own if isinstance(own, Mapping) else {}
    config = {key: value for key, value in effective.items() if key not in own}
    today = current.get("config") if current is not None else None
    if isinstance(today, Mapping):
        config.update({key: value for key, value in today.items() if key in own})
    return dict(sorted(config.items()))


def _name(item: Mapping[str, Any], current: Mapping[str, Any] | None) -> str:
    # The catalogue's name now, so the key resolves today; the snapshot's label otherwise.
    return str(current["name"]) if current is not None else str(item.get("name", ""))


def _with_settings(
    items: Iterable[Mapping[str, Any]],
    kind: str,
    key: str,
    known: Mapping[int, Mapping[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A section whose items carry the agent's own ``settings`` over a catalogue item
    (corpora, guardrails): its entries, naming the item by ``key``, and the components they
    use, each sorted by name."""
    entries, components = [], []
    for item in items:
        current = known.get(item[f"{key}_id"])
        name = _name(item, current)
        entries.append(
            {key: name, "enabled": item["enabled"], "settings": item.get("settings") or {}}
        )
        components.append({"name": name, **_definition(kind, item, current)})
    return (
        sorted(entries, key=lambda entry: entry[key]),
        sorted(components, key=lambda component: component["name"]),
    )


def build_document(
    snapshot: Snapshot, catalogue: Catalogue, *, origin: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The document of a snapshot; ``catalogue`` gives names and definitions by id."""
    settings = snapshot["settings"]
    knowledge = snapshot["knowledge_sources"]
    corpora, corpus_components = _with_settings(
        knowledge["corpora"], "corpora", "corpus", catalogue.corpora
    )
    tools, tool_components = [], []
    for tool in snapshot["tools"]:
        current = catalogue.tools.get(tool["tool_id"])
        name = _name(tool, current)
        actions, action_components = [], []
        for action in tool["actions"]:
            current_action = catalogue.actions.get(action["action_id"])
            action_name = _name(action, current_action)
            actions.append(
                {"action": action_name, "enabled": action["enabled"], "config": action["config"]}
            )
            action_components.append(
                {"name": action_name, **_definition("actions", action, current_action)}
            )
        tools.append(
            {
                "tool": name,
                "enabled": tool["enabled"],
                "actions": sorted(actions, key=lambda a: a["action"]),
            }
        )
        tool_components.append(
            {
                "name": name,
                **_definition("tools", tool, current),
                "actions": sorted(action_components, key=lambda a: a["name"]),
            }
        )
    guardrails, guardrail_components = _with_settings(
        snapshot["guardrails"], "guardrails", "guardrail", catalogue.guardrails
    )
    document: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    if origin is not None:
        document["origin"] = dict(origin)
    document.update(
        {
            "settings": {
                "name": settings["name"],
                "description": settings["description"],
                "model_config": dict(sorted(settings["model_config"].items())),
                "access_level": settings["access_level"],
                "tags": list(settings["tags"]),
            },
            "instructions": [
                {"title": i["title"], "content": i["content"]} for i in snapshot["instructions"]
            ],
            "knowledge_sources": {
                "corpora": corpora,
                "sharepoint": knowledge["sharepoint"],
            },
            "tools": sorted(tools, key=lambda t: t["tool"]),
            "guardrails": guardrails,
            "components": {
                "corpora": corpus_components,
                "tools": sorted(tool_components, key=lambda t: t["name"]),
                "guardrails": guardrail_components,
            },
        }
    )
    return document


# --- document -> snapshot --------------------------------------------------------------------


def component_definitions(document: Mapping[str, Any]) -> dict[Key, dict[str, Any]]:
    """Each component's definition in a valid document, by key (actions apart from tools)."""
    components = document["components"]
    found: dict[Key, dict[str, Any]] = {}
    for item in components["corpora"]:
        found[corpus_key(item["name"])] = {"description": item["description"]}
    for item in components["tools"]:
        found[tool_key(item["name"])] = {"kind": item["kind"], "description": item["description"]}
        for action in item["actions"]:
            found[action_key(item["name"], action["name"])] = {"config": action["config"]}
    for item in components["guardrails"]:
        found[guardrail_key(item["name"])] = {"type": item["type"], "config": item["config"]}
    return found


def to_snapshot(
    document: Mapping[str, Any],
    ids: Mapping[Key, int],
    instruction_ids: list[Any],
) -> Snapshot:
    """The snapshot a valid document makes once its keys are catalogue ids (``ids``) and its
    instructions have ids (``instruction_ids``, one per instruction, in order)."""
    settings = document["settings"]
    knowledge = document["knowledge_sources"]
    definitions = component_definitions(document)
    snapshot: Snapshot = {
        "settings": {
            "name": settings["name"],
            "description": settings["description"],
            "model_config": dict(sorted(settings["model_config"].items())),
            "access_level": settings["access_level"],
            "tags": normalize_tags(list(settings["tags"])),
        },
        "instructions": [
            {"id": pk, "title": item["title"], "content": item["content"], "position": index}
            for index, (pk, item) in enumerate(
                zip(instruction_ids, document["instructions"], strict=True)
            )
        ],
        "knowledge_sources": {
            "corpora": sorted(
                (
                    {
                        "corpus_id": ids[corpus_key(item["corpus"])],
                        "name": item["corpus"],
                        "enabled": item["enabled"],
                        "settings": item["settings"],
                    }
                    for item in knowledge["corpora"]
                ),
                key=lambda c: c["corpus_id"],
            ),
            "sharepoint": knowledge["sharepoint"],
        },
        "tools": sorted(
            (
                {
                    "tool_id": ids[tool_key(tool["tool"])],
                    "name": tool["tool"],
                    "kind": definitions[tool_key(tool["tool"])]["kind"],
                    "enabled": tool["enabled"],
                    "actions": sorted(
                        (
                            {
                                "action_id": ids[action_key(tool["tool"], action["action"])],
                                "name": action["action"],
                                "enabled": action["enabled"],
                                "config": action["config"],
                            }
                            for action in tool["actions"]
                        ),
                        key=lambda a: a["action_id"],
                    ),
                }
                for tool in document["tools"]
            ),
            key=lambda t: t["tool_id"],
        ),
        "guardrails": sorted(
            (
                {
                    "guardrail_id": ids[guardrail_key(item["guardrail"])],
                    "name": item["guardrail"],
                    "type": definitions[guardrail_key(item["guardrail"])]["type"],
                    "enabled": item["enabled"],
                    "settings": item["settings"],
                }
                for item in document["guardrails"]
            ),
            key=lambda g: g["guardrail_id"],
        ),
    }
    return snapshot


def used_keys(document: Mapping[str, Any]) -> list[Key]:
    """The keys a valid document's configuration uses, tools before their actions."""
    keys: list[Key] = [corpus_key(c["corpus"]) for c in document["knowledge_sources"]["corpora"]]
    for tool in document["tools"]:
        keys.append(tool_key(tool["tool"]))
        keys.extend(action_key(tool["tool"], a["action"]) for a in tool["actions"])
    keys.extend(guardrail_key(g["guardrail"]) for g in document["guardrails"])
    return keys


def match_instructions(current: list[Mapping[str, Any]], wanted: list[Mapping[str, Any]]) -> list:
    """The id each wanted instruction takes from ``current`` (snapshot instructions), or None
    for a new one: the same title and content first, then the same title, each id once.

    So an import that changes one instruction's text shows as that change, not as one
    instruction removed and another added.
    """
    free = list(current)
    ids: list[Any] = [None] * len(wanted)
    for same in (
        lambda a, b: a["title"] == b["title"] and a["content"] == b["content"],
        lambda a, b: a["title"] == b["title"],
    ):
        for index, item in enumerate(wanted):
            if ids[index] is not None:
                continue
            found = next((c for c in free if same(c, item)), None)
            if found is not None:
                ids[index] = found["id"]
                free.remove(found)
    return ids
