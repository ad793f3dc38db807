"""Tools on an agent: enable/disable, and each action's state and config."""

from __future__ import annotations

import pytest

from agents import services
from agents.models import ActionSetting, ToolBinding
from tests import factories
from tests.agents.conftest import change_action, fresh
from tests.conftest import client_for


def url(agent, tool, suffix=""):
    return f"/api/v2/agents/{agent.pk}/tools/{tool.pk}{suffix}"


def actions_of(tool):
    return {a.name: a for a in tool.actions.all()}


def states(agent):
    return {s.action.name: (s.enabled, s.config) for s in ActionSetting.objects.filter(agent=agent)}


@pytest.fixture
def enabled_tool(agent, owner, tool):
    services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    return tool


# --- enable / disable ------------------------------------------------------------------------


def test_enable_binds_the_tool_with_every_action_enabled(editor_client, agent, tool):
    response = editor_client.post(url(agent, tool, "/enable"))
    assert response.status_code == 200
    actions = actions_of(tool)
    assert fresh(response.json(), agent) == {
        "tool_id": tool.pk,
        "name": "CRM",
        "kind": "api",
        "enabled": True,
        "definition": {"kind": "api", "description": ""},
        "actions": [
            {
                "action_id": actions[name].pk,
                "name": name,
                "enabled": True,
                "config": {},
                "definition": {"config": {}},
            }
            for name in ("search", "create")
        ],
    }
    assert ToolBinding.objects.get(agent=agent, tool=tool).enabled is True
    assert states(agent) == {"search": (True, {}), "create": (True, {})}


def test_disable_keeps_the_action_states(editor_client, agent, enabled_tool, owner):
    search = actions_of(enabled_tool)["search"]
    change_action(agent, owner, enabled_tool, search, enabled=False)
    response = editor_client.delete(url(agent, enabled_tool, "/disable"))
    assert response.status_code == 200
    assert response.json()["enabled"] is False
    assert ToolBinding.objects.get(agent=agent, tool=enabled_tool).enabled is False
    assert states(agent)["search"] == (False, {})
    again = editor_client.post(url(agent, enabled_tool, "/enable")).json()
    assert [a["enabled"] for a in again["actions"]] == [False, True]


def test_disabling_a_tool_that_is_not_bound_is_a_404(editor_client, agent, tool, audit):
    record = audit()
    response = editor_client.delete(url(agent, tool, "/disable"))
    assert response.status_code == 404
    assert "not connected" in response.json()["detail"]
    record.assert_nothing_written()


@pytest.mark.parametrize("suffix", ["/enable", "/disable"])
def test_tool_of_another_organization_is_a_404(editor_client, agent, foreign_tool, suffix, audit):
    record = audit()
    method = "post" if suffix == "/enable" else "delete"
    response = getattr(editor_client, method)(url(agent, foreign_tool, suffix))
    assert response.status_code == 404
    assert not ToolBinding.objects.filter(agent=agent).exists()
    record.assert_nothing_written()


@pytest.mark.parametrize("tool_id", ["abc", "0", "999999", "99999999999999999999"])
def test_malformed_or_unknown_tool_id_is_a_404(editor_client, agent, tool_id):
    response = editor_client.post(f"/api/v2/agents/{agent.pk}/tools/{tool_id}/enable")
    assert response.status_code == 404


def test_the_verbs_of_the_contract_only(editor_client, agent, tool):
    assert editor_client.delete(url(agent, tool, "/enable")).status_code == 405
    assert editor_client.post(url(agent, tool, "/disable")).status_code == 405


def test_viewer_may_not_enable(viewer, agent, tool, published):
    assert client_for(viewer).post(url(agent, tool, "/enable")).status_code == 403
    assert not ToolBinding.objects.filter(agent=agent).exists()


def test_stranger_enabling_gets_a_404(stranger, agent, tool):
    assert client_for(stranger).post(url(agent, tool, "/enable")).status_code == 404


# --- actions ---------------------------------------------------------------------------------


def test_patch_replaces_an_actions_config(editor_client, agent, enabled_tool):
    search = actions_of(enabled_tool)["search"]
    response = editor_client.patch(
        url(agent, enabled_tool, f"/actions/{search.pk}"),
        {"config": {"limit": 10, "fields": ["name"]}},
        format="json",
    )
    assert response.status_code == 200
    assert fresh(response.json(), agent) == {
        "action_id": search.pk,
        "name": "search",
        "enabled": True,
        "config": {"fields": ["name"], "limit": 10},
        "definition": {"config": {"fields": ["name"], "limit": 10}},
    }
    assert states(agent)["search"] == (True, {"fields": ["name"], "limit": 10})


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"config": "limit=10"},
        {"config": [1]},
        {"config": {"k": "nul\x00"}},
        {"config": {"big": "x" * 20_000}},
        {"config": {"a": {"b": {"c": {"d": {"e": {"f": {"g": 1}}}}}}}},
    ],
)
def test_patch_refuses_a_bad_config(editor_client, agent, enabled_tool, body, audit):
    search = actions_of(enabled_tool)["search"]
    record = audit()
    response = editor_client.patch(
        url(agent, enabled_tool, f"/actions/{search.pk}"), body, format="json"
    )
    record.assert_refused_on(response, "config")


@pytest.mark.parametrize("verb", ["enable", "disable"])
def test_action_enable_and_disable(editor_client, agent, enabled_tool, owner, verb):
    create = actions_of(enabled_tool)["create"]
    if verb == "enable":
        change_action(agent, owner, enabled_tool, create, enabled=False)
    response = editor_client.post(url(agent, enabled_tool, f"/actions/{create.pk}/{verb}"))
    assert response.status_code == 200
    assert response.json()["enabled"] is (verb == "enable")
    assert states(agent)["create"][0] is (verb == "enable")


def test_action_of_another_tool_is_a_404(editor_client, agent, enabled_tool, organization, audit):
    other = factories.ToolFactory(organization=organization, actions=["elsewhere"])
    theirs = other.actions.get()
    record = audit()
    response = editor_client.post(url(agent, enabled_tool, f"/actions/{theirs.pk}/disable"))
    assert response.status_code == 404
    assert response.json()["detail"] == "No such action on this tool."
    record.assert_nothing_written()


@pytest.mark.parametrize("action_id", ["abc", "-1", "999999"])
def test_malformed_or_unknown_action_id_is_a_404(editor_client, agent, enabled_tool, action_id):
    response = editor_client.post(url(agent, enabled_tool, f"/actions/{action_id}/enable"))
    assert response.status_code == 404


def test_action_of_a_tool_not_enabled_on_the_agent_is_refused(editor_client, agent, tool, audit):
    search = actions_of(tool)["search"]
    record = audit()
    response = editor_client.post(url(agent, tool, f"/actions/{search.pk}/enable"))
    record.assert_refused_on(response, "tool_id")


def test_viewer_may_not_change_actions(viewer, agent, enabled_tool, published):
    search = actions_of(enabled_tool)["search"]
    client = client_for(viewer)
    assert client.post(url(agent, enabled_tool, f"/actions/{search.pk}/disable")).status_code == (
        403
    )
    response = client.patch(
        url(agent, enabled_tool, f"/actions/{search.pk}"), {"config": {}}, format="json"
    )
    assert response.status_code == 403
