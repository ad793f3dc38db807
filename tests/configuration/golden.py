"""The golden file: diffs, summaries and reverts as publish records have stored them.

A publish record keeps ``Diff.summary`` and ``Diff.as_dict()["changes"]`` inside its hashed
payload, so the diff must keep producing them byte for byte, whatever its code looks like.
``golden_configuration.json`` holds fixed inputs (drawn once from the snapshot strategies,
plus hand-written corners the strategies never draw) with the outputs the diff and revert
gave for them; ``test_golden.py`` asserts the code still gives exactly those.

Regenerate (``python -m tests.configuration.golden``) only on purpose: a new output here means
the summaries and changes of new publish records differ from the ones already stored.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings

from configuration.diff import Diff, diff_snapshots
from configuration.revert import revert_publish
from configuration.snapshot import Snapshot
from tests.publishing.strategies import (
    edited_snapshots,
    sample_snapshot,
    snapshot_pairs,
    snapshots,
)

GOLDEN_FILE = Path(__file__).with_name("golden_configuration.json")


def diff_outputs(before: Snapshot | None, after: Snapshot) -> dict[str, Any]:
    """What a publish record stores of a diff, and the summary of a diff rebuilt from its
    changes alone (as a record's changes are read back, without item labels)."""
    diff = diff_snapshots(before, after)
    return {
        "as_dict": diff.as_dict(),
        "summary_without_labels": Diff(changes=diff.changes).summary,
    }


def revert_outputs(base: Snapshot | None, published: Snapshot, current: Snapshot) -> dict:
    result = revert_publish(base=base, published=published, current=current)
    return {
        "snapshot": result.snapshot,
        "conflicts": [c.as_dict() for c in result.conflicts],
    }


def _drawn(strategy: Any, count: int) -> list[Any]:
    found: list[Any] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        found.append(copy.deepcopy(value))

    collect()
    unique = {json.dumps(value, sort_keys=True): value for value in found}
    return list(unique.values())


def _edited(change: Any) -> Snapshot:
    snapshot = sample_snapshot()
    change(snapshot)
    return snapshot


def _set(path: tuple[Any, ...], value: Any) -> Any:
    def change(snapshot: Snapshot) -> None:
        target = snapshot
        for step in path[:-1]:
            target = target[step]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return change


_DELETE = object()


def corner_pairs() -> list[tuple[Snapshot | None, Snapshot]]:
    """Inputs the strategies do not draw: non-dict nested fields, unknown fields, items with
    no name, identities that are not ints, JSON look-alikes (1 / 1.0 / True)."""
    sample = sample_snapshot()
    pairs: list[tuple[Snapshot | None, Snapshot]] = [(None, sample)]
    edits = [
        _set(("settings", "model_config"), "gpt-4o"),
        _set(("settings", "model_config", "temperature"), 1),
        _set(("settings", "model_config", "temperature"), True),
        _set(("settings", "extra_flag"), True),
        _set(("settings", "tags"), _DELETE),
        _set(("knowledge_sources", "sharepoint"), "legacy"),
        _set(("knowledge_sources", "sharepoint", "site_url"), "https://other.example"),
        _set(("knowledge_sources", "sharepoint", "extra_path"), "/x"),
        _set(("knowledge_sources", "sharepoint"), None),
        _set(("knowledge_sources", "corpora", 0, "settings"), ["top_k", 5]),
        _set(("knowledge_sources", "corpora", 0, "settings", "top_k"), 5.0),
        _set(("knowledge_sources", "corpora", 0, "name"), ""),
        _set(("knowledge_sources", "corpora", 0, "priority"), 3),
        _set(("tools", 0, "actions", 0, "config"), "raw"),
        _set(("tools", 0, "actions", 0, "config", "queue"), _DELETE),
        _set(("tools", 0, "actions", 1, "enabled"), True),
        _set(("tools", 0, "actions", 0, "name"), ""),
        _set(("tools", 0, "name"), ""),
        _set(("tools", 0, "enabled"), False),
        _set(("tools", 0, "timeout"), 30),
        _set(("tools", 1, "actions"), []),
        _set(("guardrails", 0, "settings"), None),
        _set(("guardrails", 0, "settings", "mask"), 1),
        _set(("guardrails", 1, "name"), ""),
        _set(("instructions", 0, "title"), ""),
        _set(("instructions", 0, "content"), "Say hello.\nThen wait."),
        _set(("instructions", 0, "extra"), {"a": 1}),
    ]
    for edit in edits:
        pairs.append((sample_snapshot(), _edited(edit)))
        pairs.append((_edited(edit), sample_snapshot()))
    # Several edits at once, so summaries join parts from every section.
    combined = sample_snapshot()
    for edit in edits[1:4] + edits[6:8] + edits[10:11] + edits[14:20] + edits[22:23]:
        edit(combined)
    combined["instructions"].reverse()
    pairs += [(sample_snapshot(), combined), (combined, sample_snapshot())]
    # Identities that are not ints, and an item gone with its label.
    strange = sample_snapshot()
    strange["guardrails"].append(
        {"guardrail_id": "g-7", "name": "", "type": "x", "enabled": True, "settings": {}}
    )
    strange["knowledge_sources"]["corpora"].append(
        {"corpus_id": "c-1", "enabled": True, "settings": {"k": 1}}
    )
    strange["tools"].append({"tool_id": "t-1", "enabled": True, "actions": []})
    pairs += [(sample_snapshot(), strange), (strange, sample_snapshot())]
    return pairs


def corner_triples() -> list[tuple[Snapshot | None, Snapshot, Snapshot]]:
    """Reverts whose ``current`` moved the publish's atoms in ways edits rarely draw."""
    base = sample_snapshot()
    published = _edited(_set(("tools", 0, "actions", 0, "config", "queue"), "sales"))
    triples: list[tuple[Snapshot | None, Snapshot, Snapshot]] = [
        (None, published, published),
        (None, published, sample_snapshot()),
        (base, published, _edited(lambda s: s["tools"].pop(0))),
        (base, published, _edited(_set(("tools", 0, "actions", 0, "config"), "raw"))),
        (base, published, _edited(_set(("tools", 0, "actions"), []))),
        (published, base, _edited(lambda s: s["tools"].pop(0))),
        (
            base,
            _edited(lambda s: s["tools"][0]["actions"].pop(0)),
            _edited(lambda s: s["tools"].pop(0)),
        ),
        (base, _edited(_set(("settings", "model_config"), "x")), sample_snapshot()),
        (
            base,
            _edited(_set(("settings", "model_config", "top_p"), 1)),
            _edited(_set(("settings", "model_config"), "x")),
        ),
        (base, _edited(_set(("knowledge_sources", "sharepoint"), None)), sample_snapshot()),
        (
            _edited(_set(("knowledge_sources", "sharepoint"), None)),
            base,
            _edited(_set(("knowledge_sources", "sharepoint", "folder_path"), "/x")),
        ),
        (
            base,
            _edited(lambda s: s["instructions"].reverse()),
            _edited(lambda s: s["instructions"].pop(1)),
        ),
        (
            base,
            _edited(lambda s: s["instructions"].pop(0)),
            _edited(lambda s: s["instructions"].pop(3)),
        ),
        (
            base,
            _edited(_set(("settings", "tags"), ["a", "b"])),
            _edited(_set(("settings", "tags"), ["c", " b"])),
        ),
    ]
    return triples


def build() -> dict[str, Any]:
    diff_inputs: list[tuple[Snapshot | None, Snapshot]] = []
    diff_inputs += _drawn(snapshot_pairs(), 250)
    diff_inputs += [(None, s) for s in _drawn(snapshots(), 20)]
    diff_inputs += corner_pairs()

    revert_inputs: list[tuple[Snapshot | None, Snapshot, Snapshot]] = []
    for base, published in _drawn(snapshot_pairs(), 60):
        revert_inputs.append((base, published, published))
    revert_inputs += _drawn(
        snapshots().flatmap(
            lambda base: edited_snapshots(base).flatmap(
                lambda published: edited_snapshots(published, max_edits=8).map(
                    lambda current: (base, published, current)
                )
            )
        ),
        300,
    )
    revert_inputs += corner_triples()
    return {
        "diffs": [{"before": b, "after": a, **diff_outputs(b, a)} for b, a in diff_inputs],
        "reverts": [
            {"base": b, "published": p, "current": c, **revert_outputs(b, p, c)}
            for b, p, c in revert_inputs
        ],
    }


def exact_json(value: Any) -> str:
    """JSON that keeps key order as well as values: the order the API and pages show."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def load() -> dict[str, Any]:
    return json.loads(GOLDEN_FILE.read_text(encoding="utf-8"))


if __name__ == "__main__":
    data = build()
    # One case a line: small diffs when a case changes, and still plain JSON.
    lines = ['{"diffs": [']
    for name in ("diffs", "reverts"):
        cases = [exact_json(case) for case in data[name]]
        if name == "reverts":
            lines.append('], "reverts": [')
        lines.append(",\n".join(cases))
    lines.append("]}")
    GOLDEN_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(data['diffs'])} diffs, {len(data['reverts'])} reverts -> {GOLDEN_FILE}")
