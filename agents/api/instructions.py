"""Staging edits of the instructions: add, edit or move, delete."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from agents import services
from agents.api.base import JSONView, load_agent, path_id
from agents.api.edits import edit_staging
from agents.api.representation import staging_item
from agents.api.schema import INSTRUCTION_ID, staging_delete_schema, staging_edit_schema
from agents.permissions import Role
from agents.serializers.agents import InstructionSerializer
from agents.serializers.staging import InstructionCreateSerializer, InstructionUpdateSerializer


def _update_instruction(*, id: int, **changes: Any) -> Any:
    # The body names the instruction ``id``; the service, ``instruction_id``.
    return services.update_instruction(instruction_id=id, **changes)


class InstructionsView(JSONView):
    @staging_edit_schema(
        "Add an instruction", request=InstructionCreateSerializer, ok={201: InstructionSerializer}
    )
    def post(self, request: Request, agent_id: str) -> Response:
        edit = edit_staging(
            request, agent_id, InstructionCreateSerializer, services.add_instruction
        )
        return Response(
            staging_item(edit.agent, "instructions", edit.result.pk),
            status=status.HTTP_201_CREATED,
        )

    @staging_edit_schema(
        "Edit or move an instruction (its id in the body)",
        request=InstructionUpdateSerializer,
        ok={200: InstructionSerializer},
    )
    def put(self, request: Request, agent_id: str) -> Response:
        edit = edit_staging(request, agent_id, InstructionUpdateSerializer, _update_instruction)
        return Response(staging_item(edit.agent, "instructions", edit.data["id"]))


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
