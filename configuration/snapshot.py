"""A configuration variant as canonical plain data, and its fingerprint.

The snapshot is the one shape every other part speaks: the diff engine compares two of them,
Production *is* one (``ProductionConfiguration.snapshot``), every publish record keeps one,
and restore writes one back onto Staging. Its form::

    {
      "settings": {
        "name": str, "description": str,
        "model_config": {key: value, ...},          # keys sorted
        "access_level": "private|project|organization|public",
        "tags": [str, ...],                        # sorted, unique
      },
      "instructions": [                            # in display order
        {"id": int, "title": str, "content": str, "position": int},   # position = index
      ],
      "knowledge_sources": {
        "corpora": [                               # by corpus_id
          {"corpus_id": int, "name": str, "enabled": bool, "settings": {...}},
        ],
        "sharepoint": {"site_url": str, "folder_path": str} | None,
      },
      "tools": [                                   # by tool_id
        {"tool_id": int, "name": str, "kind": str, "enabled": bool,
         "definition": {"kind": str, "description": str},
         "actions": [                              # by action_id
            {"action_id": int, "name": str, "enabled": bool, "config": {...},
             "definition": {"config": {...}}},
         ]},
      ],
      "guardrails": [                              # by guardrail_id
        {"guardrail_id": int, "name": str, "type": str, "enabled": bool, "settings": {...},
         "definition": {"type": str, "config": {...}}},
      ],
    }

List items carry their identity (instruction id, corpus id, tool id, action id, guardrail
id) so the diff matches them by identity, never by position. Catalogue names and kinds
(``LABEL_FIELDS``) ride along only to label the diff; they are not part of the
configuration, so renaming a tool in the catalogue does not make every agent "changed".
The fingerprint therefore covers the snapshot without them.

Each catalogue item also carries its **effective definition** (``definition``): what a runtime
needs of the shared component, as this agent uses it, so a published snapshot is
self-contained. It is configuration content (inside the fingerprint): a catalogue edit changes
the definition in the Staging of every agent that uses the item, and reaches Production only
with that agent's next publish. ``effective_definition`` is the one rule: the catalogue's
config with the agent's own settings *over* it, a shallow key merge - every key of the agent's
settings replaces the catalogue's key of that name whole (a nested dict is not merged into,
and a ``null`` is kept as a value, never a deletion); every other catalogue key stays.
Snapshots stored before definitions were recorded have no ``definition`` key; the diff
reports its arrival as a one-time change.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

Snapshot = dict[str, Any]

# Per list kind: the fields that only label an item (from the catalogue).
LABEL_FIELDS: dict[str, frozenset[str]] = {
    "corpora": frozenset({"name"}),
    "tools": frozenset({"name", "kind"}),
    "actions": frozenset({"name"}),
    "guardrails": frozenset({"name", "type"}),
}


# Per list kind: the catalogue fields the effective definition copies, and the agent's own
# field laid over the catalogue's ``config`` (None: the definition has no config).
DEFINITION_OWN_FIELD: dict[str, str | None] = {
    "corpora": None,
    "tools": None,
    "actions": "config",
    "guardrails": "settings",
}


def merge_over(catalogue: Any, own: Any) -> dict[str, Any]:
    """The catalogue's config with the agent's own settings over it: a shallow key merge."""
    merged = dict(catalogue) if isinstance(catalogue, dict) else {}
    if isinstance(own, dict):
        merged.update(own)
    return merged


def effective_definition(kind: str, catalogue: Any, own: Any = None) -> dict[str, Any]:
    """The definition of one catalogue object (``catalogue``: an object with the catalogue
    model's attributes) as an agent whose own settings are ``own`` uses it."""
    if kind == "corpora":
        return {"description": getattr(catalogue, "description", "") or ""}
    if kind == "tools":
        return {
            "kind": getattr(catalogue, "kind", "") or "",
            "description": getattr(catalogue, "description", "") or "",
        }
    if kind == "actions":
        return {"config": merge_over(getattr(catalogue, "config", None), own)}
    if kind == "guardrails":
        return {
            "type": getattr(catalogue, "type", "") or "",
            "config": merge_over(getattr(catalogue, "config", None), own),
        }
    raise ValueError(f"No definition for {kind!r}.")


def empty_snapshot(*, name: str = "", settings: dict[str, Any] | None = None) -> Snapshot:
    """A configuration with nothing in it (what precedes an agent's first publish)."""
    base_settings = {
        "name": name,
        "description": "",
        "model_config": {},
        "access_level": "private",
        "tags": [],
    }
    if settings is not None:
        base_settings = dict(settings)
    return {
        "settings": base_settings,
        "instructions": [],
        "knowledge_sources": {"corpora": [], "sharepoint": None},
        "tools": [],
        "guardrails": [],
    }


def canonical_json(value: Any) -> str:
    """One byte-for-byte form for equal data: sorted keys, no whitespace, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def without_labels(snapshot: Snapshot) -> Snapshot:
    """The snapshot's configuration content: catalogue labels dropped."""

    def strip(items: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
        drop = LABEL_FIELDS[kind]
        return [{k: v for k, v in item.items() if k not in drop} for item in items]

    ks = snapshot["knowledge_sources"]
    return {
        "settings": snapshot["settings"],
        "instructions": snapshot["instructions"],
        "knowledge_sources": {
            "corpora": strip(ks["corpora"], "corpora"),
            "sharepoint": ks["sharepoint"],
        },
        "tools": [
            {
                **{k: v for k, v in tool.items() if k not in LABEL_FIELDS["tools"]},
                "actions": strip(tool["actions"], "actions"),
            }
            for tool in snapshot["tools"]
        ],
        "guardrails": strip(snapshot["guardrails"], "guardrails"),
    }


def fingerprint(snapshot: Snapshot) -> str:
    """SHA-256 of the configuration content; equal exactly when the content is equal."""
    return hashlib.sha256(canonical_json(without_labels(snapshot)).encode()).hexdigest()


def combine_fingerprints(before: str | None, after: str) -> str:
    """Names one Staging-against-Production state, as a reviewer saw it, from the two sides'
    fingerprints (Production stores its own, so no large snapshot is serialised twice).

    It changes when either side moves, so a publish carrying it publishes exactly what was
    reviewed (a publish by someone else in between makes the review stale too).
    """
    return hashlib.sha256(f"{before or 'none'}:{after}".encode()).hexdigest()


def normalize_tags(tags: list[str]) -> list[str]:
    return sorted({tag.strip() for tag in tags if tag.strip()})


def build_snapshot(
    *,
    staging: Any,
    instructions: list[Any],
    corpus_connections: list[Any],
    tool_bindings: list[Any],
    action_settings: list[Any],
    guardrail_settings: list[Any],
) -> Snapshot:
    """Assemble a snapshot from staging rows (or historical rows of the same shape).

    Takes plain objects with the staging models' attributes, and the catalogue objects
    already attached (``corpus``, ``tool``, ``action``, ``guardrail``; the definitions are
    read from them), so that callers decide how to load them: ``staging_snapshot`` with a
    constant number of queries, the edit history from simple-history's records (the
    catalogue's as well).
    """
    ordered = sorted(instructions, key=lambda i: (i.position, i.id))
    actions_by_tool: dict[int, list[dict[str, Any]]] = {}
    for setting in sorted(action_settings, key=lambda s: s.action_id):
        actions_by_tool.setdefault(setting.action.tool_id, []).append(
            {
                "action_id": setting.action_id,
                "name": setting.action.name,
                "enabled": bool(setting.enabled),
                "config": setting.config or {},
                "definition": effective_definition("actions", setting.action, setting.config),
            }
        )
    sharepoint = None
    if staging.sharepoint_site_url or staging.sharepoint_folder_path:
        sharepoint = {
            "site_url": staging.sharepoint_site_url,
            "folder_path": staging.sharepoint_folder_path,
        }
    snapshot: Snapshot = {
        "settings": {
            "name": staging.name,
            "description": staging.description,
            "model_config": dict(sorted((staging.model_config or {}).items())),
            "access_level": staging.access_level,
            "tags": normalize_tags(list(staging.tags or [])),
        },
        "instructions": [
            {"id": i.id, "title": i.title, "content": i.content, "position": index}
            for index, i in enumerate(ordered)
        ],
        "knowledge_sources": {
            "corpora": [
                {
                    "corpus_id": c.corpus_id,
                    "name": c.corpus.name,
                    "enabled": bool(c.enabled),
                    "settings": c.settings or {},
                    "definition": effective_definition("corpora", c.corpus),
                }
                for c in sorted(corpus_connections, key=lambda c: c.corpus_id)
            ],
            "sharepoint": sharepoint,
        },
        "tools": [
            {
                "tool_id": b.tool_id,
                "name": b.tool.name,
                "kind": b.tool.kind,
                "enabled": bool(b.enabled),
                "definition": effective_definition("tools", b.tool),
                "actions": actions_by_tool.get(b.tool_id, []),
            }
            for b in sorted(tool_bindings, key=lambda b: b.tool_id)
        ],
        "guardrails": [
            {
                "guardrail_id": g.guardrail_id,
                "name": g.guardrail.name,
                "type": g.guardrail.type,
                "enabled": bool(g.enabled),
                "settings": g.settings or {},
                "definition": effective_definition("guardrails", g.guardrail, g.settings),
            }
            for g in sorted(guardrail_settings, key=lambda g: g.guardrail_id)
        ],
    }
    # A JSON round trip gives the exact form a JSONField gives back (tuples -> lists,
    # keys as strings), so a snapshot compares equal to itself after storage.
    return json.loads(canonical_json(snapshot))
