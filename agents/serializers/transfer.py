"""Configuration as code over the API: the document's shape, the copy's body, the result.

The document is validated by ``configuration.document`` and ``agents.document_checks`` (every
problem by its JSON path); these serializers describe it for the schema, and read the copy's
small body.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.models import AccessLevel, Tool
from agents.serializers.common import SectionCountsSerializer
from agents.serializers.fields import IdField, JSONObjectField, StrictBooleanField
from configuration.changes import SECTIONS
from configuration.document import SCHEMA_VERSION

DIFF_CHANGE_KINDS = ("added", "removed", "modified")


class DocumentOriginSerializer(serializers.Serializer):
    """Where an export came from; informative only (an import reads it for its reason)."""

    agent_id = serializers.IntegerField(required=False)
    source = serializers.CharField(required=False)
    change_track_id = serializers.CharField(required=False, allow_null=True)


class DocumentSettingsSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    model_config = JSONObjectField(help_text="Model settings (model, temperature, ...).")
    access_level = serializers.ChoiceField(choices=AccessLevel.choices)
    tags = serializers.ListField(child=serializers.CharField())


class DocumentInstructionSerializer(serializers.Serializer):
    title = serializers.CharField()
    content = serializers.CharField()


class DocumentCorpusSerializer(serializers.Serializer):
    corpus = serializers.CharField(help_text="The corpus's name: its key in `components`.")
    enabled = serializers.BooleanField()
    settings = JSONObjectField()


class DocumentSharePointSerializer(serializers.Serializer):
    site_url = serializers.CharField()
    folder_path = serializers.CharField()


class DocumentKnowledgeSourcesSerializer(serializers.Serializer):
    corpora = DocumentCorpusSerializer(many=True, help_text="Sorted by name.")
    sharepoint = DocumentSharePointSerializer(allow_null=True)


class DocumentActionSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="The action's name within its tool.")
    enabled = serializers.BooleanField()
    config = JSONObjectField(help_text="The agent's own config for the action.")


class DocumentToolSerializer(serializers.Serializer):
    tool = serializers.CharField(help_text="The tool's name: its key in `components`.")
    enabled = serializers.BooleanField()
    actions = DocumentActionSerializer(many=True, help_text="Sorted by name.")


class DocumentGuardrailSerializer(serializers.Serializer):
    guardrail = serializers.CharField(help_text="The guardrail's name: its key in `components`.")
    enabled = serializers.BooleanField()
    settings = JSONObjectField()


class ComponentCorpusSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)


class ComponentActionSerializer(serializers.Serializer):
    name = serializers.CharField()
    config = JSONObjectField(help_text="The catalogue's config of the action.")


class ComponentToolSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Tool.Kind.choices)
    description = serializers.CharField(allow_blank=True)
    actions = ComponentActionSerializer(many=True)


class ComponentGuardrailSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()
    config = JSONObjectField()


class DocumentComponentsSerializer(serializers.Serializer):
    corpora = ComponentCorpusSerializer(many=True)
    tools = ComponentToolSerializer(many=True)
    guardrails = ComponentGuardrailSerializer(many=True)


class AgentDocumentSerializer(serializers.Serializer):
    """An agent's configuration as a document (docs/configuration-as-code.md)."""

    schema_version = serializers.IntegerField(
        min_value=SCHEMA_VERSION, max_value=SCHEMA_VERSION, help_text="The format's version."
    )
    origin = DocumentOriginSerializer(required=False)
    settings = DocumentSettingsSerializer()
    instructions = DocumentInstructionSerializer(many=True, help_text="In order.")
    knowledge_sources = DocumentKnowledgeSourcesSerializer()
    tools = DocumentToolSerializer(many=True, help_text="Sorted by name.")
    guardrails = DocumentGuardrailSerializer(many=True, help_text="Sorted by name.")
    components = DocumentComponentsSerializer(
        help_text="The definition of every catalogue component the configuration names."
    )


class TransferChangeSerializer(serializers.Serializer):
    section = serializers.ChoiceField(choices=SECTIONS)
    key = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    change = serializers.ChoiceField(choices=DIFF_CHANGE_KINDS)
    before = serializers.JSONField(allow_null=True, help_text="As in the staging-diff.")
    after = serializers.JSONField(allow_null=True, help_text="As in the staging-diff.")


class TransferCountsSerializer(SectionCountsSerializer):
    pass


class TransferResultSerializer(serializers.Serializer):
    """What an import or a copy did to Staging (a dry run: would do), as a staging-diff of
    Staging before against after."""

    dry_run = serializers.BooleanField()
    created_components = serializers.ListField(
        child=serializers.CharField(), help_text="Catalogue components created (or to be)."
    )
    revision = serializers.IntegerField(
        allow_null=True, help_text="Staging's revision after the edit; null for a dry run."
    )
    has_changes = serializers.BooleanField()
    counts = TransferCountsSerializer()
    summary = serializers.CharField()
    changes = TransferChangeSerializer(many=True)


class UnresolvedComponentSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="`corpus`, `tool`, `action` or `guardrail`.")
    name = serializers.CharField()
    tool = serializers.CharField(required=False, help_text="An action's tool.")
    problem = serializers.ChoiceField(choices=["missing", "different", "ambiguous"])
    detail = serializers.CharField()


class ComponentsUnresolvedSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["components_unresolved"])
    detail = serializers.CharField()
    components = UnresolvedComponentSerializer(many=True)


@extend_schema_field({"type": "string", "pattern": "^(staging|production)$"})
class CopySourceField(serializers.Field):
    """``staging`` or ``production`` (a pattern, not an enum: the agents' ``environment``
    enum has the same two values under another name)."""

    def to_internal_value(self, data: Any) -> str:
        if data not in ("staging", "production"):
            raise serializers.ValidationError("Must be staging or production.")
        return data

    def to_representation(self, value: str) -> str:
        return value


class CopyFromSerializer(serializers.Serializer):
    source_agent_id = IdField(help_text="The agent to copy from (same organization).")
    source = CopySourceField(
        default="staging",
        help_text="Its Staging (editors of it) or its Production (viewers of it).",
    )
    dry_run = StrictBooleanField(
        default=False, help_text="Only answer the diff the copy would make; write nothing."
    )
