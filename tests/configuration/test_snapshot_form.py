"""The snapshot's exact form from plain rows, and the fingerprints: no database.

Every key named here is stored (Production, publish records) and hashed, so the form is
pinned whole rather than probed field by field.
"""

from __future__ import annotations

import hashlib
from types import SimpleNamespace as Row

from configuration.snapshot import build_snapshot, combine_fingerprints, empty_snapshot


def rows(**overrides):
    staging = Row(
        name="Support bot",
        description="Helps.",
        model_config={"top_p": 1, "model": "m"},
        access_level="project",
        tags=[" vip", "beta", "vip", " "],
        sharepoint_site_url="",
        sharepoint_folder_path="/docs",
    )
    tool = Row(name="CRM", kind="http", description="Customer records")
    parts = {
        "staging": staging,
        "instructions": [
            Row(id=7, title="Second", content="b", position=1),
            Row(id=9, title="First", content="a", position=0),
            Row(id=3, title="Tie", content="c", position=1),
        ],
        "corpus_connections": [
            Row(corpus_id=5, corpus=Row(name="FAQ", description="Q&A"), enabled=1, settings=None),
            Row(
                corpus_id=2,
                corpus=Row(name="Docs", description=""),
                enabled=0,
                settings={"top_k": 3},
            ),
        ],
        "tool_bindings": [Row(tool_id=4, tool=tool, enabled=1)],
        "action_settings": [
            Row(
                action_id=42,
                action=Row(tool_id=4, name="send", config={"url": "/s"}),
                enabled=0,
                config=None,
            ),
            Row(
                action_id=41,
                action=Row(tool_id=4, name="find", config={"q": 0, "nested": {"a": 1}}),
                enabled=1,
                config={"q": 1, "nested": {"b": 2}},
            ),
        ],
        "guardrail_settings": [
            Row(
                guardrail_id=1,
                guardrail=Row(name="PII", type="pii", config={"mask": False, "level": 2}),
                enabled=1,
                settings={"mask": True},
            ),
            Row(
                guardrail_id=6,
                guardrail=Row(name="Tone", type="topic", config={}),
                enabled=0,
                settings={},
            ),
        ],
    }
    parts.update(overrides)
    return parts


def test_build_snapshot_gives_the_canonical_form() -> None:
    assert build_snapshot(**rows()) == {
        "settings": {
            "name": "Support bot",
            "description": "Helps.",
            "model_config": {"model": "m", "top_p": 1},
            "access_level": "project",
            "tags": ["beta", "vip"],
        },
        "instructions": [
            {"id": 9, "title": "First", "content": "a", "position": 0},
            {"id": 3, "title": "Tie", "content": "c", "position": 1},
            {"id": 7, "title": "Second", "content": "b", "position": 2},
        ],
        "knowledge_sources": {
            "corpora": [
                {
                    "corpus_id": 2,
                    "name": "Docs",
                    "enabled": False,
                    "settings": {"top_k": 3},
                    "definition": {"description": ""},
                },
                {
                    "corpus_id": 5,
                    "name": "FAQ",
                    "enabled": True,
                    "settings": {},
                    "definition": {"description": "Q&A"},
                },
            ],
            "sharepoint": {"site_url": "", "folder_path": "/docs"},
        },
        "tools": [
            {
                "tool_id": 4,
                "name": "CRM",
                "kind": "http",
                "enabled": True,
                "definition": {"kind": "http", "description": "Customer records"},
                "actions": [
                    {
                        "action_id": 41,
                        "name": "find",
                        "enabled": True,
                        "config": {"q": 1, "nested": {"b": 2}},
                        # A shallow merge: the agent's key replaces the catalogue's whole.
                        "definition": {"config": {"q": 1, "nested": {"b": 2}}},
                    },
                    {
                        "action_id": 42,
                        "name": "send",
                        "enabled": False,
                        "config": {},
                        "definition": {"config": {"url": "/s"}},
                    },
                ],
            }
        ],
        "guardrails": [
            {
                "guardrail_id": 1,
                "name": "PII",
                "type": "pii",
                "enabled": True,
                "settings": {"mask": True},
                "definition": {"type": "pii", "config": {"mask": True, "level": 2}},
            },
            {
                "guardrail_id": 6,
                "name": "Tone",
                "type": "topic",
                "enabled": False,
                "settings": {},
                "definition": {"type": "topic", "config": {}},
            },
        ],
    }


def test_no_sharepoint_without_a_site_or_a_folder() -> None:
    staging = rows()["staging"]
    staging.sharepoint_folder_path = ""
    snapshot = build_snapshot(**rows(staging=staging))
    assert snapshot["knowledge_sources"]["sharepoint"] is None


def test_empty_snapshot_keeps_the_settings_it_is_given() -> None:
    settings = {"name": "Kept", "tags": ["x"]}
    empty = empty_snapshot(settings=settings)
    assert empty["settings"] == settings
    assert empty["settings"] is not settings
    assert empty_snapshot(name="Bot")["settings"] == {
        "name": "Bot",
        "description": "",
        "model_config": {},
        "access_level": "private",
        "tags": [],
    }


def test_review_fingerprints_keep_their_value_across_releases() -> None:
    # API clients hold a review fingerprint and send it back with the publish: a new
    # formula would make every review open during a deploy stale.
    assert combine_fingerprints(None, "abc") == hashlib.sha256(b"none:abc").hexdigest()
    assert combine_fingerprints("def", "abc") == hashlib.sha256(b"def:abc").hexdigest()
