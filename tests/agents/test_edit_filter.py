"""The lists' forms of the role rule agree with ``role_for``, for every way of holding a role.

The agent list page and ``GET /agents`` show editors Staging and everyone else Production,
deciding inside one query (``edit_filter``); ``GET /agents`` reads each item's role from the
same query (``listed_role``). Both must agree with ``role_for`` for every way of holding (or
not holding) a role.
"""

import pytest

from agents import services
from agents.models import AgentPermission, OrganizationMembership
from agents.permissions import (
    Role,
    edit_filter,
    editable_agents,
    listed_role,
    role_for,
    visible_agents,
    visible_agents_with_roles,
)
from publishing.services import publish_agent
from tests import factories

pytestmark = pytest.mark.django_db

GRANTS = ["viewer", "editor", "publisher", "owner"]


def published(agent, owner, level):
    services.set_access_level(agent=agent, acting_user=owner, access_level=level)
    publish_agent(agent=agent, acting_user=owner)
    return agent


@pytest.fixture
def agents(project, owner):
    """Agents of one organization, unpublished and published at every access level."""
    made = [factories.AgentFactory(project=project, user=owner, name="unpublished")]
    for level in ["private", "project", "organization", "public"]:
        agent = factories.AgentFactory(project=project, user=owner, name=level)
        made.append(published(agent, owner, level))
    return made


def people(organization, project, agents):
    """One person per way of holding a role on the agents (or of holding none)."""
    granted = {}
    for label in GRANTS:
        person = factories.UserFactory(username=f"granted-{label}")
        factories.join(organization, person)
        for agent in agents:
            AgentPermission.objects.create(agent=agent, user=person, role=label)
        granted[label] = person
    former = factories.UserFactory(username="former-editor")
    for agent in agents:
        AgentPermission.objects.create(agent=agent, user=former, role="editor")
    member = factories.UserFactory(username="member")
    factories.join(organization, member)
    project_member = factories.UserFactory(username="project-member")
    factories.join(organization, project_member)
    project.members.add(project_member)
    admin = factories.UserFactory(username="admin")
    factories.join(organization, admin, role=OrganizationMembership.Role.ADMIN)
    other_admin = factories.UserFactory(username="other-admin")
    factories.join(
        factories.OrganizationFactory(), other_admin, role=OrganizationMembership.Role.ADMIN
    )
    return [
        *granted.values(),
        former,  # a grant whose holder left the organization counts for nothing
        member,
        project_member,
        admin,
        other_admin,
        factories.UserFactory(username="stranger"),
        factories.UserFactory(username="root", is_superuser=True, is_staff=True),
    ]


def test_edit_filter_agrees_with_role_for_for_every_role(organization, project, agents):
    for person in people(organization, project, agents):
        roles = {agent.pk: role_for(person, agent) for agent in agents}
        editors_of = {pk for pk, role in roles.items() if role is not None and role >= Role.EDITOR}
        viewers_of = {pk for pk, role in roles.items() if role == Role.VIEWER}
        assert set(editable_agents(person).values_list("pk", flat=True)) == editors_of, person
        others = visible_agents(person).exclude(edit_filter(person))
        assert set(others.values_list("pk", flat=True)) == viewers_of, person


def test_listed_role_agrees_with_role_for_for_every_role(organization, project, agents):
    for person in people(organization, project, agents):
        listed = {agent.pk: listed_role(agent) for agent in visible_agents_with_roles(person)}
        expected = {agent.pk: role_for(person, agent) for agent in agents}
        assert listed == {pk: role for pk, role in expected.items() if role is not None}, person


def test_every_role_is_met_by_someone(organization, project, agents):
    """The test above would prove little if it never saw some role."""
    seen = {
        role_for(person, agent)
        for person in people(organization, project, agents)
        for agent in agents
    }
    assert seen == {None, *Role}


def test_editable_agents_costs_one_query(agents, owner, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(list(editable_agents(owner))) == len(agents)
