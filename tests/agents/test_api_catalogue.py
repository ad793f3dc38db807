"""The catalogue (corpora, tools, guardrails) through the API: organization data, not staged."""

from __future__ import annotations

import json

import pytest

from agents.models import Corpus, Guardrail, Tool, ToolAction
from tests import factories
from tests.conftest import client_for


def post_as(user, path, payload):
    return client_for(user).post(path, payload, format="json")


def assert_refused_on(user, path, payload, field, *untouched):
    """POST ``payload`` as ``user``: a 400 naming ``field``, and no row of ``untouched`` made."""
    response = post_as(user, path, payload)
    assert response.status_code == 400
    assert field in response.json()
    for model in untouched:
        assert not model.objects.exists()


# --- corpora ---------------------------------------------------------------------------------


def test_member_creates_a_corpus(member, project):
    payload = {"project_id": project.pk, "name": "Manuals", "description": "PDFs"}
    response = post_as(member, "/api/v2/corpora", payload)
    assert response.status_code == 201
    corpus = Corpus.objects.get(name="Manuals")
    body = response.json()
    assert body["id"] == corpus.pk
    assert body["organization_id"] == project.organization_id
    assert body["description"] == "PDFs"


def test_corpus_in_an_unseen_project_is_refused_on_the_field(stranger, project):
    payload = {"project_id": project.pk, "name": "Manuals"}
    assert_refused_on(stranger, "/api/v2/corpora", payload, "project_id", Corpus)


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
    response = post_as(
        member,
        "/api/v2/tools",
        {
            "organization_id": organization.pk,
            "name": "CRM",
            "kind": "api",
            "actions": [{"name": "search", "config": {"limit": 5}}, {"name": "create"}],
        },
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
    assert_refused_on(member, "/api/v2/tools", payload, field, Tool, ToolAction)


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
    payload = {"organization_id": organization.pk, "name": "PII", "type": "pii", "config": {"x": 1}}
    response = post_as(member, "/api/v2/guardrails", payload)
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
    assert_refused_on(member, "/api/v2/guardrails", payload, field, Guardrail)


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
    payload = {"organization_id": organization.pk, "name": "PII", "type": "pii"}
    response = post_as(stranger, "/api/v2/guardrails", payload)
    assert response.status_code == 400
    assert response.json() == {"organization_id": ["Unknown organization."]}


def test_guardrail_list_is_scoped(member, guardrail, foreign_guardrail):
    results = client_for(member).get("/api/v2/guardrails").json()["results"]
    assert [g["id"] for g in results] == [guardrail.pk]


def test_catalogue_needs_credentials(db, api_client):
    for url in ("/api/v2/corpora", "/api/v2/tools", "/api/v2/guardrails", "/api/v2/projects"):
        assert api_client.get(url).status_code == 401
