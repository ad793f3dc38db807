"""Staging edits of the instructions: add, edit or move, delete."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from agents import services
from agents.api.base import JSONView, load_agent, path_id, validated
from agents.api.representation import staging_item
from agents.api.schema import INSTRUCTION_ID, staging_delete_schema, staging_edit_schema
from agents.permissions import Role
from agents.serializers.agents import InstructionSerializer
from agents.serializers.staging import InstructionCreateSerializer, InstructionUpdateSerializer


class InstructionsView(JSONView):
    @staging_edit_schema(
        "Add an instruction", request=InstructionCreateSerializer, ok={201: InstructionSerializer}
    )
    def post(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        data = validated(InstructionCreateSerializer, request)
        instruction = services.add_instruction(agent=agent, acting_user=request.user, **data)
        return Response(
            staging_item(agent, "instructions", instruction.pk),
            status=status.HTTP_201_CREATED,
        )

    @staging_edit_schema(
        "Edit or move an instruction (its id in the body)",
        request=InstructionUpdateSerializer,
        ok={200: InstructionSerializer},
    )
    def put(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        data = dict(validated(InstructionUpdateSerializer, request))
        instruction_id = data.pop("id")
        services.update_instruction(
            agent=agent, acting_user=request.user, instruction_id=instruction_id, **data
        )
        return Response(staging_item(agent, "instructions", instruction_id))


class InstructionDetailView(JSONView):
    @staging_delete_schema("Delete an instruction", INSTRUCTION_ID)
    def delete(self, request: Request, agent_id: str, instruction_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        services.delete_instruction(
            agent=agent,
            acting_user=request.user,
            instruction_id=path_id(instruction_id, "No such instruction on this agent."),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
