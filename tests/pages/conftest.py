"""Fixtures for the page tests: one agent, a user per role, a small catalogue."""

from __future__ import annotations

import pytest
from django.test import Client

from agents import services
from publishing.selectors import production_snapshot
from publishing.services import publish_agent
from tests import factories

ROLES = ("viewer", "editor", "publisher", "owner")


@pytest.fixture
def users(agent, owner):
    """A user per role on ``agent`` (owner included) and an outsider who may not see it."""
    people = {"owner": owner}
    for role in ("viewer", "editor", "publisher"):
        person = factories.UserFactory(username=role)
        factories.join(agent.project.organization, person)
        services.grant_permission(
            agent=agent, acting_user=owner, target_user_id=person.pk, role=role
        )
        people[role] = person
    people["outsider"] = factories.UserFactory(username="outsider")
    return people


@pytest.fixture
def client_as(users):
    """``client_as("editor")``: a Django client signed in as that user."""

    def make(who: str, *, csrf: bool = False) -> Client:
        client = Client(enforce_csrf_checks=csrf)
        client.force_login(users[who])
        return client

    return make


@pytest.fixture
def catalogue(organization, project):
    other_project = factories.ProjectFactory(organization=organization, name="Archive")
    return {
        "faq": factories.CorpusFactory(project=project, name="FAQ"),
        "manuals": factories.CorpusFactory(project=other_project, name="Manuals"),
        "crm": factories.ToolFactory(
            organization=organization, name="CRM", actions=["lookup", "update"]
        ),
        "pii": factories.GuardrailFactory(organization=organization, name="PII filter"),
    }


@pytest.fixture
def instruction(agent, owner):
    return services.add_instruction(
        agent=agent, acting_user=owner, title="Tone", content="Answer politely and briefly."
    )


@pytest.fixture
def published(agent, owner, instruction):
    """The agent published once, with one instruction; returns the publish record."""
    return publish_agent(agent=agent, acting_user=owner, notes="First version")


# What is live, read the way the services read it.
production_of = production_snapshot
