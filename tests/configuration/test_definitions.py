"""Effective definitions in the snapshot: the merge rule, the diff, the labels and revert."""

from __future__ import annotations

import copy
from types import SimpleNamespace as Row

from configuration.diff import diff_snapshots
from configuration.revert import CATALOGUE_DEFINED, revert_publish
from configuration.snapshot import effective_definition, empty_snapshot, fingerprint


def agent(*, guard_config=None, guard_settings=None, action_config=None, own_action=None):
    snapshot = empty_snapshot(name="Bot")
    snapshot["guardrails"] = [
        {
            "guardrail_id": 1,
            "name": "PII filter",
            "type": "pii",
            "enabled": True,
            "settings": guard_settings or {},
            "definition": effective_definition(
                "guardrails",
                Row(type="pii", config=guard_config or {"threshold": 0.8}),
                guard_settings,
            ),
        }
    ]
    snapshot["tools"] = [
        {
            "tool_id": 4,
            "name": "CRM",
            "kind": "api",
            "enabled": True,
            "definition": {"kind": "api", "description": ""},
            "actions": [
                {
                    "action_id": 41,
                    "name": "search",
                    "enabled": True,
                    "config": own_action or {},
                    "definition": effective_definition(
                        "actions", Row(config=action_config or {"url": "/a"}), own_action
                    ),
                }
            ],
        }
    ]
    return snapshot


def legacy(snapshot):
    """The same configuration as stored before definitions were recorded."""
    old = copy.deepcopy(snapshot)
    for guardrail in old["guardrails"]:
        del guardrail["definition"]
    for tool in old["tools"]:
        del tool["definition"]
        for action in tool["actions"]:
            del action["definition"]
    return old


def test_the_merge_is_shallow_and_the_agent_wins() -> None:
    catalogue = Row(type="pii", config={"a": 1, "deep": {"x": 1}, "keep": None})
    definition = effective_definition("guardrails", catalogue, {"a": 2, "deep": {"y": 2}})
    assert definition == {"type": "pii", "config": {"a": 2, "deep": {"y": 2}, "keep": None}}


def test_definitions_are_configuration_content() -> None:
    assert fingerprint(agent()) != fingerprint(agent(guard_config={"threshold": 0.9}))
    assert fingerprint(agent()) != fingerprint(legacy(agent()))


def test_a_catalogue_change_is_one_labelled_change() -> None:
    diff = diff_snapshots(agent(), agent(guard_config={"threshold": 0.9}))
    [change] = diff.changes
    assert change.as_dict() == {
        "section": "guardrails",
        "key": "guardrail:1",
        "field": "definition.config.threshold",
        "label": "Guardrail \u201cPII filter\u201d: catalogue config \u201cthreshold\u201d",
        "change": "modified",
        "before": 0.8,
        "after": 0.9,
    }
    assert diff.summary == "1 guardrail changed"


def test_a_key_the_agent_sets_is_reported_once_as_its_own() -> None:
    before = agent(own_action={"url": "/mine"})
    after = agent(own_action={"url": "/mine"}, action_config={"url": "/b"})
    assert not diff_snapshots(before, after).has_changes
    assert fingerprint(before) == fingerprint(after)
    changed = agent(own_action={"url": "/other"}, action_config={"url": "/b"})
    assert [c.field for c in diff_snapshots(before, changed).changes] == ["config.url"]


def test_definitions_arriving_are_a_one_time_change_with_a_clear_label() -> None:
    diff = diff_snapshots(legacy(agent()), agent())
    assert {c.field for c in diff.changes} == {"definition"}
    assert {c.change for c in diff.changes} == {"added"}
    assert "Guardrail \u201cPII filter\u201d: definition now recorded with the configuration" in [
        c.label for c in diff.changes
    ]
    assert diff.summary == "Definitions now recorded with the configuration"
    assert not diff_snapshots(legacy(agent()), legacy(agent())).has_changes


def test_reverting_a_catalogue_change_is_a_conflict_naming_the_component() -> None:
    base, published = agent(), agent(guard_config={"threshold": 0.9})
    result = revert_publish(base=base, published=published, current=published)
    [conflict] = result.conflicts
    assert conflict.label.startswith("Guardrail \u201cPII filter\u201d")
    assert conflict.detail == CATALOGUE_DEFINED
    # The catalogue already went back: nothing to undo.
    assert not revert_publish(base=base, published=published, current=base).conflicts


def test_reverting_the_arrival_of_definitions_changes_nothing() -> None:
    current = agent()
    result = revert_publish(base=legacy(current), published=current, current=current)
    assert not result.conflicts
    assert result.snapshot == current


def test_tool_definition_changes_are_labelled_as_the_catalogues() -> None:
    before, after = agent(), agent()
    after["tools"][0]["definition"] = {"kind": "rag", "description": "Records"}
    diff = diff_snapshots(before, after)
    assert [(c.field, c.label) for c in diff.changes] == [
        ("definition.description", "Tool \u201cCRM\u201d: catalogue description"),
        ("definition.kind", "Tool \u201cCRM\u201d: catalogue kind"),
    ]
    assert diff.summary == "Tool \u201cCRM\u201d changed"
