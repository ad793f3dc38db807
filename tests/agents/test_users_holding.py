"""``users_holding``: who of many holds a role on an agent, in one query - held to ``role_for``
over every way of holding (or seeming to hold) a role."""

from __future__ import annotations

import pytest

from agents import services
from agents.models import Agent, AgentPermission, OrganizationMembership
from agents.permissions import Role, role_for, users_holding
from publishing.services import publish_agent
from tests import factories

pytestmark = pytest.mark.django_db

ROLES_ABOVE_VIEWER = (Role.EDITOR, Role.PUBLISHER, Role.OWNER)
ADMIN = OrganizationMembership.Role.ADMIN


def loaded(agent) -> Agent:
    return Agent.objects.select_related("project", "production").get(pk=agent.pk)


def member(organization, username, role=OrganizationMembership.Role.MEMBER, **fields):
    user = factories.UserFactory(username=username, **fields)
    factories.join(organization, user, role=role)
    return user


def granted(agent, username, role, *, is_member=True, **fields):
    user = factories.UserFactory(username=username, **fields)
    factories.join(agent.project.organization, user)
    AgentPermission.objects.create(agent=agent, user=user, role=role)
    if not is_member:
        OrganizationMembership.objects.filter(user=user).delete()
    return user


@pytest.fixture
def cast(agent, owner, organization, project):
    """Everyone who holds, or might be taken to hold, a role on ``agent``."""
    people = [owner]
    for role in ("viewer", "editor", "publisher", "owner"):
        people.append(granted(agent, f"{role}-member", role))
        people.append(granted(agent, f"{role}-former-member", role, is_member=False))
        people.append(granted(agent, f"{role}-inactive", role, is_active=False))
    people += [
        factories.UserFactory(username="superuser", is_superuser=True, is_staff=True),
        factories.UserFactory(username="superuser-inactive", is_superuser=True, is_active=False),
        member(organization, "org-admin", ADMIN),
        member(organization, "org-admin-inactive", ADMIN, is_active=False),
        member(factories.OrganizationFactory(), "other-org-admin", ADMIN),
        member(organization, "plain-member"),
        factories.UserFactory(username="outsider"),
    ]
    project_member = member(organization, "project-member")
    project.members.add(project_member)
    people.append(project_member)
    return people


def expected(agent, people, required: Role) -> set[int]:
    """``role_for``'s answer, for people who can act at all: an inactive account cannot sign
    in, so ``role_for`` is never asked about one; its approvals must not count either."""
    agent = loaded(agent)
    return {
        user.pk for user in people if user.is_active and (role_for(user, agent) or 0) >= required
    }


@pytest.mark.parametrize("required", ROLES_ABOVE_VIEWER, ids=lambda r: r.label)
@pytest.mark.parametrize("access_level", [None, "private", "project", "organization", "public"])
def test_users_holding_agrees_with_role_for(agent, owner, cast, required, access_level):
    if access_level is not None:
        services.set_access_level(agent=agent, acting_user=owner, access_level=access_level)
        publish_agent(agent=agent, acting_user=owner)
    ids = {user.pk for user in cast} | {10**9}  # and someone who does not exist
    holding = users_holding(loaded(agent), ids, required)
    assert holding == expected(agent, cast, required)


def test_the_cast_covers_each_answer(agent, owner, cast):
    """The comparison above is only as good as the people in it: some hold each role, and
    some hold one that ``users_holding`` must still leave out."""
    by_name = {user.username: user.pk for user in cast}
    agent = loaded(agent)
    assert users_holding(agent, set(by_name.values()), Role.OWNER) == {
        by_name["owner"],
        by_name["owner-member"],
        by_name["superuser"],
        by_name["org-admin"],
    }
    assert users_holding(agent, set(by_name.values()), Role.PUBLISHER) - users_holding(
        agent, set(by_name.values()), Role.OWNER
    ) == {by_name["publisher-member"]}
    assert users_holding(agent, set(by_name.values()), Role.EDITOR) - users_holding(
        agent, set(by_name.values()), Role.PUBLISHER
    ) == {by_name["editor-member"]}
    inactive = next(user for user in cast if user.username == "owner-inactive")
    assert role_for(inactive, agent) == Role.OWNER  # what the rule above leaves out


@pytest.mark.parametrize("required", ROLES_ABOVE_VIEWER, ids=lambda r: r.label)
def test_nobody_holds_a_role_on_a_deleted_agent(agent, owner, cast, required):
    services.delete_agent(agent=agent, acting_user=owner)
    agent = loaded(agent)
    assert users_holding(agent, {user.pk for user in cast}, required) == set()
    assert all(role_for(user, agent) is None for user in cast)


def test_a_revoked_or_lowered_grant_stops_counting_at_once(agent, owner):
    publisher = granted(agent, "publisher", "publisher")
    assert users_holding(loaded(agent), {publisher.pk}, Role.PUBLISHER) == {publisher.pk}
    permission = AgentPermission.objects.get(agent=agent, user=publisher)
    services.change_permission(permission=permission, acting_user=owner, role="editor")
    assert users_holding(loaded(agent), {publisher.pk}, Role.PUBLISHER) == set()
    assert users_holding(loaded(agent), {publisher.pk}, Role.EDITOR) == {publisher.pk}
    services.revoke_permission(permission=permission, acting_user=owner)
    assert users_holding(loaded(agent), {publisher.pk}, Role.EDITOR) == set()


def test_one_query_however_many_are_asked_about(agent, cast, django_assert_num_queries):
    agent = loaded(agent)
    ids = {user.pk for user in cast}
    with django_assert_num_queries(1):
        users_holding(agent, ids, Role.PUBLISHER)
    with django_assert_num_queries(1):
        users_holding(agent, set(list(ids)[:1]), Role.PUBLISHER)


def test_asking_about_nobody_costs_nothing(agent, django_assert_num_queries):
    agent = loaded(agent)
    with django_assert_num_queries(0):
        assert users_holding(agent, set(), Role.PUBLISHER) == set()


def test_viewers_are_not_its_question(agent):
    with pytest.raises(ValueError, match="editor and above"):
        users_holding(loaded(agent), {1}, Role.VIEWER)
