"""The agent representation (built from a snapshot) and the requests that make or change one.

Staging and Production share one shape (``configuration.snapshot``); the views render plain
dicts through these serializers, which keeps the schema and the bodies in step.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

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


def version_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        allow_null=True,
        required=False,
        help_text="The Staging revision of this item's last change (any revision can be sent "
        "back as If-Match); null for Production.",
    )


class InstructionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    content = serializers.CharField()
    position = serializers.IntegerField()
    version = version_field()


def item_state_serializer(
    name: str,
    item: str,
    *,
    kind: str | None = None,
    options: tuple[str, Callable[[], serializers.Field]],
) -> type[serializers.Serializer]:
    """The shape of one catalogue item's state in an agent, alike for every kind of item.

    In this order, which the schema shows: which item (``<item>_id``) and its name, its kind
    where the catalogue gives one (``kind`` names the field), whether it is on, its
    options (``options``: the field's name and what makes the field), its effective
    definition and its version. The fields are made here, in that order, because DRF orders
    declared fields by when they were made.
    """
    fields: dict[str, serializers.Field] = {
        f"{item}_id": serializers.IntegerField(),
        "name": serializers.CharField(),
    }
    if kind is not None:
        fields[kind] = serializers.CharField()
    fields["enabled"] = serializers.BooleanField()
    option, make_option_field = options
    fields[option] = make_option_field()
    fields["definition"] = JSONObjectField(
        required=False,
        help_text="The effective definition: what the catalogue defines, with this agent's own "
        "settings over it (a shallow key merge; docs/shared-components.md). Absent from "
        "configurations published before definitions were recorded.",
    )
    fields["version"] = version_field()
    return type(name, (serializers.Serializer,), fields)


CorpusConnectionSerializer = item_state_serializer(
    "CorpusConnectionSerializer", "corpus", options=("settings", JSONObjectField)
)
ActionStateSerializer = item_state_serializer(
    "ActionStateSerializer", "action", options=("config", JSONObjectField)
)
ToolBindingSerializer = item_state_serializer(
    "ToolBindingSerializer",
    "tool",
    kind="kind",
    options=("actions", partial(ActionStateSerializer, many=True)),
)
GuardrailStateSerializer = item_state_serializer(
    "GuardrailStateSerializer", "guardrail", kind="type", options=("settings", JSONObjectField)
)


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
        allow_null=True,
        help_text="Staging's revision, also its ETag (send it as If-Match); null for Production.",
    )
    settings_version = serializers.IntegerField(
        allow_null=True,
        help_text="The Staging revision of the last change to the settings; null for Production.",
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
