"""The OpenAPI schema says what the server enforces, so generated clients and schema-driven
tests neither send what must be refused nor refuse what the server takes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from agents.validation import HTTPS_URL_PATTERN
from publishing.services import publish_agent
from tests import factories
from tests.conftest import client_for

BODY_METHODS = ("post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def component(schema, name: str) -> dict[str, Any]:
    return schema["components"]["schemas"][name]


def ref_name(node: dict[str, Any]) -> str:
    if "allOf" in node:
        node = node["allOf"][0]
    return node["$ref"].rsplit("/", 1)[-1]


def operation(schema, path: str, method: str) -> dict[str, Any]:
    return schema["paths"][path][method]


def parameter(op: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in op["parameters"] if p["name"] == name)


# --- the schema ------------------------------------------------------------------------------


def test_every_operation_that_reads_a_body_documents_413_and_415(schema):
    missing = [
        f"{method.upper()} {path}: {sorted({'413', '415'} - set(op['responses']))}"
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if method in BODY_METHODS and "requestBody" in op
        if not {"413", "415"} <= set(op["responses"])
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("path", "required"),
    [
        ("/api/v2/agents/{agent_id}/tools/{tool_id}/actions/{action_id}", {"config"}),
        ("/api/v2/agents/{agent_id}/guardrails", {"guardrail_id", "enabled"}),
    ],
)
def test_a_patch_validated_whole_documents_its_required_fields(schema, path, required):
    body = operation(schema, path, "patch")["requestBody"]
    assert body["required"] is True
    name = ref_name(body["content"]["application/json"]["schema"])
    assert not name.startswith("Patched")
    assert required <= set(component(schema, name)["required"])


def test_the_agent_settings_patch_stays_partial(schema):
    body = operation(schema, "/api/v2/agents/{agent_id}", "patch")["requestBody"]
    name = ref_name(body["content"]["application/json"]["schema"])
    assert "required" not in component(schema, name)


@pytest.mark.parametrize("name", ["published_after", "published_before"])
def test_publish_date_filters_take_a_date_or_a_datetime(schema, name):
    op = operation(schema, "/api/v2/agents/{agent_id}/publishes", "get")
    assert parameter(op, name)["schema"] == {
        "oneOf": [
            {"type": "string", "format": "date"},
            {"type": "string", "format": "date-time"},
        ]
    }


def test_the_configuration_is_a_named_schema_everywhere_it_is_served(schema):
    live = component(schema, "LiveProduction")["properties"]["configuration"]
    detail = component(schema, "PublishRecordDetail")["properties"]["snapshot"]
    assert ref_name(live) == ref_name(detail) == "Configuration"
    configuration = component(schema, "Configuration")
    assert set(configuration["required"]) == {
        "settings",
        "instructions",
        "knowledge_sources",
        "tools",
        "guardrails",
    }
    settings = component(schema, ref_name(configuration["properties"]["settings"]))
    assert settings["properties"]["name"] == {"type": "string"}
    tool = component(schema, ref_name(configuration["properties"]["tools"]["items"]))
    assert ref_name(tool["properties"]["actions"]["items"]) == "ActionState"


def test_diff_values_are_documented_free_form(schema):
    entry = component(schema, "DiffEntry")["properties"]
    for side in ("before", "after"):
        assert entry[side]["nullable"] is True
        assert "ToolBinding" in entry[side]["description"]


def test_every_paginated_operation_documents_the_400_of_a_malformed_page(schema):
    missing = [
        f"{method.upper()} {path}"
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if any(p["name"] == "page" for p in op.get("parameters", []))
        if "400" not in op["responses"]
    ]
    assert missing == []


def test_ids_in_paths_and_queries_are_positive(schema):
    unbounded = [
        f"{method.upper()} {path} {p['name']}"
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        for p in op.get("parameters", [])
        if p["in"] in ("path", "query") and p["schema"].get("type") == "integer"
        if p["schema"].get("minimum") != 1
    ]
    assert unbounded == []


def test_site_url_states_the_https_rule(schema):
    site_url = component(schema, "SharePointFolderRequest")["properties"]["site_url"]
    assert site_url["pattern"] == HTTPS_URL_PATTERN


def _patterns(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from _patterns(value)
    elif isinstance(node, list):
        for item in node:
            yield from _patterns(item)


def test_no_pattern_depends_on_the_regex_engine_s_idea_of_whitespace(schema):
    """ECMAScript's \\s (schema validators, clients) and Python's (the server's strip and
    checks) are different sets; a pattern using it accepts what the server refuses."""
    patterns = set(_patterns(schema))
    assert any("https://" in p for p in patterns)
    assert [p for p in patterns if "\\s" in p or "\\S" in p] == []


@pytest.mark.django_db
@pytest.mark.parametrize("space", ["\x1c", "\x85", "\u2028", "\u3000"])
def test_a_name_of_python_whitespace_is_refused_and_the_schema_says_so(schema, space):
    name = component(schema, "OrganizationCreateRequest")["properties"]["name"]
    assert not re.search(name["pattern"], space)
    # Organizations are created by superusers: the refusal must be the name's, not the role's.
    root = factories.UserFactory(username="root", is_superuser=True)
    response = client_for(root).post("/api/v2/organizations", {"name": space}, format="json")
    assert response.status_code == 400


def _plain_request_strings(schema):
    for name, body in schema["components"]["schemas"].items():
        if not name.endswith("Request"):
            continue
        for field, prop in body.get("properties", {}).items():
            if prop.get("type") == "string" and "enum" not in prop and "format" not in prop:
                yield f"{name}.{field}", prop


def test_every_request_string_says_nul_is_refused(schema):
    def refuses_nul(prop):
        if "pattern" in prop:
            return not re.search(prop["pattern"], "ok\x00ok")
        return prop.get("not") == {"pattern": "\\u0000"}

    strings = dict(_plain_request_strings(schema))
    assert "OrganizationCreateRequest.name" in strings
    assert [name for name, prop in strings.items() if not refuses_nul(prop)] == []


# --- the server answers what the schema says ----------------------------------------------------


@pytest.fixture
def published(agent, owner):
    publish_agent(agent=agent, user=owner)
    return agent


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/api/v2/agents", "environment=", "environment"),
        ("/api/v2/agents", "environment=staging&environment=production", "environment"),
        ("/api/v2/agents", "project_id=", "project_id"),
        ("/api/v2/agents", "search=a&search=b", "search"),
        ("/api/v2/agents", "page=", "page"),
        ("/api/v2/agents", "page=1&page=1", "page"),
        ("/api/v2/agents/{id}", "environment=", "environment"),
        ("/api/v2/projects", "organization_id=", "organization_id"),
        ("/api/v2/agents/{id}/publishes", "published_before=", "published_before"),
        ("/api/v2/agents/{id}/publishes", "published_after=", "published_after"),
        ("/api/v2/agents/{id}/publishes", "published_by=", "published_by"),
        ("/api/v2/agents/{id}/publishes", "published_by=1&published_by=2", "published_by"),
        ("/api/v2/agents/{id}/publishes", "page=", "page"),
        ("/api/v2/agents/{id}/publishes", "page=1&page=2", "page"),
        ("/api/v2/agents/{id}/history", "page=", "page"),
        ("/api/v2/agents/{id}/publishes/{record}/diff", "mode=", "mode"),
        ("/api/v2/agents/{id}/publishes/{record}/diff", "mode=revert&mode=restore", "mode"),
    ],
)
def test_an_empty_or_repeated_query_parameter_is_a_400_naming_it(
    published, owner, path, query, field
):
    record = published.production.change_track_id
    url = path.format(id=published.pk, record=record) + "?" + query
    response = client_for(owner).get(url)
    assert response.status_code == 400, response.content
    assert response.json()[field], response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v2/agents", "environment=production&search="),
        ("/api/v2/agents/{id}", "environment=production"),
        ("/api/v2/agents/{id}/publishes", "published_before=2999-01-01&page=1"),
        ("/api/v2/agents/{id}/publishes", "published_after=2000-01-01T00:00:00Z"),
        ("/api/v2/agents/{id}/publishes/{record}/diff", "mode=revert"),
    ],
)
def test_well_formed_queries_still_answer(published, owner, path, query):
    record = published.production.change_track_id
    url = path.format(id=published.pk, record=record) + "?" + query
    assert client_for(owner).get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "site_url",
    ["https://10.0.0.1/sites/a", "https://localhost/x", "https://a.b.c.d.example/x"],
)
def test_a_url_outside_the_documented_pattern_is_refused(agent, owner, site_url):
    response = client_for(owner).post(
        f"/api/v2/agents/{agent.pk}/sharepoint/folder",
        {"site_url": site_url, "folder_path": "/Docs"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"site_url": ["Enter a valid https URL."]}


@pytest.mark.django_db
def test_the_service_refuses_what_the_pattern_refuses(agent, owner):
    """Pages and the admin go through the service, not the serializer: same rule there."""
    from django.core.exceptions import ValidationError

    from agents import services

    with pytest.raises(ValidationError) as error:
        services.set_sharepoint_folder(
            agent=agent, acting_user=owner, site_url="https://10.0.0.1/a", folder_path="/D"
        )
    assert error.value.message_dict == {"site_url": ["Enter a valid https URL."]}


@pytest.mark.django_db
def test_a_patch_of_an_action_without_config_is_refused(agent, owner, organization):
    tool = factories.ToolFactory(organization=organization, actions=["lookup"])
    action = tool.actions.get()
    client = client_for(owner)
    assert client.post(f"/api/v2/agents/{agent.pk}/tools/{tool.pk}/enable").status_code == 200
    url = f"/api/v2/agents/{agent.pk}/tools/{tool.pk}/actions/{action.pk}"
    response = client.patch(url, {}, format="json")
    assert response.status_code == 400
    assert "config" in response.json()
