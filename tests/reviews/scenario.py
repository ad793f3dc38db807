"""The cast and the moves of the review-core tests: an agent live in Production, people in
each role, and the steps of a review (edit, verdict, check, policy, publish) as service calls.

The fixtures reach the tests through this package's conftest; the moves are imported.
"""

from __future__ import annotations

from typing import Any

import pytest

from agents import services as agent_services
from agents.models import Agent
from publishing.services import publish_agent
from reviews import services
from reviews.selectors import review_state
from tests import factories
from tests.publishing.conftest import grant, stranger, viewer  # noqa: F401


def fresh(agent: Agent) -> Agent:
    """The agent as a new request would load it: services remember the acting role on the
    instance they are given, which must not outlive a grant revoked in the test."""
    return Agent.objects.select_related("project").get(pk=agent.pk)


def person(agent: Agent, username: str, role: str) -> Any:
    """A member of the agent's organization holding ``role`` on it."""
    user = factories.UserFactory(username=username)
    grant(agent, user, role)
    return user


@pytest.fixture
def editor(agent):
    return person(agent, "editor", "editor")


@pytest.fixture
def publisher(agent):
    return person(agent, "publisher", "publisher")


@pytest.fixture
def live(agent, owner):
    """``agent`` with an instruction, published once by its owner: Production exists, and
    nobody has changed Staging since (no authors yet)."""
    agent_services.add_instruction(agent=agent, acting_user=owner, title="Tone", content="Be kind.")
    publish_agent(agent=fresh(agent), acting_user=owner)
    return fresh(agent)


def edit(agent: Agent, user: Any, name: str = "Edited name") -> None:
    """A staging edit by ``user``, who becomes an author of the pending change."""
    agent_services.update_agent_settings(agent=fresh(agent), acting_user=user, name=name)


def state_of(agent: Agent) -> str:
    """The review fingerprint of the agent's Staging against Production, as it stands."""
    return review_state(fresh(agent)).fingerprint


def set_policy(agent: Agent, owner: Any, **values: Any):
    return services.set_policy(agent=fresh(agent), acting_user=owner, values=values)


def approve(agent: Agent, user: Any, verdict: str = "approved", **kwargs: Any):
    kwargs.setdefault("expected_fingerprint", state_of(agent))
    return services.give_verdict(agent=fresh(agent), acting_user=user, verdict=verdict, **kwargs)


def check(agent: Agent, user: Any, name: str, state: str, **kwargs: Any):
    kwargs.setdefault("fingerprint", state_of(agent))
    return services.post_check(
        agent=fresh(agent), acting_user=user, name=name, state=state, **kwargs
    )
