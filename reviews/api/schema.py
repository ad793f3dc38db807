"""How the reviews API's operations are documented in ``/api/schema/``: the refusals they
share, the shape of each 400 and 409, and one decorator that puts them together.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from agents.api.schema import ERRORS, field_errors_serializer
from ejento_staging.api_operations import agent_operation
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
    invalid: Any = None,
    not_found: str = NOT_FOUND,
    **options: Any,
) -> Any:
    """``extend_schema`` for one operation, with the refusals the agents API documents too;
    ``options`` as ``agent_operation`` takes them (``ok``, ``conflict``, ``examples`` ...)."""
    if invalid is not None:
        invalid = OpenApiResponse(invalid, description="Messages per field.")
    return agent_operation(
        operation_id,
        summary,
        tag=TAG,
        agent_id=AGENT_ID,
        invalid=invalid,
        refused={
            401: ERRORS[401],
            403: ERRORS[403],
            404: OpenApiResponse(ERRORS[404].response, description=not_found),
        },
        body_refused={413: ERRORS[413], 415: ERRORS[415]},
        **options,
    )
