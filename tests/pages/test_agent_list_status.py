"""The agent list's status badge for each role, and who is offered the "New agent" form.

A viewer may see Production only, so their badge says what Production says: "Live" once
published, "Not published yet" before; never whether Staging differs.
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

import agents.services.agents as agent_services
from agents import services
from agents.models import Agent, Organization
from publishing.services import publish_agent
from tests import factories
from tests.pages.conftest import reword

from .conftest import ROLES

pytestmark = pytest.mark.django_db

LIST = "/agents/"
LIVE = '<span class="badge badge--live">Live</span>'
NOT_PUBLISHED = '<span class="badge badge--neutral">Not published yet</span>'
CHANGED = '<span class="badge badge--pending">Unpublished changes</span>'
BADGES = {"live": LIVE, "unpublished": NOT_PUBLISHED, "changed": CHANGED}


@pytest.fixture
def changed(agent, owner, published, instruction):
    """Published, then Staging edited: unpublished changes."""
    reword(agent, owner, instruction, "Be curt.")


def shown_state(client, agent) -> str:
    response = client.get(LIST)
    (row,) = [row for row in response.context["rows"] if row["agent"].pk == agent.pk]
    html = response.content.decode()
    assert [state for state, badge in BADGES.items() if badge in html] == [row["state"]]
    return row["state"]


@pytest.mark.parametrize("role", ROLES)
def test_never_published_agent_is_not_live_to_anyone(client_as, agent, users, role):
    assert shown_state(client_as(role), agent) == "unpublished"


@pytest.mark.parametrize("role", ROLES)
def test_published_agent_is_live_to_everyone(client_as, agent, users, published, role):
    assert shown_state(client_as(role), agent) == "live"


@pytest.mark.parametrize(
    ("role", "state"),
    [("viewer", "live"), ("editor", "changed"), ("publisher", "changed"), ("owner", "changed")],
)
def test_unpublished_changes_are_shown_to_editors_and_up_only(
    client_as, agent, users, changed, role, state
):
    assert shown_state(client_as(role), agent) == state


def test_org_admin_sees_unpublished_changes(client, agent, organization, changed):
    admin = factories.UserFactory(username="orgadmin")
    factories.join(organization, admin, role="admin")
    client.force_login(admin)
    assert shown_state(client, agent) == "changed"


@pytest.fixture
def member(client, organization):
    """A member of the agent's organization with no grant on it: sees it through Production."""
    user = factories.UserFactory(username="member")
    factories.join(organization, user)
    client.force_login(user)
    return client


def test_agent_seen_only_through_production_is_live_even_with_changes(
    member, agent, owner, instruction
):
    services.set_access_level(agent=agent, acting_user=owner, access_level="organization")
    assert agent.pk not in [row["agent"].pk for row in member.get(LIST).context["rows"]]
    publish_agent(agent=agent, acting_user=owner)
    assert shown_state(member, agent) == "live"
    reword(agent, owner, instruction, "Be curt.")
    assert shown_state(member, agent) == "live"


def test_viewers_get_no_review_or_schedule_hint_for_a_never_published_agent(
    client_as, agent, users
):
    html = client_as("viewer").get(LIST).content.decode()
    assert LIVE not in html and NOT_PUBLISHED in html
    assert "Review requested" not in html and "Scheduled" not in html


# --- the "New agent" form -----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_members_are_offered_their_organizations_projects(client_as, agent, users, role):
    # Any member of the organization may create an agent, whatever their role on others.
    response = client_as(role).get(LIST)
    assert response.context["can_create"]
    html = response.content.decode()
    assert "New agent" in html
    assert f'<option value="{agent.project_id}"' in html


@pytest.fixture
def public_agent(agent, owner, instruction):
    services.set_access_level(agent=agent, acting_user=owner, access_level="public")
    publish_agent(agent=agent, acting_user=owner)
    return agent


def test_someone_who_sees_only_public_agents_of_another_organization_gets_no_form(
    client_as, users, public_agent
):
    response = client_as("outsider").get(LIST)
    html = response.content.decode()
    assert "Support bot" in html  # the public agent is listed...
    assert not response.context["can_create"]  # ...but they may create nowhere
    assert "New agent" not in html and "Create agent" not in html
    assert 'action="/agents/new/"' not in html


def test_empty_list_does_not_invite_someone_who_may_not_create(client_as, users):
    html = client_as("outsider").get(LIST).content.decode()
    assert "You cannot see any agents yet. Ask an owner" in html
    assert "Create one" not in html


def test_post_from_someone_who_may_not_create_is_refused_with_a_message(
    client_as, users, agent, project
):
    client = client_as("outsider")
    count = Agent.objects.count()
    response = client.post(
        reverse("agents:create"), {"new-project": project.pk, "new-name": "Sneaky"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("agents:list")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Only members of an organization can create agents, in its projects. "
        "Ask an organization admin to add you."
    ]
    assert Agent.objects.count() == count


def test_the_service_refusing_a_create_answers_403_with_its_reason(
    client_as, users, project, monkeypatch
):
    # Membership lost between the form's check and the service's: the service still refuses.
    monkeypatch.setattr(
        agent_services, "organizations_for", lambda user: Organization.objects.none()
    )
    count = Agent.objects.count()
    response = client_as("viewer").post(
        reverse("agents:create"), {"new-project": project.pk, "new-name": "Late"}
    )
    assert response.status_code == 403
    assert "Only members of the project&#x27;s organization can create agents" in (
        response.content.decode()
    )
    assert Agent.objects.count() == count
