"""Shapes of the agents API: what a request may carry, and what a response looks like.

Request serializers check *shape* only - types, required fields, lengths - so a malformed
request is answered 400 per field before anything is looked up; the rules (a corpus of this
organization, a unique name, a valid model configuration) belong to ``agents.services``.
Their fields are strict: JSON ``"3"`` is not an integer, ``1`` is not a boolean, ``3`` is not
a string, so what the OpenAPI schema promises is what the API accepts.

Response serializers describe the agent representation, built from the canonical snapshot
(``configuration.snapshot``) so Staging and Production share one shape. The views render plain
dicts through them, which keeps the schema and the bodies in step.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.models import (
    DESCRIPTION_MAX_LENGTH,
    INSTRUCTION_CONTENT_MAX_LENGTH,
    INSTRUCTION_TITLE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    AccessLevel,
    AgentPermission,
    Tool,
)
from agents.validation import (
    CORPUS_SETTINGS_FIELDS,
    HTTPS_URL_PATTERN,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    WHITESPACE_CLASS,
)
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


# --- common bodies -------------------------------------------------------------------------


class DetailSerializer(serializers.Serializer):
    """The body of every error that is not about a field: 401, 403, 404, 409, 413, 429."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


# --- auth and users ------------------------------------------------------------------------


TOKEN_MAX_DAYS = 365


class LoginSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=128, trim_whitespace=False)
    name = StrictCharField(
        max_length=100,
        required=False,
        help_text="What the token is for (one token per integration); `default` if absent.",
    )
    expires_in_days = StrictIntegerField(
        min_value=1,
        max_value=TOKEN_MAX_DAYS,
        required=False,
        help_text="Lifetime in days; the server's default (90 unless configured) if absent.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from django.contrib.auth import authenticate

        user = authenticate(
            request=self.context.get("request"),
            username=attrs["username"],
            password=attrs["password"],
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to log in with the username and password given."]}
            )
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The secret: shown this once, never again.")
    id = serializers.IntegerField()
    name = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ApiTokenSerializer(serializers.Serializer):
    """A token as listed: never its secret, nor the digest."""

    id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The secret's first 8 characters, to tell apart.")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    revoked = serializers.SerializerMethodField()
    revoked_at = serializers.DateTimeField(allow_null=True)

    def get_revoked(self, token: Any) -> bool:
        return token.revoked_at is not None


class UserCreateSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=128, trim_whitespace=False)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    organization_id = IdField(
        required=False,
        help_text="The organization the new user joins as a member; required for "
        "organization admins (one they administer), optional for superusers.",
    )


class MembershipRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()
    is_superuser = serializers.BooleanField()
    organizations = MembershipRefSerializer(many=True)


# --- hierarchy and catalogue -----------------------------------------------------------------


def _name_field(max_length: int = NAME_MAX_LENGTH) -> StrictCharField:
    return StrictCharField(max_length=max_length, validators=[NOT_BLANK])


def _description_field() -> StrictCharField:
    return StrictCharField(
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
    )


class OrganizationCreateSerializer(serializers.Serializer):
    name = _name_field()


class OrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField(
        allow_null=True, help_text="The caller's role in the organization (admin or member)."
    )
    created_at = serializers.DateTimeField()


class ProjectCreateSerializer(serializers.Serializer):
    organization_id = IdField()
    name = _name_field()


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization_id = serializers.IntegerField()
    name = serializers.CharField()
    created_at = serializers.DateTimeField()


class CorpusCreateSerializer(serializers.Serializer):
    project_id = IdField()
    name = _name_field()
    description = _description_field()


class CorpusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project_id = serializers.IntegerField()
    organization_id = serializers.IntegerField(source="project.organization_id")
    name = serializers.CharField()
    description = serializers.CharField()
    created_at = serializers.DateTimeField()


class ToolActionCreateSerializer(serializers.Serializer):
    name = _name_field()
    config = JSONObjectField(required=False)


class ToolCreateSerializer(serializers.Serializer):
    organization_id = IdField()
    name = _name_field()
    kind = serializers.ChoiceField(choices=Tool.Kind.choices)
    description = _description_field()
    actions = ToolActionCreateSerializer(many=True, required=False, max_length=MAX_TOOL_ACTIONS)


class ToolActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    config = JSONObjectField()


class ToolSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization_id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    description = serializers.CharField()
    actions = ToolActionSerializer(many=True, source="actions.all")
    created_at = serializers.DateTimeField()


class GuardrailCreateSerializer(serializers.Serializer):
    organization_id = IdField()
    name = _name_field()
    type = _name_field(max_length=64)
    config = JSONObjectField(required=False)


class GuardrailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization_id = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.CharField()
    config = JSONObjectField()
    created_at = serializers.DateTimeField()


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
    name = _name_field()
    description = _description_field()
    model_config = ModelConfigField(required=False)


class AgentUpdateSerializer(serializers.Serializer):
    """PUT requires ``name``; PATCH nothing. A field left out stays as it is."""

    name = _name_field()
    description = _description_field()
    model_config = ModelConfigField(required=False)


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


# --- permissions -----------------------------------------------------------------------------


class PermissionCreateSerializer(serializers.Serializer):
    user_id = IdField()
    role = serializers.ChoiceField(choices=AgentPermission.Role.choices)


class PermissionUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=AgentPermission.Role.choices)


class PermissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    user = UserRefSerializer()
    role = serializers.CharField()
    granted_by = UserRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
