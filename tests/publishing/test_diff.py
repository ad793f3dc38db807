"""The diff engine: pure, no database."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from configuration.changes import ChangePath
from configuration.diff import SECTIONS, Change, Diff, diff_snapshots
from configuration.snapshot import empty_snapshot, fingerprint
from tests.publishing.strategies import (
    PROPERTY,
    QUICK,
    canonical,
    edited_snapshots,
    new_guardrail,
    new_tool,
    sample_snapshot,
    snapshot_pairs,
    snapshots,
)


def edited(change) -> tuple[dict, dict]:
    """The sample snapshot and a copy with ``change(copy)`` applied, both canonical."""
    before = sample_snapshot()
    after = sample_snapshot()
    change(after)
    return before, canonical(after)


def keyed(diff: Diff) -> list[tuple[str, str | None, str]]:
    return [(c.key, c.field, c.change) for c in diff.changes]


def instruction(ident: int, title: str, content: str = "Text.") -> dict:
    return {"id": ident, "title": title, "content": content, "position": 0}


# --- no changes ---------------------------------------------------------------------------


def test_identical_snapshots_have_no_changes() -> None:
    diff = diff_snapshots(sample_snapshot(), sample_snapshot())
    assert not diff.has_changes
    assert diff.changes == ()
    assert diff.summary == "No changes"
    assert diff.counts == dict.fromkeys(SECTIONS, 0)


def test_counts_cover_every_section_in_order() -> None:
    before, after = edited(lambda s: s["settings"].update(name="Other"))
    counts = diff_snapshots(before, after).counts
    assert list(counts) == list(SECTIONS)
    assert counts == {
        "settings": 1,
        "instructions": 0,
        "knowledge_sources": 0,
        "tools": 0,
        "guardrails": 0,
    }


# --- settings -----------------------------------------------------------------------------


def test_name_change() -> None:
    before, after = edited(lambda s: s["settings"].update(name="Sales bot"))
    diff = diff_snapshots(before, after)
    assert diff.changes == (
        Change(
            ChangePath("settings", "settings", field="name"), "modified", "Support bot", "Sales bot"
        ),
    )
    assert diff.summary == "Name changed"


def test_description_access_level_and_tags() -> None:
    def change(s: dict) -> None:
        s["settings"].update(description="New.", access_level="public", tags=["vip", "beta"])

    diff = diff_snapshots(*edited(change))
    assert [(c.field, c.label) for c in diff.changes] == [
        ("description", "Description"),
        ("access_level", "Access level"),
        ("tags", "Tags"),
    ]
    assert diff.changes[2].before == ["support"]
    assert diff.changes[2].after == ["beta", "vip"]
    assert diff.summary == "Description changed, Access level changed, Tags changed"


def test_model_config_compared_key_by_key() -> None:
    def change(s: dict) -> None:
        config = s["settings"]["model_config"]
        config["temperature"] = 0.7
        config["max_tokens"] = 512
        del config["model"]

    diff = diff_snapshots(*edited(change))
    assert [(c.field, c.change, c.before, c.after) for c in diff.changes] == [
        ("model_config.max_tokens", "added", None, 512),
        ("model_config.model", "removed", "gpt-4o", None),
        ("model_config.temperature", "modified", 0.2, 0.7),
    ]
    assert diff.changes[2].label == "Model configuration: temperature"
    assert diff.summary == "Model configuration changed"


def test_true_and_one_are_different_values() -> None:
    _, after = edited(lambda s: s["settings"]["model_config"].update(stream=True))
    _, after2 = edited(lambda s: s["settings"]["model_config"].update(stream=1))
    diff = diff_snapshots(after, after2)
    assert keyed(diff) == [("settings", "model_config.stream", "modified")]


# --- instructions -------------------------------------------------------------------------


def test_instruction_added() -> None:
    before, after = edited(lambda s: s["instructions"].append(instruction(9, "Refunds")))
    diff = diff_snapshots(before, after)
    assert len(diff.changes) == 1
    change = diff.changes[0]
    assert (change.key, change.field, change.change, change.before) == (
        "instruction:9",
        None,
        "added",
        None,
    )
    assert change.after["title"] == "Refunds"
    assert change.after["position"] == 4
    assert change.label == "Instruction \u201cRefunds\u201d"
    assert diff.summary == "1 instruction added"


def test_instruction_removed() -> None:
    before, after = edited(lambda s: s["instructions"].pop(3))
    diff = diff_snapshots(before, after)
    assert keyed(diff) == [("instruction:4", None, "removed")]
    assert diff.changes[0].before["title"] == "Closing"
    assert diff.changes[0].label == "Instruction \u201cClosing\u201d"
    assert diff.summary == "1 instruction removed"


def test_instruction_content_and_title_edited() -> None:
    def change(s: dict) -> None:
        s["instructions"][0].update(title="Welcome", content="Say hi.")

    diff = diff_snapshots(*edited(change))
    assert [(c.field, c.label, c.before, c.after) for c in diff.changes] == [
        ("title", "Instruction \u201cWelcome\u201d: title", "Greeting", "Welcome"),
        ("content", "Instruction \u201cWelcome\u201d: content", "Say hello politely.", "Say hi."),
    ]
    assert diff.summary == "1 instruction edited"


def test_insert_at_top_is_one_addition_not_a_cascade_of_moves() -> None:
    before, after = edited(lambda s: s["instructions"].insert(0, instruction(9, "First")))
    diff = diff_snapshots(before, after)
    assert keyed(diff) == [("instruction:9", None, "added")]
    assert diff.summary == "1 instruction added"


def test_removal_at_top_moves_nothing() -> None:
    diff = diff_snapshots(*edited(lambda s: s["instructions"].pop(0)))
    assert keyed(diff) == [("instruction:1", None, "removed")]


def test_moving_one_instruction_is_one_position_change() -> None:
    def change(s: dict) -> None:
        s["instructions"].insert(0, s["instructions"].pop(3))  # Closing to the top

    diff = diff_snapshots(*edited(change))
    assert [(c.key, c.field, c.before, c.after) for c in diff.changes] == [
        ("instruction:4", "position", 3, 0)
    ]
    assert diff.changes[0].label == "Instruction \u201cClosing\u201d: position"
    assert diff.summary == "1 instruction moved"


def test_moving_to_the_bottom_is_one_position_change() -> None:
    def change(s: dict) -> None:
        s["instructions"].append(s["instructions"].pop(0))

    diff = diff_snapshots(*edited(change))
    assert [(c.key, c.before, c.after) for c in diff.changes] == [("instruction:1", 0, 3)]


def test_reversing_moves_all_but_one() -> None:
    diff = diff_snapshots(*edited(lambda s: s["instructions"].reverse()))
    assert [c.field for c in diff.changes] == ["position"] * 3
    assert diff.summary == "3 instructions moved"


def test_instruction_moved_and_edited_counts_in_both() -> None:
    def change(s: dict) -> None:
        item = s["instructions"].pop(3)
        item["content"] = "Bye."
        s["instructions"].insert(0, item)

    diff = diff_snapshots(*edited(change))
    assert keyed(diff) == [
        ("instruction:4", "content", "modified"),
        ("instruction:4", "position", "modified"),
    ]
    assert diff.summary == "1 instruction edited, 1 instruction moved"


def test_instructions_are_matched_by_id_not_content() -> None:
    def change(s: dict) -> None:
        s["instructions"][0]["id"] = 99  # same text, different instruction

    diff = diff_snapshots(*edited(change))
    assert keyed(diff) == [("instruction:99", None, "added"), ("instruction:1", None, "removed")]
    assert diff.summary == "1 instruction added, 1 instruction removed"


def test_plural_instruction_summary() -> None:
    def change(s: dict) -> None:
        s["instructions"] += [instruction(8, "A"), instruction(9, "B")]

    assert diff_snapshots(*edited(change)).summary == "2 instructions added"


# --- knowledge sources --------------------------------------------------------------------


def test_corpus_added_removed_and_changed() -> None:
    def change(s: dict) -> None:
        corpora = s["knowledge_sources"]["corpora"]
        corpora[0]["settings"]["top_k"] = 8
        corpora[0]["settings"]["rerank"] = True
        corpora.pop(1)
        corpora.append({"corpus_id": 12, "name": "Manuals", "enabled": True, "settings": {}})

    diff = diff_snapshots(*edited(change))
    assert [(c.key, c.field, c.change, c.label) for c in diff.changes] == [
        (
            "corpus:10",
            "settings.rerank",
            "added",
            "Knowledge source \u201cPolicies\u201d: setting \u201crerank\u201d",
        ),
        (
            "corpus:10",
            "settings.top_k",
            "modified",
            "Knowledge source \u201cPolicies\u201d: setting \u201ctop_k\u201d",
        ),
        ("corpus:11", None, "removed", "Knowledge source \u201cFAQ\u201d"),
        ("corpus:12", None, "added", "Knowledge source \u201cManuals\u201d"),
    ]
    assert diff.changes[1].before == 5
    assert diff.changes[1].after == 8
    assert diff.summary == (
        "1 knowledge source added, 1 knowledge source removed, 1 knowledge source changed"
    )


def test_corpus_enabled() -> None:
    diff = diff_snapshots(
        *edited(lambda s: s["knowledge_sources"]["corpora"][1].update(enabled=True))
    )
    assert [(c.key, c.field, c.before, c.after) for c in diff.changes] == [
        ("corpus:11", "enabled", False, True)
    ]
    assert diff.changes[0].label == "Knowledge source \u201cFAQ\u201d: enabled"


def test_sharepoint_folder_changed_removed_and_added() -> None:
    before, moved = edited(lambda s: s["knowledge_sources"]["sharepoint"].update(folder_path="/HR"))
    diff = diff_snapshots(before, moved)
    assert [(c.key, c.field, c.label) for c in diff.changes] == [
        ("sharepoint", "folder_path", "SharePoint folder: folder path")
    ]
    assert diff.summary == "SharePoint folder changed"

    _, gone = edited(lambda s: s["knowledge_sources"].update(sharepoint=None))
    removed = diff_snapshots(before, gone)
    assert keyed(removed) == [("sharepoint", None, "removed")]
    assert removed.changes[0].label == "SharePoint folder"
    assert keyed(diff_snapshots(gone, before)) == [("sharepoint", None, "added")]


# --- tools --------------------------------------------------------------------------------


def test_tool_added_carries_its_actions() -> None:
    tool = new_tool()
    diff = diff_snapshots(*edited(lambda s: s["tools"].append(tool)))
    assert keyed(diff) == [("tool:3", None, "added")]
    assert diff.changes[0].after["actions"][0]["action_id"] == 31
    assert diff.summary == "Tool \u201cMailer\u201d added"


def test_a_tool_without_an_actions_list_has_no_actions() -> None:
    before = sample_snapshot()
    after = sample_snapshot()
    del before["tools"][1]["actions"]
    del after["tools"][1]["actions"]
    assert not diff_snapshots(before, after).has_changes
    diff = diff_snapshots(before, sample_snapshot())
    assert keyed(diff) == [("tool:2/action:21", None, "added")]
    assert keyed(diff_snapshots(sample_snapshot(), before)) == [
        ("tool:2/action:21", None, "removed")
    ]


def test_tool_removed() -> None:
    diff = diff_snapshots(*edited(lambda s: s["tools"].pop(0)))
    assert keyed(diff) == [("tool:1", None, "removed")]
    assert diff.changes[0].label == "Tool \u201cCRM\u201d"
    assert diff.summary == "Tool \u201cCRM\u201d removed"


def test_tool_disabled() -> None:
    diff = diff_snapshots(*edited(lambda s: s["tools"][0].update(enabled=False)))
    assert [(c.key, c.field, c.before, c.after) for c in diff.changes] == [
        ("tool:1", "enabled", True, False)
    ]
    assert diff.changes[0].label == "Tool \u201cCRM\u201d: enabled"
    assert diff.summary == "Tool \u201cCRM\u201d disabled"


def test_action_enabled_and_disabled() -> None:
    def change(s: dict) -> None:
        s["tools"][0]["actions"][0]["enabled"] = False
        s["tools"][0]["actions"][1]["enabled"] = True

    diff = diff_snapshots(*edited(change))
    assert [(c.key, c.field, c.label) for c in diff.changes] == [
        (
            "tool:1/action:11",
            "enabled",
            "Tool \u201cCRM\u201d: action \u201ccreate_ticket\u201d: enabled",
        ),
        (
            "tool:1/action:12",
            "enabled",
            "Tool \u201cCRM\u201d: action \u201cclose_ticket\u201d: enabled",
        ),
    ]
    assert (
        diff.summary
        == "Tool \u201cCRM\u201d: 1 action enabled, Tool \u201cCRM\u201d: 1 action disabled"
    )


def test_action_added_removed_and_config_changed() -> None:
    def change(s: dict) -> None:
        actions = s["tools"][0]["actions"]
        actions[0]["config"]["queue"] = "billing"
        actions.pop(1)
        actions.append({"action_id": 13, "name": "assign", "enabled": True, "config": {}})

    diff = diff_snapshots(*edited(change))
    assert [(c.key, c.field, c.change) for c in diff.changes] == [
        ("tool:1/action:11", "config.queue", "modified"),
        ("tool:1/action:12", None, "removed"),
        ("tool:1/action:13", None, "added"),
    ]
    assert diff.changes[0].label == (
        "Tool \u201cCRM\u201d: action \u201ccreate_ticket\u201d: config \u201cqueue\u201d"
    )
    assert diff.changes[2].label == "Tool \u201cCRM\u201d: action \u201cassign\u201d"
    assert diff.summary == (
        "Tool \u201cCRM\u201d: 1 action added, Tool \u201cCRM\u201d: 1 action removed, "
        "Tool \u201cCRM\u201d: 1 action changed"
    )


# --- guardrails ---------------------------------------------------------------------------


def test_guardrail_changes_and_plurals() -> None:
    def change(s: dict) -> None:
        s["guardrails"][0]["settings"]["mask"] = False
        s["guardrails"][1]["enabled"] = True
        s["guardrails"].append(new_guardrail())

    diff = diff_snapshots(*edited(change))
    assert [(c.key, c.field, c.change) for c in diff.changes] == [
        ("guardrail:1", "settings.mask", "modified"),
        ("guardrail:2", "enabled", "modified"),
        ("guardrail:3", None, "added"),
    ]
    assert diff.changes[0].label == "Guardrail \u201cPII filter\u201d: setting \u201cmask\u201d"
    assert diff.summary == "1 guardrail added, 2 guardrails changed"


# --- labels -------------------------------------------------------------------------------


def test_catalogue_renames_are_not_changes() -> None:
    def change(s: dict) -> None:
        s["knowledge_sources"]["corpora"][0]["name"] = "Company policies"
        s["tools"][0].update(name="Salesforce", kind="python")
        s["tools"][0]["actions"][0]["name"] = "open_case"
        s["guardrails"][0].update(name="Privacy", type="custom")

    before, after = edited(change)
    assert not diff_snapshots(before, after).has_changes
    assert fingerprint(before) == fingerprint(after)


def test_labels_take_the_new_name_and_fall_back_to_the_old() -> None:
    def change(s: dict) -> None:
        s["tools"][0].update(name="Salesforce", enabled=False)
        s["guardrails"].pop(0)

    diff = diff_snapshots(*edited(change))
    assert [c.label for c in diff.changes] == [
        "Tool \u201cSalesforce\u201d: enabled",
        "Guardrail \u201cPII filter\u201d",
    ]


def test_unnamed_items_are_labelled_by_identity() -> None:
    before, after = edited(lambda s: s["instructions"].append(instruction(9, "")))
    assert diff_snapshots(before, after).changes[0].label == "Instruction #9"


# --- the whole diff -----------------------------------------------------------------------


def test_changes_are_ordered_by_section() -> None:
    def change(s: dict) -> None:
        s["guardrails"][0]["enabled"] = False
        s["tools"][0]["actions"][0]["enabled"] = False
        s["instructions"].append(instruction(9, "New"))
        s["settings"]["name"] = "Other"
        s["knowledge_sources"]["corpora"][0]["enabled"] = False

    diff = diff_snapshots(*edited(change))
    assert [c.section for c in diff.changes] == list(SECTIONS)
    assert [len(diff.for_section(s)) for s in SECTIONS] == [1, 1, 1, 1, 1]


def test_summary_of_several_sections() -> None:
    def change(s: dict) -> None:
        s["settings"]["name"] = "Support bot v2"
        s["instructions"] += [instruction(8, "A"), instruction(9, "B")]
        s["tools"][0]["actions"][0]["enabled"] = False

    assert diff_snapshots(*edited(change)).summary == (
        "Name changed, 2 instructions added, Tool \u201cCRM\u201d: 1 action disabled"
    )


def test_summary_from_changes_alone() -> None:
    # A Diff rebuilt from stored changes (no item labels) summarises the same way.
    diff = diff_snapshots(*edited(lambda s: s["tools"][0]["actions"][0].update(enabled=False)))
    assert Diff(changes=diff.changes).summary == diff.summary


def test_before_none_compares_with_an_empty_snapshot() -> None:
    after = sample_snapshot()
    diff = diff_snapshots(None, after)
    assert diff == diff_snapshots(empty_snapshot(), after)
    assert all(c.change == "added" for c in diff.changes if c.field is None)
    assert diff.counts == {
        "settings": 6,  # name, description, two model config keys, access level, tags
        "instructions": 4,
        "knowledge_sources": 3,
        "tools": 2,
        "guardrails": 2,
    }
    assert diff.for_section("settings")[2].change == "added"  # model_config.model


def test_as_dict_is_json_ready() -> None:
    diff = diff_snapshots(*edited(lambda s: s["settings"].update(name="X")))
    data = json.loads(json.dumps(diff.as_dict()))
    assert data == {
        "has_changes": True,
        "counts": {
            "settings": 1,
            "instructions": 0,
            "knowledge_sources": 0,
            "tools": 0,
            "guardrails": 0,
        },
        "summary": "Name changed",
        "changes": [
            {
                "section": "settings",
                "key": "settings",
                "field": "name",
                "label": "Name",
                "change": "modified",
                "before": "Support bot",
                "after": "X",
            }
        ],
    }


# --- properties ---------------------------------------------------------------------------


@QUICK
@given(snapshots())
def test_a_snapshot_equals_itself(snapshot: dict) -> None:
    diff = diff_snapshots(snapshot, json.loads(json.dumps(snapshot)))
    assert not diff.has_changes
    assert diff.summary == "No changes"


@PROPERTY
@given(snapshot_pairs())
def test_no_changes_exactly_when_fingerprints_match(pair: tuple[dict, dict]) -> None:
    before, after = pair
    diff = diff_snapshots(before, after)
    assert diff.has_changes == (fingerprint(before) != fingerprint(after))


@PROPERTY
@given(snapshot_pairs())
def test_swapping_sides_swaps_added_and_removed(pair: tuple[dict, dict]) -> None:
    before, after = pair
    forward = diff_snapshots(before, after)
    backward = diff_snapshots(after, before)
    swap = {"added": "removed", "removed": "added", "modified": "modified"}

    def atoms(diff: Diff, flip: bool) -> set[tuple]:
        out = set()
        for c in diff.changes:
            if c.field == "position":
                continue  # which side of an ambiguous move is "the" move may differ
            b, a = (c.after, c.before) if flip else (c.before, c.after)
            kind = swap[c.change] if flip else c.change
            out.add(
                (
                    c.section,
                    c.key,
                    c.field,
                    kind,
                    json.dumps(b, sort_keys=True),
                    json.dumps(a, sort_keys=True),
                )
            )
        return out

    assert atoms(forward, flip=False) == atoms(backward, flip=True)
    moves = [len([c for c in d.changes if c.field == "position"]) for d in (forward, backward)]
    assert moves[0] == moves[1]


@QUICK
@given(snapshot_pairs())
def test_counts_and_order_are_consistent(pair: tuple[dict, dict]) -> None:
    diff = diff_snapshots(*pair)
    assert list(diff.counts) == list(SECTIONS)
    assert sum(diff.counts.values()) == len(diff.changes)
    order = [SECTIONS.index(c.section) for c in diff.changes]
    assert order == sorted(order)
    assert (diff.summary == "No changes") == (not diff.has_changes)
    json.dumps(diff.as_dict())


@PROPERTY
@given(st.data())
def test_moves_are_minimal(data: st.DataObject) -> None:
    # Only the order changes: the moved ones are the complement of a longest common
    # subsequence, so putting just them back restores the old order.
    snapshot = data.draw(snapshots())
    order = data.draw(st.permutations(snapshot["instructions"]))
    after = canonical({**snapshot, "instructions": list(order)})
    diff = diff_snapshots(snapshot, after)
    assert all(c.field == "position" for c in diff.changes)
    moved = {c.key for c in diff.changes}
    kept_after = [i["id"] for i in after["instructions"] if f"instruction:{i['id']}" not in moved]
    kept_before = [
        i["id"] for i in snapshot["instructions"] if f"instruction:{i['id']}" not in moved
    ]
    assert kept_after == kept_before
    for c in diff.changes:
        assert after["instructions"][c.after]["id"] == snapshot["instructions"][c.before]["id"]


@QUICK
@given(st.data())
def test_edits_show_up_and_nothing_else(data: st.DataObject) -> None:
    before = data.draw(snapshots())
    after = data.draw(edited_snapshots(before, max_edits=1))
    diff = diff_snapshots(before, after)
    # One edit touches at most one item (or one settings field) ...
    keys = {c.key for c in diff.changes if c.field != "position"}
    assert len(keys) <= 1
