"""One permission rule: the live read decides exactly as ``agents.permissions.role_for``.

The live read does not call ``role_for``: it joins every fact the role depends on in one
SQL statement (``publishing.live.access``) and decides over that row (``role_from_facts``).
Here both run for every kind of caller on an agent in every state - each access level,
published or not, archived or not - and must give the same role; the live read answers the
configuration exactly when ``role_for`` lets the caller see a published, live agent.
"""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agents.models import (
    AccessLevel,
    Agent,
    AgentPermission,
    OrganizationMembership,
    StagingConfiguration,
)
from agents.permissions import role_for
from publishing.live.access import fetch_facts, role_from_facts
from publishing.services import publish_agent
from tests import factories

pytestmark = pytest.mark.django_db

GRANTS = AgentPermission.Role.values  # viewer, editor, publisher, owner

STATES = list(itertools.product(AccessLevel.values, (True, False), (False, True)))


def _people(agent: Agent, owner) -> dict[str, object]:
    """Someone of every kind the rule tells apart, by a name that says which kind."""
    organization = agent.project.organization
    project = agent.project

    def person(name: str, *, member: bool = False, role: str = OrganizationMembership.Role.MEMBER):
        user = factories.UserFactory(username=name)
        if member:
            factories.join(organization, user, role=role)
        return user

    people = {"owner grant": owner}
    superuser = person("root")
    superuser.is_superuser = True
    superuser.save(update_fields=["is_superuser"])
    people["superuser"] = superuser
    people["organization admin"] = person(
        "admin", member=True, role=OrganizationMembership.Role.ADMIN
    )
    for grant in GRANTS:
        if grant != AgentPermission.Role.OWNER:
            people[f"{grant} grant"] = person(f"granted-{grant}", member=True)
            AgentPermission.objects.create(agent=agent, user=people[f"{grant} grant"], role=grant)
        # The same grant, held by someone whose membership was deleted since.
        former = people[f"former member, {grant} grant"] = person(f"former-{grant}", member=True)
        AgentPermission.objects.create(agent=agent, user=former, role=grant)
        OrganizationMembership.objects.filter(organization=organization, user=former).delete()
        # And a grant stored for someone who never was a member (older data).
        never = people[f"never a member, {grant} grant"] = person(f"never-{grant}")
        AgentPermission.objects.create(agent=agent, user=never, role=grant)
    people["member without grant"] = person("member", member=True)
    people["project member"] = person("in-project", member=True)
    project.members.add(people["project member"])
    # In the project but not (or no longer) in the organization: the project does not count.
    people["project member, not in the organization"] = person("project-only")
    project.members.add(people["project member, not in the organization"])
    people["signed-in non-member"] = person("stranger")
    return people


def _agent_in_state(project, owner, level: str, published: bool, archived: bool) -> Agent:
    """An agent whose Staging has ``level``, published with it or never, archived or not.

    The level is written in place: which staging edit set it is not this test's subject.
    """
    agent = factories.AgentFactory(project=project, user=owner, name="Rules")
    StagingConfiguration.objects.filter(agent=agent).update(access_level=level)
    if published:
        publish_agent(agent=Agent.objects.get(pk=agent.pk), acting_user=owner)
    if archived:
        Agent.objects.filter(pk=agent.pk).update(deleted_at=timezone.now())
    return agent


@pytest.mark.parametrize(
    ("level", "published", "archived"),
    STATES,
    ids=[
        f"{level}-{'published' if published else 'unpublished'}{'-archived' if archived else ''}"
        for level, published, archived in STATES
    ],
)
def test_the_live_read_decides_as_role_for(project, owner, level, published, archived):
    agent = _agent_in_state(project, owner, level, published, archived)
    people = _people(agent, owner)
    loaded = Agent.objects.select_related("project", "production").get(pk=agent.pk)
    live = published and not archived
    url = reverse("agent-production", kwargs={"agent_id": agent.pk})
    client = APIClient()  # one for all: each new client loads the middleware again

    assert role_for(AnonymousUser(), loaded) is None
    for kind, user in people.items():
        expected = role_for(user, loaded)
        token = factories.api_token(user)
        for by, who in (("user", user.pk), ("token", token)):
            facts = fetch_facts(by, who, agent.pk, with_snapshot=False)
            assert role_from_facts(**facts) == expected, (kind, by)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        status = client.get(url).status_code
        assert status == (200 if live and expected is not None else 404), (kind, expected)
