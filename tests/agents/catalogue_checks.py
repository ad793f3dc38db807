"""What the catalogue-change tests, the API's and the pages', compare: Production, which a
change to a catalogue item never touches, and which agents a preview lists as live."""

from __future__ import annotations

from typing import Any

from publishing.models import ProductionConfiguration


def production_snapshots() -> list[Any]:
    """Every agent's Production snapshot: the same list before and after a catalogue change."""
    return list(ProductionConfiguration.objects.values_list("snapshot", flat=True))


def live_by_agent(body: dict[str, Any]) -> list[tuple[int, bool]]:
    """The agents of a preview's page, each with whether it is live."""
    return [(row["agent_id"], row["live"]) for row in body["results"]]
