"""The agent representation (built from a snapshot) and the requests that make or change one.

Staging and Production share one shape (``configuration.snapshot``); the views render plain
dicts through these serializers, which keeps the schema and the bodies in step.
"""

from __future__ import annotations

from rest_framework import serializers

from agents.models import AccessLevel, AgentPermission
from agents.serializers.common import UserRefSerializer
from agents.serializers.fields import (
    IdField,
    JSONObjectField,
    ModelConfigField,
    description_field,
    name_field,
)

# --- the agent representation (built from a snapshot) ----------------------------------------


class InstructionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    content = serializers.CharField()
    position = serializers.IntegerField()


class CorpusConnectionSerializer(serializers.Serializer):
    corpus_id = serializers.IntegerField()
    name = serializers.CharField()
    enabled = serializers.BooleanField()
    settings = JSONObjectField()


class ActionStateSerializer(serializers.Serializer):
    action_id = serializers.IntegerField()
    name = serializers.CharField()
    enabled = serializers.BooleanField()
    config = JSONObjectField()


class ToolBindingSerializer(serializers.Serializer):
    tool_id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    enabled = serializers.BooleanField()
    actions = ActionStateSerializer(many=True)


class GuardrailStateSerializer(serializers.Serializer):
    guardrail_id = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.CharField()
    enabled = serializers.BooleanField()
    settings = JSONObjectField()


class SharePointSerializer(serializers.Serializer):
    site_url = serializers.CharField()
    folder_path = serializers.CharField()


class KnowledgeSourcesSerializer(serializers.Serializer):
    corpora = CorpusConnectionSerializer(many=True)


ENVIRONMENTS = ("staging", "production")


class AgentSummaryFields(serializers.Serializer):
    """Fields shared by the list item and the full representation."""

    id = serializers.IntegerField()
    project_id = serializers.IntegerField()
    organization_id = serializers.IntegerField()
    environment = serializers.ChoiceField(choices=ENVIRONMENTS)
    role = serializers.ChoiceField(
        choices=AgentPermission.Role.choices,
        help_text="The caller's effective role on this agent.",
    )
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    access_level = serializers.ChoiceField(choices=AccessLevel.choices)
    tags = serializers.ListField(child=serializers.CharField())
    published = serializers.BooleanField(help_text="Whether the agent has a Production.")
    last_published_at = serializers.DateTimeField(allow_null=True)
    last_change_track_id = serializers.UUIDField(allow_null=True)


class AgentListItemSerializer(AgentSummaryFields):
    """One agent in a list: no configuration children, so a page costs a fixed few queries."""


class AgentSerializer(AgentSummaryFields):
    """An agent's configuration in one environment (Staging or Production)."""

    model_config = JSONObjectField()
    sharepoint = SharePointSerializer(allow_null=True)
    instructions = InstructionSerializer(many=True)
    knowledge_sources = KnowledgeSourcesSerializer()
    tools = ToolBindingSerializer(many=True)
    guardrails = GuardrailStateSerializer(many=True)
    revision = serializers.IntegerField(
        allow_null=True, help_text="Staging's revision; null for Production."
    )
    updated_at = serializers.DateTimeField(
        allow_null=True, help_text="Last staging edit, or the publish time for Production."
    )
    updated_by = UserRefSerializer(allow_null=True)
    has_unpublished_changes = serializers.BooleanField(
        allow_null=True,
        help_text="Whether Staging differs from Production; null for callers who may not "
        "see Staging.",
    )


# --- agents: requests ------------------------------------------------------------------------


class AgentCreateSerializer(serializers.Serializer):
    project_id = IdField()
    name = name_field()
    description = description_field()
    model_config = ModelConfigField(required=False)


class AgentUpdateSerializer(serializers.Serializer):
    """PUT requires ``name``; PATCH nothing. A field left out stays as it is."""

    name = name_field()
    description = description_field()
    model_config = ModelConfigField(required=False)
