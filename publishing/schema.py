"""The configuration snapshot, named in the OpenAPI schema so clients get typed access.

The snapshot (``configuration.snapshot``) is what Production is, what every publish record
keeps and what the live read serves. Its list items have the very shapes of the agent
representation's (``agents.serializers``), so those serializers are reused; what is added
here is the snapshot's own frame. The API renders snapshots as stored (no re-serialisation
on the hot path): these serializers only describe them, through ``ConfigurationField``.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.models import AccessLevel
from agents.serializers import (
    CorpusConnectionSerializer,
    GuardrailStateSerializer,
    InstructionSerializer,
    JSONObjectField,
    SharePointSerializer,
    ToolBindingSerializer,
)


class ConfigurationSettingsSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    model_config = JSONObjectField(help_text="Model settings (model, temperature, ...).")
    access_level = serializers.ChoiceField(choices=AccessLevel.choices)
    tags = serializers.ListField(child=serializers.CharField(), help_text="Sorted, unique.")


class ConfigurationKnowledgeSourcesSerializer(serializers.Serializer):
    corpora = CorpusConnectionSerializer(many=True, help_text="By corpus_id.")
    sharepoint = SharePointSerializer(allow_null=True)


class ConfigurationSerializer(serializers.Serializer):
    """One whole configuration of an agent, as published (or as Staging is)."""

    settings = ConfigurationSettingsSerializer()
    instructions = InstructionSerializer(many=True, help_text="In display order.")
    knowledge_sources = ConfigurationKnowledgeSourcesSerializer()
    tools = ToolBindingSerializer(many=True, help_text="By tool_id; actions by action_id.")
    guardrails = GuardrailStateSerializer(many=True, help_text="By guardrail_id.")


@extend_schema_field(ConfigurationSerializer)
class ConfigurationField(serializers.JSONField):
    """A stored snapshot, rendered as it is and documented as ``Configuration``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)


DIFF_VALUE_DESCRIPTION = (
    "The value on this side; null where the thing does not exist. Its form follows from "
    "`key` and `field` (see docs/api.md): a whole item when `field` is null (an "
    "`Instruction`, `CorpusConnection`, `SharePoint`, `ToolBinding`, `ActionState` or "
    "`GuardrailState`), otherwise the field's own value: a string, number, boolean, list "
    "of strings (tags) or object (a whole settings/config/model_config), or one key's value "
    "of such an object for `settings.<key>`, `config.<key>` and `model_config.<key>`."
)


@extend_schema_field(
    {"nullable": True, "description": DIFF_VALUE_DESCRIPTION},
)
class DiffValueField(serializers.JSONField):
    """``before`` / ``after`` of a diff entry: any JSON value, documented by its key."""
