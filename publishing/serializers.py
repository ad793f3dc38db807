"""The publishing API's shapes: what comes in (validated) and what goes out (documented).

Input serializers only validate and convert; the services decide. Output serializers turn
publish records and edit-history checkpoints into the JSON of the HTTP contract
(``/work/shared/API.md``). The others describe bodies the selectors and services already
build as plain dicts (``Review.as_dict()``, ``RollbackPlan.as_dict()``, the domain errors),
so that ``/api/schema/`` states exactly what every answer looks like, refusals included.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from configuration.diff import SECTIONS
from ejento_staging.ids import MAX_ID, parse_id
from publishing.models import NOTES_MAX_LENGTH, PublishRecord
from publishing.schema import ConfigurationField, DiffValueField
from publishing.services import MODES, RESTORE

FINGERPRINT_PATTERN = re.compile(r"[0-9a-f]{64}")
# User ids are 32-bit in auth_user; anything larger can name no one, and the database would
# refuse the comparison rather than find nothing.
MAX_USER_ID = 2**31 - 1
DIFF_CHANGE_KINDS = ("added", "removed", "modified")


# --- input ---------------------------------------------------------------------------------


# Both fields below are plain ``Field``s with a hand-written schema: for a CharField that
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
class NotesField(serializers.Field):
    default_error_messages = {
        "invalid": "Must be a string.",
        "nul": "Must not contain NUL characters.",
        "max_length": f"At most {NOTES_MAX_LENGTH} characters.",
    }

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        if "\x00" in data:
            self.fail("nul")
        if len(data) > NOTES_MAX_LENGTH:
            self.fail("max_length")
        return data.strip()

    def to_representation(self, value: str) -> str:
        return value


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
class FingerprintField(serializers.Field):
    default_error_messages = {
        # A malformed fingerprint can never match; saying so beats a puzzling 409.
        "invalid": "Must be the 64-character hex fingerprint of a staging-diff.",
    }

    def to_internal_value(self, data: Any) -> str | None:
        if data == "":
            return None
        if not isinstance(data, str) or not FINGERPRINT_PATTERN.fullmatch(data):
            self.fail("invalid")
        return data

    def to_representation(self, value: str | None) -> str | None:
        return value


class PublishInputSerializer(serializers.Serializer):
    notes = NotesField(required=False, default="")
    expected_fingerprint = FingerprintField(required=False, allow_null=True, default=None)


class StrictUUIDField(serializers.UUIDField):
    """A UUID given as a string; DRF would also take a number as the UUID's integer value,
    which the schema (``format: uuid`` strings) does not promise and no client means."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class RollbackInputSerializer(serializers.Serializer):
    change_track_id = StrictUUIDField(
        help_text="The publish to roll back to (restore) or undo (revert)."
    )
    mode = serializers.ChoiceField(choices=MODES, default=RESTORE, required=False)


class QuerySerializer(serializers.Serializer):
    """Validates a query string: each parameter at most once, and an empty value is a value.

    DRF reads a form's empty field as "not given" (``?mode=`` would mean the default) and a
    repeated one as its last value; for an API query both are mistakes the caller should
    hear about, as the schema (a single non-empty value) says.
    """

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "getlist"):
            repeated = {
                name: ["Give this parameter once."]
                for name in self.fields
                if len(data.getlist(name)) > 1
            }
            if repeated:
                raise serializers.ValidationError(repeated)
            data = {name: data[name] for name in self.fields if name in data}
        return super().to_internal_value(data)


class RollbackPreviewQuerySerializer(QuerySerializer):
    mode = serializers.ChoiceField(choices=MODES, default=RESTORE, required=False)


@extend_schema_field(
    {
        # Both forms, so that a generated client can send a date as well as a datetime.
        "oneOf": [
            {"type": "string", "format": "date"},
            {"type": "string", "format": "date-time"},
        ],
    }
)
class DateOrDateTimeField(serializers.Field):
    """An ISO date or datetime, as an aware UTC datetime.

    A date alone means its first instant for ``published_after`` and its last for
    ``published_before`` (``end_of_day=True``), so both bounds include the whole day. A
    datetime without an offset is taken in the server's time zone.
    """

    default_error_messages = {
        "invalid": (
            "Must be an ISO 8601 date (YYYY-MM-DD) or datetime (YYYY-MM-DDThh:mm[:ss][±hh:mm])."
        ),
    }

    def __init__(self, *, end_of_day: bool = False, **kwargs: Any) -> None:
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> datetime:
        if not isinstance(data, str):
            self.fail("invalid")
        # RFC 3339 allows a lower-case "t" and "z"; Python's parsers want upper case.
        text = data.strip().upper()
        try:
            # The date first: Python's datetime parser takes a bare date as its midnight,
            # which would make "published_before=<date>" leave out that very day.
            day = parse_date(text)
            moment = None if day is not None else parse_datetime(text)
        except ValueError:  # well-formed but impossible, e.g. month 13
            self.fail("invalid")
        try:
            if moment is None:
                if day is None:
                    self.fail("invalid")
                moment = datetime.combine(day, time.max if self.end_of_day else time.min)
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            # Normalised here, where an offset that pushes the value past year 1 or 9999 can
            # be caught, rather than as an overflow inside the database adapter. Such a bound
            # lies beyond every record, so the edge of the calendar means the same.
            return moment.astimezone(UTC)
        except OverflowError:
            edge = datetime.max if moment.year > 1 else datetime.min
            return edge.replace(tzinfo=UTC)

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


# --- output: diffs and reviews -------------------------------------------------------------


class DiffEntrySerializer(serializers.Serializer):
    section = serializers.ChoiceField(choices=SECTIONS)
    key = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    change = serializers.ChoiceField(choices=DIFF_CHANGE_KINDS)
    before = DiffValueField(allow_null=True)
    after = DiffValueField(allow_null=True)


class SectionCountsSerializer(serializers.Serializer):
    settings = serializers.IntegerField(min_value=0)
    instructions = serializers.IntegerField(min_value=0)
    knowledge_sources = serializers.IntegerField(min_value=0)
    tools = serializers.IntegerField(min_value=0)
    guardrails = serializers.IntegerField(min_value=0)


class ConstantField(serializers.Field):
    """A string that is always ``value``. Described by a pattern, not a one-value enum: the
    enum would be a schema component whose name collides with any other field that has the
    same single choice (e.g. an ``environment`` that is always "production")."""

    def __init__(self, value: str, **kwargs: Any) -> None:
        self.value = value
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)
        # What extend_schema_field would set; per instance, as the value differs.
        self._spectacular_annotation = {
            "field": {"type": "string", "pattern": f"^{re.escape(value)}$"}
        }

    def to_representation(self, value: Any) -> str:
        return self.value


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
    changes = DiffEntrySerializer(many=True)


class DiffSerializer(serializers.Serializer):
    has_changes = serializers.BooleanField()
    counts = SectionCountsSerializer()
    summary = serializers.CharField()
    changes = DiffEntrySerializer(many=True)


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
        many=True, help_text="Revert only: atoms changed again since; a revert is refused."
    )


# --- output: publish records ---------------------------------------------------------------


class UserRefSerializer(serializers.Serializer):
    class Meta:
        ref_name = "PublishingUserRef"

    id = serializers.IntegerField(allow_null=True, help_text="Null once the user is deleted.")
    username = serializers.CharField(allow_blank=True)


class PublishRecordSerializer(serializers.ModelSerializer):
    """One row of the publish history: no change list, no snapshot (those are per record)."""

    published_by = serializers.SerializerMethodField()
    previous_change_track_id = serializers.SerializerMethodField()
    restored_from = serializers.SerializerMethodField()
    restored_mode = serializers.SerializerMethodField()
    counts = SectionCountsSerializer()

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


class PublishRecordDetailSerializer(PublishRecordSerializer):
    """One publish record in full: what changed, and the configuration that went live."""

    changes = DiffEntrySerializer(many=True)
    snapshot = ConfigurationField(help_text="The whole configuration as published.")

    class Meta(PublishRecordSerializer.Meta):
        fields = (*PublishRecordSerializer.Meta.fields, "changes", "snapshot")
        read_only_fields = fields


# --- output: edit history and status --------------------------------------------------------


class EditorRefSerializer(serializers.Serializer):
    """Who made an edit; ``id`` is null once that user has been deleted."""

    id = serializers.IntegerField(allow_null=True)
    username = serializers.CharField()


class CheckpointSerializer(serializers.Serializer):
    """One checkpoint of Staging's edit history (one per staging edit)."""

    history_id = serializers.IntegerField()
    revision = serializers.IntegerField(help_text="Staging's revision after this edit.")
    changed_by = serializers.SerializerMethodField()
    changed_at = serializers.DateTimeField(source="history_date")
    summary = serializers.CharField(
        source="history_change_reason", allow_blank=True, default="", help_text="What the edit did."
    )

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


class StatusSerializer(serializers.Serializer):
    class Meta:
        ref_name = "AgentStatus"

    published = serializers.BooleanField()
    has_unpublished_changes = serializers.BooleanField(
        allow_null=True,
        help_text="Null for viewers, who see Production only.",
    )
    last_published_at = serializers.DateTimeField(allow_null=True)
    last_change_track_id = serializers.UUIDField(allow_null=True)


# --- output: refusals ----------------------------------------------------------------------


class DetailErrorSerializer(serializers.Serializer):
    class Meta:
        ref_name = "PublishingDetailError"

    detail = serializers.CharField()


class PublishConflictSerializer(serializers.Serializer):
    has_changes = serializers.BooleanField()
    code = serializers.ChoiceField(choices=["nothing_to_publish", "stale_review"])
    detail = serializers.CharField()
    fingerprint = serializers.CharField(
        required=False, help_text="stale_review only: the fingerprint of the state now."
    )


class DomainErrorSerializer(serializers.Serializer):
    class Meta:
        ref_name = "PublishingDomainError"

    code = serializers.CharField()
    detail = serializers.CharField()


class RevertConflictSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["conflict"])
    detail = serializers.CharField()
    conflicts = ConflictSerializer(many=True)


def _errors() -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), required=False)


class PublishErrorSerializer(serializers.Serializer):
    """400: one list of messages per offending field (``detail`` for an unreadable body)."""

    notes = _errors()
    expected_fingerprint = _errors()
    non_field_errors = _errors()
    detail = serializers.CharField(required=False)


class RollbackErrorSerializer(serializers.Serializer):
    change_track_id = _errors()
    mode = _errors()
    snapshot = _errors()
    non_field_errors = _errors()
    detail = serializers.CharField(required=False)


class PublishFilterErrorSerializer(serializers.Serializer):
    published_by = _errors()
    published_after = _errors()
    published_before = _errors()
    page = _errors()


class PageErrorSerializer(serializers.Serializer):
    page = _errors()


class ChangeTrackIdErrorSerializer(serializers.Serializer):
    change_track_id = _errors()
    mode = _errors()


class HistoryIdErrorSerializer(serializers.Serializer):
    history_id = _errors()
    snapshot = _errors()
    non_field_errors = _errors()
