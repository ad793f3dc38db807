"""Agents of two sizes, each published twice with one unpublished edit on top.

``scenarios`` builds a small agent (one of everything) and a large one (200 instructions,
300 corpus connections, 60 tools x 5 actions, 20 guardrails) the same way, so a test can
run one operation on both and require the same number of queries.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pytest

from agents.models import Agent
from bench.data import LARGE, SMALL, build_agent, edit_one_instruction
from publishing.models import PublishRecord
from publishing.services import publish_agent
from tests import factories


@dataclass
class Scenario:
    agent: Agent
    user: Any
    first: PublishRecord
    second: PublishRecord


def prepare(*, project: Any, user: Any, size: Any, name: str) -> Scenario:
    agent = build_agent(project=project, user=user, size=size, name=name)
    first = publish_agent(agent=agent, acting_user=user, notes="First")
    edit_one_instruction(agent, user, "Second")
    second = publish_agent(agent=agent, acting_user=user, notes="Second")
    edit_one_instruction(agent, user, "Third")
    return Scenario(agent=Agent.objects.get(pk=agent.pk), user=user, first=first, second=second)


def build_scenarios(project: Any) -> dict[str, Scenario]:
    """Each agent has its own owner, so a list shows that one agent alone."""
    return {
        size: prepare(
            project=project,
            user=factories.UserFactory(username=f"{size}-owner"),
            size=shape,
            name=size.capitalize(),
        )
        for size, shape in (("small", SMALL), ("large", LARGE))
    }


@pytest.fixture
def scenarios(project) -> dict[str, Scenario]:
    return build_scenarios(project)


@pytest.fixture(scope="module")
def shared_scenarios(django_db_setup, django_db_blocker) -> Any:
    """``scenarios`` built once for a module whose tests only read them (take it with
    ``db``): each test runs in a savepoint of the transaction they were built in."""
    from tests.reliability.fuzz_world import built_once

    with built_once(
        django_db_blocker, lambda: build_scenarios(factories.ProjectFactory())
    ) as built:
        yield built


@pytest.fixture
def same_bound(django_assert_max_num_queries):
    """Run ``call`` once per scenario under ``bound`` queries; all must cost the same."""

    def check(bound: int, call: Any, scenarios: dict[str, Scenario]) -> dict[str, int]:
        counts = {}
        for size, scenario in scenarios.items():
            with django_assert_max_num_queries(bound) as captured:
                call(scenario)
            counts[size] = len(captured)
        assert counts["small"] == counts["large"], f"queries grow with size: {counts}"
        return counts

    return check


def reloaded(shared: dict[str, Scenario]) -> dict[str, Scenario]:
    """The shared scenarios with their agents read again: a test may write (rolled back
    after it), and an edit leaves its new state on the Agent instance it was given."""
    return {
        size: dataclasses.replace(scenario, agent=Agent.objects.get(pk=scenario.agent.pk))
        for size, scenario in shared.items()
    }


def scenarios_built_once():
    """A fixture named ``scenarios`` that replaces the one above for the module that takes it
    (``scenarios = scenarios_built_once()``): the two agents of ``shared_scenarios``, read
    again for each test, whose writes are rolled back."""

    def scenarios(shared_scenarios, db):
        return reloaded(shared_scenarios)

    return pytest.fixture(scenarios, name="scenarios")
