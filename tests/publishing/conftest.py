"""Fixtures for the publishing tests: a catalogue, people in every role, and helpers.

The agent fixture (``tests/conftest.py``) belongs to ``owner``. Here every other role gets a
user of its own, so each refusal test can name exactly who is refused.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from agents import services
from agents.models import AgentPermission, ProductionConfiguration
from publishing.integrity import verify_chain
from publishing.models import PublishRecord
from publishing.snapshot import staging_snapshot
from tests import factories


@pytest.fixture
def catalogue(organization, project) -> dict[str, Any]:
    """Two corpora, two tools with two actions each, and two guardrails in the agent's org."""
    return {
        "corpora": [
            factories.CorpusFactory(project=project, name="Handbook"),
            factories.CorpusFactory(project=project, name="FAQ"),
        ],
        "tools": [
            factories.ToolFactory(
                organization=organization, name="CRM", actions=["lookup", "create"]
            ),
            factories.ToolFactory(
                organization=organization, name="Mailer", actions=["send", "draft"]
            ),
        ],
        "guardrails": [
            factories.GuardrailFactory(organization=organization, name="PII filter"),
            factories.GuardrailFactory(organization=organization, name="Tone", type="tone"),
        ],
    }


def grant(agent, user, role: str) -> AgentPermission:
    """Give ``user`` a role on ``agent`` (the way a real owner would, through the service)."""
    owner = agent.created_by
    return services.grant_permission(agent=agent, user=owner, target_user_id=user.pk, role=role)


@pytest.fixture
def viewer(agent):
    user = factories.UserFactory(username="viewer")
    grant(agent, user, "viewer")
    return user


@pytest.fixture
def editor(agent):
    user = factories.UserFactory(username="editor")
    grant(agent, user, "editor")
    return user


@pytest.fixture
def publisher(agent):
    user = factories.UserFactory(username="publisher")
    grant(agent, user, "publisher")
    return user


@pytest.fixture
def stranger(db):
    """Signed in, but with no role on the agent and no membership of its organization."""
    return factories.UserFactory(username="stranger")


@pytest.fixture
def other_agent(db):
    """An agent in another organization, with a publish of its own."""
    from publishing.services import publish_agent

    other_owner = factories.UserFactory(username="other-owner")
    other = factories.AgentFactory(user=other_owner, name="Other bot")
    publish_agent(agent=other, user=other_owner)
    return other


def client_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def production_of(agent) -> dict[str, Any] | None:
    return (
        ProductionConfiguration.objects.filter(agent_id=agent.pk)
        .values_list("snapshot", flat=True)
        .first()
    )


def records_of(agent) -> list[PublishRecord]:
    return list(PublishRecord.objects.filter(agent_id=agent.pk).order_by("sequence"))


def assert_invariants(agent) -> None:
    """DESIGN.md invariants that hold after any operation."""
    records = records_of(agent)
    assert verify_chain(records) is None
    production = production_of(agent)
    if records:
        assert production == records[-1].snapshot
        row = ProductionConfiguration.objects.get(agent_id=agent.pk)
        assert row.change_track_id == records[-1].change_track_id
    else:
        assert production is None


def staging_of(agent) -> dict[str, Any]:
    return staging_snapshot(agent)
