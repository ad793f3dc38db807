"""Strict fields of the agents API: what the OpenAPI schema promises is what is accepted.

JSON ``"3"`` is not an integer, ``1`` is not a boolean, ``3`` is not a string; free-form
objects hold only what a JSON column stores on every backend.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.models import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH
from agents.validation import WHITESPACE_CLASS
from ejento_staging.ids import MAX_ID

# The largest id the databases can hold: a bigger number is refused as input instead of
# reaching SQLite or PostgreSQL as an out-of-range parameter (a 500).
ID_MAX = MAX_ID
POSITION_MAX = 2**31 - 1
MAX_BULK_IDS = 500
MAX_TOOL_ACTIONS = 100
# Generous bound on nesting for free-form JSON objects, checked before the services' own
# (smaller) limit so that the check itself never recurses deeply.
MAX_JSON_NESTING = 32

# "Contains something other than whitespace": the services strip names and refuse blank
# ones, and the OpenAPI schema says so through this pattern.
NOT_BLANK = RegexValidator(r"\S", message="This field may not be blank.")
# What the schema says of every string field: DRF's CharField refuses NUL characters
# (PostgreSQL cannot store them), so the patterns exclude them too.
NO_NUL_PATTERN = "^[^\\u0000]*$"
NOT_BLANK_NO_NUL_PATTERN = f"^[^\\u0000]*[^{WHITESPACE_CLASS}\\u0000][^\\u0000]*$"


# --- strict fields ---------------------------------------------------------------------------


class StrictCharField(serializers.CharField):
    """A string, and only a string (DRF's CharField would turn 3 into "3")."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        # The schema's maxLength is on the string as sent; DRF would measure it after
        # trimming, so a padded string over the limit would pass.
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class StrictCharFieldSchema(OpenApiSerializerFieldExtension):
    """A StrictCharField's schema states the NUL refusal alongside its own pattern."""

    target_class = StrictCharField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        validators = self.target.validators
        patterns = [v.regex.pattern for v in validators if isinstance(v, RegexValidator)]
        if not patterns and self.target.allow_blank:
            # A pattern would make drf-spectacular wrap the schema in a oneOf with the empty
            # string, which "" then matches twice; "no NUL anywhere" says the same.
            schema["not"] = {"pattern": "\\u0000"}
        elif not patterns:
            schema["pattern"] = NO_NUL_PATTERN
        elif patterns == [NOT_BLANK.regex.pattern]:
            schema["pattern"] = NOT_BLANK_NO_NUL_PATTERN
        # Any other pattern is the field's own (set from its validator), written to
        # exclude NUL already.
        return schema


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer: not a numeric string, not a boolean, not 3.0."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class IdField(StrictIntegerField):
    """A database id: a positive integer within the range the databases can store."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)


class StrictNumberField(serializers.FloatField):
    """A finite JSON number (integer or decimal), never a string or a boolean."""

    default_error_messages = {"invalid": "Must be a number."}

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if isinstance(data, float) and not math.isfinite(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """``true`` or ``false`` (DRF's BooleanField would also take "yes", 1 and "on")."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


def check_plain_json(value: Any, depth: int = 0) -> None:
    """Refuse what a JSON column cannot store on every backend.

    PostgreSQL's jsonb rejects ``\\u0000`` and lone surrogates, and Infinity is not JSON at
    all; reaching the database with any of them would be a 500 instead of a 400.
    """
    if depth > MAX_JSON_NESTING:
        raise serializers.ValidationError(f"Nested more than {MAX_JSON_NESTING} levels deep.")
    if isinstance(value, str):
        _check_plain_string(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_plain_string(key)
            check_plain_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_plain_json(item, depth + 1)
    elif isinstance(value, float) and not math.isfinite(value):
        raise serializers.ValidationError("Numbers must be finite.")


def _check_plain_string(value: str) -> None:
    if "\x00" in value:
        raise serializers.ValidationError("Strings must not contain NUL characters.")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise serializers.ValidationError("Strings must not contain surrogate characters.")


class JSONObjectField(serializers.DictField):
    """A free-form JSON object (tool action config, guardrail settings)."""

    default_error_messages = {"not_a_dict": "Must be an object."}

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.fail("not_a_dict")
        check_plain_json(data)
        return dict(data)

    def to_representation(self, value: Any) -> Any:
        return value


def _number_schema(lo: float, hi: float) -> dict[str, Any]:
    return {"type": "number", "minimum": lo, "maximum": hi}


def _integer_schema(lo: int, hi: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": lo, "maximum": hi}


MODEL_CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Model settings; only the keys listed are accepted.",
    "properties": {
        "model": {
            "type": "string",
            "minLength": 1,
            "maxLength": 100,
            "pattern": NOT_BLANK_NO_NUL_PATTERN,
        },
        "temperature": _number_schema(0, 2),
        "top_p": _number_schema(0, 1),
        "max_tokens": _integer_schema(1, 200_000),
        "frequency_penalty": _number_schema(-2, 2),
        "presence_penalty": _number_schema(-2, 2),
        "seed": _integer_schema(0, 2**31 - 1),
        "stop": {
            "type": "array",
            "maxItems": 4,
            "items": {
                "type": "string",
                "minLength": 1,
                "maxLength": 100,
                "pattern": NO_NUL_PATTERN,
            },
        },
        "reasoning_effort": {"type": "string", "enum": ["low", "medium", "high"]},
        "response_format": {"type": "string", "enum": ["text", "json"]},
    },
    "additionalProperties": False,
}


@extend_schema_field(MODEL_CONFIG_SCHEMA)
class ModelConfigField(JSONObjectField):
    """The model configuration object; its keys and ranges are checked by the service."""


def name_field(max_length: int = NAME_MAX_LENGTH) -> StrictCharField:
    return StrictCharField(max_length=max_length, validators=[NOT_BLANK])


def description_field() -> StrictCharField:
    return free_text_field(DESCRIPTION_MAX_LENGTH)


def free_text_field(max_length: int) -> StrictCharField:
    """Optional text kept exactly as typed (a description): may be empty, is not trimmed."""
    return StrictCharField(
        max_length=max_length,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
    )


class FlatListField(serializers.ListField):
    """A list whose 400 is one list of messages, as for every other field (DRF's ListField
    keys the messages by the position of the offending item)."""

    def run_child_validation(self, data: list[Any]) -> list[Any]:
        try:
            return super().run_child_validation(data)
        except serializers.ValidationError as exc:
            detail = exc.detail
            items = detail.values() if isinstance(detail, dict) else [detail]
            messages = [str(message) for item in items for message in item]
            raise serializers.ValidationError(list(dict.fromkeys(messages))) from None
