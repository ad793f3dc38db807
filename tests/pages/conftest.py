"""Fixtures for the page tests: one agent, a user per role, a small catalogue; and what the
review page's tests read of it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from agents import services
from publishing.models import PublishRecord
from publishing.selectors import production_snapshot, review_staging
from publishing.services import publish_agent
from reviews import services as reviews
from tests import factories

ROLES = ("viewer", "editor", "publisher", "owner")


@pytest.fixture
def users(agent, owner):
    """A user per role on ``agent`` (owner included) and an outsider who may not see it."""
    return cast(agent, owner)


def cast(agent, owner) -> dict:
    """``users``, for a world built outside a test (``built_once``)."""
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
    return stock_catalogue(organization, project)


def stock_catalogue(organization, project) -> dict:
    """``catalogue``, for a world built outside a test (``built_once``)."""
    other_project = factories.ProjectFactory(organization=organization, name="Archive")
    return {
        "faq": factories.CorpusFactory(project=project, name="FAQ"),
        "manuals": factories.CorpusFactory(project=other_project, name="Manuals"),
        "crm": factories.ToolFactory(
            organization=organization, name="CRM", actions=["lookup", "update"]
        ),
        "pii": factories.GuardrailFactory(organization=organization, name="PII filter"),
    }


def reword(agent, user, instruction, content: str) -> None:
    """``user`` gives ``instruction`` new content on the agent's Staging."""
    services.update_instruction(
        agent=agent, acting_user=user, instruction_id=instruction.pk, content=content
    )


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


@pytest.fixture
def edited(agent, owner, published, instruction):
    """One change waiting on top of the published agent, made by the owner (its author)."""
    reword(agent, owner, instruction, "Be warm.")
    return agent


@pytest.fixture
def strict(edited, owner):
    """Two approvals from non-authors, one required external check, one blocking built-in."""
    reviews.set_policy(
        agent=edited,
        acting_user=owner,
        values={
            "required_approvals": 2,
            "required_checks": ["regression-eval"],
            "blocking_builtin_checks": ["no_secrets"],
        },
    )
    return edited


def review_url(agent) -> str:
    return reverse("publishing:review", args=[agent.pk])


def publish_url(agent) -> str:
    return reverse("publishing:publish", args=[agent.pk])


def fingerprint(agent) -> str:
    """The fingerprint the review page shows (and its forms send back) for Staging now."""
    return review_staging(agent).fingerprint


def records(agent) -> int:
    return PublishRecord.objects.filter(agent_id=agent.pk).count()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]
