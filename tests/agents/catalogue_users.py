"""What the catalogue-change tests, the API's and the pages', share: agents that use the item
being changed, the state a refused or dry-run change must leave exactly as it was, and
Production, which a change to a catalogue item never touches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from agents.models import StagingConfiguration
from publishing.models import ProductionConfiguration
from publishing.services import publish_agent
from tests import factories


def agents_using(project: Any, owner: Any, use: Callable[[Any], Any]) -> list[Any]:
    """Three agents of ``project`` that each use the item (``use(agent)`` connects it), the
    first of them live."""
    agents = [factories.AgentFactory(project=project, user=owner, name=f"A{i}") for i in range(3)]
    for agent in agents:
        use(agent)
    publish_agent(agent=agents[0], acting_user=owner)
    return agents


def catalogue_state(model: Any, *fields: str) -> tuple:
    """Every agent's Staging and Production, the catalogue items of ``model`` (``fields``)
    and how many history records they have."""
    return (
        list(StagingConfiguration.objects.values_list("agent_id", "revision", "fingerprint")),
        list(ProductionConfiguration.objects.values_list("agent_id", "snapshot")),
        list(model.objects.values_list(*fields)),
        model.history.count(),
    )


def staging_diff_labels(client: Any, agent: Any) -> list[str]:
    """The labels of ``agent``'s staging-diff, as its API answers them."""
    url = reverse("api-staging-diff", kwargs={"agent_id": agent.pk})
    return [change["label"] for change in client.get(url).json()["changes"]]


def production_snapshots() -> list[Any]:
    """Every agent's Production snapshot: the same list before and after a catalogue change."""
    return list(ProductionConfiguration.objects.values_list("snapshot", flat=True))


def live_by_agent(body: dict[str, Any]) -> list[tuple[int, bool]]:
    """The agents of a preview's page, each with whether it is live."""
    return [(row["agent_id"], row["live"]) for row in body["results"]]
