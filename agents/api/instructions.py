"""Staging edits of the instructions: add, edit or move, delete."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from agents import services
from agents.api.base import JSONView, load_agent, path_id, validated
from agents.api.representation import staging_item
from agents.api.schema import AGENT_ID, DELETE_ERRORS, INSTRUCTION_ID, WRITE_ERRORS, responses
from agents.permissions import Role
from agents.serializers.agents import InstructionSerializer
from agents.serializers.staging import InstructionCreateSerializer, InstructionUpdateSerializer


class InstructionsView(JSONView):
    @extend_schema(
        tags=["staging"],
        summary="Add an instruction",
        parameters=[AGENT_ID],
        request=InstructionCreateSerializer,
        responses=responses({201: InstructionSerializer}, *WRITE_ERRORS),
    )
    def post(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        data = validated(InstructionCreateSerializer, request)
        instruction = services.add_instruction(agent=agent, acting_user=request.user, **data)
        return Response(
            staging_item(agent, "instructions", instruction.pk),
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        tags=["staging"],
        summary="Edit or move an instruction (its id in the body)",
        parameters=[AGENT_ID],
        request=InstructionUpdateSerializer,
        responses=responses({200: InstructionSerializer}, *WRITE_ERRORS),
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
    @extend_schema(
        tags=["staging"],
        summary="Delete an instruction",
        parameters=[AGENT_ID, INSTRUCTION_ID],
        responses=responses({204: None}, *DELETE_ERRORS),
    )
    def delete(self, request: Request, agent_id: str, instruction_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        services.delete_instruction(
            agent=agent,
            acting_user=request.user,
            instruction_id=path_id(instruction_id, "No such instruction on this agent."),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
