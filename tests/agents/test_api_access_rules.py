"""Rules the API applies, held where every caller meets them: services and permissions.

Listing another user's tokens and creating a project are refused to the wrong person whoever
asks - the API, a page, a command - not only through the view that used to check.
"""

import pytest
from django.core.exceptions import PermissionDenied

from accounts import services as token_services
from agents.models import OrganizationMembership
from agents.permissions import require_organization_admin
from tests import factories

pytestmark = pytest.mark.django_db


def test_tokens_of_lists_the_acting_users_own_by_default(owner):
    token, _ = token_services.issue_token(user=owner)
    token_services.issue_token(user=factories.UserFactory())
    assert list(token_services.tokens_of(owner)) == [token]


def test_tokens_of_refuses_another_users_tokens_to_anyone_but_superusers(owner):
    other = factories.UserFactory()
    token, _ = token_services.issue_token(user=other)
    with pytest.raises(PermissionDenied, match="Only superusers"):
        token_services.tokens_of(owner, other.pk)
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    assert list(token_services.tokens_of(superuser, other.pk)) == [token]


def test_visible_tokens_are_the_ones_may_revoke_allows(owner):
    own, _ = token_services.issue_token(user=owner)
    other, _ = token_services.issue_token(user=factories.UserFactory())
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    for user in (owner, superuser):
        visible = set(token_services.visible_tokens(user))
        assert visible == {t for t in (own, other) if token_services.may_revoke(user, t)}


def test_only_organization_admins_pass_require_organization_admin(organization, owner):
    with pytest.raises(PermissionDenied, match="admins can create projects"):
        require_organization_admin(owner, organization.pk, "create projects")
    admin = factories.UserFactory()
    factories.join(organization, admin, role=OrganizationMembership.Role.ADMIN)
    require_organization_admin(admin, organization.pk, "create projects")
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    require_organization_admin(superuser, organization.pk, "create projects")
