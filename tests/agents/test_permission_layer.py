"""agents.permissions: effective roles, visibility, and 404-before-403."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from agents import services
from agents.models import Agent, AgentPermission, OrganizationMembership
from agents.permissions import Role, get_agent_for, require_role, role_for, visible_agents
from publishing.services import publish_agent
from tests import factories

pytestmark = pytest.mark.django_db


def grant(agent, user, role):
    """A role on the agent, held as a member of its organization (as the service requires)."""
    factories.join(agent.project.organization, user)
    AgentPermission.objects.create(agent=agent, user=user, role=role)


def leave(agent, user):
    """The user's membership of the agent's organization is deleted; their grant stays."""
    OrganizationMembership.objects.filter(
        organization_id=agent.project.organization_id, user=user
    ).delete()


def published_with_access(agent, owner, level):
    services.set_access_level(agent=agent, acting_user=owner, access_level=level)
    publish_agent(agent=agent, user=owner)
    agent.refresh_from_db()
    return agent


@pytest.mark.parametrize(
    ("granted", "expected"),
    [
        ("viewer", Role.VIEWER),
        ("editor", Role.EDITOR),
        ("publisher", Role.PUBLISHER),
        ("owner", Role.OWNER),
    ],
)
def test_explicit_grants_give_that_role(agent, granted, expected):
    user = factories.UserFactory()
    grant(agent, user, granted)
    assert role_for(user, agent) == expected


def test_creator_owns_the_agent(agent, owner):
    assert role_for(owner, agent) == Role.OWNER


def test_superuser_and_org_admin_hold_owner(agent, organization):
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    admin = factories.UserFactory()
    factories.MembershipFactory(
        organization=organization, user=admin, role=OrganizationMembership.Role.ADMIN
    )
    assert role_for(superuser, agent) == Role.OWNER
    assert role_for(admin, agent) == Role.OWNER


def test_admin_of_another_organization_sees_nothing(agent):
    other_admin = factories.UserFactory()
    factories.MembershipFactory(user=other_admin, role=OrganizationMembership.Role.ADMIN)
    assert role_for(other_admin, agent) is None


def test_unpublished_agent_is_invisible_to_members_without_a_grant(agent, organization):
    member = factories.UserFactory()
    factories.MembershipFactory(organization=organization, user=member)
    assert role_for(member, agent) is None


def test_staging_access_level_grants_nothing_before_publish(agent, owner):
    services.set_access_level(agent=agent, acting_user=owner, access_level="public")
    stranger = factories.UserFactory()
    assert role_for(stranger, agent) is None


def test_public_production_lets_any_user_view(agent, owner):
    published_with_access(agent, owner, "public")
    assert role_for(factories.UserFactory(), agent) == Role.VIEWER


def test_organization_production_lets_members_view(agent, owner, organization):
    published_with_access(agent, owner, "organization")
    member = factories.UserFactory()
    factories.MembershipFactory(organization=organization, user=member)
    assert role_for(member, agent) == Role.VIEWER
    assert role_for(factories.UserFactory(), agent) is None


def test_project_production_lets_project_members_view(agent, owner, project, organization):
    published_with_access(agent, owner, "project")
    member, outsider = factories.UserFactory(), factories.UserFactory()
    factories.join(organization, member)
    project.members.add(member)
    assert role_for(member, agent) == Role.VIEWER
    assert role_for(outsider, agent) is None


def test_project_membership_needs_organization_membership(agent, owner, project):
    """A project member who is not (or no longer) in the organization sees nothing."""
    published_with_access(agent, owner, "project")
    left = factories.UserFactory()
    project.members.add(left)
    assert role_for(left, agent) is None
    assert agent.pk not in set(visible_agents(left).values_list("pk", flat=True))


def test_anonymous_has_no_role(agent):
    from django.contrib.auth.models import AnonymousUser

    assert role_for(AnonymousUser(), agent) is None


def test_get_agent_for_hides_unseen_agents_as_404(agent):
    with pytest.raises(Http404):
        get_agent_for(factories.UserFactory(), agent.pk, Role.VIEWER)
    with pytest.raises(Http404):
        get_agent_for(factories.UserFactory(), "not-a-number", Role.VIEWER)
    with pytest.raises(Http404):
        get_agent_for(factories.UserFactory(), 10**9, Role.VIEWER)


def test_get_agent_for_refuses_a_weaker_role_with_403(agent):
    editor = factories.UserFactory()
    grant(agent, editor, "editor")
    found, role = get_agent_for(editor, agent.pk, Role.EDITOR)
    assert (found.pk, role) == (agent.pk, Role.EDITOR)
    with pytest.raises(PermissionDenied, match="publisher"):
        get_agent_for(editor, agent.pk, Role.PUBLISHER)


def test_visible_agents_lists_exactly_what_role_for_allows(project, owner, organization):
    private = factories.AgentFactory(project=project, user=owner, name="private")
    public = published_with_access(
        factories.AgentFactory(project=project, user=owner, name="public"), owner, "public"
    )
    org_wide = published_with_access(
        factories.AgentFactory(project=project, user=owner, name="org"), owner, "organization"
    )
    granted = factories.AgentFactory(project=project, user=owner, name="granted")
    member = factories.UserFactory()
    factories.MembershipFactory(organization=organization, user=member)
    grant(granted, member, "editor")

    visible = set(visible_agents(member).values_list("pk", flat=True))
    assert visible == {public.pk, org_wide.pk, granted.pk}
    assert private.pk not in visible
    for agent in (private, public, org_wide, granted):
        assert (role_for(member, agent) is not None) == (agent.pk in visible)
    assert set(visible_agents(factories.UserFactory()).values_list("pk", flat=True)) == {public.pk}


def test_visible_agents_costs_one_query(project, owner, django_assert_num_queries):
    for _ in range(5):
        factories.AgentFactory(project=project, user=owner)
    with django_assert_num_queries(1):
        agents = list(visible_agents(owner))
        names = [a.staging.name for a in agents]
    assert len(names) == 5


def test_roles_for_agrees_with_role_for_on_every_visible_agent(project, owner, organization):
    from agents.permissions import roles_for

    member = factories.UserFactory()
    factories.MembershipFactory(organization=organization, user=member)
    public = published_with_access(
        factories.AgentFactory(project=project, user=owner), owner, "public"
    )
    edited = factories.AgentFactory(project=project, user=owner)
    grant(edited, member, "publisher")
    agents = list(visible_agents(member))
    assert {a.pk for a in agents} == {public.pk, edited.pk}
    assert roles_for(member, agents) == {a.pk: role_for(member, a) for a in agents}


# --- roles need current membership (red-team finding 4) ----------------------------------------


@pytest.mark.parametrize("granted", ["viewer", "editor", "publisher", "owner"])
def test_a_grant_stops_counting_when_its_holder_leaves_the_organization(agent, owner, granted):
    from agents.permissions import roles_for

    person = factories.UserFactory()
    grant(agent, person, granted)
    assert role_for(person, agent) == Role.from_label(granted)

    leave(agent, person)

    assert AgentPermission.objects.filter(agent=agent, user=person).exists()  # still stored
    assert role_for(person, agent) is None
    assert list(visible_agents(person)) == []
    assert roles_for(person, [agent]) == {agent.pk: Role.VIEWER}  # only ever asked of visible
    with pytest.raises(Http404):
        get_agent_for(person, agent.pk, Role.VIEWER)

    factories.join(agent.project.organization, person)  # rejoining restores it
    assert role_for(person, agent) == Role.from_label(granted)


def test_a_former_member_sees_a_public_production_as_anyone_does(agent, owner):
    from agents.permissions import roles_for

    editor = factories.UserFactory()
    grant(agent, editor, "editor")
    published_with_access(agent, owner, "public")
    leave(agent, editor)

    assert role_for(editor, agent) == Role.VIEWER
    visible = list(visible_agents(editor))
    assert [a.pk for a in visible] == [agent.pk]
    assert roles_for(editor, visible) == {agent.pk: Role.VIEWER}
    with pytest.raises(PermissionDenied):
        get_agent_for(editor, agent.pk, Role.EDITOR)


def test_a_former_member_loses_organization_wide_access(agent, owner):
    viewer = factories.UserFactory()
    grant(agent, viewer, "viewer")
    published_with_access(agent, owner, "organization")
    leave(agent, viewer)
    assert role_for(viewer, agent) is None
    assert list(visible_agents(viewer)) == []


def test_superusers_need_no_membership(agent):
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    assert role_for(superuser, agent) == Role.OWNER


# --- require_role: the check services make themselves ------------------------------------


def test_require_role_answers_the_users_role_and_refuses_a_weaker_one(agent):
    editor = factories.UserFactory()
    grant(agent, editor, "editor")
    assert require_role(editor, agent, Role.EDITOR) == Role.EDITOR
    with pytest.raises(PermissionDenied, match="publisher role"):
        require_role(editor, agent, Role.PUBLISHER)


def test_require_role_hides_an_agent_the_user_cannot_see(agent):
    with pytest.raises(Agent.DoesNotExist):
        require_role(factories.UserFactory(), agent, Role.VIEWER)


def test_require_role_reuses_the_role_get_agent_for_found(agent, owner, django_assert_num_queries):
    loaded, _ = get_agent_for(owner, agent.pk, Role.VIEWER)
    with django_assert_num_queries(0):
        assert require_role(owner, loaded, Role.OWNER) == Role.OWNER


def test_require_role_does_not_reuse_another_users_role(agent, owner):
    loaded, _ = get_agent_for(owner, agent.pk, Role.VIEWER)
    stranger = factories.UserFactory()
    with pytest.raises(Agent.DoesNotExist):
        require_role(stranger, loaded, Role.VIEWER)
