"""The configuration document, pure: built from a snapshot, validated, turned back."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given

from configuration.document import (
    SCHEMA_VERSION,
    Catalogue,
    build_document,
    match_instructions,
    to_snapshot,
    used_keys,
    validate,
)
from configuration.document_validation import MAX_PROBLEMS
from tests.publishing.strategies import PROPERTY, sample_snapshot, snapshots

EMPTY = Catalogue(corpora={}, tools={}, actions={}, guardrails={})


def unique_names(snapshot):
    """Names made unique per kind (and per tool for actions), as a catalogue's keys are."""
    snapshot = copy.deepcopy(snapshot)
    for corpus in snapshot["knowledge_sources"]["corpora"]:
        corpus["name"] = f"{corpus['name']} {corpus['corpus_id']}"
    for tool in snapshot["tools"]:
        tool["name"] = f"{tool['name']} {tool['tool_id']}"
        for action in tool["actions"]:
            action["name"] = f"{action['name']} {action['action_id']}"
    for guardrail in snapshot["guardrails"]:
        guardrail["name"] = f"{guardrail['name']} {guardrail['guardrail_id']}"
    return snapshot


def ids_of(snapshot):
    ids = {}
    for corpus in snapshot["knowledge_sources"]["corpora"]:
        ids[("corpus", corpus["name"])] = corpus["corpus_id"]
    for tool in snapshot["tools"]:
        ids[("tool", tool["name"])] = tool["tool_id"]
        for action in tool["actions"]:
            ids[("action", tool["name"], action["name"])] = action["action_id"]
    for guardrail in snapshot["guardrails"]:
        ids[("guardrail", guardrail["name"])] = guardrail["guardrail_id"]
    return ids


def check(document, *, max_instructions=200, max_bytes=1_000_000):
    return validate(document, max_instructions=max_instructions, max_bytes=max_bytes).as_dict()


@PROPERTY
@given(snapshots())
def test_a_snapshot_survives_the_document(snapshot):
    snapshot = unique_names(snapshot)
    document = build_document(snapshot, EMPTY)
    assert check(document) == {}
    back = to_snapshot(document, ids_of(snapshot), [i["id"] for i in snapshot["instructions"]])
    assert back == snapshot


@PROPERTY
@given(snapshots())
def test_the_document_has_no_ids_and_lists_by_name(snapshot):
    document = build_document(unique_names(snapshot), EMPTY)
    assert document["schema_version"] == SCHEMA_VERSION
    tools = [t["tool"] for t in document["tools"]]
    assert tools == sorted(tools)
    assert "_id" not in str(document) and "'id'" not in str(document)
    assert len(used_keys(document)) == len(set(used_keys(document)))


def test_definitions_come_from_the_snapshot_then_the_catalogue_then_the_labels():
    snapshot = unique_names(sample_snapshot())
    tool = snapshot["tools"][0]
    catalogue = Catalogue(
        corpora={},
        tools={tool["tool_id"]: {"name": "Renamed", "kind": "api", "description": "Now"}},
        actions={},
        guardrails={},
    )
    tool["definition"] = {"description": "Frozen"}
    component = build_document(snapshot, catalogue)["components"]["tools"]
    assert {"name": "Renamed", "kind": "api", "description": "Frozen"}.items() <= next(
        c for c in component if c["name"] == "Renamed"
    ).items()


def test_every_problem_is_listed_by_path():
    document = build_document(unique_names(sample_snapshot()), EMPTY)
    document["schema_version"] = 2
    document["settings"]["tags"] = ["ok", 3]
    document["settings"]["colour"] = "red"
    document["instructions"].append({"title": "x"})
    document["tools"][0]["enabled"] = "yes"
    document["guardrails"].append(copy.deepcopy(document["guardrails"][0]))
    del document["components"]["corpora"][0]
    problems = check(document)
    assert set(problems) == {
        "schema_version",
        "settings.tags[1]",
        "settings.colour",
        f"instructions[{len(document['instructions']) - 1}].content",
        "tools[0].enabled",
        f"guardrails[{len(document['guardrails']) - 1}]",
        "knowledge_sources.corpora[0].corpus",
    }


def test_a_component_nothing_uses_is_refused():
    document = build_document(unique_names(sample_snapshot()), EMPTY)
    document["components"]["guardrails"].append({"name": "Spare", "type": "pii", "config": {}})
    assert list(check(document)) == [f"components.guardrails[{len(document['guardrails'])}]"]


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ([], "document"),
        ("text", "document"),
        (None, "document"),
        ({}, "schema_version"),
        ({"schema_version": True}, "schema_version"),
        ({"schema_version": "1"}, "schema_version"),
    ],
)
def test_the_wrong_kind_of_value_is_named(document, path):
    assert path in check(document)


def test_size_and_instruction_bounds():
    document = build_document(unique_names(sample_snapshot()), EMPTY)
    assert list(check(document, max_bytes=100)) == ["document"]
    document["instructions"] = [{"title": "t", "content": "c"}] * 3
    assert check(document, max_instructions=2)["instructions"]


def test_the_problems_listed_are_bounded():
    document = {"schema_version": 1, **{f"x{n}": n for n in range(MAX_PROBLEMS * 2)}}
    problems = check(document)
    assert sum(len(messages) for messages in problems.values()) == MAX_PROBLEMS + 1
    assert problems["document"][-1].startswith("... and ")


def test_instructions_are_matched_by_text_then_by_title():
    current = [
        {"id": 1, "title": "Tone", "content": "Kind"},
        {"id": 2, "title": "Scope", "content": "Support"},
        {"id": 3, "title": "Tone", "content": "Brief"},
    ]
    wanted = [
        {"title": "Tone", "content": "Brief"},
        {"title": "Scope", "content": "Sales"},
        {"title": "New", "content": "x"},
        {"title": "Tone", "content": "Warm"},
    ]
    assert match_instructions(current, wanted) == [3, 2, None, 1]
