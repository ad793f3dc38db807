"""The agent list, search, status badges, creating an agent, and signing in and out."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agents import services
from agents.models import Agent, AgentPermission
from publishing.services import discard_staging, publish_agent
from tests import factories
from tests.factories import PASSWORD
from tests.pages.conftest import reword

pytestmark = pytest.mark.django_db

LIST = "/agents/"


def test_root_redirects_to_the_list(client_as):
    response = client_as("owner").get("/")
    assert response.status_code == 302 and response["Location"] == reverse("agents:list")


def test_list_shows_the_agents_the_user_may_see(client_as, agent, users, project):
    hidden = factories.AgentFactory(project=project, name="Hidden bot")
    html = client_as("editor").get(LIST).content.decode()
    assert "Support bot" in html
    assert "Hidden bot" not in html
    assert hidden.pk not in [
        row["agent"].pk for row in client_as("editor").get(LIST).context["rows"]
    ]


def test_outsider_sees_no_agents(client_as, agent):
    html = client_as("outsider").get(LIST).content.decode()
    assert "Support bot" not in html
    assert "You cannot see any agents yet" in html


def test_public_agents_are_listed_to_everyone_signed_in(client_as, agent, owner, instruction):
    services.set_access_level(agent=agent, acting_user=owner, access_level="public")
    publish_agent(agent=agent, acting_user=owner)
    html = client_as("outsider").get(LIST).content.decode()
    assert "Support bot" in html
    assert "Viewer" in html
    assert reverse("agents:production", args=[agent.pk]) in html


def test_search_by_name(client_as, agent, owner, project):
    factories.AgentFactory(project=project, user=owner, name="Billing helper")
    client = client_as("owner")
    html = client.get(LIST, {"q": "billing"}).content.decode()
    assert "Billing helper" in html and "Support bot" not in html
    html = client.get(LIST, {"q": "nothing like it"}).content.decode()
    assert "No agent you can see has a name containing" in html


def test_viewers_search_and_see_the_published_name_only(client_as, agent, owner, users, published):
    services.update_agent_settings(agent=agent, acting_user=owner, name="Codename X")
    viewer = client_as("viewer")
    html = viewer.get(LIST).content.decode()
    assert "Support bot" in html and "Codename X" not in html
    assert "Codename" not in viewer.get(LIST, {"q": "codename"}).content.decode()
    assert "Support bot" in viewer.get(LIST, {"q": "support"}).content.decode()
    assert "Codename X" in client_as("editor").get(LIST, {"q": "codename"}).content.decode()


def test_status_badges(client_as, agent, owner, project, published, instruction):
    factories.AgentFactory(project=project, user=owner, name="Draft bot")
    client = client_as("owner")
    html = client.get(LIST).content.decode()
    assert "Not published yet" in html  # the draft
    assert "Unpublished changes" not in html
    reword(agent, owner, instruction, "New")
    assert "Unpublished changes" in client.get(LIST).content.decode()
    discard_staging(agent=agent, acting_user=owner)
    # Staging was written after the publish but equals Production again.
    assert "Unpublished changes" not in client.get(LIST).content.decode()


def test_viewers_are_not_told_about_unpublished_changes(
    client_as, agent, owner, published, instruction
):
    reword(agent, owner, instruction, "New")
    assert "Unpublished changes" not in client_as("viewer").get(LIST).content.decode()
    assert "Unpublished changes" in client_as("editor").get(LIST).content.decode()


def test_last_publish_who_and_when(client_as, agent, published):
    html = client_as("editor").get(LIST).content.decode()
    assert ">owner</span>" in html
    assert published.published_at.strftime("%Y-%m-%dT%H:%M") in html


def test_list_is_paginated(client_as, owner, project):
    for n in range(27):
        factories.AgentFactory(project=project, user=owner, name=f"Agent {n:02}")
    client = client_as("owner")
    first = client.get(LIST).content.decode()
    assert "Page 1 of 2" in first
    # 27 here and the fixture's "Support bot": 25 on the first page, 3 on the second.
    assert len(client.get(LIST, {"page": 2}).context["rows"]) == 3


# --- creating an agent -------------------------------------------------------------------------


@pytest.fixture
def member(client, organization, project):
    user = factories.UserFactory(username="member")
    factories.MembershipFactory(organization=organization, user=user)
    client.force_login(user)
    return client, user


def test_new_agent_form_offers_the_projects_of_the_users_organizations(member, project):
    client, _ = member
    factories.ProjectFactory(name="Elsewhere")  # another organization
    html = client.get(LIST).content.decode()
    assert "New agent" in html
    assert f'<option value="{project.pk}"' in html
    assert "Elsewhere" not in html


def test_create_agent(member, project):
    client, user = member
    response = client.post(
        reverse("agents:create"),
        {"new-project": project.pk, "new-name": "Sales bot", "new-description": "Sells"},
    )
    agent = Agent.objects.get(staging__name="Sales bot")
    assert response["Location"] == reverse("agents:editor", args=[agent.pk])
    assert AgentPermission.objects.get(agent=agent, user=user).role == "owner"
    assert not hasattr(agent, "production") or agent.production is None


def test_create_agent_with_a_blank_name_is_refused(member, project):
    client, _ = member
    count = Agent.objects.count()
    response = client.post(reverse("agents:create"), {"new-project": project.pk, "new-name": " "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Agent.objects.count() == count


def test_create_agent_in_a_project_of_another_organization_is_refused(member):
    client, _ = member
    foreign = factories.ProjectFactory()
    count = Agent.objects.count()
    response = client.post(reverse("agents:create"), {"new-project": foreign.pk, "new-name": "X"})
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert Agent.objects.count() == count


def test_users_without_an_organization_get_no_new_agent_form(client_as, agent):
    assert "Create agent" not in client_as("outsider").get(LIST).content.decode()


# --- signing in and out ------------------------------------------------------------------------


def test_sign_in_page_and_sign_in(client, users):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert 'for="id_username"' in page.content.decode()
    response = client.post(reverse("login"), {"username": "editor", "password": PASSWORD})
    assert response["Location"] == reverse("agents:list")


def test_wrong_password_is_refused_inline(client, users):
    response = client.post(reverse("login"), {"username": "editor", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_sign_out_is_a_post(client_as):
    client = client_as("editor")
    assert 'action="/accounts/logout/"' in client.get(LIST).content.decode()
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(LIST).status_code == 302


def test_messages_and_landmarks_in_the_layout(client_as, agent):
    html = client_as("owner").get(reverse("agents:editor", args=[agent.pk])).content.decode()
    assert '<main id="main"' in html
    assert 'href="#main"' in html
    assert '<nav class="tabs" aria-label="Agent pages">' in html
    assert 'aria-current="page">Staging editor</a>' in html
    assert "Signed in as <strong>owner</strong>" in html
