"""Shapes several publishing API resources share: diffs, section counts, query strings."""

from __future__ import annotations

import re
from typing import Any

from rest_framework import serializers
from rest_framework.request import Request

from agents.serializers.common import SectionCountsSerializer
from configuration.diff import SECTIONS
from publishing.schema import DiffValueField

DIFF_CHANGE_KINDS = ("added", "removed", "modified")


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


def validated_query(serializer_class: type[QuerySerializer], request: Request) -> dict[str, Any]:
    """The request's query string read by ``serializer_class``; a 400 naming each bad one."""
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


class DiffEntrySerializer(serializers.Serializer):
    section = serializers.ChoiceField(choices=SECTIONS)
    key = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    change = serializers.ChoiceField(choices=DIFF_CHANGE_KINDS)
    before = DiffValueField(allow_null=True)
    after = DiffValueField(allow_null=True)


class AuthorSerializer(serializers.Serializer):
    """Someone who changed Staging since the last publish, and when they last did."""

    id = serializers.IntegerField(allow_null=True, help_text="Null once the user is deleted.")
    username = serializers.CharField(allow_blank=True)
    changed_at = serializers.DateTimeField()


class AttributedDiffEntrySerializer(DiffEntrySerializer):
    authors = AuthorSerializer(
        many=True,
        help_text="Who changed this since the last publish (since the agent was made, before "
        "the first), newest first, each person once.",
    )


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


class DiffSerializer(serializers.Serializer):
    has_changes = serializers.BooleanField()
    counts = SectionCountsSerializer()
    summary = serializers.CharField()
    changes = DiffEntrySerializer(many=True)
