"""The ids in the publishing API's paths: how they are documented, read and looked up.

Ids are matched as plain path segments (``publishing.api_urls``) and read here, so a
malformed one gets the API's JSON answer: 404 for an agent (``get_agent_for``), 400 for a
change_track_id or history_id that is not one, 404 for one that names nothing of this agent.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError

from agents.models import Agent, StagingConfiguration
from ejento_staging.ids import MAX_ID, parse_id
from publishing import selectors
from publishing.api.refusals import error_list
from publishing.models import PublishRecord

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


INSTRUCTION_ID = OpenApiParameter(
    "instruction_id",
    ID_SCHEMA,
    OpenApiParameter.PATH,
    description="An instruction of the agent's Staging.",
)


class StrictUUIDField(serializers.UUIDField):
    """A UUID given as a string; DRF would also take a number as the UUID's integer value,
    which the schema (``format: uuid`` strings) does not promise and no client means."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class ChangeTrackIdErrorSerializer(serializers.Serializer):
    change_track_id = error_list()
    mode = error_list()


class HistoryIdErrorSerializer(serializers.Serializer):
    history_id = error_list()
    snapshot = error_list()
    non_field_errors = error_list()


# What an operation on one publish or one checkpoint documents about that path's id: the
# parameter, the 400 for a malformed id and the 404 for one that names nothing here.
ON_ONE_PUBLISH = {
    "parameters": (CHANGE_TRACK_ID,),
    "invalid": ChangeTrackIdErrorSerializer,
    "not_found": "No such agent, or no such publish of this agent.",
}
ON_ONE_CHECKPOINT = {
    "parameters": (HISTORY_ID,),
    "invalid": HistoryIdErrorSerializer,
    "not_found": "No such agent, or no such checkpoint of this agent.",
}


def change_track_id_from_path(value: Any) -> str:
    """A path's change_track_id, or 400 naming the field (never a 500 from the database)."""
    field = StrictUUIDField()
    try:
        return str(field.to_internal_value(value))
    except ValidationError as exc:
        raise ValidationError({"change_track_id": exc.detail}) from None


def history_id_from_path(value: Any) -> int:
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


def publish_record_or_404(agent: Agent, change_track_id: str) -> PublishRecord:
    try:
        return selectors.get_publish_record(agent=agent, change_track_id=change_track_id)
    except PublishRecord.DoesNotExist:
        # Another agent's publish answers exactly like one that never existed.
        raise NotFound("No such publish for this agent.") from None


def checkpoint_or_404(agent: Agent, history_id: int) -> Any:
    try:
        return selectors.get_checkpoint(agent=agent, history_id=history_id)
    except StagingConfiguration.DoesNotExist:
        raise NotFound("No such checkpoint for this agent.") from None
