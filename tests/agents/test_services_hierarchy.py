"""agents.services for users, organizations, projects and the catalogue (not staged)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from agents import services
from agents.models import Organization, OrganizationMembership, Project, Tool, ToolAction
from tests import factories

User = get_user_model()


# --- users and hierarchy ---------------------------------------------------------------------


def test_create_user_hashes_the_password(superuser):
    user = services.create_user(
        username="neo", password="a-long-enough-passphrase", acting_user=superuser
    )
    assert user.check_password("a-long-enough-passphrase")
    assert user.password != "a-long-enough-passphrase"


def test_create_user_refuses_a_taken_username_in_any_case(superuser):
    factories.UserFactory(username="neo")
    with pytest.raises(ValidationError) as error:
        services.create_user(
            username="NEO", password="a-long-enough-passphrase", acting_user=superuser
        )
    assert "username" in error.value.message_dict
    assert User.objects.count() == 2


def test_create_user_applies_the_password_validators(superuser):
    with pytest.raises(ValidationError) as error:
        services.create_user(username="neo", password="neo", acting_user=superuser)
    assert "password" in error.value.message_dict
    assert not User.objects.filter(username="neo").exists()


def test_create_organization_makes_the_creator_admin(superuser):
    organization = services.create_organization(name="  Acme  ", acting_user=superuser)
    assert organization.name == "Acme"
    membership = OrganizationMembership.objects.get(organization=organization)
    assert (membership.user, membership.role) == (superuser, "admin")


def test_create_organization_checks_the_acting_user(stranger, org_admin, settings):
    """Red-team finding 5: the rule lives in the service, so every caller meets it."""
    for user in (stranger, org_admin):
        with pytest.raises(PermissionDenied):
            services.create_organization(name="Mine", acting_user=user)
    assert not Organization.objects.filter(name="Mine").exists()
    settings.ALLOW_SELF_SERVICE_ORGANIZATIONS = True
    assert services.create_organization(name="Mine", acting_user=stranger).name == "Mine"


def test_create_user_checks_the_acting_user(
    superuser, org_admin, member, stranger, organization, other_organization
):
    body = {"username": "neo", "password": "a-long-enough-passphrase"}
    for user in (member, stranger):
        with pytest.raises(PermissionDenied):
            services.create_user(**body, acting_user=user, organization=organization)
    with pytest.raises(PermissionDenied):
        services.create_user(**body, acting_user=org_admin, organization=other_organization)
    with pytest.raises(ValidationError) as error:
        services.create_user(**body, acting_user=org_admin)
    assert "organization_id" in error.value.message_dict
    assert not User.objects.filter(username="neo").exists()

    made = services.create_user(**body, acting_user=org_admin, organization=organization)
    assert list(made.org_memberships.values_list("organization_id", "role")) == [
        (organization.pk, "member")
    ]
    loner = services.create_user(username="loner", password=body["password"], acting_user=superuser)
    assert not loner.org_memberships.exists()


def test_create_project_refuses_a_duplicate_name(project):
    with pytest.raises(ValidationError):
        services.create_project(organization=project.organization, name=project.name.lower())
    assert Project.objects.count() == 1


def test_create_tool_with_actions_is_all_or_nothing(organization):
    with pytest.raises(ValidationError):
        services.create_tool(
            organization=organization,
            name="CRM",
            kind="api",
            actions=[{"name": "ok"}, {"name": "bad", "config": "not an object"}],
        )
    assert not Tool.objects.exists()
    assert not ToolAction.objects.exists()


def test_create_tool_refuses_an_unknown_kind(organization):
    with pytest.raises(ValidationError) as error:
        services.create_tool(organization=organization, name="CRM", kind="magic")
    assert "kind" in error.value.message_dict


def test_create_guardrail_refuses_a_config_that_is_not_an_object(organization):
    with pytest.raises(ValidationError):
        services.create_guardrail(organization=organization, name="G", type="pii", config=[1])


def test_organizations_are_unaffected_by_refused_writes(superuser):
    with pytest.raises(ValidationError):
        services.create_organization(name="", acting_user=superuser)
    assert not Organization.objects.exists()
