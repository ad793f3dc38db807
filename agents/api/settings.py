"""Staging edits of the agent's guardrails, access level and tags."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from agents import services
from agents.api.base import JSONView, WholeBodyPatchSchema
from agents.api.edits import agent_response, edit_staging
from agents.api.representation import staging_item
from agents.api.schema import agent_edit_schema, staging_edit_schema
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
        edit = edit_staging(request, agent_id, GuardrailToggleSerializer, services.set_guardrail)
        return Response(staging_item(edit.agent, "guardrails", edit.data["guardrail_id"]))


class AccessView(JSONView):
    @agent_edit_schema("Set who may view the agent once published", AccessLevelSerializer)
    def put(self, request: Request, agent_id: str) -> Response:
        edit = edit_staging(request, agent_id, AccessLevelSerializer, services.set_access_level)
        return agent_response(request, edit)


class AnnotatesView(JSONView):
    @agent_edit_schema("Replace the agent's tags", TagsSerializer)
    def post(self, request: Request, agent_id: str) -> Response:
        edit = edit_staging(request, agent_id, TagsSerializer, services.set_tags)
        return agent_response(request, edit)
