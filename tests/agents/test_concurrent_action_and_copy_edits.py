"""Two editors on one Staging, beyond its settings and instructions: the config keys of an
action merge one by one, and a whole-configuration copy on an older revision is refused."""

from __future__ import annotations

from typing import Any

import pytest

from agents import services
from tests import factories
from tests.agents.conftest import change_action, role_fixture
from tests.agents.two_editors import put_settings, read, staging, url
from tests.conftest import client_for

alice = role_fixture("alice", "editor")
bob = role_fixture("bob", "editor")


# --- item settings ----------------------------------------------------------------------------


@pytest.fixture
def lookup(agent, owner):
    tool = factories.ToolFactory(organization=agent.project.organization, actions=["lookup"])
    services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    action = tool.actions.get()
    change_action(agent, owner, tool, action, config={"limit": 5, "fields": ["name"]})
    return tool, action


def patch_action(user, agent, tool, action, tag, config):
    return client_for(user).patch(
        url(agent, f"/tools/{tool.pk}/actions/{action.pk}"),
        {"config": config},
        format="json",
        HTTP_IF_MATCH=tag,
    )


def test_different_keys_of_an_action_config_both_kept(alice, bob, agent, lookup):
    tool, action = lookup
    _, tag = read(alice, agent)
    assert (
        patch_action(alice, agent, tool, action, tag, {"limit": 9, "fields": ["name"]}).status_code
        == 200
    )
    assert (
        patch_action(bob, agent, tool, action, tag, {"limit": 5, "fields": ["id"]}).status_code
        == 200
    )
    body, _ = read(alice, agent)
    assert body["tools"][0]["actions"][0]["config"] == {"limit": 9, "fields": ["id"]}


def test_the_same_key_of_an_action_config_is_a_conflict(alice, bob, agent, lookup):
    tool, action = lookup
    _, tag = read(alice, agent)
    patch_action(alice, agent, tool, action, tag, {"limit": 9, "fields": ["name"]})
    response = patch_action(bob, agent, tool, action, tag, {"limit": 1, "fields": ["name"]})
    assert response.status_code == 409
    (conflict,) = response.json()["conflicts"]
    assert conflict["section"] == "tools"
    assert conflict["key"] == f"tool:{tool.pk}/action:{action.pk}"
    assert conflict["field"] == "config.limit"
    assert (conflict["theirs"], conflict["yours"], conflict["changed_by"]) == (9, 1, "alice")


# --- whole-configuration writes ------------------------------------------------------------


def test_a_copy_on_an_older_revision_is_refused_not_written_over_newer_work(
    alice, bob, agent, owner
):
    other = factories.AgentFactory(project=agent.project, user=owner, name="Dev bot")
    services.grant_permission(
        agent=other, acting_user=owner, target_user_id=alice.pk, role="editor"
    )
    body, tag = read(alice, agent)
    put_settings(bob, agent, body, tag, name="Bob's")
    revision = staging(agent).revision

    def copy_from(tag: str, **extra: Any):
        return client_for(alice).post(
            url(agent, "/copy-from"),
            {"source_agent_id": other.pk, "source": "staging", **extra},
            format="json",
            HTTP_IF_MATCH=tag,
        )

    response = copy_from(tag)

    assert response.status_code == 409
    assert response.json()["code"] == "staging_changed"
    assert staging(agent).name == "Bob's" and staging(agent).revision == revision
    dry = copy_from(tag, dry_run=True)
    assert dry.status_code == 200  # a preview is never refused for being on an older state
    current = copy_from(f'"{revision}"')
    assert current.status_code == 200
    assert staging(agent).name == "Dev bot"
