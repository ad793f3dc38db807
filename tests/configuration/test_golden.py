"""The diff and revert still give, byte for byte, what stored publish records hold.

Inputs and outputs are in ``golden_configuration.json`` (see ``golden.py``): a publish
record's hash covers its summary and changes, so any difference here would make records
written from now on disagree with the ones already stored for the same configurations.
"""

from __future__ import annotations

import pytest

from tests.configuration.golden import diff_outputs, exact_json, load, revert_outputs

GOLDEN = load()


@pytest.mark.parametrize("case", GOLDEN["diffs"], ids=lambda case: None)
def test_diff_reproduces_the_golden_output(case: dict) -> None:
    expected = {k: case[k] for k in ("as_dict", "summary_without_labels")}
    assert exact_json(diff_outputs(case["before"], case["after"])) == exact_json(expected)


@pytest.mark.parametrize("case", GOLDEN["reverts"], ids=lambda case: None)
def test_revert_reproduces_the_golden_output(case: dict) -> None:
    expected = {k: case[k] for k in ("snapshot", "conflicts")}
    actual = revert_outputs(case["base"], case["published"], case["current"])
    assert exact_json(actual) == exact_json(expected)


def test_the_golden_file_covers_every_section_kind_and_conflict() -> None:
    changes = [c for case in GOLDEN["diffs"] for c in case["as_dict"]["changes"]]
    assert {(c["section"], c["change"]) for c in changes} >= {
        (section, kind)
        for section in ("settings", "instructions", "knowledge_sources", "tools", "guardrails")
        for kind in ("added", "removed", "modified")
    }
    details = {c["detail"] for case in GOLDEN["reverts"] for c in case["conflicts"]}
    assert len(details) == 5
