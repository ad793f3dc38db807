"""Review and publish: ``staging-diff``, ``publish``, and ``discard`` (back to Production)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.api.base import validated
from agents.models import Agent
from agents.permissions import Role, get_agent_for
from agents.validation import clean_fingerprint
from ejento_staging.api_fields import ParsedField
from publishing import selectors, services
from publishing.api.operations import publishing_operation
from publishing.api.publishes import PublishRecordDetailSerializer
from publishing.api.refusals import DomainErrorSerializer, error_list
from publishing.api.shapes import (
    AttributedDiffEntrySerializer,
    AuthorSerializer,
    ConstantField,
    SectionCountsSerializer,
)
from publishing.inputs import clean_notes
from publishing.models import NOTES_MAX_LENGTH
from reviews.api.shapes import (
    BuiltinCheckResultSerializer,
    ReviewerVerdictSerializer,
    policy_check_list,
)
from reviews.services import BREAK_GLASS_REASON_MAX_LENGTH, clean_break_glass_reason

# The fields below are plain ``Field``s with a hand-written schema: for a CharField that
# allows blanks, drf-spectacular emits ``oneOf: [<pattern>, {maxLength: 0}]``, which the
# empty string matches twice, so a strict validator would call "" invalid.


@extend_schema_field(
    {
        "type": "string",
        "maxLength": NOTES_MAX_LENGTH,
        # NUL characters are refused (PostgreSQL cannot store them); the schema says so, so
        # that generated clients and schema-driven tests do not send what must be refused.
        "pattern": "^[^\\u0000]*$",
        "default": "",
        "description": "Why this publish; shown in the publish history.",
    }
)
class NotesField(ParsedField):
    def parse(self, data: Any) -> str:
        return clean_notes(data)


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "pattern": "^([0-9a-f]{64})?$",
        "description": (
            "The `fingerprint` of the staging-diff that was reviewed. When given, the publish "
            "goes through only if Staging and Production are still exactly that state. "
            "Empty or null: publish whatever Staging is now."
        ),
    }
)
class FingerprintField(ParsedField):
    def parse(self, data: Any) -> str | None:
        return clean_fingerprint(data, "expected_fingerprint")


@extend_schema_field(
    {
        "type": "string",
        "maxLength": BREAK_GLASS_REASON_MAX_LENGTH,
        "pattern": "^[^\\u0000]*$",
        "default": "",
        "description": (
            "Owners only: publish although the agent's publish policy is not met, and why. "
            "Kept in the publish record (`gate.break_glass`, `broke_glass`). Ignored when the "
            "policy is met; from a publisher when it is not, 403."
        ),
    }
)
class BreakGlassReasonField(ParsedField):
    def parse(self, data: Any) -> str:
        return clean_break_glass_reason(data)


class PublishInputSerializer(serializers.Serializer):
    notes = NotesField(required=False, default="")
    expected_fingerprint = FingerprintField(required=False, allow_null=True, default=None)
    break_glass_reason = BreakGlassReasonField(required=False, default="")


class StagingDiffSerializer(serializers.Serializer):
    """Staging against Production: what a publish now would make live."""

    has_changes = serializers.BooleanField()
    fingerprint = serializers.CharField(
        help_text="Names exactly this Staging-against-Production state; "
        "send it back as `expected_fingerprint` when publishing."
    )
    before = ConstantField("production")
    after = ConstantField("staging")
    published = serializers.BooleanField(help_text="False until the agent's first publish.")
    counts = SectionCountsSerializer()
    summary = serializers.CharField()
    changes = AttributedDiffEntrySerializer(many=True)
    contributors = AuthorSerializer(
        many=True,
        help_text="Everyone behind at least one of the changes, newest first: the people the "
        "publish record will name as its contributors.",
    )
    builtin_checks = BuiltinCheckResultSerializer(
        many=True,
        help_text="The built-in checks on Staging as it stands; the publish policy may make "
        "some of them block a publish.",
    )


class PublishConflictSerializer(serializers.Serializer):
    has_changes = serializers.BooleanField()
    code = serializers.ChoiceField(
        choices=["nothing_to_publish", "stale_review", "approval_required", "checks_not_passed"]
    )
    detail = serializers.CharField()
    fingerprint = serializers.CharField(
        required=False,
        help_text="stale_review: the fingerprint of the state now; approval_required and "
        "checks_not_passed: of the state that was refused.",
    )
    # What the publish policy is missing (approval_required, checks_not_passed only).
    blockers = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="What holds the publish back, in words.",
    )
    required_approvals = serializers.IntegerField(min_value=0, required=False)
    approvals = ReviewerVerdictSerializer(
        many=True,
        required=False,
        help_text="Each reviewer's newest verdict since the last publish; `counted` ones count.",
    )
    checks = policy_check_list(
        required=False,
        help_text="The required external checks and the blocking built-in ones, as they stand.",
    )


class PublishErrorSerializer(serializers.Serializer):
    """400: one list of messages per offending field (``detail`` for an unreadable body)."""

    notes = error_list()
    expected_fingerprint = error_list()
    break_glass_reason = error_list()
    non_field_errors = error_list()
    detail = serializers.CharField(required=False)


def staging_diff_response(agent: Agent) -> Response:
    return Response(selectors.review_staging(agent, with_authors=True).as_dict())


class StagingDiffView(APIView):
    @publishing_operation(
        "agents_staging_diff",
        "Review: Staging against Production",
        ok=StagingDiffSerializer,
    )
    def get(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        return staging_diff_response(agent)


class PublishView(APIView):
    @publishing_operation(
        "agents_publish",
        "Publish: Production becomes Staging",
        description=(
            "Atomic: Production becomes Staging and a publish record is written, or nothing "
            "happens. 409 `nothing_to_publish` when Staging equals Production; 409 "
            "`stale_review` when `expected_fingerprint` no longer names the current state; "
            "409 `approval_required` or `checks_not_passed` when the agent's publish policy "
            "is not met for the state being published (`blockers`, `approvals` and `checks` "
            "say what is missing; see `readiness`). An owner may publish anyway by giving "
            "`break_glass_reason`; a publisher who gives one then is refused with 403."
        ),
        request=PublishInputSerializer,
        ok=PublishRecordDetailSerializer,
        ok_status=201,
        invalid=PublishErrorSerializer,
        conflict=OpenApiResponse(
            PublishConflictSerializer,
            description="nothing_to_publish, stale_review, approval_required or checks_not_passed.",
        ),
    )
    def post(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.PUBLISHER)
        data = validated(PublishInputSerializer, request)
        record = services.publish_agent(agent=agent, acting_user=request.user, **data)
        # Re-read through the selector so the answer has the same form as the detail GET.
        record = selectors.get_publish_record(agent=agent, change_track_id=record.change_track_id)
        return Response(PublishRecordDetailSerializer(record).data, status=status.HTTP_201_CREATED)


class DiscardView(APIView):
    @publishing_operation(
        "agents_discard",
        "Drop every unpublished change: Staging becomes Production again",
        request=None,
        ok=StagingDiffSerializer,
        conflict=OpenApiResponse(DomainErrorSerializer, description="nothing_to_discard."),
    )
    def post(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.PUBLISHER)
        services.discard_staging(agent=agent, acting_user=request.user)
        return staging_diff_response(agent)
