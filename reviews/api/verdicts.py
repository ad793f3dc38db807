"""Verdicts: ``/agents/{id}/verdicts`` - the log (editors) and giving one (publishers)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from agents.api.base import PaginatedView, query_value, validated
from agents.models import Agent
from agents.permissions import Role, get_agent_for
from agents.validation import FINGERPRINT_INVALID, FINGERPRINT_PATTERN
from reviews import services
from reviews.api import examples
from reviews.api.inputs import FINGERPRINT_SCHEMA, VerdictCreateSerializer
from reviews.api.schema import (
    NOT_FOUND_OR_PAGE,
    VerdictErrorSerializer,
    conflict_of,
    review_operation,
)
from reviews.api.shapes import VerdictSerializer
from reviews.models import Verdict


def fingerprint_filter(description: str) -> OpenApiParameter:
    return OpenApiParameter(
        "fingerprint",
        {"type": "string", "pattern": FINGERPRINT_SCHEMA},
        OpenApiParameter.QUERY,
        description=description,
    )


def query_fingerprint(request: Request) -> str | None:
    # Empty is refused too: "?fingerprint=" meaning "all of them" would hide a client's bug.
    value = query_value(request, "fingerprint")
    if value is not None and not FINGERPRINT_PATTERN.fullmatch(value):
        raise ValidationError({"fingerprint": [FINGERPRINT_INVALID]})
    return value


def verdicts_of(agent: Agent, fingerprint: str | None) -> QuerySet[Verdict]:
    verdicts = Verdict.objects.filter(agent_id=agent.pk)
    if fingerprint is not None:
        verdicts = verdicts.filter(fingerprint=fingerprint)
    return verdicts.order_by("-created_at", "-id")


class VerdictListView(PaginatedView):
    serializer_class = VerdictCreateSerializer

    @review_operation(
        "agents_verdicts_list",
        "Every verdict given, newest first",
        description="The log, withdrawals included; `readiness` shows how they count.",
        parameters=(fingerprint_filter("Only the verdicts given on this reviewed state."),),
        ok=VerdictSerializer(many=True),
        invalid=VerdictErrorSerializer,
        not_found=NOT_FOUND_OR_PAGE,
        examples=examples.VERDICTS,
    )
    def get(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        verdicts = verdicts_of(agent, query_fingerprint(request))
        return self.paginated(verdicts, lambda page: VerdictSerializer(page, many=True).data)

    @review_operation(
        "agents_verdicts_create",
        "Approve, request changes on, or withdraw your verdict on Staging (publishers)",
        description=(
            "Given on `expected_fingerprint`, the staging-diff you reviewed: 409 "
            "`stale_review` (and nothing recorded) if Staging or Production moved since, "
            "`nothing_to_review` when Staging equals Production. Your newest verdict on a "
            "state is the one that counts. 403 when you changed Staging since the last "
            "publish and the policy lets no author approve."
        ),
        request=VerdictCreateSerializer,
        ok=VerdictSerializer,
        ok_status=201,
        invalid=VerdictErrorSerializer,
        conflict=conflict_of("stale_review or nothing_to_review."),
        examples=[*examples.VERDICT_BODY, *examples.VERDICT_CREATED],
    )
    def post(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.PUBLISHER)
        data = validated(VerdictCreateSerializer, request)
        verdict = services.give_verdict(
            agent=agent,
            acting_user=request.user,
            verdict=data["verdict"],
            expected_fingerprint=data["expected_fingerprint"],
            comment=data.get("comment", ""),
        )
        return Response(VerdictSerializer(verdict).data, status=status.HTTP_201_CREATED)
