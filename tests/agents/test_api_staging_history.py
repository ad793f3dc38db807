"""Every Staging edit endpoint: one checkpoint in the edit history, by the acting user, and
Production exactly as it was (edits never touch Production)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from agents import services
from agents.models import StagingConfiguration
from tests.conftest import client_for

FOLDER = {"site_url": "https://contoso.sharepoint.com/sites/a", "folder_path": "/Docs"}


@dataclass
class World:
    agent: Any
    owner: Any
    corpus: Any
    tool: Any
    guardrail: Any

    @property
    def base(self) -> str:
        return f"/api/v2/agents/{self.agent.pk}"

    def instruction(self) -> int:
        made = services.add_instruction(
            agent=self.agent, acting_user=self.owner, title="T", content="C"
        )
        return made.pk

    def connect(self) -> None:
        services.connect_corpora(
            agent=self.agent, acting_user=self.owner, corpus_ids=[self.corpus.pk]
        )

    def enable(self) -> int:
        services.enable_tool(agent=self.agent, acting_user=self.owner, tool_id=self.tool.pk)
        return self.tool.actions.order_by("id").first().pk

    def folder(self) -> None:
        services.set_sharepoint_folder(agent=self.agent, acting_user=self.owner, **FOLDER)


def _action_off(w: World) -> int:
    action = w.enable()
    services.update_action(
        agent=w.agent, acting_user=w.owner, tool_id=w.tool.pk, action_id=action, enabled=False
    )
    return action


# name -> arrange(world) -> (method, path, body, expected status)
EDITS = {
    "put settings": lambda w: ("put", "", {"name": "Renamed"}, 200),
    "patch settings": lambda w: ("patch", "", {"description": "New"}, 200),
    "add instruction": lambda w: ("post", "/instructions", {"title": "a", "content": "b"}, 201),
    "edit instruction": lambda w: (
        "put",
        "/instructions",
        {"id": w.instruction(), "title": "Z"},
        200,
    ),
    "delete instruction": lambda w: ("delete", f"/instructions/{w.instruction()}", None, 204),
    "connect corpora": lambda w: ("post", "/corpora", {"corpus_ids": [w.corpus.pk]}, 201),
    "disconnect corpora": lambda w: (
        w.connect(),
        ("delete", "/corpora", {"corpus_ids": [w.corpus.pk]}, 204),
    )[1],
    "connect one corpus": lambda w: ("post", f"/corpora/{w.corpus.pk}", {"top_k": 2}, 201),
    "change one corpus": lambda w: (
        w.connect(),
        ("put", f"/corpora/{w.corpus.pk}", {"enabled": False}, 200),
    )[1],
    "disconnect one corpus": lambda w: (
        w.connect(),
        ("delete", f"/corpora/{w.corpus.pk}", None, 204),
    )[1],
    "enable tool": lambda w: ("post", f"/tools/{w.tool.pk}/enable", None, 200),
    "disable tool": lambda w: (w.enable(), ("delete", f"/tools/{w.tool.pk}/disable", None, 200))[1],
    "action config": lambda w: (
        "patch",
        f"/tools/{w.tool.pk}/actions/{w.enable()}",
        {"config": {"k": 1}},
        200,
    ),
    "enable action": lambda w: (
        "post",
        f"/tools/{w.tool.pk}/actions/{_action_off(w)}/enable",
        None,
        200,
    ),
    "disable action": lambda w: (
        "post",
        f"/tools/{w.tool.pk}/actions/{w.enable()}/disable",
        None,
        200,
    ),
    "guardrail": lambda w: (
        "patch",
        "/guardrails",
        {"guardrail_id": w.guardrail.pk, "enabled": True},
        200,
    ),
    "access": lambda w: ("put", "/access", {"access_level": "organization"}, 200),
    "tags": lambda w: ("post", "/annotates", {"tags": ["new"]}, 200),
    "set folder": lambda w: ("post", "/sharepoint/folder", FOLDER, 200),
    "change folder": lambda w: (
        w.folder(),
        ("put", "/sharepoint/folder", {**FOLDER, "folder_path": "/Other"}, 200),
    )[1],
    "remove folder": lambda w: (w.folder(), ("delete", "/sharepoint/folder", None, 204))[1],
}


@pytest.fixture
def world(agent, owner, corpus, tool, guardrail, published):
    return World(agent=agent, owner=owner, corpus=corpus, tool=tool, guardrail=guardrail)


@pytest.mark.parametrize("name", list(EDITS))
def test_each_edit_is_one_attributed_checkpoint_and_production_is_untouched(
    world, editor, audit, name
):
    method, path, body, expected = EDITS[name](world)
    record = audit()
    response = getattr(client_for(editor), method)(world.base + path, body, format="json")
    assert response.status_code == expected, response.content
    record.assert_recorded_by(editor)
    staging = StagingConfiguration.objects.get(agent=world.agent)
    assert staging.updated_by == editor
    assert staging.revision == record.new_rows()[0].revision


@pytest.mark.parametrize("name", list(EDITS))
@pytest.mark.parametrize(
    ("caller", "refused_with"),
    [
        ("viewer", 403),  # sees the agent, may not edit it
        (None, 401),  # no credentials
        ("member", 404),  # may not see the agent at all
    ],
)
def test_each_refused_edit_writes_nothing(
    world, api_client, audit, request, name, caller, refused_with
):
    method, path, body, _ = EDITS[name](world)
    client = api_client if caller is None else client_for(request.getfixturevalue(caller))
    record = audit()
    response = getattr(client, method)(world.base + path, body, format="json")
    assert response.status_code == refused_with
    record.assert_nothing_written()


def test_the_history_reason_names_the_change(world, editor_client):
    editor_client.put(world.base + "/access", {"access_level": "public"}, format="json")
    latest = StagingConfiguration.history.filter(agent_id=world.agent.pk).latest("history_id")
    assert latest.history_change_reason == "Access level set to public"


def test_an_edit_that_changes_nothing_makes_no_checkpoint(world, editor_client, audit):
    record = audit()
    response = editor_client.put(world.base + "/access", {"access_level": "private"}, format="json")
    assert response.status_code == 200
    record.assert_nothing_written()
