"""Review requests: ``/agents/{id}/review-requests`` (list, ask), one, and withdrawing one.

Editors ask (an open request is replaced by a newer one) and see them; the author of a
request, or any publisher, withdraws it. A publish closes the open one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from agents.api.base import JSONView, PaginatedView, query_value, validated
from agents.api.schema import choice_filter
from agents.models import Agent
from agents.permissions import Role, get_agent_for
from reviews import selectors, services
from reviews.api import examples
from reviews.api.inputs import ReviewRequestCreateSerializer
from reviews.api.paths import REQUEST_ID, review_request_or_404
from reviews.api.schema import (
    NOT_FOUND_OR_PAGE,
    NOT_FOUND_REQUEST,
    ReviewRequestErrorSerializer,
    conflict_of,
    review_operation,
)
from reviews.api.shapes import (
    ReviewRequestDetailSerializer,
    ReviewRequestSerializer,
    VerdictSerializer,
)
from reviews.models import ReviewRequest, Verdict

STATUSES = tuple(ReviewRequest.Status.values)
STATUS_FILTER = choice_filter("status", STATUSES, "Only the review requests in this state.")


def status_filter(request: Request) -> str | None:
    value = query_value(request, "status")
    if value is not None and value not in STATUSES:
        raise ValidationError({"status": [f"Must be one of: {', '.join(STATUSES)}."]})
    return value


def detail_body(agent: Agent, review_request: ReviewRequest) -> dict[str, Any]:
    verdicts = Verdict.objects.filter(review_request_id=review_request.pk).order_by(
        "-created_at", "-id"
    )
    current = selectors.review_state(agent).fingerprint
    return {
        **ReviewRequestSerializer(review_request).data,
        "stale": review_request.fingerprint != current,
        "verdicts": VerdictSerializer(verdicts, many=True).data,
    }


class ReviewRequestListView(PaginatedView):
    serializer_class = ReviewRequestCreateSerializer

    @review_operation(
        "agents_review_requests_list",
        "Review requests, newest first",
        parameters=(STATUS_FILTER,),
        ok=ReviewRequestSerializer(many=True),
        invalid=ReviewRequestErrorSerializer,
        not_found=NOT_FOUND_OR_PAGE,
        examples=examples.REVIEW_REQUESTS,
    )
    def get(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        requests = selectors.review_requests(agent)
        wanted = status_filter(request)
        if wanted is not None:
            requests = requests.filter(status=wanted)
        return self.paginated(requests, lambda page: ReviewRequestSerializer(page, many=True).data)

    @review_operation(
        "agents_review_requests_create",
        "Ask publishers to review Staging as it stands",
        description=(
            "Bound to the current review fingerprint; an open request is replaced "
            "(`superseded`). Sends `review.requested`, and `checks.requested` the first "
            "time this state is put up for review. 409: `stale_review` (Staging moved since "
            "`expected_fingerprint`), `nothing_to_review` (Staging equals Production)."
        ),
        request=ReviewRequestCreateSerializer,
        ok=ReviewRequestSerializer,
        ok_status=201,
        invalid=ReviewRequestErrorSerializer,
        conflict=conflict_of("stale_review or nothing_to_review."),
        examples=[*examples.REVIEW_REQUEST_BODY, *examples.REVIEW_REQUEST_CREATED],
    )
    def post(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        data = validated(ReviewRequestCreateSerializer, request)
        created = services.request_review(
            agent=agent,
            acting_user=request.user,
            description=data.get("description", ""),
            expected_fingerprint=data.get("expected_fingerprint"),
        )
        return Response(ReviewRequestSerializer(created).data, status=status.HTTP_201_CREATED)


ON_ONE_REQUEST = {"parameters": (REQUEST_ID,), "not_found": NOT_FOUND_REQUEST}


class ReviewRequestDetailView(JSONView):
    @review_operation(
        "agents_review_requests_retrieve",
        "One review request, with its verdicts",
        description="`stale`: Staging or Production moved since it was asked.",
        ok=ReviewRequestDetailSerializer,
        examples=examples.REVIEW_REQUEST_DETAIL,
        **ON_ONE_REQUEST,
    )
    def get(self, request: Request, agent_id: str, request_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        return Response(detail_body(agent, review_request_or_404(agent, request_id)))


class ReviewRequestWithdrawView(JSONView):
    @review_operation(
        "agents_review_requests_withdraw",
        "Withdraw an open review request (its author or a publisher)",
        description="409 `review_request_closed` once it is no longer open.",
        request=None,
        ok=ReviewRequestDetailSerializer,
        conflict=conflict_of("review_request_closed."),
        examples=examples.WITHDRAWN,
        **ON_ONE_REQUEST,
    )
    def post(self, request: Request, agent_id: str, request_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        review_request = review_request_or_404(agent, request_id)
        withdrawn = services.withdraw_review_request(
            request=review_request, acting_user=request.user
        )
        return Response(detail_body(agent, withdrawn))
