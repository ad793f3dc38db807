"""Organizations, projects and the catalogue (corpora, tools, guardrails): not staged."""

from __future__ import annotations

import json

import pytest

from agents.models import (
    Corpus,
    Guardrail,
    Organization,
    OrganizationMembership,
    Project,
    Tool,
    ToolAction,
)
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


# --- corpora ---------------------------------------------------------------------------------


def test_member_creates_a_corpus(member, project):
    response = client_for(member).post(
        "/api/v2/corpora",
        {"project_id": project.pk, "name": "Manuals", "description": "PDFs"},
        format="json",
    )
    assert response.status_code == 201
    corpus = Corpus.objects.get(name="Manuals")
    body = response.json()
    assert body["id"] == corpus.pk
    assert body["organization_id"] == project.organization_id
    assert body["description"] == "PDFs"


def test_corpus_in_an_unseen_project_is_refused_on_the_field(stranger, project):
    response = client_for(stranger).post(
        "/api/v2/corpora", {"project_id": project.pk, "name": "Manuals"}, format="json"
    )
    assert response.status_code == 400
    assert "project_id" in response.json()
    assert not Corpus.objects.exists()


def test_corpus_list_is_scoped_and_filterable(member, corpus, foreign_corpus, project):
    other_project = factories.ProjectFactory(organization=project.organization)
    factories.CorpusFactory(project=other_project, name="Other")
    client = client_for(member)
    assert {c["name"] for c in client.get("/api/v2/corpora").json()["results"]} == {
        "Handbook",
        "Other",
    }
    filtered = client.get(f"/api/v2/corpora?project_id={project.pk}").json()["results"]
    assert [c["id"] for c in filtered] == [corpus.pk]


# --- tools -----------------------------------------------------------------------------------


def test_member_creates_a_tool_with_actions(member, organization):
    response = client_for(member).post(
        "/api/v2/tools",
        {
            "organization_id": organization.pk,
            "name": "CRM",
            "kind": "api",
            "actions": [{"name": "search", "config": {"limit": 5}}, {"name": "create"}],
        },
        format="json",
    )
    assert response.status_code == 201
    tool = Tool.objects.get(name="CRM")
    actions = {a.name: a for a in ToolAction.objects.filter(tool=tool)}
    assert sorted(response.json()["actions"], key=lambda a: a["name"]) == [
        {"id": actions["create"].pk, "name": "create", "config": {}},
        {"id": actions["search"].pk, "name": "search", "config": {"limit": 5}},
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "telepathy"}, "kind"),
        ({"actions": [{"name": "a"}, {"name": "a"}]}, "actions"),
        ({"actions": [{"name": "a", "config": []}]}, "actions"),
        ({"actions": [{"config": {}}]}, "actions"),
        ({"actions": "search"}, "actions"),
        ({"actions": [{"name": "a", "config": {"k": "nul\x00"}}]}, "actions"),
        ({"name": ""}, "name"),
    ],
)
def test_tool_input_is_checked_and_nothing_is_written(member, organization, body, field):
    payload = {"organization_id": organization.pk, "name": "CRM", "kind": "api", **body}
    response = client_for(member).post("/api/v2/tools", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Tool.objects.exists()
    assert not ToolAction.objects.exists()


def test_tool_list_is_scoped_with_actions_in_fixed_queries(
    member, organization, foreign_tool, django_assert_max_num_queries
):
    for n in range(5):
        factories.ToolFactory(organization=organization, name=f"T{n}", actions=["a", "b"])
    client = client_for(member)
    with django_assert_max_num_queries(3):
        response = client.get(f"/api/v2/tools?organization_id={organization.pk}")
    results = response.json()["results"]
    assert len(results) == 5
    assert all(len(t["actions"]) == 2 for t in results)
    assert client.get("/api/v2/tools").json()["count"] == 5


# --- guardrails ------------------------------------------------------------------------------


def test_member_creates_a_guardrail(member, organization):
    response = client_for(member).post(
        "/api/v2/guardrails",
        {"organization_id": organization.pk, "name": "PII", "type": "pii", "config": {"x": 1}},
        format="json",
    )
    assert response.status_code == 201
    guardrail = Guardrail.objects.get(name="PII")
    assert guardrail.config == {"x": 1}
    assert response.json()["config"] == {"x": 1}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"config": ["not", "an", "object"]}, "config"),
        ({"type": ""}, "type"),
        ({"type": "t" * 65}, "type"),
        ({"organization_id": "1"}, "organization_id"),
    ],
)
def test_guardrail_input_is_checked(member, organization, body, field):
    payload = {"organization_id": organization.pk, "name": "PII", "type": "pii", **body}
    response = client_for(member).post("/api/v2/guardrails", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Guardrail.objects.exists()


def test_guardrail_config_with_a_lone_surrogate_is_a_400(member, organization):
    # Sent as raw JSON: the escape is valid JSON, but no database can store the character.
    body = json.dumps(
        {"organization_id": organization.pk, "name": "PII", "type": "pii", "config": {"k": "?"}}
    ).replace('"?"', '"\\ud800"')
    response = client_for(member).generic(
        "POST", "/api/v2/guardrails", body, content_type="application/json"
    )
    assert response.status_code == 400
    # Refused by the API's JSON parser, before any field is read.
    assert "surrogate" in response.json()["detail"]
    assert not Guardrail.objects.exists()


def test_guardrail_in_an_unseen_organization_is_refused(stranger, organization):
    response = client_for(stranger).post(
        "/api/v2/guardrails",
        {"organization_id": organization.pk, "name": "PII", "type": "pii"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"organization_id": ["Unknown organization."]}


def test_guardrail_list_is_scoped(member, guardrail, foreign_guardrail):
    results = client_for(member).get("/api/v2/guardrails").json()["results"]
    assert [g["id"] for g in results] == [guardrail.pk]


def test_catalogue_needs_credentials(db, api_client):
    for url in ("/api/v2/corpora", "/api/v2/tools", "/api/v2/guardrails", "/api/v2/projects"):
        assert api_client.get(url).status_code == 401
