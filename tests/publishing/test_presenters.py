"""Diff -> side-by-side rows: escaping and word highlights. No database."""

from __future__ import annotations

import copy
import html
import re

from django.utils.safestring import SafeString
from hypothesis import given
from hypothesis import strategies as st

from configuration.diff import diff_snapshots
from publishing.presenters import EMPTY, present_change, present_diff, word_diff
from tests.publishing.strategies import (
    PROPERTY,
    QUICK,
    canonical,
    sample_snapshot,
    snapshot_pairs,
)

XSS = "<script>alert(1)</script>"


def stored(section: str, key: str, field: str | None, label: str, change: str, before, after):
    """A change as a publish record keeps it (``Change.as_dict()``)."""
    return {
        "section": section,
        "key": key,
        "field": field,
        "label": label,
        "change": change,
        "before": before,
        "after": after,
    }


def modified(field: str | None, before, after, *, section: str = "instructions") -> dict:
    return stored(section, "instruction:1", field, "Instruction", "modified", before, after)


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"</?(del|ins)>", "", fragment))


def diff_of(change) -> object:
    before = sample_snapshot()
    after = copy.deepcopy(before)
    change(after)
    return diff_snapshots(before, canonical(after))


# --- grouping -----------------------------------------------------------------------------


def test_rows_grouped_by_section_with_titles_and_counts() -> None:
    def change(s: dict) -> None:
        s["settings"]["name"] = "Other"
        s["settings"]["tags"] = []
        s["guardrails"][0]["enabled"] = False

    sections = present_diff(diff_of(change))
    assert [(s.section, s.title, s.count) for s in sections] == [
        ("settings", "Settings", 2),
        ("guardrails", "Guardrails", 1),
    ]
    assert [r.label for r in sections[0].rows] == ["Name", "Tags"]


def test_include_empty_lists_all_five_sections() -> None:
    sections = present_diff([], include_empty=True)
    assert [s.title for s in sections] == [
        "Settings",
        "Instructions",
        "Knowledge sources",
        "Tools",
        "Guardrails",
    ]
    assert all(s.count == 0 and s.rows == () for s in sections)


def test_change_dicts_render_like_change_objects() -> None:
    diff = diff_of(lambda s: s["instructions"][0].update(content="Say hi, then help."))
    from_objects = present_diff(diff)
    assert present_diff(list(diff.changes)) == from_objects
    assert present_diff([c.as_dict() for c in diff.changes]) == from_objects


def test_row_fields() -> None:
    row = present_change(modified("title", "Greeting", "Welcome"))
    assert (row.section, row.key, row.field, row.label) == (
        "instructions",
        "instruction:1",
        "title",
        "Instruction",
    )
    assert (row.change, row.change_title) == ("modified", "Changed")
    assert isinstance(row.left, SafeString)
    assert isinstance(row.right, SafeString)


# --- values -------------------------------------------------------------------------------


def test_short_values_are_shown_whole_without_highlights() -> None:
    row = present_change(modified("title", "Greeting", "Welcome"))
    assert (row.left, row.right, row.inline) == ("Greeting", "Welcome", False)


def test_added_and_removed_show_an_em_dash_on_the_missing_side() -> None:
    added = present_change(
        stored("settings", "settings", "model_config.seed", "Seed", "added", None, 7)
    )
    assert (added.left, added.right, added.change_title) == (EMPTY, "7", "Added")
    removed = present_change(
        stored("settings", "settings", "model_config.seed", "Seed", "removed", 7, None)
    )
    assert (removed.left, removed.right, removed.change_title) == ("7", EMPTY, "Removed")


def test_enabled_flags_read_as_enabled_and_disabled() -> None:
    row = present_change(stored("tools", "tool:1", "enabled", "Tool", "modified", True, False))
    assert (row.left, row.right) == ("Enabled", "Disabled")
    other = present_change(
        stored("guardrails", "guardrail:1", "settings.mask", "Mask", "modified", False, True)
    )
    assert (other.left, other.right) == ("No", "Yes")


def test_an_added_instruction_reads_as_its_title_and_text_escaped() -> None:
    item = {"id": 9, "title": "<b>New</b>", "content": "Say hi.", "position": 0}
    row = present_change(stored("instructions", "instruction:9", None, "I", "added", None, item))
    assert row.left == EMPTY
    assert row.right == "&lt;b&gt;New&lt;/b&gt;\n\nSay hi."
    assert "<b>" not in row.right


def test_a_removed_tool_reads_as_its_state_and_actions() -> None:
    tool = {
        "tool_id": 3,
        "name": "CRM",
        "kind": "api",
        "enabled": True,
        "actions": [
            {"action_id": 1, "name": "lookup", "enabled": True, "config": {}},
            {"action_id": 2, "name": "close", "enabled": False, "config": {}},
        ],
    }
    row = present_change(stored("tools", "tool:3", None, "Tool", "removed", tool, None))
    assert row.left == "Enabled\nKind: api\nActions: lookup (on), close (off)"
    assert row.right == EMPTY


# --- escaping -----------------------------------------------------------------------------


def test_script_in_content_is_escaped_on_both_sides() -> None:
    row = present_change(modified("content", f"Hello {XSS} world", f"Hello {XSS} there"))
    for side in (row.left, row.right):
        assert "<script>" not in side
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in side


def test_script_added_inside_a_highlight_is_escaped() -> None:
    row = present_change(modified("content", "Hello world", f"Hello {XSS} world"))
    assert row.left == "Hello world"
    assert row.right == "Hello <ins>&lt;script&gt;alert(1)&lt;/script&gt; </ins>world"


def test_script_in_short_values_and_dict_changes_is_escaped() -> None:
    short = present_change(modified("title", XSS, "ok"))
    assert short.left == "&lt;script&gt;alert(1)&lt;/script&gt;"
    added = present_change(stored("tools", "tool:1", None, "T", "added", None, {"name": XSS}))
    assert "<script>" not in added.right


def test_quotes_and_ampersands_are_escaped() -> None:
    row = present_change(modified("title", "a & b", "\"c\" 'd'"))
    assert row.left == "a &amp; b"
    assert row.right == "&quot;c&quot; &#x27;d&#x27;"


# --- word highlights ----------------------------------------------------------------------


def test_one_word_replaced() -> None:
    row = present_change(
        modified("content", "The quick brown fox jumps.", "The slow brown fox jumps.")
    )
    assert row.inline
    assert row.left == "The <del>quick</del> brown fox jumps."
    assert row.right == "The <ins>slow</ins> brown fox jumps."


def test_adjacent_changed_words_form_one_highlight() -> None:
    row = present_change(modified("content", "keep one two keep", "keep three four keep"))
    assert row.left == "keep <del>one two</del> keep"
    assert row.right == "keep <ins>three four</ins> keep"


def test_words_appended_highlight_only_on_the_right() -> None:
    row = present_change(modified("description", "Answer politely.", "Answer politely. Be brief."))
    assert "<del>" not in row.left
    assert row.left == "Answer politely."
    assert row.right == "Answer politely.<ins> Be brief.</ins>"


def test_words_removed_highlight_only_on_the_left() -> None:
    row = present_change(modified("content", "Say hello politely now.", "Say hello now."))
    assert row.left == "Say hello <del>politely </del>now."
    assert "<ins>" not in row.right


def test_multi_line_text_keeps_its_line_breaks() -> None:
    row = present_change(modified("title", "line one\nline two", "line one\nline 2"))
    assert row.inline
    assert row.left == "line one\nline <del>two</del>"
    assert row.right == "line one\nline <ins>2</ins>"


def test_long_text_in_any_field_gets_highlights() -> None:
    before = "word " * 20 + "end"
    after = "word " * 20 + "finish"
    row = present_change(
        stored("settings", "settings", "model_config.system", "S", "modified", before, after)
    )
    assert row.inline
    assert row.left.endswith("<del>end</del>")
    assert row.right.endswith("<ins>finish</ins>")


def test_changed_dicts_are_highlighted_inside_the_json() -> None:
    row = present_change(
        stored("knowledge_sources", "sharepoint", None, "SP", "modified", {"a": 1}, {"a": 2})
    )
    assert row.inline
    assert "<del>1</del>" in row.left
    assert "<ins>2</ins>" in row.right


def test_word_diff_segments() -> None:
    left, right = word_diff("a b c", "a x c")
    assert left == [("a ", None), ("b", "del"), (" c", None)]
    assert right == [("a ", None), ("x", "ins"), (" c", None)]


def test_word_diff_of_identical_text_has_no_highlights() -> None:
    left, right = word_diff("same text", "same text")
    assert left == right == [("same text", None)]


@PROPERTY
@given(
    st.text(alphabet="ab <>&\"'\n\t", max_size=60),
    st.text(alphabet="ab <>&\"'\n\t", max_size=60),
)
def test_highlights_reassemble_both_texts(before: str, after: str) -> None:
    left, right = word_diff(before, after)
    assert "".join(text for text, _ in left) == before
    assert "".join(text for text, _ in right) == after
    assert all(tag in (None, "del") for _, tag in left)
    assert all(tag in (None, "ins") for _, tag in right)
    row = present_change(modified("content", before, after))
    assert text_of(row.left) == before
    assert text_of(row.right) == after
    assert "<" not in re.sub(r"</?(del|ins)>", "", row.left + row.right)


@QUICK
@given(snapshot_pairs())
def test_every_change_becomes_one_row(pair: tuple[dict, dict]) -> None:
    diff = diff_snapshots(*pair)
    sections = present_diff(diff)
    assert sum(s.count for s in sections) == len(diff.changes)
    assert [r.key for s in sections for r in s.rows] == [c.key for c in diff.changes]
