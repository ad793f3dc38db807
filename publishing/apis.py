"""The publishing API: review, publish, publish history, rollback, discard, edit history.

Thin views: each checks the caller's role through ``agents.permissions.get_agent_for`` (404
for an agent they may not see, 403 for a too-weak role), validates its input with a
serializer (400 with per-field messages, nothing written), then calls one selector or one
service. Domain refusals (``NothingToPublish``, ``StaleReview``, ``RevertConflict``,
``NothingToDiscard``) become 409 in ``ejento_staging.exceptions``.

Order of checks, the same on every endpoint: signed in (401) -> may see the agent (404) ->
role strong enough (403) -> input well-formed (400) -> the named publish or checkpoint
belongs to this agent (404).

Roles: ``editor`` reads Staging, the diffs and both histories; ``publisher`` publishes,
rolls back, restores checkpoints and discards (a discard throws away other people's
unpublished work, so it is a publisher's call like the rollback it resembles); ``viewer``
sees only ``status``, where Staging's state is reported as ``null``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.models import Agent, StagingConfiguration
from agents.permissions import Role, get_agent_for
from agents.selectors import has_unpublished_changes
from ejento_staging.ids import MAX_ID, parse_id
from publishing import selectors, services
from publishing.models import PublishRecord
from publishing.pagination import SequencePagination
from publishing.serializers import (
    ChangeTrackIdErrorSerializer,
    CheckpointDetailSerializer,
    CheckpointSerializer,
    DetailErrorSerializer,
    DomainErrorSerializer,
    HistoryIdErrorSerializer,
    PageErrorSerializer,
    PublishConflictSerializer,
    PublishErrorSerializer,
    PublishFilterErrorSerializer,
    PublishFilterSerializer,
    PublishInputSerializer,
    PublishRecordDetailSerializer,
    PublishRecordSerializer,
    RevertConflictSerializer,
    RollbackErrorSerializer,
    RollbackInputSerializer,
    RollbackPreviewQuerySerializer,
    RollbackPreviewSerializer,
    StagingDiffSerializer,
    StatusSerializer,
    StrictUUIDField,
)

TAG = "publishing"

# Ids as the server takes them: a positive integer the database can store.
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
AGENT_ID = OpenApiParameter(
    "agent_id", ID_SCHEMA, OpenApiParameter.PATH, description="The agent's id."
)
CHANGE_TRACK_ID = OpenApiParameter(
    "change_track_id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="The publish's change_track_id.",
)
HISTORY_ID = OpenApiParameter(
    "history_id", ID_SCHEMA, OpenApiParameter.PATH, description="A checkpoint's history_id."
)

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


def _refusals(not_found: str = "No such agent, or one the caller may not see.") -> dict:
    return {
        401: UNAUTHENTICATED,
        403: FORBIDDEN,
        404: OpenApiResponse(DetailErrorSerializer, description=not_found),
    }


def _change_track_id(value: Any) -> str:
    """A path's change_track_id, or 400 naming the field (never a 500 from the database)."""
    field = StrictUUIDField()
    try:
        return str(field.to_internal_value(value))
    except ValidationError as exc:
        raise ValidationError({"change_track_id": exc.detail}) from None


def _history_id(value: Any) -> int:
    """A path's history_id: 400 unless a whole number, 404 if it cannot name a checkpoint."""
    text = str(value)
    # A whole number only: DRF's IntegerField would take "1.0" or " 1" for checkpoint 1.
    digits = text[1:] if text.startswith("-") else text
    if not digits.isascii() or not digits.isdigit():
        raise ValidationError({"history_id": ["A valid integer is required."]})
    number = parse_id(digits)
    if text.startswith("-") or number is None:
        raise NotFound("No such checkpoint for this agent.")
    return number


def _record(agent: Agent, change_track_id: str) -> PublishRecord:
    try:
        return selectors.get_publish_record(agent=agent, change_track_id=change_track_id)
    except PublishRecord.DoesNotExist:
        # Another agent's publish answers exactly like one that never existed.
        raise NotFound("No such publish for this agent.") from None


def _checkpoint(agent: Agent, history_id: int) -> Any:
    try:
        return selectors.get_checkpoint(agent=agent, history_id=history_id)
    except StagingConfiguration.DoesNotExist:
        raise NotFound("No such checkpoint for this agent.") from None


def _staging_diff(agent: Agent) -> Response:
    return Response(selectors.review_staging(agent).as_dict())


class StagingDiffView(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="agents_staging_diff",
        summary="Review: Staging against Production",
        parameters=[AGENT_ID],
        responses={200: StagingDiffSerializer, **_refusals()},
    )
    def get(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        return _staging_diff(agent)


class PublishView(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="agents_publish",
        summary="Publish: Production becomes Staging",
        description=(
            "Atomic: Production becomes Staging and a publish record is written, or nothing "
            "happens. 409 `nothing_to_publish` when Staging equals Production; 409 "
            "`stale_review` when `expected_fingerprint` no longer names the current state."
        ),
        parameters=[AGENT_ID],
        request=PublishInputSerializer,
        responses={
            201: PublishRecordDetailSerializer,
            400: PublishErrorSerializer,
            **_refusals(),
            409: OpenApiResponse(
                PublishConflictSerializer, description="nothing_to_publish or stale_review."
            ),
            **BODY_REFUSALS,
        },
    )
    def post(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.PUBLISHER)
        serializer = PublishInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = services.publish_agent(
            agent=agent,
            acting_user=request.user,
            notes=serializer.validated_data["notes"],
            expected_fingerprint=serializer.validated_data["expected_fingerprint"],
        )
        # Re-read through the selector so the answer has the same form as the detail GET.
        record = selectors.get_publish_record(agent=agent, change_track_id=record.change_track_id)
        return Response(PublishRecordDetailSerializer(record).data, status=status.HTTP_201_CREATED)


class PublishListView(GenericAPIView):
    serializer_class = PublishRecordSerializer

    @extend_schema(
        tags=[TAG],
        operation_id="agents_publishes_list",
        summary="Publish history, newest first",
        parameters=[AGENT_ID, PublishFilterSerializer],
        responses={
            200: PublishRecordSerializer(many=True),
            400: PublishFilterErrorSerializer,
            **_refusals("No such agent (or one the caller may not see), or no such page."),
        },
    )
    def get(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        filters = PublishFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        records = selectors.publish_records(agent=agent, **filters.validated_data)
        if all(value is None for value in filters.validated_data.values()):
            self.pagination_class = SequencePagination
        page = self.paginate_queryset(records)
        return self.get_paginated_response(PublishRecordSerializer(page, many=True).data)


class PublishDetailView(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="agents_publishes_retrieve",
        summary="One publish record, with its changes and snapshot",
        parameters=[AGENT_ID, CHANGE_TRACK_ID],
        responses={
            200: PublishRecordDetailSerializer,
            400: ChangeTrackIdErrorSerializer,
            **_refusals("No such agent, or no such publish of this agent."),
        },
    )
    def get(self, request: Request, agent_id: str, change_track_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        record = _record(agent, _change_track_id(change_track_id))
        return Response(PublishRecordDetailSerializer(record).data)


class PublishPreviewView(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="agents_publishes_diff",
        summary="Preview a restore or revert of one publish",
        description=(
            "`staging`: current Staging -> Staging after the rollback. `production`: current "
            "Production -> what a publish right after would make live. `conflicts` (revert "
            "only): what would make the revert refused. Nothing is written."
        ),
        parameters=[AGENT_ID, CHANGE_TRACK_ID, RollbackPreviewQuerySerializer],
        responses={
            200: RollbackPreviewSerializer,
            400: ChangeTrackIdErrorSerializer,
            **_refusals("No such agent, or no such publish of this agent."),
        },
    )
    def get(self, request: Request, agent_id: str, change_track_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        query = RollbackPreviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        record = _record(agent, _change_track_id(change_track_id))
        plan = services.plan_rollback(agent=agent, record=record, mode=query.validated_data["mode"])
        return Response(plan.as_dict())


class RollbackView(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="agents_rollback",
        summary="Restore or revert a publish onto Staging (Production untouched)",
        description=(
            "`restore` (default): Staging becomes the configuration as published in that "
            "entry. `revert`: only that publish's changes are undone; a field changed again "
            "since is a conflict (409) and Staging is left unchanged. Answers the new "
            "staging-diff."
        ),
        parameters=[AGENT_ID],
        request=RollbackInputSerializer,
        responses={
            200: StagingDiffSerializer,
            400: RollbackErrorSerializer,
            **_refusals("No such agent, or no such publish of this agent."),
            409: OpenApiResponse(RevertConflictSerializer, description="Revert conflicts."),
            **BODY_REFUSALS,
        },
    )
    def put(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.PUBLISHER)
        serializer = RollbackInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = _record(agent, str(serializer.validated_data["change_track_id"]))
        services.rollback_agent(
            agent=agent,
            acting_user=request.user,
            record=record,
            mode=serializer.validated_data["mode"],
        )
        return _staging_diff(agent)


class DiscardView(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="agents_discard",
        summary="Drop every unpublished change: Staging becomes Production again",
        parameters=[AGENT_ID],
        request=None,
        responses={
            200: StagingDiffSerializer,
            **_refusals(),
            409: OpenApiResponse(DomainErrorSerializer, description="nothing_to_discard."),
        },
    )
    def post(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.PUBLISHER)
        services.discard_staging(agent=agent, acting_user=request.user)
        return _staging_diff(agent)


class HistoryListView(GenericAPIView):
    serializer_class = CheckpointSerializer

    @extend_schema(
        tags=[TAG],
        operation_id="agents_history_list",
        summary="Edit history of Staging, newest first",
        parameters=[AGENT_ID],
        responses={
            200: CheckpointSerializer(many=True),
            400: PageErrorSerializer,
            **_refusals("No such agent (or one the caller may not see), or no such page."),
        },
    )
    def get(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        page = self.paginate_queryset(selectors.edit_history(agent))
        return self.get_paginated_response(CheckpointSerializer(page, many=True).data)


class HistoryDetailView(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="agents_history_retrieve",
        summary="One checkpoint and what it changed against the one before",
        parameters=[AGENT_ID, HISTORY_ID],
        responses={
            200: CheckpointDetailSerializer,
            400: HistoryIdErrorSerializer,
            **_refusals("No such agent, or no such checkpoint of this agent."),
        },
    )
    def get(self, request: Request, agent_id: str, history_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        checkpoint = _checkpoint(agent, _history_id(history_id))
        diff = selectors.checkpoint_diff(agent=agent, checkpoint=checkpoint)
        data = dict(CheckpointSerializer(checkpoint).data)
        data.update(
            has_changes=diff.has_changes,
            counts=diff.counts,
            changes_summary=diff.summary,
            changes=[change.as_dict() for change in diff.changes],
        )
        return Response(data)


class HistoryRestoreView(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="agents_history_restore",
        summary="Staging becomes one checkpoint again (Production untouched)",
        parameters=[AGENT_ID, HISTORY_ID],
        request=None,
        responses={
            200: StagingDiffSerializer,
            400: HistoryIdErrorSerializer,
            **_refusals("No such agent, or no such checkpoint of this agent."),
        },
    )
    def post(self, request: Request, agent_id: str, history_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.PUBLISHER)
        checkpoint = _checkpoint(agent, _history_id(history_id))
        services.restore_checkpoint(agent=agent, acting_user=request.user, history_id=checkpoint.pk)
        return _staging_diff(agent)


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
                    drf_serializers.DateTimeField().to_representation(production.published_at)
                    if production is not None
                    else None
                ),
                "last_change_track_id": (
                    str(production.change_track_id) if production is not None else None
                ),
            }
        )
