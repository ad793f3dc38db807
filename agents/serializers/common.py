"""Bodies every part of the agents API shares: the error detail, a reference to a user."""

from __future__ import annotations

from rest_framework import serializers


class DetailSerializer(serializers.Serializer):
    """The body of every error that is not about a field: 401, 403, 404, 409, 413, 429."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class EditConflictEntrySerializer(serializers.Serializer):
    section = serializers.CharField()
    key = serializers.CharField(help_text="The item, as the staging-diff keys it.")
    field = serializers.CharField(
        allow_null=True, help_text="Null when one side deleted the item the other changed."
    )
    theirs = serializers.JSONField(allow_null=True, help_text="The value saved since.")
    yours = serializers.JSONField(allow_null=True, help_text="The value this edit sent.")
    changed_by = serializers.CharField(allow_null=True)
    changed_at = serializers.DateTimeField(allow_null=True)
    revision = serializers.IntegerField(allow_null=True)


class EditConflictSerializer(serializers.Serializer):
    """409 ``edit_conflict``: an edit on an older revision changed a field saved since."""

    code = serializers.CharField()
    detail = serializers.CharField()
    conflicts = EditConflictEntrySerializer(many=True)


# Who did something on record: the id goes when the user is deleted, the name stays. Each
# app names its own schema component (``Meta.ref_name``) for this shape. (A comment, not a
# docstring: the schema would take a docstring as the description of every subclass.)
class RecordedUserSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Null once the user is deleted.")
    username = serializers.CharField(allow_blank=True)


# How many changes a diff makes in each section of the configuration (``Diff.as_dict``'s
# ``counts``). Each answer that carries them names its own schema component for this shape.
# (A comment, not a docstring: the schema would take a docstring as the description of every
# subclass.)
class SectionCountsSerializer(serializers.Serializer):
    settings = serializers.IntegerField(min_value=0)
    instructions = serializers.IntegerField(min_value=0)
    knowledge_sources = serializers.IntegerField(min_value=0)
    tools = serializers.IntegerField(min_value=0)
    guardrails = serializers.IntegerField(min_value=0)
