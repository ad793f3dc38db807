"""Shapes of the catalogue: an organization's corpora, tools (with actions) and guardrails."""

from __future__ import annotations

from rest_framework import serializers

from agents.models import Tool
from agents.serializers.fields import (
    MAX_TOOL_ACTIONS,
    IdField,
    JSONObjectField,
    description_field,
    name_field,
)
from agents.serializers.hierarchy import OrganizationOwnedSerializer


class CorpusCreateSerializer(serializers.Serializer):
    project_id = IdField()
    name = name_field()
    description = description_field()


class CorpusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project_id = serializers.IntegerField()
    organization_id = serializers.IntegerField(source="project.organization_id")
    name = serializers.CharField()
    description = serializers.CharField()
    created_at = serializers.DateTimeField()


class ToolActionCreateSerializer(serializers.Serializer):
    name = name_field()
    config = JSONObjectField(required=False)


class ToolCreateSerializer(serializers.Serializer):
    organization_id = IdField()
    name = name_field()
    kind = serializers.ChoiceField(choices=Tool.Kind.choices)
    description = description_field()
    actions = ToolActionCreateSerializer(many=True, required=False, max_length=MAX_TOOL_ACTIONS)


class ToolActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    config = JSONObjectField()


class ToolSerializer(OrganizationOwnedSerializer):
    kind = serializers.CharField()
    description = serializers.CharField()
    actions = ToolActionSerializer(many=True, source="actions.all")
    created_at = serializers.DateTimeField()


class GuardrailCreateSerializer(serializers.Serializer):
    organization_id = IdField()
    name = name_field()
    type = name_field(max_length=64)
    config = JSONObjectField(required=False)


class GuardrailSerializer(OrganizationOwnedSerializer):
    type = serializers.CharField()
    config = JSONObjectField()
    created_at = serializers.DateTimeField()
