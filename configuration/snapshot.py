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
         "actions": [                              # by action_id
            {"action_id": int, "name": str, "enabled": bool, "config": {...}},
         ]},
      ],
      "guardrails": [                              # by guardrail_id
        {"guardrail_id": int, "name": str, "type": str, "enabled": bool, "settings": {...}},
      ],
    }

List items carry their identity (instruction id, corpus id, tool id, action id, guardrail
id) so the diff matches them by identity, never by position. Catalogue names and kinds
(``LABEL_FIELDS``) ride along only to label the diff; they are not part of the
configuration, so renaming a tool in the catalogue does not make every agent "changed".
The fingerprint therefore covers the snapshot without them.
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
    already attached (``corpus``, ``tool``, ``action``, ``guardrail``), so that callers
    decide how to load them: ``staging_snapshot`` with a constant number of queries, the
    edit history from simple-history's records.
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
            }
            for g in sorted(guardrail_settings, key=lambda g: g.guardrail_id)
        ],
    }
    # A JSON round trip gives the exact form a JSONField gives back (tuples -> lists,
    # keys as strings), so a snapshot compares equal to itself after storage.
    return json.loads(canonical_json(snapshot))
