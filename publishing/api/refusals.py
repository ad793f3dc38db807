"""What the publishing API answers when it refuses, as ``/api/schema/`` documents it.

The statuses every operation shares (401, 403, 404, and 413/415 for a body), and the shapes
of a refusal: ``{"detail": ...}``, a domain error's ``{"code", "detail"}``, and the 400s'
one list of messages per offending field.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class DetailErrorSerializer(serializers.Serializer):
    class Meta:
        ref_name = "PublishingDetailError"

    detail = serializers.CharField()


class DomainErrorSerializer(serializers.Serializer):
    class Meta:
        ref_name = "PublishingDomainError"

    code = serializers.CharField()
    detail = serializers.CharField()


def error_list() -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), required=False)


UNAUTHENTICATED = OpenApiResponse(DetailErrorSerializer, description="Not signed in.")


FORBIDDEN = OpenApiResponse(DetailErrorSerializer, description="The caller's role is too weak.")


AGENT_NOT_FOUND = OpenApiResponse(
    DetailErrorSerializer, description="No such agent, or one the caller may not see."
)


# What every operation that reads a body may answer (as the agents API documents too).
BODY_REFUSALS = {
    413: OpenApiResponse(DetailErrorSerializer, description="Request body too large."),
    415: OpenApiResponse(DetailErrorSerializer, description="The body must be JSON."),
}


def refusals(not_found: str = "No such agent, or one the caller may not see.") -> dict:
    return {
        401: UNAUTHENTICATED,
        403: FORBIDDEN,
        404: OpenApiResponse(DetailErrorSerializer, description=not_found),
    }
