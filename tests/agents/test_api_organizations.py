"""Organizations and their projects through the API: who may create and see them."""

from __future__ import annotations

import pytest

from agents.models import Organization, OrganizationMembership, Project
from tests import factories
from tests.conftest import client_for

# --- organizations ---------------------------------------------------------------------------


def test_superuser_creates_an_organization_and_becomes_its_admin(superuser):
    response = client_for(superuser).post("/api/v2/organizations", {"name": "Acme"}, format="json")
    assert response.status_code == 201
    organization = Organization.objects.get(name="Acme")
    assert response.json()["id"] == organization.pk
    assert response.json()["role"] == "admin"
    assert OrganizationMembership.objects.get(organization=organization, user=superuser).role == (
        "admin"
    )


@pytest.mark.parametrize("caller", ["stranger", "member", "org_admin"])
def test_only_superusers_create_organizations_by_default(request, caller):
    """Red-team finding 5: an organization's creator is its admin, and admins create users -
    so self-service organizations let any account mint accounts."""
    user = request.getfixturevalue(caller)
    before = Organization.objects.count()
    client = client_for(user)
    response = client.post("/api/v2/organizations", {"name": "Mine"}, format="json")
    assert response.status_code == 403, response.content
    assert response.json()["detail"] == "Only superusers can create organizations."
    # Refused before the body is read: a bad body is 403 too (401 -> 403 -> 400).
    assert client.post("/api/v2/organizations", {"name": ""}, format="json").status_code == 403
    assert Organization.objects.count() == before
    assert not Organization.objects.filter(name="Mine").exists()


def test_self_service_organizations_when_the_deployment_allows_them(settings, stranger):
    settings.ALLOW_SELF_SERVICE_ORGANIZATIONS = True
    response = client_for(stranger).post("/api/v2/organizations", {"name": "Acme"}, format="json")
    assert response.status_code == 201
    organization = Organization.objects.get(name="Acme")
    assert OrganizationMembership.objects.get(organization=organization, user=stranger).role == (
        "admin"
    )


@pytest.mark.parametrize("name", ["", "   ", None, 42, "x" * 201])
def test_organization_name_is_checked(superuser, name):
    response = client_for(superuser).post("/api/v2/organizations", {"name": name}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()
    assert not Organization.objects.exists()


def test_organization_names_are_unique_ignoring_case(superuser, organization):
    response = client_for(superuser).post(
        "/api/v2/organizations", {"name": organization.name.upper()}, format="json"
    )
    assert response.status_code == 400
    assert "already exists" in response.json()["name"][0]


def test_organization_list_shows_only_the_callers_with_their_role(
    member, organization, other_organization
):
    response = client_for(member).get("/api/v2/organizations")
    assert response.status_code == 200
    assert [(o["id"], o["role"]) for o in response.json()["results"]] == [
        (organization.pk, "member")
    ]


def test_superuser_lists_every_organization(superuser, organization, other_organization):
    response = client_for(superuser).get("/api/v2/organizations")
    assert {o["id"] for o in response.json()["results"]} == {
        organization.pk,
        other_organization.pk,
    }


def test_organizations_need_credentials(db, api_client):
    assert api_client.get("/api/v2/organizations").status_code == 401
    assert api_client.post("/api/v2/organizations", {"name": "x"}, format="json").status_code == (
        401
    )


# --- projects --------------------------------------------------------------------------------


def test_organization_admin_creates_a_project(org_admin, organization):
    response = client_for(org_admin).post(
        "/api/v2/projects", {"organization_id": organization.pk, "name": "Support"}, format="json"
    )
    assert response.status_code == 201
    project = Project.objects.get(name="Support")
    assert project.organization == organization
    assert response.json() == {
        "id": project.pk,
        "organization_id": organization.pk,
        "name": "Support",
        "created_at": response.json()["created_at"],
    }


def test_plain_member_may_not_create_a_project(member, organization):
    response = client_for(member).post(
        "/api/v2/projects", {"organization_id": organization.pk, "name": "Support"}, format="json"
    )
    assert response.status_code == 403
    assert not Project.objects.filter(name="Support").exists()


@pytest.mark.parametrize("organization_id", ["other", 999_999, "12", 0, 2**64])
def test_project_in_an_unknown_or_unseen_organization_is_refused_on_the_field(
    org_admin, other_organization, organization_id
):
    if organization_id == "other":
        organization_id = other_organization.pk
    response = client_for(org_admin).post(
        "/api/v2/projects", {"organization_id": organization_id, "name": "P"}, format="json"
    )
    assert response.status_code == 400
    assert "organization_id" in response.json()


def test_project_names_are_unique_within_an_organization(org_admin, project):
    response = client_for(org_admin).post(
        "/api/v2/projects",
        {"organization_id": project.organization_id, "name": project.name},
        format="json",
    )
    assert response.status_code == 400
    assert "name" in response.json()


def test_project_list_is_scoped_and_filterable(member, project, other_organization):
    factories.ProjectFactory(organization=other_organization, name="Hidden")
    second = factories.ProjectFactory(organization=project.organization, name="Zeta")
    client = client_for(member)
    names = [p["name"] for p in client.get("/api/v2/projects").json()["results"]]
    assert names == [project.name, "Zeta"]
    filtered = client.get(f"/api/v2/projects?organization_id={project.organization_id}")
    assert {p["id"] for p in filtered.json()["results"]} == {project.pk, second.pk}
    assert (
        client.get(f"/api/v2/projects?organization_id={other_organization.pk}").json()["count"] == 0
    )


def test_project_list_filter_must_be_an_id(member):
    response = client_for(member).get("/api/v2/projects?organization_id=abc")
    assert response.status_code == 400
    assert "organization_id" in response.json()


def test_project_detail(member, project):
    response = client_for(member).get(f"/api/v2/projects/{project.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == project.name


@pytest.mark.parametrize("suffix", ["hidden", "999999", "abc", "-1", "99999999999999999999999"])
def test_project_detail_of_unseen_or_malformed_id_is_a_404(member, other_organization, suffix):
    if suffix == "hidden":
        suffix = str(factories.ProjectFactory(organization=other_organization).pk)
    response = client_for(member).get(f"/api/v2/projects/{suffix}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
