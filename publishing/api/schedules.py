"""Scheduled publishes: ``/agents/{id}/schedules`` (list, schedule), one, and cancelling one.

Editors see an agent's schedules (they see Staging); scheduling and cancelling are a
publisher's calls (``publishing.scheduling`` checks the role itself).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.api.base import validated
from agents.api.schema import field_errors_serializer
from agents.permissions import Role, get_agent_for
from agents.serializers.common import RecordedUserSerializer
from agents.validation import FINGERPRINT_INVALID, FINGERPRINT_PATTERN
from ejento_staging.api_fields import ParsedField
from publishing import scheduling
from publishing.api.operations import publishing_list_operation, publishing_operation
from publishing.api.paths import ID_SCHEMA
from publishing.api.refusals import DomainErrorSerializer
from publishing.api.review import NotesField
from publishing.api.shapes import QuerySerializer, validated_query
from publishing.models import ScheduledPublish
from publishing.selectors_schedules import SCHEDULE_STATES, get_schedule, schedules_of

SCHEDULE_ID = OpenApiParameter(
    "schedule_id", ID_SCHEMA, OpenApiParameter.PATH, description="A scheduled publish's id."
)


@extend_schema_field(
    {
        "type": "string",
        "format": "date-time",
        "description": "When to publish: in the future, at most a year ahead, with its UTC "
        "offset (e.g. 2030-01-31T02:00:00+01:00).",
    }
)
class PublishAtField(ParsedField):
    def parse(self, data: Any) -> datetime:
        return scheduling.clean_publish_at(data)

    def to_representation(self, value: datetime) -> str:
        return serializers.DateTimeField().to_representation(value)


@extend_schema_field(
    {
        "type": "string",
        "pattern": f"^{FINGERPRINT_PATTERN.pattern}$",
        "description": "The `fingerprint` of the staging-diff that was reviewed: the state "
        "that is to go live. If Staging or Production moves before then, nothing is "
        "published and the schedule fails as `stale_review`.",
    }
)
class ReviewedFingerprintField(serializers.Field):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str) or not FINGERPRINT_PATTERN.fullmatch(data):
            raise serializers.ValidationError(FINGERPRINT_INVALID)
        return data

    def to_representation(self, value: str) -> str:
        return value


@extend_schema_field(
    {
        "type": "string",
        "pattern": f"^({'|'.join(SCHEDULE_STATES)})$",
        "description": "pending (waiting for publish_at), succeeded (published: "
        "change_track_id), failed (nothing published: reason, detail) or cancelled.",
    }
)
class ScheduleStateField(serializers.CharField):
    """A pattern rather than an enum: a ``status`` enum component would collide by name with
    the other states called ``status``."""


class ScheduleInputSerializer(serializers.Serializer):
    publish_at = PublishAtField()
    expected_fingerprint = ReviewedFingerprintField()
    notes = NotesField(required=False, default="")


class ScheduleFilterSerializer(QuerySerializer):
    status = serializers.ChoiceField(
        choices=SCHEDULE_STATES, required=False, help_text="Only the schedules in this state."
    )


# Who scheduled or cancelled: a user on record (the name outlives the account), under this
# resource's own component name.
class ScheduleUserRefSerializer(RecordedUserSerializer):
    pass


class ScheduleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agent_id = serializers.IntegerField()
    status = ScheduleStateField()
    publish_at = serializers.DateTimeField()
    notes = serializers.CharField(allow_blank=True)
    expected_fingerprint = serializers.CharField()
    scheduled_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    reason = serializers.SerializerMethodField()
    detail = serializers.SerializerMethodField()
    finished_at = serializers.DateTimeField(
        allow_null=True, help_text="When it was published, failed or was cancelled."
    )
    cancelled_by = serializers.SerializerMethodField()
    change_track_id = serializers.SerializerMethodField()

    @extend_schema_field(ScheduleUserRefSerializer)
    def get_scheduled_by(self, schedule: ScheduledPublish) -> dict[str, Any]:
        # The username is kept on the schedule, so it outlives the account.
        return {"id": schedule.scheduled_by_id, "username": schedule.scheduled_by_username}

    @extend_schema_field(
        {
            "type": "string",
            "nullable": True,
            "pattern": "^[a-z_]+$",
            "description": "Why a failed schedule published nothing: stale_review, "
            "nothing_to_publish, approval_required, checks_not_passed or "
            "permission_denied. Null unless failed.",
        }
    )
    def get_reason(self, schedule: ScheduledPublish) -> str | None:
        return schedule.failure_code or None

    @extend_schema_field(
        serializers.CharField(allow_null=True, help_text="The reason in words; null unless failed.")
    )
    def get_detail(self, schedule: ScheduledPublish) -> str | None:
        return schedule.failure_detail or None

    @extend_schema_field(ScheduleUserRefSerializer(allow_null=True))
    def get_cancelled_by(self, schedule: ScheduledPublish) -> dict[str, Any] | None:
        user = schedule.cancelled_by
        return None if user is None else {"id": user.pk, "username": user.username}

    @extend_schema_field(
        serializers.UUIDField(
            allow_null=True, help_text="The publish this schedule made; null until it succeeds."
        )
    )
    def get_change_track_id(self, schedule: ScheduledPublish) -> str | None:
        value = getattr(schedule, "change_track_id", None)
        return str(value) if value is not None else None


ScheduleErrorSerializer = field_errors_serializer(
    "ScheduleErrorSerializer",
    ["publish_at", "expected_fingerprint", "notes", "status", "page", "non_field_errors"],
)


class ScheduleConflictSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["stale_review", "nothing_to_publish", "schedule_exists"]
    )
    detail = serializers.CharField()
    has_changes = serializers.BooleanField(required=False)
    fingerprint = serializers.CharField(
        required=False, help_text="stale_review only: the fingerprint of the state now."
    )


def schedule_or_404(agent: Any, schedule_id: str) -> ScheduledPublish:
    try:
        return get_schedule(agent=agent, schedule_id=schedule_id)
    except ScheduledPublish.DoesNotExist:
        raise NotFound("No such scheduled publish for this agent.") from None


def schedule_response(agent: Any, schedule_id: str, code: int = status.HTTP_200_OK) -> Response:
    """The schedule as its GET shows it. Read again through the selector after a write, so
    the answer carries what the selector adds (the publish it made, who cancelled it)."""
    return Response(ScheduleSerializer(schedule_or_404(agent, schedule_id)).data, status=code)


ON_ONE_SCHEDULE = {
    "parameters": (SCHEDULE_ID,),
    "not_found": "No such agent, or no such scheduled publish of this agent.",
}


class ScheduleListView(GenericAPIView):
    serializer_class = ScheduleInputSerializer

    @publishing_list_operation(
        "agents_schedules_list",
        "Scheduled publishes, newest first",
        filters=ScheduleFilterSerializer,
        row=ScheduleSerializer,
        invalid=ScheduleErrorSerializer,
    )
    def get(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        filters = validated_query(ScheduleFilterSerializer, request)
        page = self.paginate_queryset(schedules_of(agent, filters.get("status")))
        return self.get_paginated_response(ScheduleSerializer(page, many=True).data)

    @publishing_operation(
        "agents_schedules_create",
        "Schedule the reviewed state of Staging to be published later",
        description=(
            "At `publish_at` a worker publishes as the caller, with their role checked then. "
            "If Staging or Production moved since the review, nothing is published and the "
            "schedule fails with its reason. 409 now: `stale_review` (Staging already moved), "
            "`nothing_to_publish`, `schedule_exists` (one is pending: cancel it first)."
        ),
        request=ScheduleInputSerializer,
        ok=ScheduleSerializer,
        ok_status=201,
        invalid=ScheduleErrorSerializer,
        conflict=OpenApiResponse(
            ScheduleConflictSerializer,
            description="stale_review, nothing_to_publish or schedule_exists.",
        ),
    )
    def post(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.PUBLISHER)
        data = validated(ScheduleInputSerializer, request)
        schedule = scheduling.schedule_publish(agent=agent, acting_user=request.user, **data)
        return schedule_response(agent, str(schedule.pk), status.HTTP_201_CREATED)


class ScheduleDetailView(APIView):
    @publishing_operation(
        "agents_schedules_retrieve",
        "One scheduled publish",
        ok=ScheduleSerializer,
        **ON_ONE_SCHEDULE,
    )
    def get(self, request: Request, agent_id: str, schedule_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        return schedule_response(agent, schedule_id)


class ScheduleCancelView(APIView):
    @publishing_operation(
        "agents_schedules_cancel",
        "Cancel a pending scheduled publish",
        request=None,
        ok=ScheduleSerializer,
        conflict=OpenApiResponse(DomainErrorSerializer, description="schedule_not_pending."),
        **ON_ONE_SCHEDULE,
    )
    def post(self, request: Request, agent_id: str, schedule_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.PUBLISHER)
        schedule = schedule_or_404(agent, schedule_id)
        scheduling.cancel_schedule(schedule=schedule, acting_user=request.user)
        return schedule_response(agent, schedule_id)
