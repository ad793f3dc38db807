"""Shapes of the catalogue: an organization's corpora, tools (with actions) and guardrails."""

from __future__ import annotations

from rest_framework import serializers

from agents.models import Tool
from agents.serializers.common import SectionCountsSerializer
from agents.serializers.fields import (
    MAX_TOOL_ACTIONS,
    IdField,
    JSONObjectField,
    StrictCharField,
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


# --- changing shared components (PATCH /tools/{id}, .../actions/{id}, /guardrails/{id},
# /corpora/{id}) ---

REASON_HELP = (
    "Why (required unless `?dry_run=1`; at most 100 characters): kept in the catalogue "
    "item's history and named in the edit history of every agent the change reaches."
)


def _reason_field() -> StrictCharField:
    return StrictCharField(max_length=100, required=False, help_text=REASON_HELP)


class ToolUpdateSerializer(serializers.Serializer):
    name = name_field()
    kind = serializers.ChoiceField(choices=Tool.Kind.choices)
    description = description_field()
    reason = _reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "kind", "description"):
            self.fields[name].required = False


class ToolActionUpdateSerializer(serializers.Serializer):
    name = name_field()
    config = JSONObjectField(required=False)
    reason = _reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False


class GuardrailUpdateSerializer(serializers.Serializer):
    name = name_field()
    type = name_field(max_length=64)
    config = JSONObjectField(required=False)
    reason = _reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "type"):
            self.fields[name].required = False


class CorpusUpdateSerializer(serializers.Serializer):
    name = name_field()
    description = description_field()
    reason = _reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False


class CatalogueActionSerializer(ToolActionSerializer):
    tool_id = serializers.IntegerField()


class CatalogueChangeEntrySerializer(serializers.Serializer):
    """One entry of the diff a catalogue change adds to an agent's Staging (the staging-diff
    entry shape)."""

    section = serializers.CharField()
    key = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    change = serializers.ChoiceField(choices=["added", "removed", "modified"])
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class CatalogueSectionCountsSerializer(SectionCountsSerializer):
    pass


class AffectedAgentSerializer(serializers.Serializer):
    agent_id = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)
    live = serializers.BooleanField(help_text="Whether the agent has a Production.")
    has_changes = serializers.BooleanField(
        help_text="False when the agent's own settings already decide what changes."
    )
    counts = CatalogueSectionCountsSerializer()
    summary = serializers.CharField()
    changes = CatalogueChangeEntrySerializer(many=True)


def catalogue_change_serializer(name: str, item: type) -> tuple[type, type]:
    """The answers of one kind's PATCH: the change made, and its preview (``?dry_run=1``)."""
    made = type(
        f"{name}ChangeSerializer",
        (serializers.Serializer,),
        {
            "item": item(),
            "changed": serializers.ListField(
                child=serializers.CharField(), help_text="The fields that changed."
            ),
            "count": serializers.IntegerField(help_text="Agents (not archived) that use it."),
            "live_count": serializers.IntegerField(help_text="Of those, the published ones."),
            "edited_agents": serializers.ListField(
                child=serializers.IntegerField(),
                help_text="The agents whose Staging got the change, as one recorded edit each.",
            ),
        },
    )
    preview = type(
        f"{name}ChangePreviewSerializer",
        (serializers.Serializer,),
        {
            "dry_run": serializers.BooleanField(),
            "item": item(help_text="The item as it would be."),
            "changed": serializers.ListField(child=serializers.CharField()),
            "count": serializers.IntegerField(help_text="Agents (not archived) that use it."),
            "live_count": serializers.IntegerField(help_text="Of those, the published ones."),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": AffectedAgentSerializer(
                many=True, help_text="This page of those agents (50 a page, by agent id)."
            ),
        },
    )
    return made, preview


ToolChangeSerializer, ToolChangePreviewSerializer = catalogue_change_serializer(
    "Tool", ToolSerializer
)
ActionChangeSerializer, ActionChangePreviewSerializer = catalogue_change_serializer(
    "CatalogueAction", CatalogueActionSerializer
)
GuardrailChangeSerializer, GuardrailChangePreviewSerializer = catalogue_change_serializer(
    "Guardrail", GuardrailSerializer
)
CorpusChangeSerializer, CorpusChangePreviewSerializer = catalogue_change_serializer(
    "Corpus", CorpusSerializer
)
