"""Configuration as code over the API and the management commands: answers, refusals, and
hostile documents that change nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.models import Agent, Tool
from publishing.services import publish_agent
from tests import factories
from tests.agents.conftest import grant
from tests.agents.transfer_world import without_origin
from tests.conftest import client_for
from tests.reliability.helpers import stored_state


@pytest.fixture
def fresh(project, owner):
    return factories.AgentFactory(project=project, user=owner, name="Fresh")


def export(client, agent, source=None):
    query = f"?source={source}" if source else ""
    return client.get(f"/api/v2/agents/{agent.pk}/export{query}")


def post_import(client, agent, body, query=""):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        f"/api/v2/agents/{agent.pk}/import{query}", raw, content_type="application/json"
    )


# --- export -----------------------------------------------------------------------------------


def test_export_answers_the_document(rich, owner):
    response = export(client_for(owner), rich)
    assert response.status_code == 200
    assert response.json()["schema_version"] == 1
    assert response.json()["origin"]["source"] == "staging"


def test_a_viewer_exports_production_only(rich, owner):
    publish_agent(agent=rich, acting_user=owner)
    viewer = grant(rich, owner, "a-viewer", "viewer")
    client = client_for(viewer)
    assert export(client, rich).status_code == 403
    record = rich.publish_records.get()
    assert export(client, rich, record.change_track_id).status_code == 403
    response = export(client, rich, "production")
    assert response.status_code == 200
    assert response.json()["origin"]["source"] == "production"


def test_export_of_a_publish_and_its_refusals(rich, owner):
    record = publish_agent(agent=rich, acting_user=owner)
    client = client_for(owner)
    response = export(client, rich, record.change_track_id)
    assert response.status_code == 200
    assert response.json()["origin"]["change_track_id"] == str(record.change_track_id)
    unknown = export(client, rich, "00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 404
    assert export(client, rich, "yesterday").status_code == 400
    assert client.get(f"/api/v2/agents/{rich.pk}/export?source=a&source=b").status_code == 400


def test_production_before_any_publish_is_404_not_published(rich, owner):
    response = export(client_for(owner), rich, "production")
    assert response.status_code == 404
    assert response.json()["code"] == "not_published"


# --- import -----------------------------------------------------------------------------------


def test_import_round_trip_over_the_api(rich, fresh, owner):
    client = client_for(owner)
    document = export(client, rich).json()
    response = post_import(client, fresh, document)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] is False and body["has_changes"] is True
    assert body["revision"] == fresh.staging.revision + 1
    assert response["ETag"] == f'"{body["revision"]}"'
    assert without_origin(export(client, fresh).json()) == without_origin(document)


def test_import_dry_run_answers_the_diff_and_writes_nothing(rich, fresh, owner):
    client = client_for(owner)
    document = export(client, rich).json()
    state = stored_state(fresh)
    response = post_import(client, fresh, document, "?dry_run=1")
    assert response.status_code == 200
    assert response.json()["dry_run"] is True and response.json()["revision"] is None
    assert response.json()["counts"]["instructions"] == 2
    assert "ETag" not in response  # Staging is still at the revision it was
    assert stored_state(fresh) == state


def test_an_unresolved_component_is_a_409_with_its_code(rich, owner, elsewhere, other_organization):
    client = client_for(owner)
    document = export(client, rich).json()
    state = stored_state(elsewhere)
    response = post_import(client, elsewhere, document)
    assert response.status_code == 409
    assert response.json()["code"] == "components_unresolved"
    assert {c["problem"] for c in response.json()["components"]} == {"missing"}
    assert stored_state(elsewhere) == state
    created = post_import(client, elsewhere, document, "?create_missing_components=1")
    assert created.status_code == 200
    assert sorted(created.json()["created_components"]) == [
        "corpus 'Handbook'",
        "guardrail 'PII filter'",
        "tool 'CRM'",
    ]
    assert Tool.objects.filter(organization=other_organization, name="CRM").exists()


def test_a_viewer_may_not_import(rich, fresh, owner):
    viewer = grant(fresh, owner, "b-viewer", "viewer")
    document = export(client_for(owner), rich).json()
    assert post_import(client_for(viewer), fresh, document).status_code == 403


@pytest.mark.parametrize("query", ["?dry_run=maybe", "?dry_run=1&dry_run=0"])
def test_a_malformed_flag_is_a_400(rich, owner, query):
    response = post_import(client_for(owner), rich, {}, query)
    assert response.status_code == 400
    assert "dry_run" in response.json()


def _hostile(document):
    too_new = {**document, "schema_version": 2}
    unknown = {**document, "extra": True}
    nested_unknown = json.loads(json.dumps(document))
    nested_unknown["tools"][0]["actions"][0]["secret"] = 1
    huge = {**document, "instructions": [{"title": "T", "content": "x" * 90_000}] * 30}
    arrays = {**document, "settings": [], "knowledge_sources": [], "components": []}
    nul = json.loads(json.dumps(document))
    nul["origin"]["source"] = "stag\u0000ing"
    nul["settings"]["name"] = "Bot\u0000"
    return {
        "NUL characters": (nul, "origin.source"),
        "wrong schema version": (too_new, "schema_version"),
        "unknown key": (unknown, "extra"),
        "unknown nested key": (nested_unknown, "tools[0].actions[0].secret"),
        "huge configuration": (huge, "configuration"),
        "arrays for objects": (arrays, "settings"),
        "an array": ([document], "document"),
        "no version": ({k: v for k, v in document.items() if k != "schema_version"}, None),
    }


@pytest.mark.parametrize(
    "case",
    [
        "NUL characters",
        "wrong schema version",
        "unknown key",
        "unknown nested key",
        "huge configuration",
        "arrays for objects",
        "an array",
        "no version",
    ],
)
def test_hostile_documents_are_400s_naming_the_problem_and_change_nothing(rich, fresh, owner, case):
    client = client_for(owner)
    body, path = _hostile(export(client, rich).json())[case]
    state = stored_state(fresh)
    response = post_import(client, fresh, body)
    assert response.status_code == 400, response.content
    assert path is None or path in response.json(), response.json()
    assert stored_state(fresh) == state


def test_a_document_past_its_bound_is_refused_before_anything_is_read(fresh, owner, settings):
    settings.MAX_CONFIGURATION_BYTES = 1000
    body = {"schema_version": 1, "instructions": [{"title": "x" * 3000, "content": "y"}]}
    response = post_import(client_for(owner), fresh, body)
    assert response.status_code == 400
    assert list(response.json()) == ["document"]


def test_a_body_past_the_request_limit_is_a_413(fresh, owner):
    body = json.dumps({"schema_version": 1, "padding": "x" * (5 * 1024 * 1024)})
    assert post_import(client_for(owner), fresh, body).status_code == 413


@pytest.mark.parametrize("raw", ["not json", '{"schema_version": 1', b"\xff\xfe", "NaN"])
def test_a_body_that_is_not_json_is_a_400(fresh, owner, raw):
    state = stored_state(fresh)
    assert post_import(client_for(owner), fresh, raw).status_code == 400
    assert stored_state(fresh) == state


# Any JSON at all: the validator answers problems, never raises (hypothesis).
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["schema_version", "settings", "tools", "name", "tool", "actions", "x"]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=json_values)
def test_the_validator_lists_problems_for_any_json(value):
    from configuration.document import validate

    problems = validate(value, max_instructions=5, max_bytes=10_000)
    assert problems  # nothing made of these pieces is a whole valid document
    assert all(isinstance(m, str) for ms in problems.as_dict().values() for m in ms)


# --- copy -------------------------------------------------------------------------------------


def test_copy_from_previews_then_copies(rich, fresh, owner):
    client = client_for(owner)
    url = f"/api/v2/agents/{fresh.pk}/copy-from"
    state = stored_state(fresh)
    preview = client.post(url, {"source_agent_id": rich.pk, "dry_run": True}, format="json")
    assert preview.status_code == 200 and preview.json()["dry_run"] is True
    assert stored_state(fresh) == state
    done = client.post(url, {"source_agent_id": rich.pk}, format="json")
    assert done.status_code == 200
    # Ids of rows the copy creates differ from the preview's; what changes does not.
    assert done.json()["counts"] == preview.json()["counts"]
    assert done.json()["summary"] == preview.json()["summary"]
    assert without_origin(export(client, fresh).json()) == without_origin(
        export(client, rich).json()
    )


def test_copy_from_an_agent_the_caller_cannot_see_is_an_unknown_agent(rich, owner, project):
    stranger_agent = factories.AgentFactory(project=project)
    response = client_for(owner).post(
        f"/api/v2/agents/{rich.pk}/copy-from",
        {"source_agent_id": stranger_agent.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"source_agent_id": ["Unknown agent."]}


def test_copy_of_staging_needs_the_editor_role_on_the_source(rich, fresh, owner):
    editor = grant(fresh, owner, "c-editor", "editor")
    grant(rich, owner, "c-editor", "viewer")
    publish_agent(agent=rich, acting_user=owner)
    client = client_for(editor)
    url = f"/api/v2/agents/{fresh.pk}/copy-from"
    staging = client.post(url, {"source_agent_id": rich.pk, "source": "staging"}, format="json")
    assert staging.status_code == 403
    production = client.post(
        url, {"source_agent_id": rich.pk, "source": "production"}, format="json"
    )
    assert production.status_code == 200


# --- commands ---------------------------------------------------------------------------------


def test_export_and_import_commands(rich, fresh, owner, tmp_path):
    path = tmp_path / "agent.json"
    call_command("export_agent", rich.pk, "--output", str(path), stderr=io.StringIO())
    document = json.loads(path.read_text())
    out = io.StringIO()
    call_command(
        "import_agent", fresh.pk, str(path), "--as-user", owner.username, "--dry-run", stdout=out
    )
    assert "Dry run, nothing written" in out.getvalue()
    assert Agent.objects.get(pk=fresh.pk).staging.revision == fresh.staging.revision
    call_command("import_agent", fresh.pk, str(path), "--as-user", owner.username, stdout=out)
    exported = io.StringIO()
    call_command("export_agent", fresh.pk, stdout=exported)
    assert without_origin(json.loads(exported.getvalue())) == without_origin(document)


def test_the_import_command_reports_every_problem(rich, owner, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"schema_version": 7}))
    with pytest.raises(CommandError) as error:
        call_command("import_agent", rich.pk, str(path), "--as-user", owner.username)
    assert "schema_version" in str(error.value) and "settings" in str(error.value)
    path.write_text("{nope")
    with pytest.raises(CommandError, match="not JSON"):
        call_command("import_agent", rich.pk, str(path), "--as-user", owner.username)


def test_a_viewer_from_outside_the_organization_gets_no_catalogue_definitions(
    rich, owner, superuser
):
    """A public agent's Production is anyone's to read, the organization's catalogue is not:
    the outsider's export carries what the published snapshot carries (its frozen
    definitions, as the live read serves them), and nothing read from today's catalogue."""
    from agents import services

    services.set_access_level(agent=rich, acting_user=owner, access_level="public")
    publish_agent(agent=rich, acting_user=owner)
    # Changed in the catalogue after the publish: the owner's export may say so, not theirs.
    services.update_guardrail(
        acting_user=superuser,
        guardrail_id=rich.guardrail_settings.get().guardrail_id,
        config={"mask": True, "strict": False},
        reason="Stricter by default",
    )
    outsider = factories.UserFactory(username="outsider")
    theirs = export(client_for(outsider), rich, "production")
    assert theirs.status_code == 200
    assert theirs.json()["components"]["guardrails"] == [
        {"name": "PII filter", "type": "pii", "config": {"mask": True}}
    ]
    ours = export(client_for(owner), rich, "production").json()
    assert ours["components"]["guardrails"][0]["config"] == {"mask": True, "strict": False}
    # The configuration itself is the same: only the catalogue's definitions are left out.
    assert {k: v for k, v in theirs.json().items() if k != "components"} == {
        k: v for k, v in ours.items() if k != "components"
    }
