"""Staging edits of the agent's guardrails, access level and tags."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from agents import services
from agents.api.base import JSONView, WholeBodyPatchSchema, load_agent, validated
from agents.api.representation import agent_body, staging_item
from agents.api.schema import agent_edit_schema, staging_edit_schema
from agents.permissions import Role
from agents.serializers.agents import GuardrailStateSerializer
from agents.serializers.staging import (
    AccessLevelSerializer,
    GuardrailToggleSerializer,
    TagsSerializer,
)


class GuardrailsView(JSONView):
    schema = WholeBodyPatchSchema()

    @staging_edit_schema(
        "Enable or disable a guardrail of the organization (and set its settings)",
        request=GuardrailToggleSerializer,
        ok={200: GuardrailStateSerializer},
    )
    def patch(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        data = validated(GuardrailToggleSerializer, request)
        services.set_guardrail(
            agent=agent,
            acting_user=request.user,
            guardrail_id=data["guardrail_id"],
            enabled=data["enabled"],
            settings=data.get("settings"),
        )
        return Response(staging_item(agent, "guardrails", data["guardrail_id"]))


class AccessView(JSONView):
    @agent_edit_schema("Set who may view the agent once published", AccessLevelSerializer)
    def put(self, request: Request, agent_id: str) -> Response:
        agent, role = load_agent(request, agent_id, Role.EDITOR)
        data = validated(AccessLevelSerializer, request)
        services.set_access_level(
            agent=agent, acting_user=request.user, access_level=data["access_level"]
        )
        return Response(agent_body(request, agent, role))


class AnnotatesView(JSONView):
    @agent_edit_schema("Replace the agent's tags", TagsSerializer)
    def post(self, request: Request, agent_id: str) -> Response:
        agent, role = load_agent(request, agent_id, Role.EDITOR)
        data = validated(TagsSerializer, request)
        services.set_tags(agent=agent, acting_user=request.user, tags=list(data["tags"]))
        return Response(agent_body(request, agent, role))
