"""Diff -> side-by-side rows: escaping and word highlights. No database."""

from __future__ import annotations

import copy
import html
import re

from django.utils.safestring import SafeString
from hypothesis import given
from hypothesis import strategies as st

from configuration.diff import diff_snapshots
from publishing.presenters import Chip, Jump, jump_list, present_change, present_diff
from publishing.text_diff import EMPTY, word_diff
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
    # An empty side is no value: the change reads as added or removed.
    assert text_of(row.left) == (before or EMPTY)
    assert text_of(row.right) == (after if before == "" or after else EMPTY)
    assert "<" not in re.sub(r"</?(del|ins)>", "", row.left + row.right)


@QUICK
@given(snapshot_pairs())
def test_every_change_becomes_one_row(pair: tuple[dict, dict]) -> None:
    diff = diff_snapshots(*pair)
    sections = present_diff(diff)
    assert sum(s.count for s in sections) == len(diff.changes)
    assert [r.key for s in sections for r in s.rows] == [c.key for c in diff.changes]


# --- long text like a code review -------------------------------------------------------------

PARAGRAPHS = [f"Paragraph {n}: say how to handle case {n} in full." for n in range(1, 13)]


def twelve_paragraphs(changed: dict[int, str] | None = None) -> str:
    paragraphs = list(PARAGRAPHS)
    for number, text in (changed or {}).items():
        paragraphs[number - 1] = text
    return "\n\n".join(paragraphs)


def content_row(before: str, after: str):
    return present_diff([modified("content", before, after)])[0].rows[0]


def test_one_changed_paragraph_of_twelve_shows_with_context_and_the_rest_folded() -> None:
    after = twelve_paragraphs({7: "Paragraph 7: say how to handle case 7 briefly."})
    row = content_row(twelve_paragraphs(), after)
    assert [(h.kind, h.count) for h in row.hunks] == [
        ("gap", 5),
        ("same", 1),
        ("change", 1),
        ("same", 1),
        ("gap", 4),
    ]
    gap, before_context, change, after_context, _ = row.hunks
    assert "Paragraph 6" in before_context.left and "Paragraph 6" in before_context.right
    assert change.left == "Paragraph 7: say how to handle case 7 <del>in full.</del>"
    assert change.right == "Paragraph 7: say how to handle case 7 <ins>briefly.</ins>"
    assert "Paragraph 8" in after_context.right
    # The folded lines are there for whoever opens the fold.
    assert all(f"Paragraph {n}:" in gap.right for n in range(1, 6))
    assert sum(h.count for h in row.hunks) == 12


def test_changes_close_together_share_their_context() -> None:
    after = twelve_paragraphs({3: "Three.", 5: "Five."})
    row = content_row(twelve_paragraphs(), after)
    assert [(h.kind, h.count) for h in row.hunks] == [
        ("same", 2),  # one line more than the context is not worth a fold
        ("change", 1),
        ("same", 1),
        ("change", 1),
        ("same", 1),
        ("gap", 6),
    ]


def test_an_appended_paragraph_is_the_only_change() -> None:
    row = content_row(twelve_paragraphs(), twelve_paragraphs() + "\n\nParagraph 13.")
    change = next(h for h in row.hunks if h.kind == "change")
    assert change.left == EMPTY
    assert change.right == "<ins>Paragraph 13.</ins>"
    assert change.lines == "line 13"


def test_a_removed_paragraph_leaves_an_em_dash_on_the_right() -> None:
    after = "\n\n".join(PARAGRAPHS[:6] + PARAGRAPHS[7:])
    change = next(h for h in content_row(twelve_paragraphs(), after).hunks if h.kind == "change")
    assert "<del>Paragraph 7:" in change.left
    assert change.right == EMPTY
    assert change.lines == "removed after line 6"


def test_the_jump_list_links_each_change_by_its_lines() -> None:
    after = twelve_paragraphs({2: "Two.", 10: "Ten."})
    sections = present_diff(
        [
            stored("settings", "settings", "name", "Name", "modified", "Old", "New"),
            modified("content", twelve_paragraphs(), after),
        ]
    )
    assert jump_list(sections) == [
        Jump("change-1", "Name"),
        Jump("change-2-1", "Instruction, line 2"),
        Jump("change-2-2", "Instruction, line 10"),
    ]
    anchors = [h.anchor for h in sections[1].rows[0].hunks if h.kind == "change"]
    assert anchors == ["change-2-1", "change-2-2"]


def test_short_multi_line_text_is_not_folded_and_jumps_to_its_row() -> None:
    row = content_row("one\ntwo", "one\n2")
    assert [h.kind for h in row.hunks] == ["same", "change"]
    assert row.jumps == (Jump("change-1", "Instruction"),)


def test_hunks_escape_every_line() -> None:
    row = content_row(twelve_paragraphs({1: XSS}), twelve_paragraphs({1: XSS + "!", 9: XSS}))
    for hunk in row.hunks:
        assert "<script>" not in hunk.left + hunk.right


def test_text_differing_only_in_blank_lines_has_no_hunks() -> None:
    row = content_row("a\n\nb", "a\nb")
    assert row.hunks == ()
    assert row.inline


# --- wording ------------------------------------------------------------------------------


def test_tags_read_as_chips_with_added_and_removed_marked() -> None:
    row = present_change(
        stored("settings", "settings", "tags", "Tags", "modified", ["a", "b"], ["b", "c"])
    )
    assert row.left_chips == (Chip("a", "removed"), Chip("b", None))
    assert row.right_chips == (Chip("b", None), Chip("c", "added"))


def test_tags_set_for_the_first_time_are_added_chips() -> None:
    row = present_change(stored("settings", "settings", "tags", "Tags", "modified", [], ["x"]))
    assert (row.change, row.change_title, row.left) == ("added", "Added", EMPTY)
    assert row.left_chips is None
    assert row.right_chips == (Chip("x", "added"),)


def test_model_configuration_keys_read_as_labels() -> None:
    labels = [
        present_change(
            stored(
                "settings",
                "settings",
                f"model_config.{key}",
                f"Model configuration: {key}",
                "modified",
                1,
                2,
            )
        ).label
        for key in ("max_tokens", "top_p", "temperature", "custom_knob")
    ]
    assert labels == [
        "Model configuration: Max tokens",
        "Model configuration: Top P",
        "Model configuration: Temperature",
        "Model configuration: Custom knob",
    ]


def test_other_labels_are_shown_as_stored() -> None:
    row = present_change(
        stored(
            "guardrails", "guardrail:1", "settings.top_p", "G: setting “top_p”", "modified", 1, 2
        ),
    )
    assert row.label == "G: setting “top_p”"


def test_a_first_publish_adds_every_setting() -> None:
    diff = diff_snapshots(None, sample_snapshot())
    rows = [row for section in present_diff(diff) for row in section.rows]
    assert {row.change_title for row in rows} == {"Added"}
    assert all(row.left == EMPTY for row in rows)
    # What the record stores is unchanged: the settings came from the empty defaults.
    assert diff.changes[0].change == "modified" and diff.changes[0].before == ""


def test_a_value_emptied_reads_as_removed() -> None:
    row = present_change(
        stored("settings", "settings", "description", "Description", "modified", "Old", "")
    )
    assert (row.change_title, row.left, row.right) == ("Removed", "Old", EMPTY)
