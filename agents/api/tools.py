"""Staging edits of tools and their actions: enable, disable, configure."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_view
from rest_framework.request import Request
from rest_framework.response import Response

from agents import services
from agents.api.base import JSONView, WholeBodyPatchSchema, load_agent, path_id, validated
from agents.api.representation import staging_item
from agents.api.schema import ACTION_ID, AGENT_ID, DELETE_ERRORS, TOOL_ID, staging_edit_schema
from agents.models import Agent
from agents.permissions import Role
from agents.serializers.agents import ActionStateSerializer, ToolBindingSerializer
from agents.serializers.staging import ActionConfigSerializer


class ToolEnableView(JSONView):
    @staging_edit_schema(
        "Enable a tool (its actions start enabled on first use)",
        parameters=[AGENT_ID, TOOL_ID],
        request=None,
        ok={200: ToolBindingSerializer},
        errors=(401, 403, 404),
    )
    def post(self, request: Request, agent_id: str, tool_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        pk = path_id(tool_id, "No such tool in this agent's organization.")
        services.enable_tool(agent=agent, acting_user=request.user, tool_id=pk)
        return Response(staging_item(agent, "tools", pk))


class ToolDisableView(JSONView):
    @staging_edit_schema(
        "Disable a tool (its action states are kept)",
        parameters=[AGENT_ID, TOOL_ID],
        ok={200: ToolBindingSerializer},
        errors=DELETE_ERRORS,
    )
    def delete(self, request: Request, agent_id: str, tool_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        pk = path_id(tool_id, "No such tool in this agent's organization.")
        services.disable_tool(agent=agent, acting_user=request.user, tool_id=pk)
        return Response(staging_item(agent, "tools", pk))


def _action_answer(agent: Agent, tool_id: int, action_id: int) -> Response:
    tool = staging_item(agent, "tools", tool_id)
    return Response(next(a for a in tool["actions"] if a["action_id"] == action_id))


def _action_ids(tool_id: str, action_id: str) -> tuple[int, int]:
    return (
        path_id(tool_id, "No such tool in this agent's organization."),
        path_id(action_id, "No such action on this tool."),
    )


class ActionView(JSONView):
    schema = WholeBodyPatchSchema()

    @staging_edit_schema(
        "Replace an action's config (the tool must be enabled on the agent)",
        parameters=[AGENT_ID, TOOL_ID, ACTION_ID],
        request=ActionConfigSerializer,
        ok={200: ActionStateSerializer},
    )
    def patch(self, request: Request, agent_id: str, tool_id: str, action_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        tool_pk, action_pk = _action_ids(tool_id, action_id)
        data = validated(ActionConfigSerializer, request)
        services.update_action(
            agent=agent,
            acting_user=request.user,
            tool_id=tool_pk,
            action_id=action_pk,
            config=data["config"],
        )
        return _action_answer(agent, tool_pk, action_pk)


class _ActionToggleView(JSONView):
    enabled: bool

    def post(self, request: Request, agent_id: str, tool_id: str, action_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        tool_pk, action_pk = _action_ids(tool_id, action_id)
        services.update_action(
            agent=agent,
            acting_user=request.user,
            tool_id=tool_pk,
            action_id=action_pk,
            enabled=self.enabled,
        )
        return _action_answer(agent, tool_pk, action_pk)


def _toggle_schema(summary: str) -> Any:
    """The one documented operation of an action toggle, on the class that makes it."""
    return extend_schema_view(
        post=staging_edit_schema(
            summary,
            parameters=[AGENT_ID, TOOL_ID, ACTION_ID],
            request=None,
            ok={200: ActionStateSerializer},
            errors=(400, 401, 403, 404),
        )
    )


@_toggle_schema("Enable one action of an enabled tool")
class ActionEnableView(_ActionToggleView):
    enabled = True


@_toggle_schema("Disable one action of an enabled tool")
class ActionDisableView(_ActionToggleView):
    enabled = False
