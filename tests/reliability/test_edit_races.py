"""Many editors saving on one old revision at the same moment, on PostgreSQL.

Each thread has its own connection and starts at one barrier (``helpers.Crew``); each sends
an edit based on the same revision, as people who opened the editor together and then save
together. Different fields all stand; one field is won by exactly one of them and refused to
the others (``EditConflict``), and nobody's answered write is lost.
"""

from __future__ import annotations

from functools import partial

import pytest

from agents import services
from agents.concurrency import EditConflict
from agents.edit_base import based_on
from agents.models import Agent, Instruction, StagingConfiguration
from tests.reliability import helpers

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.usefixtures("postgres")]

EDITORS = 12
JOIN_TIMEOUT = 120.0
# One model setting per editor, each to a value none of the others sends.
SETTINGS = {
    "temperature": 0.55,
    "top_p": 0.8,
    "max_tokens": 321,
    "seed": 7,
    "frequency_penalty": 0.1,
    "presence_penalty": 0.2,
}


def fresh(agent_id: int) -> Agent:
    return Agent.objects.select_related("project", "staging").get(pk=agent_id)


def on_the_old_revision(agent_id: int, base: int, edit):
    with based_on(base):
        return edit(fresh(agent_id))


def saved_at_once(agent_id: int, base: int, edits) -> helpers.Crew:
    """Runs each edit (given the agent) in its own thread, all starting together and all
    based on revision ``base``, as editors who opened the editor together and then save."""
    return helpers.Crew(
        [partial(on_the_old_revision, agent_id, base, edit) for edit in edits],
        timeout=JOIN_TIMEOUT,
    ).run()


def test_different_model_settings_saved_at_once_all_stand(publisher, rich_agent):
    agent_id = rich_agent.pk
    staging = StagingConfiguration.objects.get(agent_id=agent_id)
    base, seen = staging.revision, dict(staging.model_config)

    def save(key: str, value):
        # The whole form as each editor saw it, with their one setting changed.
        return lambda agent: services.update_agent_settings(
            agent=agent, acting_user=publisher, model_config={**seen, key: value}
        )

    crew = saved_at_once(agent_id, base, [save(k, v) for k, v in SETTINGS.items()])

    assert crew.unexpected() == []
    config = StagingConfiguration.objects.get(agent_id=agent_id).model_config
    assert SETTINGS.items() <= config.items()
    assert StagingConfiguration.objects.get(agent_id=agent_id).revision == base + len(SETTINGS)


def test_one_field_saved_at_once_is_won_once_and_refused_to_the_rest(publisher, rich_agent):
    agent_id = rich_agent.pk
    base = StagingConfiguration.objects.get(agent_id=agent_id).revision

    def save(n: int):
        return lambda agent: services.update_agent_settings(
            agent=agent, acting_user=publisher, name=f"Name {n}"
        )

    crew = saved_at_once(agent_id, base, [save(n) for n in range(EDITORS)])

    assert crew.unexpected(EditConflict) == []
    assert sorted(crew.outcomes()) == ["EditConflict"] * (EDITORS - 1) + ["ok"]
    winner = crew.outcomes().index("ok")
    staging = StagingConfiguration.objects.get(agent_id=agent_id)
    assert staging.name == f"Name {winner}"
    assert staging.revision == base + 1


def test_edits_of_different_instructions_at_once_all_stand(publisher, rich_agent):
    agent_id = rich_agent.pk
    for n in range(EDITORS - Instruction.objects.filter(agent_id=agent_id).count()):
        services.add_instruction(
            agent=rich_agent, acting_user=publisher, title=f"Part {n}", content="Draft."
        )
    ids = list(Instruction.objects.filter(agent_id=agent_id).values_list("pk", flat=True))
    assert len(ids) == EDITORS
    base = StagingConfiguration.objects.get(agent_id=agent_id).revision

    def save(pk: int):
        return lambda agent: services.update_instruction(
            agent=agent, acting_user=publisher, instruction_id=pk, content=f"By {pk}."
        )

    crew = saved_at_once(agent_id, base, [save(pk) for pk in ids])

    assert crew.unexpected() == []
    contents = dict(Instruction.objects.filter(agent_id=agent_id).values_list("pk", "content"))
    assert contents == {pk: f"By {pk}." for pk in ids}


def test_agents_that_start_using_a_guardrail_during_its_change_store_the_changed_one(
    publisher, rich_agent, superuser, monkeypatch
):
    """A catalogue change edits the agents already using the item; one that starts using it
    while the change is under way must not keep a fingerprint of the old definition."""
    import time

    from agents.services import catalogue_changes
    from agents.snapshot import staging_snapshot
    from configuration.snapshot import fingerprint
    from tests import factories

    project = rich_agent.project
    guardrail = factories.GuardrailFactory(
        organization=project.organization, name="Shared filter", config={"mask": True}
    )
    agents = [
        factories.AgentFactory(project=project, user=publisher, name=f"Agent {n}")
        for n in range(EDITORS // 2)
    ]
    uses = catalogue_changes.impact.uses

    def slowly(*args, **kwargs):
        # The change holds its row a while after writing it, as a large one would.
        time.sleep(0.8)
        return uses(*args, **kwargs)

    monkeypatch.setattr(catalogue_changes.impact, "uses", slowly)

    def change():
        services.update_guardrail(
            acting_user=superuser,
            guardrail_id=guardrail.pk,
            config={"mask": False},
            reason="Unmasked",
        )

    def start_using(agent_id: int):
        def run():
            time.sleep(0.3)  # the change has locked and written its row by now
            services.set_guardrail(
                agent=fresh(agent_id),
                acting_user=publisher,
                guardrail_id=guardrail.pk,
                enabled=True,
            )

        return run

    crew = helpers.Crew([change, *(start_using(a.pk) for a in agents)], timeout=JOIN_TIMEOUT).run()

    assert crew.unexpected() == []
    for agent in agents:
        stored = StagingConfiguration.objects.get(agent_id=agent.pk).fingerprint
        assert stored == fingerprint(staging_snapshot(agent)), f"agent {agent.pk}"
        (used,) = staging_snapshot(agent)["guardrails"]
        assert used["definition"]["config"] == {"mask": False}
