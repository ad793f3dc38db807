"""Rollback: preview a restore or revert of one publish, and make it onto Staging."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.api.base import validated
from agents.api.schema import field_errors_serializer
from agents.permissions import Role, get_agent_for
from configuration.diff import SECTIONS
from publishing import services
from publishing.api.operations import publishing_operation
from publishing.api.paths import (
    CHANGE_TRACK_ID,
    ChangeTrackIdErrorSerializer,
    StrictUUIDField,
    change_track_id_from_path,
    publish_record_or_404,
)
from publishing.api.review import StagingDiffSerializer, staging_diff_response
from publishing.api.shapes import DiffSerializer, QuerySerializer, validated_query
from publishing.services import MODES, RESTORE


class RollbackInputSerializer(serializers.Serializer):
    change_track_id = StrictUUIDField(
        help_text="The publish to roll back to (restore) or undo (revert)."
    )
    mode = serializers.ChoiceField(choices=MODES, default=RESTORE, required=False)


class RollbackPreviewQuerySerializer(QuerySerializer):
    mode = serializers.ChoiceField(choices=MODES, default=RESTORE, required=False)


class ConflictSerializer(serializers.Serializer):
    section = serializers.ChoiceField(choices=SECTIONS)
    key = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    published = serializers.JSONField(allow_null=True, help_text="What the publish set.")
    current = serializers.JSONField(allow_null=True, help_text="What Staging has now.")
    reverted_to = serializers.JSONField(allow_null=True, help_text="What a revert would set.")
    detail = serializers.CharField()


class RollbackPreviewSerializer(serializers.Serializer):
    change_track_id = serializers.UUIDField()
    mode = serializers.ChoiceField(choices=MODES)
    staging = DiffSerializer(help_text="Current Staging -> Staging after the rollback.")
    production = DiffSerializer(
        help_text="Current Production -> what a publish right after the rollback makes live."
    )
    conflicts = ConflictSerializer(
        many=True,
        help_text="Atoms changed again since (revert), and catalogue definitions that differ "
        "today (either mode): the rollback is refused.",
    )


class RevertConflictSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["conflict", "definition_changed"],
        help_text="`definition_changed`: a shared component is defined differently in the "
        "catalogue today than in what would be restored (docs/shared-components.md).",
    )
    detail = serializers.CharField()
    conflicts = ConflictSerializer(many=True)


RollbackErrorSerializer = field_errors_serializer(
    "RollbackErrorSerializer", ["change_track_id", "mode", "snapshot", "non_field_errors"]
)


class PublishPreviewView(APIView):
    @publishing_operation(
        "agents_publishes_diff",
        "Preview a restore or revert of one publish",
        description=(
            "`staging`: current Staging -> Staging after the rollback. `production`: current "
            "Production -> what a publish right after would make live. `conflicts` (revert "
            "only): what would make the revert refused. Nothing is written."
        ),
        parameters=(CHANGE_TRACK_ID, RollbackPreviewQuerySerializer),
        ok=RollbackPreviewSerializer,
        invalid=ChangeTrackIdErrorSerializer,
        not_found="No such agent, or no such publish of this agent.",
    )
    def get(self, request: Request, agent_id: str, change_track_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        query = validated_query(RollbackPreviewQuerySerializer, request)
        record = publish_record_or_404(agent, change_track_id_from_path(change_track_id))
        plan = services.plan_rollback(agent=agent, record=record, mode=query["mode"])
        return Response(plan.as_dict())


class RollbackView(APIView):
    @publishing_operation(
        "agents_rollback",
        "Restore or revert a publish onto Staging (Production untouched)",
        description=(
            "`restore` (default): Staging becomes the configuration as published in that "
            "entry. `revert`: only that publish's changes are undone; a field changed again "
            "since is a conflict (409) and Staging is left unchanged. Either way a catalogue "
            "definition that differs today is refused (409 `definition_changed`). Answers "
            "the new staging-diff."
        ),
        request=RollbackInputSerializer,
        ok=StagingDiffSerializer,
        invalid=RollbackErrorSerializer,
        not_found="No such agent, or no such publish of this agent.",
        conflict=OpenApiResponse(
            RevertConflictSerializer,
            description="Revert conflicts, or a catalogue definition changed since.",
        ),
    )
    def put(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.PUBLISHER)
        data = validated(RollbackInputSerializer, request)
        record = publish_record_or_404(agent, str(data["change_track_id"]))
        services.rollback_agent(
            agent=agent, acting_user=request.user, record=record, mode=data["mode"]
        )
        return staging_diff_response(agent)
