"""``GET /agents/{id}/instructions/{instruction_id}/blame``: who last changed each line."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.models import Instruction
from agents.permissions import Role, get_agent_for
from publishing.api.operations import publishing_operation
from publishing.api.paths import INSTRUCTION_ID
from publishing.api.publishes import UserRefSerializer
from publishing.blame import instruction_blame


class LinePublishSerializer(serializers.Serializer):
    """The publish that first took a line (as it is now) live."""

    change_track_id = serializers.UUIDField()
    sequence = serializers.IntegerField(min_value=1)


class BlameLineSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, help_text="1 for the first line.")
    text = serializers.CharField(allow_blank=True, help_text="The line, without its newline.")
    author = UserRefSerializer(
        allow_null=True, help_text="Who last changed this line; null if no one was signed in."
    )
    changed_at = serializers.DateTimeField()
    staging_revision = serializers.IntegerField(
        allow_null=True, help_text="The Staging revision (checkpoint) of that edit."
    )
    history_id = serializers.IntegerField(help_text="That edit's record of the instruction.")
    published = LinePublishSerializer(
        allow_null=True,
        help_text="The first publish that took this line live as it is now; null while it "
        "waits for one.",
    )


class InstructionBlameSerializer(serializers.Serializer):
    instruction_id = serializers.IntegerField()
    title = serializers.CharField()
    lines = BlameLineSerializer(
        many=True, help_text="The content split at newlines: joined with '\\n', the content."
    )


class InstructionBlameView(APIView):
    @publishing_operation(
        "agents_instruction_blame",
        "Who last changed each line of an instruction",
        description=(
            "Each line of the instruction's current content in Staging with the author, time "
            "and Staging revision of the edit that last changed it (restores and reverts are "
            "edits), and the publish that first took it live. Editors and above."
        ),
        parameters=(INSTRUCTION_ID,),
        ok=InstructionBlameSerializer,
        not_found="No such agent, or no such instruction in its Staging.",
    )
    def get(self, request: Request, agent_id: str, instruction_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        try:
            blamed = instruction_blame(agent=agent, instruction_id=instruction_id)
        except Instruction.DoesNotExist:
            raise NotFound("No such instruction on this agent.") from None
        return Response(blamed.as_dict())
