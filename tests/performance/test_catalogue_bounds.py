"""A catalogue change and its impact preview: flat in the size of the agents' configurations,
and bounded in the number of agents that use the item (a preview by its page size)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents import services
from agents.models import GuardrailSetting
from tests import factories

pytestmark = pytest.mark.django_db

# Pinned bounds. The change: the item (read, lock, write, history), the agents using it (read,
# lock, read again), then per edited agent one Staging edit (lock, settings row, the snapshot
# for the fingerprint, save, checkpoint, the savepoint around it). The preview: the item,
# the admin check, one page of the agents and their two counts.
CHANGE_BASE = 11
CHANGE_PER_AGENT = 11
PREVIEW = 6


admin = factories.admin_fixture("catalogue-admin")


def their_guardrails(scenarios) -> dict[int, int]:
    """Each scenario agent's own first guardrail (looked up before anything is counted)."""
    return {
        s.agent.pk: GuardrailSetting.objects.filter(agent_id=s.agent.pk).first().guardrail_id
        for s in scenarios.values()
    }


def test_the_change_costs_the_same_for_a_small_and_a_large_agent(scenarios, same_bound, admin):
    guardrails = their_guardrails(scenarios)

    def change(s):
        result = services.update_guardrail(
            acting_user=admin,
            guardrail_id=guardrails[s.agent.pk],
            config={"threshold": 0.5},
            reason="Stricter",
        )
        assert result.edited_agents == (s.agent.pk,)

    same_bound(CHANGE_BASE + CHANGE_PER_AGENT, change, scenarios)


def test_the_preview_costs_the_same_for_a_small_and_a_large_agent(scenarios, same_bound, admin):
    guardrails = their_guardrails(scenarios)

    def preview(s):
        result = services.preview_catalogue_change(
            acting_user=admin,
            component="guardrail",
            item_id=guardrails[s.agent.pk],
            config={"threshold": 0.5},
        )
        assert [u.agent_id for u in result.uses] == [s.agent.pk]

    same_bound(PREVIEW, preview, scenarios)


def count(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


@pytest.mark.parametrize("size", [1, 6])  # agents using the item
def test_the_change_grows_by_a_fixed_cost_per_agent_and_the_preview_not_at_all(
    project, owner, admin, size
):
    guardrail = factories.GuardrailFactory(organization=project.organization, config={"a": 1})
    for i in range(size):
        agent = factories.AgentFactory(project=project, user=owner, name=f"Agent {i}")
        services.set_guardrail(
            agent=agent, acting_user=owner, guardrail_id=guardrail.pk, enabled=True
        )
    previewed = count(
        lambda: services.preview_catalogue_change(
            acting_user=admin, component="guardrail", item_id=guardrail.pk, config={"a": 2}
        )
    )
    changed = count(
        lambda: services.update_guardrail(
            acting_user=admin, guardrail_id=guardrail.pk, config={"a": 2}, reason="Two"
        )
    )
    assert previewed <= PREVIEW
    assert changed <= CHANGE_BASE + CHANGE_PER_AGENT * size
