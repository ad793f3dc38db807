"""``GET /agents/{id}/status``: published or not, and whether Staging has unpublished changes."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.permissions import Role, get_agent_for
from agents.selectors import has_unpublished_changes
from publishing.api.paths import AGENT_ID, TAG
from publishing.api.refusals import AGENT_NOT_FOUND, UNAUTHENTICATED


class StatusSerializer(serializers.Serializer):
    class Meta:
        ref_name = "AgentStatus"

    published = serializers.BooleanField()
    has_unpublished_changes = serializers.BooleanField(
        allow_null=True,
        help_text="Null for viewers, who see Production only.",
    )
    last_published_at = serializers.DateTimeField(allow_null=True)
    last_change_track_id = serializers.UUIDField(allow_null=True)


class StatusView(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="agents_status",
        summary="Published or not, and whether Staging has unpublished changes",
        description=(
            "`has_unpublished_changes` is null for viewers: they see Production only, so "
            "whether Staging differs is not theirs to know."
        ),
        parameters=[AGENT_ID],
        responses={200: StatusSerializer, 401: UNAUTHENTICATED, 404: AGENT_NOT_FOUND},
    )
    def get(self, request: Request, agent_id: str) -> Response:
        agent, role = get_agent_for(request.user, agent_id, Role.VIEWER)
        production = agent.production_or_none()
        # The stored fingerprints answer this: no snapshot, no diff.
        unpublished = has_unpublished_changes(agent) if role >= Role.EDITOR else None
        return Response(
            {
                "published": production is not None,
                "has_unpublished_changes": unpublished,
                "last_published_at": (
                    serializers.DateTimeField().to_representation(production.published_at)
                    if production is not None
                    else None
                ),
                "last_change_track_id": (
                    str(production.change_track_id) if production is not None else None
                ),
            }
        )
