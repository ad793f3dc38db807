"""Weak passwords are refused wherever a user is made: the service and ``POST /api/v2/users``."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from agents import services
from agents.models import OrganizationMembership
from tests import factories
from tests.conftest import client_for

User = get_user_model()

WEAK = {
    "too short": "Xq9!",
    "too common": "password123",
    "all digits": "4815162342108",
    "like the username": "mallory-the-user",
}


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@example.com", "violet-anchor-71-tundra")


@pytest.mark.parametrize("kind", sorted(WEAK))
def test_service_refuses_a_weak_password(root, kind):
    with pytest.raises(ValidationError) as refused:
        services.create_user(username="mallory-the-user", password=WEAK[kind], acting_user=root)
    assert "password" in refused.value.message_dict
    assert not User.objects.filter(username="mallory-the-user").exists()


def test_service_accepts_a_strong_password_and_stores_only_its_hash(root):
    user = services.create_user(
        username="alice", password="violet-anchor-71-tundra", acting_user=root
    )
    assert user.check_password("violet-anchor-71-tundra")
    assert "violet-anchor-71-tundra" not in user.password


@pytest.fixture
def org_admin(db):
    admin = factories.UserFactory(username="org-admin")
    factories.MembershipFactory(user=admin, role=OrganizationMembership.Role.ADMIN)
    return admin


def into_their_organization(admin):
    """An organization admin creates users into the organization they administer."""
    return admin.org_memberships.get().organization_id


@pytest.mark.parametrize("kind", sorted(WEAK))
def test_api_refuses_a_weak_password(org_admin, kind):
    response = client_for(org_admin).post(
        "/api/v2/users",
        {
            "username": "mallory-the-user",
            "password": WEAK[kind],
            "organization_id": into_their_organization(org_admin),
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "password" in response.json()
    assert not User.objects.filter(username="mallory-the-user").exists()


def test_api_accepts_a_strong_password(org_admin):
    response = client_for(org_admin).post(
        "/api/v2/users",
        {
            "username": "alice",
            "password": "violet-anchor-71-tundra",
            "organization_id": into_their_organization(org_admin),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert "password" not in response.json()
    assert User.objects.get(username="alice").check_password("violet-anchor-71-tundra")
