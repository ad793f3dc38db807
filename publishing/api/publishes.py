"""The publish history: ``GET /agents/{id}/publishes`` (filtered, paged) and one publish."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.permissions import Role, get_agent_for
from agents.serializers.common import RecordedUserSerializer
from ejento_staging.api_fields import ParsedField
from ejento_staging.ids import MAX_ID, parse_id
from publishing import selectors
from publishing.api.operations import publishing_list_operation, publishing_operation
from publishing.api.paths import (
    ON_ONE_PUBLISH,
    change_track_id_from_path,
    publish_record_or_404,
)
from publishing.api.refusals import error_list
from publishing.api.shapes import (
    AuthorSerializer,
    DiffEntrySerializer,
    QuerySerializer,
    SectionCountsSerializer,
    validated_query,
)
from publishing.inputs import parse_moment
from publishing.models import PublishRecord
from publishing.pagination import SequencePagination
from publishing.schema import ConfigurationField
from publishing.services import MODES
from reviews.api.shapes import PublishGateSerializer

# User ids are 32-bit in auth_user; anything larger can name no one, and the database would
# refuse the comparison rather than find nothing.
MAX_USER_ID = 2**31 - 1


@extend_schema_field(
    {
        # Both forms, so that a generated client can send a date as well as a datetime.
        "oneOf": [
            {"type": "string", "format": "date"},
            {"type": "string", "format": "date-time"},
        ],
    }
)
class DateOrDateTimeField(ParsedField):
    """An ISO date or datetime, as an aware UTC datetime.

    A date alone means its first instant for ``published_after`` and its last for
    ``published_before`` (``end_of_day=True``), so both bounds include the whole day. A
    datetime without an offset is taken in the server's time zone.
    """

    def __init__(self, *, end_of_day: bool = False, **kwargs: Any) -> None:
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def parse(self, data: Any) -> datetime:
        return parse_moment(data, self.field_name, end_of_day=self.end_of_day)

    def to_representation(self, value: datetime | date) -> str:
        return value.isoformat()


@extend_schema_field({"type": "integer", "minimum": 1})
class QueryIdField(serializers.Field):
    """An id in a query string, read by ``parse_id``: ASCII digits only. DRF's IntegerField
    would take ``1.0``, ``+1``, `` 1`` and non-ASCII digits for 1."""

    default_error_messages = {"invalid": "Must be an id (a positive integer)."}

    def __init__(self, *, max_id: int = MAX_ID, **kwargs: Any) -> None:
        self.max_id = max_id
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        number = parse_id(data, max_id=self.max_id) if isinstance(data, str) else None
        if number is None:
            self.fail("invalid")
        return number

    def to_representation(self, value: int) -> int:
        return value


@extend_schema_field({"type": "boolean"})
class QueryBooleanField(serializers.Field):
    """``true`` or ``false`` in a query string. DRF's BooleanField would also take "1", "yes"
    and "on", which the schema's boolean does not promise."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data: Any) -> bool:
        if data not in ("true", "false"):
            self.fail("invalid")
        return data == "true"

    def to_representation(self, value: bool) -> bool:
        return value


class PublishFilterSerializer(QuerySerializer):
    published_by = QueryIdField(required=False, max_id=MAX_USER_ID, help_text="A user id.")
    published_after = DateOrDateTimeField(
        required=False, help_text="ISO date or datetime; inclusive (a date: from its start)."
    )
    published_before = DateOrDateTimeField(
        required=False,
        end_of_day=True,
        help_text="ISO date or datetime; inclusive (a date: the whole day).",
    )
    broke_glass = QueryBooleanField(
        required=False,
        help_text="true: only the publishes an owner made without the publish policy being "
        "met; false: only the others.",
    )


class PublishFilterErrorSerializer(serializers.Serializer):
    published_by = error_list()
    published_after = error_list()
    published_before = error_list()
    broke_glass = error_list()
    page = error_list()


class UserRefSerializer(RecordedUserSerializer):
    class Meta:
        ref_name = "PublishingUserRef"


class ScheduleRefSerializer(serializers.Serializer):
    """The scheduled publish a publish record carried out."""

    id = serializers.IntegerField()
    publish_at = serializers.DateTimeField()
    scheduled_at = serializers.DateTimeField()
    scheduled_by = UserRefSerializer()


class PublishRecordSerializer(serializers.ModelSerializer):
    """One row of the publish history: no change list, no snapshot (those are per record)."""

    published_by = serializers.SerializerMethodField()
    previous_change_track_id = serializers.SerializerMethodField()
    restored_from = serializers.SerializerMethodField()
    restored_mode = serializers.SerializerMethodField()
    schedule = serializers.SerializerMethodField()
    counts = SectionCountsSerializer()
    broke_glass = serializers.BooleanField(
        read_only=True,
        help_text="An owner published without the publish policy being met (the record's "
        "gate.break_glass says why).",
    )

    class Meta:
        model = PublishRecord
        fields = (
            "change_track_id",
            "sequence",
            "published_by",
            "published_at",
            "notes",
            "summary",
            "counts",
            "previous_change_track_id",
            "restored_from",
            "restored_mode",
            "schedule",
            "broke_glass",
        )
        read_only_fields = fields

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_published_by(self, record: PublishRecord) -> dict[str, Any] | None:
        # The username is kept on the record, so the audit trail outlives the account.
        if record.published_by_id is None and not record.published_by_username:
            return None
        return {"id": record.published_by_id, "username": record.published_by_username}

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_previous_change_track_id(self, record: PublishRecord) -> str | None:
        return str(record.previous.change_track_id) if record.previous_id else None

    @extend_schema_field(
        serializers.UUIDField(
            allow_null=True, help_text="The publish a rollback brought back, if any."
        )
    )
    def get_restored_from(self, record: PublishRecord) -> str | None:
        return str(record.restored_from.change_track_id) if record.restored_from_id else None

    @extend_schema_field(
        # A raw schema: a second ChoiceField over MODES would make a second enum component.
        {
            "type": "string",
            "nullable": True,
            "pattern": f"^({'|'.join(MODES)})$",
            "description": "How the rollback was made; null unless restored_from is set.",
        }
    )
    def get_restored_mode(self, record: PublishRecord) -> str | None:
        return (record.restored_mode or None) if record.restored_from_id else None

    @extend_schema_field(ScheduleRefSerializer(allow_null=True))
    def get_schedule(self, record: PublishRecord) -> dict[str, Any] | None:
        schedule = getattr(record, "schedule", None)
        if schedule is None:
            return None
        reference = {
            "id": schedule.pk,
            "publish_at": schedule.publish_at,
            "scheduled_at": schedule.created_at,
            "scheduled_by": {
                "id": schedule.scheduled_by_id,
                "username": schedule.scheduled_by_username,
            },
        }
        return ScheduleRefSerializer(reference).data


class PublishRecordDetailSerializer(PublishRecordSerializer):
    """One publish record in full: what changed, and the configuration that went live."""

    changes = DiffEntrySerializer(many=True)
    snapshot = ConfigurationField(help_text="The whole configuration as published.")
    # Only here: the list does not load it (``selectors.LIST_FIELDS``).
    gate = serializers.SerializerMethodField()
    contributors = serializers.SerializerMethodField(
        help_text="Who made the changes this publish took live, newest first, each with "
        "their latest change; empty for publishes made before contributors were kept."
    )

    class Meta(PublishRecordSerializer.Meta):
        fields = (
            *PublishRecordSerializer.Meta.fields,
            "changes",
            "snapshot",
            "gate",
            "contributors",
        )
        read_only_fields = fields

    @extend_schema_field(PublishGateSerializer)
    def get_gate(self, record: PublishRecord) -> dict[str, Any]:
        # Served exactly as kept (and hashed): a serializer would add the keys it lacks.
        return record.gate

    @extend_schema_field(AuthorSerializer(many=True))
    def get_contributors(self, record: PublishRecord) -> list[dict[str, Any]]:
        return record.contributors


class PublishListView(GenericAPIView):
    serializer_class = PublishRecordSerializer

    @publishing_list_operation(
        "agents_publishes_list",
        "Publish history, newest first",
        filters=PublishFilterSerializer,
        row=PublishRecordSerializer,
        invalid=PublishFilterErrorSerializer,
    )
    def get(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        filters = validated_query(PublishFilterSerializer, request)
        records = selectors.publish_records(agent=agent, **filters)
        if all(value is None for value in filters.values()):
            self.pagination_class = SequencePagination
        page = self.paginate_queryset(records)
        return self.get_paginated_response(PublishRecordSerializer(page, many=True).data)


class PublishDetailView(APIView):
    @publishing_operation(
        "agents_publishes_retrieve",
        "One publish record, with its changes and snapshot",
        ok=PublishRecordDetailSerializer,
        **ON_ONE_PUBLISH,
    )
    def get(self, request: Request, agent_id: str, change_track_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        record = publish_record_or_404(agent, change_track_id_from_path(change_track_id))
        return Response(PublishRecordDetailSerializer(record).data)
