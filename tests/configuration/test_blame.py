"""``configuration.blame``: each line of the last version with the version that last changed
it - held to what blame means over random histories (no database)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from configuration.blame import blame, carry, split_lines

# Few distinct lines, so histories repeat lines, move them and bring old ones back.
LINE = st.sampled_from(["", "Be kind.", "Be brief.", "Refund within 30 days.", "Escalate", "x"])
TEXT = st.lists(LINE, max_size=12).map("\n".join)
# A version is a text, or None: the instruction deleted.
VERSION = st.one_of(TEXT, st.none())


@st.composite
def histories(draw) -> list[str | None]:
    """Edits of the text before, and restores of any earlier version."""
    versions: list[str | None] = [draw(TEXT)]
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["edit", "edit", "restore", "delete", "new"]))
        current = split_lines(versions[-1])
        if kind == "edit":
            at = draw(st.integers(0, len(current)))
            cut = draw(st.integers(0, 2))
            current[at : at + cut] = draw(st.lists(LINE, max_size=3))
            versions.append("\n".join(current))
        elif kind == "restore":
            versions.append(draw(st.sampled_from(versions)))
        elif kind == "delete":
            versions.append(None)
        else:
            versions.append(draw(VERSION))
    return versions


def origins_of(versions):
    return [line.origin for line in blame((text, index) for index, text in enumerate(versions))]


@settings(max_examples=300)
@given(histories())
def test_the_lines_are_the_last_version(versions):
    lines = blame((text, index) for index, text in enumerate(versions))
    assert [line.text for line in lines] == split_lines(versions[-1])
    assert [line.number for line in lines] == list(range(1, len(lines) + 1))
    if versions[-1]:
        assert "\n".join(line.text for line in lines) == versions[-1]


@settings(max_examples=300)
@given(histories())
def test_each_step_keeps_unchanged_lines_in_order_and_names_only_new_ones(versions):
    """From one version to the next, the lines that keep their origin are an in-order
    subsequence of the lines before (same text, same origin); every other line is the new
    version's, and is in it."""
    before: list[tuple[str, int]] = []
    for index in range(len(versions)):
        after = [
            (line.text, line.origin)
            for line in blame((text, n) for n, text in enumerate(versions[: index + 1]))
        ]
        kept = [pair for pair in after if pair[1] != index]
        cursor = iter(before)
        assert all(pair in cursor for pair in kept), "kept lines out of order or invented"
        new = [text for text, origin in after if origin == index]
        assert all(text in split_lines(versions[index]) for text in new)
        if index and versions[index] == versions[index - 1]:
            assert after == before, "a version equal to the one before changed nothing"
        before = after


@settings(max_examples=300)
@given(histories())
def test_a_line_is_named_after_a_version_that_has_it(versions):
    lines = blame((text, index) for index, text in enumerate(versions))
    for line in lines:
        assert line.text in split_lines(versions[line.origin])
        # And no version after that one lacked it: otherwise a later one brought it back.
        for later in versions[line.origin :]:
            assert later is not None and line.text in split_lines(later)


@given(st.lists(LINE, min_size=1, max_size=10).filter(lambda ls: ls != [""]), LINE, st.data())
def test_one_line_inserted_is_the_only_new_line(lines, inserted, data):
    at = data.draw(st.integers(0, len(lines)))
    after = [*lines[:at], inserted, *lines[at:]]
    blamed = blame([("\n".join(lines), 0), ("\n".join(after), 1)])
    # Beside an equal line either of the two is the new one; there is exactly one.
    assert [line.text for line in blamed if line.origin == 1] == [inserted]


def test_a_reorder_names_the_lines_that_moved():
    assert origins_of(["a\nb\nc\nd", "a\nc\nd\nb"]) == [0, 0, 0, 1]


def test_a_restore_after_a_deletion_is_the_restorers():
    assert origins_of(["a\nb", None, "a\nb"]) == [2, 2]


def test_a_revert_names_the_reverter_for_the_lines_it_brings_back():
    assert origins_of(["a\nb\nc", "a\nB\nc", "a\nb\nc"]) == [0, 2, 0]


def test_an_edit_equal_to_the_text_before_changes_nothing():
    assert origins_of(["a\nb", "a\nb", "a\nb"]) == [0, 0]


def test_the_empty_text_has_no_lines():
    assert origins_of(["a", ""]) == []
    assert split_lines("") == [] and split_lines(None) == []
    assert split_lines("a\n") == ["a", ""]


def test_carry_matches_head_and_tail_before_the_middle():
    # Without the head and tail first, the repeated "x" could be matched across the edit.
    assert carry(["x", "a", "x"], [0, 0, 0], ["x", "b", "x"], 1) == [0, 1, 0]
