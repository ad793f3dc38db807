"""The edit history of Staging: its checkpoints, one in detail, and restoring one."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.permissions import Role, get_agent_for
from publishing import selectors, services
from publishing.api.operations import publishing_list_operation, publishing_operation
from publishing.api.paths import (
    ON_ONE_CHECKPOINT,
    checkpoint_or_404,
    history_id_from_path,
)
from publishing.api.publishes import MAX_USER_ID, DateOrDateTimeField, QueryIdField
from publishing.api.refusals import error_list
from publishing.api.review import StagingDiffSerializer, staging_diff_response
from publishing.api.rollback import RevertConflictSerializer
from publishing.api.shapes import (
    DiffEntrySerializer,
    QuerySerializer,
    SectionCountsSerializer,
    validated_query,
)


class EditorRefSerializer(serializers.Serializer):
    """Who made an edit; ``id`` is null once that user has been deleted."""

    id = serializers.IntegerField(allow_null=True)
    username = serializers.CharField()


class CheckpointPublishSerializer(serializers.Serializer):
    """The publish that took a checkpoint live."""

    change_track_id = serializers.UUIDField()
    sequence = serializers.IntegerField()


class CheckpointSerializer(serializers.Serializer):
    """One checkpoint of Staging's edit history (one per staging edit)."""

    history_id = serializers.IntegerField()
    revision = serializers.IntegerField(help_text="Staging's revision after this edit.")
    changed_by = serializers.SerializerMethodField()
    changed_at = serializers.DateTimeField(source="history_date")
    summary = serializers.CharField(
        source="history_change_reason", allow_blank=True, default="", help_text="What the edit did."
    )

    published = serializers.SerializerMethodField(
        help_text="The publish that took this checkpoint live, or null: never published, or "
        "published before the history kept fingerprints (such a publish is not guessed at)."
    )

    @extend_schema_field(CheckpointPublishSerializer(allow_null=True))
    def get_published(self, checkpoint: Any) -> dict[str, Any] | None:
        sequence = getattr(checkpoint, "published_sequence", None)
        if sequence is None:
            return None
        return {"change_track_id": str(checkpoint.published_track_id), "sequence": sequence}

    @extend_schema_field(EditorRefSerializer(allow_null=True))
    def get_changed_by(self, checkpoint: Any) -> dict[str, Any] | None:
        user = checkpoint.history_user
        if user is not None:
            return {"id": user.pk, "username": user.username}
        # The user was deleted: the username kept on the history row still names them.
        if checkpoint.history_username:
            return {"id": None, "username": checkpoint.history_username}
        return None

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["summary"] = data["summary"] or ""
        return data


class CheckpointDetailSerializer(CheckpointSerializer):
    """A checkpoint and what it changed against the checkpoint before it."""

    has_changes = serializers.BooleanField()
    counts = SectionCountsSerializer()
    changes_summary = serializers.CharField(help_text="The diff's summary, e.g. '1 tool added'.")
    changes = DiffEntrySerializer(many=True)


class HistoryFilterSerializer(QuerySerializer):
    changed_by = QueryIdField(required=False, max_id=MAX_USER_ID, help_text="A user id.")
    changed_after = DateOrDateTimeField(
        required=False, help_text="ISO date or datetime; inclusive (a date: from its start)."
    )
    changed_before = DateOrDateTimeField(
        required=False,
        end_of_day=True,
        help_text="ISO date or datetime; inclusive (a date: the whole day).",
    )


class HistoryFilterErrorSerializer(serializers.Serializer):
    changed_by = error_list()
    changed_after = error_list()
    changed_before = error_list()
    page = error_list()


class HistoryListView(GenericAPIView):
    serializer_class = CheckpointSerializer

    @publishing_list_operation(
        "agents_history_list",
        "Edit history of Staging, newest first",
        filters=HistoryFilterSerializer,
        row=CheckpointSerializer,
        invalid=HistoryFilterErrorSerializer,
    )
    def get(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        filters = validated_query(HistoryFilterSerializer, request)
        page = self.paginate_queryset(selectors.edit_history(agent, **filters))
        return self.get_paginated_response(CheckpointSerializer(page, many=True).data)


class HistoryDetailView(APIView):
    @publishing_operation(
        "agents_history_retrieve",
        "One checkpoint and what it changed against the one before",
        ok=CheckpointDetailSerializer,
        **ON_ONE_CHECKPOINT,
    )
    def get(self, request: Request, agent_id: str, history_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        checkpoint = checkpoint_or_404(agent, history_id_from_path(history_id))
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
    @publishing_operation(
        "agents_history_restore",
        "Staging becomes one checkpoint again (Production untouched)",
        request=None,
        ok=StagingDiffSerializer,
        conflict=OpenApiResponse(
            RevertConflictSerializer,
            description="`definition_changed`: a catalogue definition differs today.",
        ),
        **ON_ONE_CHECKPOINT,
    )
    def post(self, request: Request, agent_id: str, history_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.PUBLISHER)
        checkpoint = checkpoint_or_404(agent, history_id_from_path(history_id))
        services.restore_checkpoint(agent=agent, acting_user=request.user, history_id=checkpoint.pk)
        return staging_diff_response(agent)
