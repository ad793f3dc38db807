"""Requests that edit Staging piece by piece: instructions, knowledge sources, tools,
guardrails, access level, tags and the SharePoint folder.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from rest_framework import serializers

from agents.models import INSTRUCTION_CONTENT_MAX_LENGTH, INSTRUCTION_TITLE_MAX_LENGTH, AccessLevel
from agents.serializers.fields import (
    MAX_BULK_IDS,
    NOT_BLANK,
    POSITION_MAX,
    IdField,
    JSONObjectField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    StrictNumberField,
)
from agents.validation import CORPUS_SETTINGS_FIELDS, HTTPS_URL_PATTERN, MAX_TAG_LENGTH, MAX_TAGS


class InstructionCreateSerializer(serializers.Serializer):
    title = StrictCharField(max_length=INSTRUCTION_TITLE_MAX_LENGTH, validators=[NOT_BLANK])
    content = StrictCharField(max_length=INSTRUCTION_CONTENT_MAX_LENGTH, validators=[NOT_BLANK])
    position = StrictIntegerField(
        min_value=0,
        max_value=POSITION_MAX,
        required=False,
        help_text="0-based place among the instructions; default: last.",
    )


class InstructionUpdateSerializer(serializers.Serializer):
    id = IdField()
    title = StrictCharField(
        max_length=INSTRUCTION_TITLE_MAX_LENGTH, validators=[NOT_BLANK], required=False
    )
    content = StrictCharField(
        max_length=INSTRUCTION_CONTENT_MAX_LENGTH, validators=[NOT_BLANK], required=False
    )
    position = StrictIntegerField(min_value=0, max_value=POSITION_MAX, required=False)


def _top_k() -> StrictIntegerField:
    return StrictIntegerField(min_value=1, max_value=100, required=False)


class CorpusSettingsSerializer(serializers.Serializer):
    """Retrieval settings of one corpus connection (every key optional)."""

    top_k = _top_k()
    min_score = StrictNumberField(min_value=0, max_value=1, required=False)
    search_type = serializers.ChoiceField(choices=["semantic", "keyword", "hybrid"], required=False)
    citations = StrictBooleanField(required=False)


# The settings keys a connection body may carry: the service's list (a test keeps the
# serializer's fields equal to it).
CORPUS_SETTING_KEYS = tuple(CORPUS_SETTINGS_FIELDS)


class CorpusIdsSerializer(serializers.Serializer):
    corpus_ids = serializers.ListField(child=IdField(), min_length=1, max_length=MAX_BULK_IDS)


class CorpusConnectSerializer(CorpusIdsSerializer):
    settings = CorpusSettingsSerializer(
        required=False, help_text="Settings for every new connection (default: top_k 5)."
    )


class CorpusConnectionUpdateSerializer(CorpusSettingsSerializer):
    """``enabled`` and the retrieval settings, flat as in ``{"top_k": 8, "enabled": true}``.

    Giving any setting replaces the connection's settings with exactly those given;
    giving none leaves them as they are.
    """

    enabled = StrictBooleanField(required=False)

    def settings_given(self) -> dict[str, Any] | None:
        given = {k: self.validated_data[k] for k in CORPUS_SETTING_KEYS if k in self.validated_data}
        return given or None


class ActionConfigSerializer(serializers.Serializer):
    config = JSONObjectField()


class GuardrailToggleSerializer(serializers.Serializer):
    guardrail_id = IdField()
    enabled = StrictBooleanField()
    settings = JSONObjectField(required=False)


class AccessLevelSerializer(serializers.Serializer):
    access_level = serializers.ChoiceField(choices=AccessLevel.choices)


class TagsSerializer(serializers.Serializer):
    tags = serializers.ListField(
        child=StrictCharField(max_length=MAX_TAG_LENGTH, validators=[NOT_BLANK]),
        max_length=MAX_TAGS,
        help_text="The new tag set (replaces the old one; duplicates are merged).",
    )


class SharePointFolderSerializer(serializers.Serializer):
    site_url = StrictCharField(
        max_length=500,
        # The service's rule (agents.validation.clean_sharepoint), stated here too so the
        # schema says it and a malformed URL is refused before anything is looked up.
        validators=[RegexValidator(HTTPS_URL_PATTERN, message="Enter a valid https URL.")],
        help_text="An https URL, e.g. https://contoso.sharepoint.com/sites/help.",
    )
    folder_path = StrictCharField(max_length=500, validators=[NOT_BLANK])
