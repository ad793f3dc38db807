"""A Python client generated from /api/schema/ (openapi-python-client) runs the whole flow.

Generated clients trust the schema completely: an answer with a status the schema does not
list raises, a field it does not type is an untyped dict. So this is the schema's
end-to-end test: generate a client from what ``/api/schema/`` serves, then create an
organization, a project and an agent, edit Staging, review, publish, read Production with
typed access (``configuration.settings.name``), browse the history and roll back, through
that client only, in-process (WSGI).
"""

from __future__ import annotations

import datetime
import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from ejento_staging.wsgi import application
from tests import factories

pytestmark = pytest.mark.slow

PACKAGE = "ejento_generated_client"


def generator() -> str:
    found = Path(sys.executable).with_name("openapi-python-client")
    return str(found) if found.exists() else shutil.which("openapi-python-client") or ""


@pytest.fixture
def api(client, tmp_path, transactional_db):
    """The generated package, imported from a fresh directory."""
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    (tmp_path / "schema.json").write_bytes(response.content)
    (tmp_path / "config.yaml").write_text("post_hooks: []\n")
    command = generator()
    assert command, "openapi-python-client is a dev dependency (pyproject.toml)"
    result = subprocess.run(
        [
            command,
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--output-path",
            str(tmp_path / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(tmp_path / "config.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Anything the generator could not express from the schema it reports as a warning.
    assert "Warning" not in result.stdout, result.stdout
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_the_generated_client_runs_the_whole_flow(api):
    """Committed for real (a transactional test): a publish's on-commit effects, such as
    refreshing the live read, happen as in production."""
    from importlib import import_module

    def op(tag: str, name: str):
        return import_module(f"{PACKAGE}.api.{tag}.{name}")

    m = import_module(f"{PACKAGE}.models")
    superuser = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    token = factories.api_token(superuser)
    client = api.AuthenticatedClient(
        base_url="http://testserver",
        token=token,
        prefix="Token",  # the API's scheme; the generator's default is Bearer
        raise_on_unexpected_status=True,
        httpx_args={"transport": httpx.WSGITransport(app=application)},
    )

    def run(tag: str, name: str, *, status: int = 200, **kwargs):
        """One operation as this client, which must answer ``status``; its parsed body."""
        # Any status the schema does not document raises UnexpectedStatus.
        response = op(tag, name).sync_detailed(client=client, **kwargs)
        assert response.status_code == status, (response.status_code, response.content)
        return response.parsed

    organization = run(
        "hierarchy",
        "v2_organizations_create",
        body=m.OrganizationCreateRequest(name="Acme"),
        status=201,
    )
    project = run(
        "hierarchy",
        "v2_projects_create",
        body=m.ProjectCreateRequest(organization_id=organization.id, name="Care"),
        status=201,
    )
    agent = run(
        "agents",
        "v2_agents_create",
        body=m.AgentCreateRequest(
            project_id=project.id,
            name="Support bot",
            model_config=m.AgentCreateRequestModelConfig(model="gpt-4o", temperature=0.2),
        ),
        status=201,
    )
    assert isinstance(agent, m.Agent) and agent.published is False

    def on_agent(tag: str, name: str, **kwargs):
        """``run`` for an operation on the agent just created."""
        return run(tag, name, agent_id=agent.id, **kwargs)

    # Edit Staging: settings, an instruction, a tool action's config, a guardrail, a folder.
    on_agent(
        "staging",
        "v2_agents_partial_update",
        body=m.PatchedAgentUpdateRequest(description="Answers support questions."),
    )
    on_agent(
        "staging",
        "v2_agents_instructions_create",
        body=m.InstructionCreateRequest(title="Tone", content="Be brief and kind."),
        status=201,
    )
    tool = run(
        "catalogue",
        "v2_tools_create",
        body=m.ToolCreateRequest(
            organization_id=organization.id,
            name="CRM",
            kind=m.KindEnum.API,
            actions=[m.ToolActionCreateRequest(name="lookup")],
        ),
        status=201,
    )
    on_agent("staging", "v2_agents_tools_enable_create", tool_id=tool.id)
    action = on_agent(
        "staging",
        "v2_agents_tools_actions_partial_update",
        tool_id=tool.id,
        action_id=tool.actions[0].id,
        body=m.ActionConfigRequest(
            config=m.ActionConfigRequestConfig.from_dict({"fields": ["name", "plan"]})
        ),
    )
    assert action.config.to_dict() == {"fields": ["name", "plan"]}
    guardrail = run(
        "catalogue",
        "v2_guardrails_create",
        body=m.GuardrailCreateRequest(
            organization_id=organization.id, name="PII filter", type_="pii"
        ),
        status=201,
    )
    on_agent(
        "staging",
        "v2_agents_guardrails_partial_update",
        body=m.GuardrailToggleRequest(guardrail_id=guardrail.id, enabled=True),
    )
    on_agent(
        "staging",
        "v2_agents_sharepoint_folder_create",
        body=m.SharePointFolderRequest(
            site_url="https://contoso.sharepoint.com/sites/help", folder_path="/Docs"
        ),
    )

    # Review and publish exactly what was reviewed.
    review = on_agent("publishing", "agents_staging_diff")
    assert review.has_changes and review.counts.tools == 1
    first = on_agent(
        "publishing",
        "agents_publish",
        body=m.PublishInputRequest(notes="First", expected_fingerprint=review.fingerprint),
        status=201,
    )
    assert first.snapshot.settings.name == "Support bot"
    assert first.snapshot.tools[0].actions[0].config.to_dict() == {"fields": ["name", "plan"]}
    nothing = on_agent("publishing", "agents_publish", body=m.PublishInputRequest(), status=409)
    assert nothing.code == m.PublishConflictCodeEnum.NOTHING_TO_PUBLISH

    # Production, typed.
    live = on_agent("agents", "agents_production_retrieve")
    assert live.configuration.settings.name == "Support bot"
    assert live.configuration.settings.access_level == m.AccessLevelEnum.PRIVATE
    assert live.configuration.knowledge_sources.sharepoint.folder_path == "/Docs"
    assert live.configuration.guardrails[0].enabled is True
    assert live.change_track_id == first.change_track_id

    # A second publish, then the history with a date and a datetime bound.
    on_agent(
        "staging",
        "v2_agents_partial_update",
        body=m.PatchedAgentUpdateRequest(name="Support bot v2"),
    )
    on_agent(
        "publishing",
        "agents_publish",
        body=m.PublishInputRequest(notes="Renamed"),
        status=201,
    )
    today = datetime.datetime.now(datetime.UTC)
    history = on_agent(
        "publishing",
        "agents_publishes_list",
        published_after=today.date() - datetime.timedelta(days=1),
        published_before=today + datetime.timedelta(hours=1),
    )
    assert [r.notes for r in history.results] == ["Renamed", "First"]
    edits = on_agent("publishing", "agents_history_list")
    assert edits.count >= 8
    detail = on_agent(
        "publishing",
        "agents_publishes_retrieve",
        change_track_id=first.change_track_id,
    )
    assert detail.snapshot.settings.name == "Support bot"

    # Preview and roll back to the first publish: Staging only.
    preview = on_agent(
        "publishing",
        "agents_publishes_diff",
        change_track_id=first.change_track_id,
        mode=m.AgentsPublishesDiffMode.RESTORE,
    )
    assert preview.staging.has_changes
    after = on_agent(
        "publishing",
        "agents_rollback",
        body=m.RollbackInputRequest(change_track_id=first.change_track_id),
    )
    assert after.has_changes and after.changes[0].after == "Support bot"
    live = on_agent("agents", "agents_production_retrieve")
    assert live.configuration.settings.name == "Support bot v2"
    status = on_agent("publishing", "agents_status")
    assert status.published and status.has_unpublished_changes


def test_the_schema_file_the_client_is_generated_from_is_json(client, db):
    assert json.loads(client.get("/api/schema/", {"format": "json"}).content)["openapi"]
