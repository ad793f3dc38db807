"""Hypothesis strategies for snapshots in the canonical form ``build_snapshot`` produces.

``snapshots()`` draws one; ``edited_snapshots(s)`` draws a few edits of ``s`` (the kind an
editor makes between two publishes), so pairs share most of their content. Identities come
from small pools, so two independent snapshots overlap too. Everything goes through
``canonical()``: tags sorted unique, model_config keys sorted, instruction positions equal to
their index, lists sorted by identity, JSON round trip.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

from configuration.snapshot import Snapshot, canonical_json, normalize_tags

# How hard the property tests of the configuration package search.
PROPERTY = settings(max_examples=100, deadline=None)
QUICK = settings(max_examples=50, deadline=None)  # secondary properties

WORDS = ["alpha", "beta", "gamma", "refund", "policy", "hello", "<b>", "a&b", "\u00e4pfel", "42"]
NAMES = ["CRM", "Search", "Mailer", "Policies", "PII filter", "Tone", "Docs", "Wiki"]
KINDS = ["http", "python", "builtin"]
GUARDRAIL_TYPES = ["pii", "toxicity", "topic"]
ACCESS_LEVELS = ["private", "project", "organization", "public"]
TAGS = ["beta", "internal", "sales", "support", "vip"]
MODEL_KEYS = ["model", "temperature", "max_tokens", "top_p"]
SETTING_KEYS = ["top_k", "mode", "limit", "region"]
INSTRUCTION_IDS = range(1, 13)
CORPUS_IDS = range(1, 7)
TOOL_IDS = range(1, 6)
GUARDRAIL_IDS = range(1, 6)
ACTIONS_PER_TOOL = 4

short_texts = st.lists(st.sampled_from(WORDS), max_size=4).map(" ".join)
long_texts = st.lists(st.sampled_from([*WORDS, "\n"]), max_size=25).map(" ".join)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.0, 0.5, 1.0]),
    st.sampled_from(["low", "high", "eu"]),
)
small_dicts = st.dictionaries(st.sampled_from(SETTING_KEYS), json_scalars, max_size=3)
model_configs = st.dictionaries(st.sampled_from(MODEL_KEYS), json_scalars, max_size=4)
sharepoints = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "site_url": st.sampled_from(["https://a.example", "https://b.example"]),
            "folder_path": st.sampled_from(["/", "/docs", "/hr"]),
        }
    ),
)


def action_ids(tool_id: int) -> list[int]:
    """Action identities are global; each tool owns its own small range."""
    return [tool_id * 10 + n for n in range(1, ACTIONS_PER_TOOL + 1)]


def canonical(snapshot: Snapshot) -> Snapshot:
    """The form ``build_snapshot`` gives: what the diff and fingerprint expect."""
    s = copy.deepcopy(snapshot)
    settings = s["settings"]
    settings["tags"] = normalize_tags(settings["tags"])
    settings["model_config"] = dict(sorted(settings["model_config"].items()))
    s["instructions"] = [
        {**item, "position": index} for index, item in enumerate(s["instructions"])
    ]
    ks = s["knowledge_sources"]
    ks["corpora"] = sorted(ks["corpora"], key=lambda c: c["corpus_id"])
    s["tools"] = sorted(s["tools"], key=lambda t: t["tool_id"])
    for tool in s["tools"]:
        tool["actions"] = sorted(tool["actions"], key=lambda a: a["action_id"])
    s["guardrails"] = sorted(s["guardrails"], key=lambda g: g["guardrail_id"])
    return json.loads(canonical_json(s))


@st.composite
def instructions(draw: st.DrawFn, ident: int) -> dict[str, Any]:
    return {"id": ident, "title": draw(short_texts), "content": draw(long_texts), "position": 0}


@st.composite
def corpora(draw: st.DrawFn, ident: int) -> dict[str, Any]:
    return {
        "corpus_id": ident,
        "name": draw(st.sampled_from(NAMES)),
        "enabled": draw(st.booleans()),
        "settings": draw(small_dicts),
    }


@st.composite
def actions(draw: st.DrawFn, ident: int) -> dict[str, Any]:
    return {
        "action_id": ident,
        "name": draw(st.sampled_from(["create_ticket", "search", "send", "lookup"])),
        "enabled": draw(st.booleans()),
        "config": draw(small_dicts),
    }


@st.composite
def tools(draw: st.DrawFn, ident: int) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(action_ids(ident)), unique=True, max_size=3))
    return {
        "tool_id": ident,
        "name": draw(st.sampled_from(NAMES)),
        "kind": draw(st.sampled_from(KINDS)),
        "enabled": draw(st.booleans()),
        "actions": [draw(actions(a)) for a in chosen],
    }


@st.composite
def guardrails(draw: st.DrawFn, ident: int) -> dict[str, Any]:
    return {
        "guardrail_id": ident,
        "name": draw(st.sampled_from(NAMES)),
        "type": draw(st.sampled_from(GUARDRAIL_TYPES)),
        "enabled": draw(st.booleans()),
        "settings": draw(small_dicts),
    }


def _ids(pool: range, max_size: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.sampled_from(list(pool)), unique=True, max_size=max_size)


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    """A valid canonical snapshot."""
    snapshot = {
        "settings": {
            "name": draw(short_texts),
            "description": draw(long_texts),
            "model_config": draw(model_configs),
            "access_level": draw(st.sampled_from(ACCESS_LEVELS)),
            "tags": draw(st.lists(st.sampled_from(TAGS), max_size=3)),
        },
        "instructions": [draw(instructions(i)) for i in draw(_ids(INSTRUCTION_IDS, 6))],
        "knowledge_sources": {
            "corpora": [draw(corpora(i)) for i in draw(_ids(CORPUS_IDS, 4))],
            "sharepoint": draw(sharepoints),
        },
        "tools": [draw(tools(i)) for i in draw(_ids(TOOL_IDS, 3))],
        "guardrails": [draw(guardrails(i)) for i in draw(_ids(GUARDRAIL_IDS, 3))],
    }
    return canonical(snapshot)


# --- edits --------------------------------------------------------------------------------


def _edit_settings(draw: st.DrawFn, s: Snapshot) -> None:
    settings = s["settings"]
    what = draw(st.sampled_from(["name", "description", "access_level", "tags", "model_config"]))
    if what == "name":
        settings["name"] = draw(short_texts)
    elif what == "description":
        settings["description"] = draw(long_texts)
    elif what == "access_level":
        settings["access_level"] = draw(st.sampled_from(ACCESS_LEVELS))
    elif what == "tags":
        settings["tags"] = draw(st.lists(st.sampled_from(TAGS), max_size=3))
    else:
        key = draw(st.sampled_from(MODEL_KEYS))
        if draw(st.booleans()):
            settings["model_config"][key] = draw(json_scalars)
        else:
            settings["model_config"].pop(key, None)


def _edit_instructions(draw: st.DrawFn, s: Snapshot) -> None:
    items = s["instructions"]
    what = draw(st.sampled_from(["insert", "delete", "move", "title", "content"]))
    used = {i["id"] for i in items}
    free = [i for i in INSTRUCTION_IDS if i not in used]
    if what == "insert" or not items:
        if free:
            index = draw(st.integers(0, len(items)))
            items.insert(index, draw(instructions(draw(st.sampled_from(free)))))
        return
    index = draw(st.integers(0, len(items) - 1))
    if what == "delete":
        items.pop(index)
    elif what == "move":
        item = items.pop(index)
        items.insert(draw(st.integers(0, len(items))), item)
    elif what == "title":
        items[index]["title"] = draw(short_texts)
    else:
        items[index]["content"] = draw(long_texts)


def _edit_keyed(
    draw: st.DrawFn,
    items: list[dict[str, Any]],
    *,
    identity: str,
    pool: list[int],
    make: Any,
    nested: str | None,
    labels: dict[str, list[str]],
) -> None:
    """Add, remove, toggle or relabel one item (or edit one key of its ``nested`` dict)."""
    verbs = (
        ["add", "remove", "toggle", "nested", "relabel"]
        if nested
        else ["add", "remove", "toggle", "relabel"]
    )
    what = draw(st.sampled_from(verbs))
    used = {i[identity] for i in items}
    free = [i for i in pool if i not in used]
    if what == "add" or not items:
        if free:
            items.append(draw(make(draw(st.sampled_from(free)))))
        return
    item = items[draw(st.integers(0, len(items) - 1))]
    if what == "remove":
        items.remove(item)
    elif what == "toggle":
        item["enabled"] = not item["enabled"]
    elif what == "nested":
        key = draw(st.sampled_from(SETTING_KEYS))
        if draw(st.booleans()):
            item[nested][key] = draw(json_scalars)
        else:
            item[nested].pop(key, None)
    else:
        for field, values in labels.items():
            item[field] = draw(st.sampled_from(values))


def _edit_tools(draw: st.DrawFn, s: Snapshot) -> None:
    tools_ = s["tools"]
    if tools_ and draw(st.booleans()):
        tool = tools_[draw(st.integers(0, len(tools_) - 1))]
        _edit_keyed(
            draw,
            tool["actions"],
            identity="action_id",
            pool=action_ids(tool["tool_id"]),
            make=actions,
            nested="config",
            labels={"name": ["create_ticket", "search", "renamed"]},
        )
        return
    _edit_keyed(
        draw,
        tools_,
        identity="tool_id",
        pool=list(TOOL_IDS),
        make=tools,
        nested=None,
        labels={"name": NAMES, "kind": KINDS},
    )


@st.composite
def edited_snapshots(draw: st.DrawFn, snapshot: Snapshot, max_edits: int = 5) -> Snapshot:
    """``snapshot`` after a few random edits (possibly none, possibly label-only)."""
    s = copy.deepcopy(snapshot)
    for _ in range(draw(st.integers(0, max_edits))):
        area = draw(
            st.sampled_from(
                ["settings", "instructions", "corpora", "sharepoint", "tools", "guardrails"]
            )
        )
        if area == "settings":
            _edit_settings(draw, s)
        elif area == "instructions":
            _edit_instructions(draw, s)
        elif area == "corpora":
            _edit_keyed(
                draw,
                s["knowledge_sources"]["corpora"],
                identity="corpus_id",
                pool=list(CORPUS_IDS),
                make=corpora,
                nested="settings",
                labels={"name": NAMES},
            )
        elif area == "sharepoint":
            s["knowledge_sources"]["sharepoint"] = draw(sharepoints)
        elif area == "tools":
            _edit_tools(draw, s)
        else:
            _edit_keyed(
                draw,
                s["guardrails"],
                identity="guardrail_id",
                pool=list(GUARDRAIL_IDS),
                make=guardrails,
                nested="settings",
                labels={"name": NAMES, "type": GUARDRAIL_TYPES},
            )
    return canonical(s)


@st.composite
def snapshot_pairs(draw: st.DrawFn) -> tuple[Snapshot, Snapshot]:
    """Two snapshots: mostly an edit of the first, sometimes unrelated."""
    first = draw(snapshots())
    if draw(st.integers(0, 4)) == 0:
        return first, draw(snapshots())
    return first, draw(edited_snapshots(first))


def publishes() -> st.SearchStrategy[tuple[Snapshot, Snapshot]]:
    """A publish: Production before it, and a few edits of that which it published."""
    return snapshots().flatmap(
        lambda base: edited_snapshots(base).map(lambda published: (base, published))
    )


def new_tool() -> dict[str, Any]:
    """A tool the sample snapshot does not have (id 3), with one action."""
    return {
        "tool_id": 3,
        "name": "Mailer",
        "kind": "http",
        "enabled": True,
        "actions": [{"action_id": 31, "name": "send", "enabled": True, "config": {}}],
    }


def new_guardrail() -> dict[str, Any]:
    """A guardrail the sample snapshot does not have (id 3)."""
    return {"guardrail_id": 3, "name": "Tone", "type": "topic", "enabled": True, "settings": {}}


def sample_snapshot() -> Snapshot:
    """A small hand-written snapshot with something in every section."""
    return canonical(
        {
            "settings": {
                "name": "Support bot",
                "description": "Answers customer questions about orders and refunds.",
                "model_config": {"temperature": 0.2, "model": "gpt-4o"},
                "access_level": "project",
                "tags": ["support"],
            },
            "instructions": [
                {"id": 1, "title": "Greeting", "content": "Say hello politely.", "position": 0},
                {"id": 2, "title": "Tone", "content": "Be brief and kind.", "position": 1},
                {"id": 3, "title": "Escalation", "content": "Hand over to a human.", "position": 2},
                {"id": 4, "title": "Closing", "content": "Say goodbye.", "position": 3},
            ],
            "knowledge_sources": {
                "corpora": [
                    {
                        "corpus_id": 10,
                        "name": "Policies",
                        "enabled": True,
                        "settings": {"top_k": 5},
                    },
                    {"corpus_id": 11, "name": "FAQ", "enabled": False, "settings": {}},
                ],
                "sharepoint": {
                    "site_url": "https://example.sharepoint.com/sites/hr",
                    "folder_path": "/Policies",
                },
            },
            "tools": [
                {
                    "tool_id": 1,
                    "name": "CRM",
                    "kind": "http",
                    "enabled": True,
                    "actions": [
                        {
                            "action_id": 11,
                            "name": "create_ticket",
                            "enabled": True,
                            "config": {"queue": "support"},
                        },
                        {"action_id": 12, "name": "close_ticket", "enabled": False, "config": {}},
                    ],
                },
                {
                    "tool_id": 2,
                    "name": "Search",
                    "kind": "builtin",
                    "enabled": True,
                    "actions": [
                        {"action_id": 21, "name": "web_search", "enabled": True, "config": {}}
                    ],
                },
            ],
            "guardrails": [
                {
                    "guardrail_id": 1,
                    "name": "PII filter",
                    "type": "pii",
                    "enabled": True,
                    "settings": {"mask": True},
                },
                {
                    "guardrail_id": 2,
                    "name": "Topic guard",
                    "type": "topic",
                    "enabled": False,
                    "settings": {},
                },
            ],
        }
    )
