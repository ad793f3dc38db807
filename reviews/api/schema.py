"""How the reviews API's operations are documented in ``/api/schema/``: the refusals they
share, the shape of each 400 and 409, and one decorator that puts them together.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.fields import empty

from agents.api.schema import ERRORS, field_errors_serializer
from reviews.api.paths import AGENT_ID, TAG

NOT_FOUND = "No such agent, or one the caller may not see."
NOT_FOUND_OR_PAGE = "No such agent (or one the caller may not see), or no such page."
NOT_FOUND_REQUEST = "No such agent, or no such review request of this agent."


class ReviewConflictSerializer(serializers.Serializer):
    """409: the state does not allow it; ``code`` says why."""

    code = serializers.ChoiceField(
        choices=[
            "stale_review",
            "nothing_to_review",
            "review_request_closed",
            "unknown_fingerprint",
        ]
    )
    detail = serializers.CharField()
    fingerprint = serializers.CharField(
        required=False,
        help_text="stale_review and unknown_fingerprint: the fingerprint of the state now.",
    )
    status = serializers.CharField(
        required=False, help_text="review_request_closed: how the request was closed."
    )


PolicyErrorSerializer = field_errors_serializer(
    "PublishPolicyErrorSerializer",
    [
        "required_approvals",
        "authors_may_approve",
        "required_checks",
        "blocking_builtin_checks",
        "non_field_errors",
    ],
)
ReviewRequestErrorSerializer = field_errors_serializer(
    "ReviewRequestErrorSerializer",
    ["description", "expected_fingerprint", "status", "page", "non_field_errors"],
)
VerdictErrorSerializer = field_errors_serializer(
    "VerdictErrorSerializer",
    ["verdict", "comment", "expected_fingerprint", "fingerprint", "page", "non_field_errors"],
)
CheckRunErrorSerializer = field_errors_serializer(
    "CheckRunErrorSerializer",
    ["fingerprint", "name", "state", "description", "target_url", "non_field_errors"],
)
PageErrorSerializer = field_errors_serializer("ReviewsPageErrorSerializer", ["page"])


def conflict_of(codes: str) -> OpenApiResponse:
    return OpenApiResponse(ReviewConflictSerializer, description=codes)


def review_operation(
    operation_id: str,
    summary: str,
    *,
    ok: Any,
    ok_status: int = 200,
    invalid: Any = None,
    not_found: str = NOT_FOUND,
    conflict: OpenApiResponse | None = None,
    parameters: Sequence[Any] = (),
    description: str | None = None,
    request: Any = empty,
    examples: Sequence[OpenApiExample] = (),
) -> Any:
    """``extend_schema`` for one operation; responses in the order 2xx, 400, 401-404, 409,
    413/415 (an operation that reads a body)."""
    responses: dict[int, Any] = {ok_status: ok}
    if invalid is not None:
        responses[400] = OpenApiResponse(invalid, description="Messages per field.")
    responses[401] = ERRORS[401]
    responses[403] = ERRORS[403]
    responses[404] = OpenApiResponse(ERRORS[404].response, description=not_found)
    if conflict is not None:
        responses[409] = conflict
    if request is not empty and request is not None:
        responses[413] = ERRORS[413]
        responses[415] = ERRORS[415]
    # ``request`` left ``empty`` is extend_schema's own default: the body is not described.
    return extend_schema(
        tags=[TAG],
        operation_id=operation_id,
        summary=summary,
        description=description,
        parameters=[AGENT_ID, *parameters],
        request=request,
        responses=responses,
        examples=list(examples),
    )
