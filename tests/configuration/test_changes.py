"""A change's path: built by the diff, stored as text, read back by one parser."""

from __future__ import annotations

from hypothesis import given, settings

from configuration.changes import ChangePath
from configuration.diff import diff_snapshots
from tests.publishing.strategies import snapshot_pairs


def test_an_action_path_names_its_tool_as_parent() -> None:
    path = ChangePath("tools", "action", 31, parent_id=3, field="config", field_key="queue")
    assert (path.key, path.field_name) == ("tool:3/action:31", "config.queue")
    assert path.parent() == ChangePath("tools", "tool", 3)
    assert path.item() == ChangePath("tools", "action", 31, parent_id=3)


def test_single_items_have_fixed_keys() -> None:
    assert ChangePath("settings", "settings", field="name").key == "settings"
    assert ChangePath("knowledge_sources", "sharepoint").key == "sharepoint"
    assert ChangePath("settings", "settings").parent() is None


def test_parse_reads_every_kind_of_stored_key() -> None:
    parse = ChangePath.parse
    assert parse("tools", "tool:3/action:31", "config.queue") == ChangePath(
        "tools", "action", "31", parent_id="3", field="config", field_key="queue"
    )
    assert parse("instructions", "instruction:9", "position") == ChangePath(
        "instructions", "instruction", "9", field="position"
    )
    assert parse("settings", "settings", "model_config.top.p") == ChangePath(
        "settings", "settings", field="model_config", field_key="top.p"
    )
    assert parse("knowledge_sources", "sharepoint", None) == ChangePath(
        "knowledge_sources", "sharepoint"
    )
    assert parse("guardrails", "guardrail:2", "settings.") == ChangePath(
        "guardrails", "guardrail", "2", field="settings", field_key=""
    )


def test_parse_keeps_an_identity_that_holds_a_colon() -> None:
    path = ChangePath("guardrails", "guardrail", "g:7")
    assert ChangePath.parse(path.section, path.key, None) == path
    action = ChangePath("tools", "action", "a:1", parent_id="t:2")
    assert ChangePath.parse(action.section, action.key, None) == action


def test_only_the_nested_fields_of_a_kind_are_split() -> None:
    # The settings nest only model_config; items nest settings and config, nothing else.
    assert ChangePath.parse("settings", "settings", "settings.x").field == "settings.x"
    assert ChangePath.parse("tools", "tool:1", "model_config.x").field == "model_config.x"
    assert ChangePath.parse("tools", "tool:1", "config.x").field_key == "x"


@settings(max_examples=100, deadline=None)
@given(snapshot_pairs())
def test_parse_reads_back_the_path_of_every_change(pair: tuple[dict, dict]) -> None:
    for change in diff_snapshots(*pair).changes:
        parsed = ChangePath.parse(change.section, change.key, change.field)
        assert (parsed.key, parsed.field_name) == (change.key, change.field)
        path = change.path
        assert (parsed.section, parsed.kind, parsed.field, parsed.field_key) == (
            path.section,
            path.kind,
            path.field,
            path.field_key,
        )
        assert parsed.item_id == (None if path.item_id is None else str(path.item_id))
