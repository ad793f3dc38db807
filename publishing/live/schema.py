"""What ``/api/schema/`` says about the live read: one operation, documented by hand.

The view answers GET and HEAD outside DRF's request cycle, with no serializer to describe
it, so its body, headers and refusals are named here.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers

from ejento_staging.ids import MAX_ID
from publishing.live.http_cache import CACHE_CONTROL
from publishing.schema import ConfigurationField

_CONFIGURATION = inline_serializer(
    name="LiveProduction",
    fields={
        "agent_id": serializers.IntegerField(),
        "environment": serializers.CharField(help_text="Always `production`."),
        "change_track_id": serializers.UUIDField(
            help_text="The publish record this configuration came from."
        ),
        "published_at": serializers.DateTimeField(),
        "configuration": ConfigurationField(
            help_text="The published snapshot: settings, instructions, knowledge_sources, "
            "tools (with actions) and guardrails, each catalogue item with its effective "
            "definition (frozen at publish)."
        ),
    },
)
_DETAIL = inline_serializer(name="LiveDetail", fields={"detail": serializers.CharField()})
_HEADERS = [
    OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="Names this exact configuration; send it back in If-None-Match.",
    ),
    OpenApiParameter(
        "Cache-Control",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description=f"`{CACHE_CONTROL}`: private data; revalidate with the ETag each time.",
    ),
]


# The operation, applied to ``LiveProductionView.get``.
production_schema = extend_schema(
    operation_id="agents_production_retrieve",
    summary="The live (Production) configuration of an agent",
    description=(
        "What end-users and integrations get: the snapshot of the agent's newest publish, "
        "with the `change_track_id` of that publish. Needs at least the viewer role. "
        "Answers `304 Not Modified` when `If-None-Match` carries the current ETag. "
        "A revoked permission or deleted token stops working as soon as that change "
        "commits."
    ),
    tags=["agents"],
    parameters=[
        OpenApiParameter(
            "agent_id",
            {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            OpenApiParameter.PATH,
        ),
        OpenApiParameter(
            "If-None-Match",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            required=False,
            description="An ETag from an earlier answer.",
        ),
        *_HEADERS,
    ],
    responses={
        200: OpenApiResponse(_CONFIGURATION, description="The live configuration."),
        304: OpenApiResponse(description="Unchanged since the ETag in If-None-Match."),
        401: OpenApiResponse(_DETAIL, description="No credentials, or bad ones."),
        404: OpenApiResponse(
            _DETAIL,
            description="No such agent, one the caller may not see, or never published.",
        ),
    },
    examples=[
        OpenApiExample(
            "Live configuration",
            response_only=True,
            status_codes=["200"],
            value={
                "agent_id": 7,
                "environment": "production",
                "change_track_id": "3f2c0e8a-5a8e-4d3c-9a53-0b8c1f3b6d21",
                "published_at": "2025-01-31T09:30:00Z",
                "configuration": {"settings": {"name": "Support bot"}, "instructions": []},
            },
        )
    ],
)
