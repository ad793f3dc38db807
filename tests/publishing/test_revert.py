"""Reverting one publish onto today's Staging: pure, no database."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from configuration.diff import Change, diff_snapshots
from configuration.revert import Conflict, RevertResult, revert_publish
from configuration.snapshot import empty_snapshot, fingerprint
from tests.publishing.strategies import (
    PROPERTY,
    QUICK,
    canonical,
    json_scalars,
    long_texts,
    new_guardrail,
    new_tool,
    publishes,
    sample_snapshot,
    short_texts,
)


def applied(snapshot: dict, *changes) -> dict:
    s = copy.deepcopy(snapshot)
    for change in changes:
        change(s)
    return canonical(s)


def same_content(a: dict, b: dict) -> bool:
    return not diff_snapshots(a, b).has_changes


def titles(snapshot: dict) -> list[str]:
    return [i["title"] for i in snapshot["instructions"]]


def instruction(ident: int, title: str) -> dict:
    return {"id": ident, "title": title, "content": "Text.", "position": 0}


BASE = sample_snapshot()


def set_name(value: str):
    return lambda s: s["settings"].update(name=value)


def set_description(value: str):
    return lambda s: s["settings"].update(description=value)


def reverted(published: dict, *edits_since) -> RevertResult:
    """Revert ``published`` (a publish on BASE) onto Staging edited since by ``edits_since``."""
    return revert_publish(base=BASE, published=published, current=applied(published, *edits_since))


# --- the simple cases ---------------------------------------------------------------------


def test_reverting_the_newest_publish_restores_the_one_before() -> None:
    published = applied(
        BASE,
        set_name("Sales bot"),
        lambda s: s["settings"]["model_config"].update(temperature=0.9, seed=7),
        lambda s: s["instructions"].insert(0, instruction(9, "New")),
        lambda s: s["instructions"].pop(2),
        lambda s: s["knowledge_sources"]["corpora"][0]["settings"].update(top_k=20),
        lambda s: s["knowledge_sources"].update(sharepoint=None),
        lambda s: s["tools"].pop(1),
        lambda s: s["tools"][0]["actions"][1].update(enabled=True),
        lambda s: s["guardrails"][0].update(enabled=False),
    )
    result = revert_publish(base=BASE, published=published, current=published)
    assert result.conflicts == ()
    assert same_content(BASE, result.snapshot)
    assert result.snapshot == BASE  # labels come back too


def test_later_changes_elsewhere_are_kept() -> None:
    published = applied(BASE, set_name("Sales bot"))
    result = reverted(published, set_description("Now also sells."))
    assert result.conflicts == ()
    assert result.snapshot["settings"]["name"] == "Support bot"
    assert result.snapshot["settings"]["description"] == "Now also sells."


def test_a_field_changed_again_is_a_conflict_and_the_rest_is_still_computed() -> None:
    published = applied(BASE, set_name("Sales bot"), set_description("Sells."))
    result = reverted(published, set_name("Sales bot 2"))
    assert result.conflicts == (
        Conflict(
            section="settings",
            key="settings",
            field="name",
            label="Name",
            published="Sales bot",
            current="Sales bot 2",
            reverted_to="Support bot",
            detail="Changed again after this publish.",
        ),
    )
    assert result.snapshot["settings"]["name"] == "Sales bot 2"
    assert result.snapshot["settings"]["description"] == BASE["settings"]["description"]


def test_a_field_already_back_at_its_base_value_is_fine() -> None:
    published = applied(BASE, set_name("Sales bot"))
    result = reverted(published, set_name("Support bot"))
    assert result.conflicts == ()
    assert result.snapshot["settings"]["name"] == "Support bot"


def test_a_publish_without_changes_reverts_nothing() -> None:
    current = applied(BASE, set_name("Edited since"))
    result = revert_publish(base=BASE, published=BASE, current=current)
    assert result.conflicts == ()
    assert result.snapshot == current


def test_reverting_a_first_publish_empties_the_configuration() -> None:
    result = revert_publish(base=None, published=BASE, current=BASE)
    assert result.conflicts == ()
    assert same_content(empty_snapshot(), result.snapshot)


def test_conflict_as_dict() -> None:
    published = applied(BASE, set_name("A"))
    (conflict,) = reverted(published, set_name("B")).conflicts
    assert json.loads(json.dumps(conflict.as_dict())) == {
        "section": "settings",
        "key": "settings",
        "field": "name",
        "label": "Name",
        "published": "A",
        "current": "B",
        "reverted_to": "Support bot",
        "detail": "Changed again after this publish.",
    }


# --- model configuration and nested settings ----------------------------------------------


def test_model_config_keys_added_and_removed_by_the_publish() -> None:
    def change(s: dict) -> None:
        s["settings"]["model_config"]["seed"] = 1
        del s["settings"]["model_config"]["model"]

    published = applied(BASE, change)
    result = reverted(published, lambda s: s["settings"]["model_config"].update(top_p=0.5))
    assert result.conflicts == ()
    assert result.snapshot["settings"]["model_config"] == {
        "model": "gpt-4o",
        "temperature": 0.2,
        "top_p": 0.5,
    }
    assert list(result.snapshot["settings"]["model_config"]) == ["model", "temperature", "top_p"]


def test_one_setting_key_reverts_without_touching_its_neighbours() -> None:
    published = applied(
        BASE, lambda s: s["knowledge_sources"]["corpora"][0]["settings"].update(top_k=20)
    )
    result = reverted(
        published, lambda s: s["knowledge_sources"]["corpora"][0]["settings"].update(rerank=True)
    )
    assert result.conflicts == ()
    assert result.snapshot["knowledge_sources"]["corpora"][0]["settings"] == {
        "rerank": True,
        "top_k": 5,
    }


def test_setting_key_changed_again_is_a_conflict() -> None:
    def top_k(value: int):
        return lambda s: s["knowledge_sources"]["corpora"][0]["settings"].update(top_k=value)

    published = applied(BASE, top_k(20))
    result = reverted(published, top_k(30))
    assert [(c.key, c.field, c.published, c.current, c.reverted_to) for c in result.conflicts] == [
        ("corpus:10", "settings.top_k", 20, 30, 5)
    ]


# --- items the publish added or removed ---------------------------------------------------


def test_item_added_by_the_publish_is_removed() -> None:
    published = applied(BASE, lambda s: s["guardrails"].append(new_guardrail()))
    # A catalogue rename since is no edit: the guardrail still goes.
    result = reverted(published, lambda s: s["guardrails"][2].update(name="Tone of voice"))
    assert result.conflicts == ()
    assert [g["guardrail_id"] for g in result.snapshot["guardrails"]] == [1, 2]


def test_tool_added_by_the_publish_goes_even_when_its_actions_were_renamed_since() -> None:
    # The catalogue names of a tool's actions are labels too, not an edit of the tool.
    tool = new_tool()
    published = applied(BASE, lambda s: s["tools"].append(tool))
    result = reverted(published, lambda s: s["tools"][2]["actions"][0].update(name="dispatch"))
    assert result.conflicts == ()
    assert [t["tool_id"] for t in result.snapshot["tools"]] == [1, 2]


def test_item_added_by_the_publish_and_edited_since_is_a_conflict() -> None:
    published = applied(BASE, lambda s: s["instructions"].append(instruction(9, "New")))
    result = reverted(published, lambda s: s["instructions"][4].update(content="Edited."))
    (conflict,) = result.conflicts
    assert (conflict.key, conflict.field, conflict.reverted_to) == ("instruction:9", None, None)
    assert conflict.current["content"] == "Edited."
    assert "instruction:9" in {f"instruction:{i['id']}" for i in result.snapshot["instructions"]}


def test_item_added_by_the_publish_and_already_gone_is_fine() -> None:
    published = applied(BASE, lambda s: s["instructions"].append(instruction(9, "New")))
    result = reverted(published, lambda s: s["instructions"].pop(4))
    assert result.conflicts == ()
    assert same_content(result.snapshot, BASE)


def test_item_removed_by_the_publish_comes_back_with_its_base_content_and_labels() -> None:
    published = applied(BASE, lambda s: s["tools"].pop(0))
    result = reverted(published, lambda s: s["tools"][0].update(name="Search (renamed)"))
    assert result.conflicts == ()
    assert result.snapshot["tools"][0] == BASE["tools"][0]
    assert result.snapshot["tools"][1]["name"] == "Search (renamed)"


def test_item_removed_by_the_publish_and_added_again_differently_is_a_conflict() -> None:
    published = applied(BASE, lambda s: s["guardrails"].pop(0))
    readded = {**BASE["guardrails"][0], "settings": {"mask": False}}
    (conflict,) = reverted(published, lambda s: s["guardrails"].insert(0, readded)).conflicts
    assert (conflict.key, conflict.published, conflict.reverted_to) == (
        "guardrail:1",
        None,
        BASE["guardrails"][0],
    )
    assert conflict.detail == "Added again after this publish with different content."


def test_item_removed_by_the_publish_and_added_again_identically_is_fine() -> None:
    published = applied(BASE, lambda s: s["guardrails"].pop(0))
    result = reverted(published, lambda s: s["guardrails"].insert(0, BASE["guardrails"][0]))
    assert result.conflicts == ()
    assert same_content(result.snapshot, BASE)


def test_field_of_an_item_deleted_since_is_a_conflict() -> None:
    published = applied(BASE, lambda s: s["guardrails"][0].update(enabled=False))
    (conflict,) = reverted(published, lambda s: s["guardrails"].pop(0)).conflicts
    assert (conflict.key, conflict.field, conflict.current) == ("guardrail:1", "enabled", None)
    assert conflict.detail == "Removed after this publish, so this change cannot be undone."


def test_action_removed_by_the_publish_whose_tool_is_gone_is_a_conflict() -> None:
    published = applied(BASE, lambda s: s["tools"][0]["actions"].pop(1))
    (conflict,) = reverted(published, lambda s: s["tools"].pop(0)).conflicts
    assert conflict.key == "tool:1/action:12"


def test_action_added_by_the_publish_is_removed_and_config_reverted() -> None:
    def change(s: dict) -> None:
        actions = s["tools"][0]["actions"]
        actions.append({"action_id": 13, "name": "assign", "enabled": True, "config": {}})
        actions[0]["config"]["queue"] = "billing"

    published = applied(BASE, change)
    result = revert_publish(base=BASE, published=published, current=published)
    assert result.conflicts == ()
    assert result.snapshot["tools"][0] == BASE["tools"][0]


def test_tool_added_by_the_publish_with_an_action_toggled_since_is_a_conflict() -> None:
    tool = new_tool()
    published = applied(BASE, lambda s: s["tools"].append(tool))
    (conflict,) = reverted(
        published, lambda s: s["tools"][2]["actions"][0].update(enabled=False)
    ).conflicts
    assert conflict.key == "tool:3"


def test_sharepoint_removed_by_the_publish_comes_back() -> None:
    published = applied(BASE, lambda s: s["knowledge_sources"].update(sharepoint=None))
    result = revert_publish(base=BASE, published=published, current=published)
    assert (
        result.snapshot["knowledge_sources"]["sharepoint"]
        == (BASE["knowledge_sources"]["sharepoint"])
    )


# --- order --------------------------------------------------------------------------------


def test_a_removed_instruction_returns_to_its_place() -> None:
    published = applied(BASE, lambda s: s["instructions"].pop(1))
    result = reverted(published, lambda s: s["instructions"].append(instruction(9, "Later")))
    assert titles(result.snapshot) == ["Greeting", "Tone", "Escalation", "Closing", "Later"]
    assert [i["position"] for i in result.snapshot["instructions"]] == [0, 1, 2, 3, 4]


def test_reverting_a_move_puts_it_back_and_keeps_later_inserts() -> None:
    published = applied(BASE, lambda s: s["instructions"].insert(0, s["instructions"].pop(3)))
    assert titles(published) == ["Closing", "Greeting", "Tone", "Escalation"]
    result = reverted(published, lambda s: s["instructions"].insert(2, instruction(9, "Later")))
    assert result.conflicts == ()
    assert titles(result.snapshot) == ["Greeting", "Later", "Tone", "Escalation", "Closing"]


def test_an_instruction_moved_again_since_stays_where_it_was_put() -> None:
    published = applied(BASE, lambda s: s["instructions"].insert(0, s["instructions"].pop(3)))
    current = applied(published, lambda s: s["instructions"].insert(2, s["instructions"].pop(0)))
    assert titles(current) == ["Greeting", "Tone", "Closing", "Escalation"]
    result = revert_publish(base=BASE, published=published, current=current)
    assert result.conflicts == ()
    assert titles(result.snapshot) == titles(current)


# --- the result ---------------------------------------------------------------------------


def test_result_is_canonical_and_inputs_are_untouched() -> None:
    published = applied(
        BASE,
        lambda s: s["instructions"].pop(0),
        lambda s: s["tools"].pop(0),
        lambda s: s["settings"].update(tags=["vip"]),
    )
    current = applied(published, lambda s: s["settings"]["model_config"].update(a=1))
    frozen = [copy.deepcopy(x) for x in (BASE, published, current)]
    snapshot = revert_publish(base=BASE, published=published, current=current).snapshot
    assert [BASE, published, current] == frozen
    assert snapshot == canonical(snapshot)
    assert [t["tool_id"] for t in snapshot["tools"]] == [1, 2]
    assert snapshot["settings"]["tags"] == ["support"]


# --- properties ---------------------------------------------------------------------------


def clean_revert(base: dict, published: dict, *, current: dict, expected: dict):
    """Revert the publish ``base -> published`` on ``current``: no conflict, ``expected``."""
    result = revert_publish(base=base, published=published, current=current)
    assert result.conflicts == ()
    assert same_content(expected, result.snapshot)
    return result


@PROPERTY
@given(publishes())
def test_reverting_the_newest_publish_equals_restoring_the_previous(publish) -> None:
    base, published = publish
    result = clean_revert(base, published, current=published, expected=base)
    assert fingerprint(result.snapshot) == fingerprint(base)


@QUICK
@given(publishes())
def test_current_already_at_base_needs_nothing(publish) -> None:
    base, published = publish
    clean_revert(base, published, current=base, expected=base)


@QUICK
@given(publishes())
def test_an_empty_publish_keeps_current(publish) -> None:
    base, current = publish
    clean_revert(base, base, current=current, expected=current)


# Edits "since the publish", applied to both the published and the base snapshot when they
# touch only atoms the publish left alone: the revert must then land on base + those edits.


def _touched(diff) -> tuple[set[tuple[str, str | None]], set[str]]:
    atoms = {(c.key, c.field) for c in diff.changes}
    items = {c.path.item() for c in diff.changes} | {c.path.parent() for c in diff.changes}
    return atoms, {path.key for path in items if path is not None}


def _common(base: dict, published: dict, section: str, identity: str) -> list[Any]:
    def items(s: dict) -> list[dict]:
        return s["knowledge_sources"]["corpora"] if section == "corpora" else s[section]

    ids = {i[identity] for i in items(base)}
    return sorted(i[identity] for i in items(published) if i[identity] in ids)


@st.composite
def untouched_edits(draw: st.DrawFn, base: dict, published: dict) -> list:
    atoms, keys = _touched(diff_snapshots(base, published))
    edits: list = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(
            st.sampled_from(
                [
                    "setting",
                    "model_config",
                    "instruction_text",
                    "instruction_append",
                    "instruction_delete",
                    "corpus",
                    "tool",
                    "guardrail_setting",
                ]
            )
        )
        if kind == "setting":
            name = draw(st.sampled_from(["name", "description"]))
            if ("settings", name) not in atoms:
                value = draw(short_texts if name == "name" else long_texts)
                edits.append(lambda s, n=name, v=value: s["settings"].update({n: v}))
        elif kind == "model_config":
            key = draw(st.sampled_from(["model", "temperature", "extra"]))
            if ("settings", f"model_config.{key}") not in atoms:
                value = draw(json_scalars)
                edits.append(lambda s, k=key, v=value: s["settings"]["model_config"].update({k: v}))
        elif kind in ("instruction_text", "instruction_delete"):
            ids = _common(base, published, "instructions", "id")
            if not ids:
                continue
            ident = draw(st.sampled_from(ids))
            key = f"instruction:{ident}"
            if kind == "instruction_delete":
                if key not in keys:
                    edits.append(
                        lambda s, i=ident: s.update(
                            instructions=[x for x in s["instructions"] if x["id"] != i]
                        )
                    )
            elif (key, "content") not in atoms:
                value = draw(long_texts)
                edits.append(
                    lambda s, i=ident, v=value: [
                        x.update(content=v) for x in s["instructions"] if x["id"] == i
                    ]
                )
        elif kind == "instruction_append":
            ident = 50 + len(edits)
            edits.append(lambda s, i=ident: s["instructions"].append(instruction(i, f"Since {i}")))
        elif kind == "corpus":
            ids = _common(base, published, "corpora", "corpus_id")
            if not ids:
                continue
            ident = draw(st.sampled_from(ids))
            setting = draw(st.sampled_from(["top_k", "mode", "fresh"]))
            if (f"corpus:{ident}", f"settings.{setting}") not in atoms:
                value = draw(json_scalars)
                edits.append(
                    lambda s, i=ident, k=setting, v=value: [
                        c["settings"].update({k: v})
                        for c in s["knowledge_sources"]["corpora"]
                        if c["corpus_id"] == i
                    ]
                )
        elif kind == "tool":
            ids = _common(base, published, "tools", "tool_id")
            if not ids:
                continue
            ident = draw(st.sampled_from(ids))
            if (f"tool:{ident}", "enabled") not in atoms:
                value = draw(st.booleans())
                edits.append(
                    lambda s, i=ident, v=value: [
                        t.update(enabled=v) for t in s["tools"] if t["tool_id"] == i
                    ]
                )
        else:
            ids = _common(base, published, "guardrails", "guardrail_id")
            if not ids:
                continue
            ident = draw(st.sampled_from(ids))
            if (f"guardrail:{ident}", "settings.level") not in atoms:
                value = draw(json_scalars)
                edits.append(
                    lambda s, i=ident, v=value: [
                        g["settings"].update(level=v)
                        for g in s["guardrails"]
                        if g["guardrail_id"] == i
                    ]
                )
    return edits


@PROPERTY
@given(st.data())
def test_later_changes_to_untouched_atoms_are_kept(data: st.DataObject) -> None:
    base, published = data.draw(publishes())
    edits = data.draw(untouched_edits(base, published))
    current = applied(published, *edits)
    clean_revert(base, published, current=current, expected=applied(base, *edits))


def _poke(snapshot: dict, change: Change) -> dict:
    """``snapshot`` with the atom of ``change`` set to a third value (or its item deleted)."""
    s = copy.deepcopy(snapshot)
    odd = "changed again \u2603"
    path = change.path
    settings_ = s["settings"]
    if path.kind == "settings":
        if path.field_key is not None:
            settings_[path.field][path.field_key] = odd
        elif path.field == "tags":
            settings_["tags"] = ["zz-changed-again"]
        else:
            settings_[path.field] = odd
        return canonical(s)
    if path.kind == "sharepoint":
        current = s["knowledge_sources"]["sharepoint"]
        value = change.before if change.change == "removed" else current
        s["knowledge_sources"]["sharepoint"] = {**value, path.field or "folder_path": odd}
        return canonical(s)

    container, identity = {
        "instruction": (s["instructions"], "id"),
        "guardrail": (s["guardrails"], "guardrail_id"),
        "tool": (s["tools"], "tool_id"),
        "corpus": (s["knowledge_sources"]["corpora"], "corpus_id"),
        "action": (None, "action_id"),
    }[path.kind]
    if path.parent_id is not None:
        container = next(t for t in s["tools"] if t["tool_id"] == path.parent_id)["actions"]
    item = next((i for i in container if i[identity] == path.item_id), None)

    def altered(value: dict) -> dict:
        value = copy.deepcopy(value)
        if "content" in value:
            value["content"] += odd
        else:
            value["enabled"] = not value["enabled"]
        return value

    if path.field is None:
        if change.change == "added":
            container[container.index(item)] = altered(item)
        else:
            container.append(altered(change.before))
    elif path.field_key is not None:
        item[path.field][path.field_key] = odd
    elif path.field in ("title", "content"):
        item[path.field] = odd
    else:
        container.remove(item)  # no third value for a flag: delete its item instead
    return canonical(s)


@PROPERTY
@given(st.data())
def test_an_atom_changed_again_since_the_publish_is_a_conflict(data: st.DataObject) -> None:
    base, published = data.draw(publishes())
    changes = [c for c in diff_snapshots(base, published).changes if c.field != "position"]
    assume(changes)
    change = data.draw(st.sampled_from(changes))
    current = _poke(published, change)
    result = revert_publish(base=base, published=published, current=current)
    assert (change.key, change.field) in {(c.key, c.field) for c in result.conflicts}
