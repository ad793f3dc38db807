"""What a confirmation says a publish, discard or restore will do, counted like the diff.

The same words go in the dialog (``data-confirm`` on the form) and on the page that asks
when JavaScript is off, so both say exactly the same thing.
"""

from __future__ import annotations

from configuration.diff import Diff

# Each section's counted noun, in the order the diff shows its sections.
NOUNS: dict[str, tuple[str, str]] = {
    "settings": ("setting", "settings"),
    "instructions": ("instruction", "instructions"),
    "knowledge_sources": ("knowledge source", "knowledge sources"),
    "tools": ("tool", "tools"),
    "guardrails": ("guardrail", "guardrails"),
}

NOT_LIVE = "Production is not affected until someone publishes."


def counted(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def counted_changes(diff: Diff, noun: str = "change") -> str:
    """'3 changes (1 setting, 2 instructions)': the total, then each section's count."""
    parts = [
        counted(count, *NOUNS.get(section, (section, section)))
        for section, count in diff.counts.items()
        if count
    ]
    total = counted(len(diff.changes), noun, f"{noun}s")
    return f"{total} ({', '.join(parts)})" if parts else total


def publish_question(diff: Diff) -> str:
    return f"Publish {counted_changes(diff)} to Production?"


def publish_detail(first: bool) -> str:
    if first:
        return "This is the agent's first version: end-users get it as soon as it is published."
    return (
        "End-users get exactly what you reviewed as soon as it is published. You can restore "
        "an earlier publish later, but not unpublish this one."
    )


def discard_question(diff: Diff) -> str:
    return f"Discard {counted_changes(diff, 'unpublished change')}?"


DISCARD_DETAIL = (
    "Staging goes back to what is in Production; the discarded state stays in the edit history."
)


def staging_effect(diff: Diff) -> str:
    """What a restore does to Staging, for its confirmation."""
    return f"Staging gets {counted_changes(diff)}. {NOT_LIVE}"
