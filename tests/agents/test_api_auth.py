"""POST /api/v2/auth/token, POST /api/v2/users, GET /api/v2/users/me, request-level refusals."""

from __future__ import annotations

import copy

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import token_digest
from agents.models import OrganizationMembership
from tests import factories
from tests.conftest import client_for

User = get_user_model()
TOKEN_URL = "/api/v2/auth/token"
USERS_URL = "/api/v2/users"


@pytest.fixture
def alice(db):
    return factories.UserFactory(username="alice")


# --- token -----------------------------------------------------------------------------------


def test_token_for_good_credentials_authenticates_later_requests(alice, api_client):
    response = api_client.post(
        TOKEN_URL, {"username": "alice", "password": factories.PASSWORD}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    token = body["token"]
    stored = ApiToken.objects.get(user=alice)
    assert stored.digest == token_digest(token)
    assert body == {
        "token": token,
        "id": stored.pk,
        "name": "default",
        "expires_at": stored.expires_at.isoformat().replace("+00:00", "Z"),
    }

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v2/users/me")
    assert me.status_code == 200
    assert me.json()["username"] == "alice"


def test_each_login_issues_a_new_token_and_the_old_one_keeps_working(alice, api_client):
    body = {"username": "alice", "password": factories.PASSWORD}
    first = api_client.post(TOKEN_URL, body, format="json").json()["token"]
    second = api_client.post(TOKEN_URL, body, format="json").json()["token"]
    assert first != second
    assert ApiToken.objects.filter(user=alice).count() == 2
    for token in (first, second):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert client.get("/api/v2/users/me").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"username": "alice", "password": "wrong"},
        {"username": "nobody", "password": factories.PASSWORD},
    ],
)
def test_token_refused_for_bad_credentials_with_a_clear_message(alice, api_client, body):
    response = api_client.post(TOKEN_URL, body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Unable to log in with the username and password given."]
    }
    assert not ApiToken.objects.exists()


def test_token_refused_for_inactive_user(alice, api_client):
    alice.is_active = False
    alice.save()
    response = api_client.post(
        TOKEN_URL, {"username": "alice", "password": factories.PASSWORD}, format="json"
    )
    assert response.status_code == 400


def test_token_names_missing_and_mistyped_fields(db, api_client):
    response = api_client.post(TOKEN_URL, {"username": 12}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_token_works_for_a_browser_already_signed_in_without_csrf(alice):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(
        TOKEN_URL, {"username": "alice", "password": factories.PASSWORD}, format="json"
    )
    assert response.status_code == 200


def test_token_requests_are_throttled(alice, api_client, settings):
    rest = copy.deepcopy(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"]["login"] = "2/min"
    settings.REST_FRAMEWORK = rest
    body = {"username": "alice", "password": "wrong"}
    assert api_client.post(TOKEN_URL, body, format="json").status_code == 400
    assert api_client.post(TOKEN_URL, body, format="json").status_code == 400
    third = api_client.post(
        TOKEN_URL, {"username": "alice", "password": factories.PASSWORD}, format="json"
    )
    assert third.status_code == 429
    assert "throttled" in third.json()["detail"]
    assert "Retry-After" in third.headers


def test_token_rate_comes_from_the_login_setting(alice, api_client, settings):
    rest = copy.deepcopy(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"]["login"] = "5/min"
    settings.REST_FRAMEWORK = rest
    body = {"username": "alice", "password": "wrong"}
    codes = [api_client.post(TOKEN_URL, body, format="json").status_code for _ in range(6)]
    assert codes == [400] * 5 + [429]


# --- users -----------------------------------------------------------------------------------

NEWBIE = {"username": "newbie", "password": "a-long-enough-passphrase"}


def post_newbie(user, **fields):
    """``POST /users`` as ``user`` for the user "newbie", with ``fields`` added to the body."""
    return client_for(user).post(USERS_URL, {**NEWBIE, **fields}, format="json")


def created_newbie(response):
    """The user a ``POST /users`` answered 201 for, checking the answer names them."""
    assert response.status_code == 201
    made = User.objects.get(username="newbie")
    assert response.json() == {"id": made.pk, "username": "newbie"}
    return made


def test_superuser_creates_a_user(superuser):
    made = created_newbie(post_newbie(superuser, email="n@example.com"))
    assert made.check_password("a-long-enough-passphrase")
    assert made.email == "n@example.com"


def test_organization_admin_creates_a_user_into_their_organization(org_admin, organization):
    made = created_newbie(post_newbie(org_admin, organization_id=organization.pk))
    membership = OrganizationMembership.objects.get(user=made)
    assert (membership.organization_id, membership.role) == (organization.pk, "member")


def test_superuser_may_place_a_new_user_in_an_organization(superuser, other_organization):
    made = created_newbie(post_newbie(superuser, organization_id=other_organization.pk))
    assert list(made.org_memberships.values_list("organization_id", "role")) == [
        (other_organization.pk, "member")
    ]


def test_organization_admin_must_name_their_organization(org_admin):
    response = post_newbie(org_admin)
    assert response.status_code == 400
    assert "organization_id" in response.json()
    assert not User.objects.filter(username="newbie").exists()


def test_organization_admin_may_not_create_users_into_another_organization(
    org_admin, other_organization
):
    """Red-team finding 5: an admin of one organization adds users to that one only."""
    # An organization they do not belong to is as unknown as a made-up id.
    response = post_newbie(org_admin, organization_id=other_organization.pk)
    assert response.status_code == 400
    assert response.json()["organization_id"] == ["Unknown organization."]
    # One they belong to without administering it: 403.
    factories.MembershipFactory(organization=other_organization, user=org_admin)
    response = post_newbie(org_admin, organization_id=other_organization.pk)
    assert response.status_code == 403
    assert not User.objects.filter(username="newbie").exists()
    assert not OrganizationMembership.objects.filter(user__username="newbie").exists()


def test_a_self_made_organization_admin_cannot_mint_accounts(stranger):
    """The red team's path: create an organization (refused), then POST /users (refused)."""
    client = client_for(stranger)
    assert client.post("/api/v2/organizations", {"name": "Mine"}, format="json").status_code == (
        403
    )
    response = post_newbie(stranger)
    assert response.status_code == 403
    assert not User.objects.filter(username="newbie").exists()


def test_plain_member_may_not_create_users(member, organization):
    response = post_newbie(member, organization_id=organization.pk)
    assert response.status_code == 403
    assert "organization admins" in response.json()["detail"]
    assert not User.objects.filter(username="newbie").exists()


def test_user_creation_needs_credentials(db, api_client):
    response = api_client.post(USERS_URL, {"username": "x", "password": "y"}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "member", "password": "a-long-enough-passphrase"}, "username"),
        ({"username": "MEMBER", "password": "a-long-enough-passphrase"}, "username"),
        ({"username": "has space", "password": "a-long-enough-passphrase"}, "username"),
        ({"username": "fine", "password": "123"}, "password"),
        ({"username": "fine", "password": "password"}, "password"),
        ({"username": "fine", "password": "a-long-enough-passphrase", "email": "nope"}, "email"),
        ({"username": "x" * 151, "password": "a-long-enough-passphrase"}, "username"),
        ({"password": "a-long-enough-passphrase"}, "username"),
    ],
)
def test_user_creation_refuses_bad_input_per_field(org_admin, member, organization, body, field):
    before = User.objects.count()
    body = {**body, "organization_id": organization.pk}
    response = client_for(org_admin).post(USERS_URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert User.objects.count() == before


def test_me_lists_organizations_with_roles(member, organization, other_organization):
    factories.MembershipFactory(
        organization=other_organization, user=member, role=OrganizationMembership.Role.ADMIN
    )
    response = client_for(member).get("/api/v2/users/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "member"
    assert body["is_superuser"] is False
    assert body["organizations"] == [
        {"id": other_organization.pk, "name": "Elsewhere", "role": "admin"},
        {"id": organization.pk, "name": organization.name, "role": "member"},
    ]


def test_me_needs_credentials(db, api_client):
    assert api_client.get("/api/v2/users/me").status_code == 401


def test_users_endpoint_has_no_listing(superuser):
    assert client_for(superuser).get(USERS_URL).status_code == 405


# --- request-level refusals ------------------------------------------------------------------


def test_malformed_json_is_a_400(org_admin):
    response = client_for(org_admin).generic(
        "POST", USERS_URL, '{"username": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_pathologically_nested_json_is_a_400_not_a_500(org_admin):
    response = client_for(org_admin).generic(
        "POST", USERS_URL, "[" * 100_000, content_type="application/json"
    )
    assert response.status_code == 400


def test_non_json_body_is_a_415(org_admin):
    response = client_for(org_admin).generic(
        "POST", USERS_URL, "username=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415


def test_body_over_the_upload_limit_is_a_413(org_admin, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"username": "big", "password": "' + "x" * 2000 + '"}'
    response = client_for(org_admin).generic(
        "POST", USERS_URL, body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large."}
    assert not User.objects.filter(username="big").exists()


# --- the schema ------------------------------------------------------------------------------


def test_schema_documents_the_agents_api(superuser):
    response = client_for(superuser).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    corpora = paths["/api/v2/agents/{agent_id}/corpora"]
    assert "requestBody" in corpora["delete"]
    assert set(corpora["post"]["responses"]) >= {"201", "400", "401", "403", "404", "413"}
    assert set(paths["/api/v2/auth/token"]["post"]["responses"]) >= {"200", "400", "429"}
    assert set(paths["/api/v2/agents/{agent_id}"]) >= {"get", "put", "patch", "delete"}
    assert "204" in paths["/api/v2/agents/{agent_id}"]["delete"]["responses"]


def test_options_answers_every_agents_api_url(superuser, agent, published, tool):
    from agents.api_urls import urlpatterns

    values = {
        "agent_id": agent.pk,
        "project_id": agent.project_id,
        "tool_id": tool.pk,
        "action_id": tool.actions.first().pk,
        "instruction_id": 1,
        "corpus_id": 1,
        "permission_id": 1,
    }
    client = client_for(superuser)
    for pattern in urlpatterns:
        route = str(pattern.pattern)
        for name, value in values.items():
            route = route.replace(f"<str:{name}>", str(value))
        response = client.options(f"/api/v2/{route}")
        assert response.status_code == 200, (route, response.status_code)
