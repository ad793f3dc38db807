"""What the reviews API takes: the policy, a review request, a verdict, a check result.

Each field refuses what its service refuses, and the schema says so (the services parse
everything again under the agent's lock; these give the caller one list of messages per
field first). Strings are taken as sent - never trimmed here - so that what the schema's
pattern refuses is refused, and the service trims what it trims.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.serializers.fields import (
    FlatListField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    free_text_field,
)
from agents.validation import FINGERPRINT_PATTERN, clean_fingerprint
from configuration.checks import BUILTIN_CHECKS
from ejento_staging.api_fields import ParsedField
from reviews.api.shapes import BuiltinCheckRefSerializer, builtin_check_refs
from reviews.models import (
    CHECK_DESCRIPTION_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    MAX_REQUIRED_APPROVALS,
    MAX_REQUIRED_CHECKS,
    URL_MAX_LENGTH,
    CheckRun,
    Verdict,
)
from reviews.policy import CHECK_NAME_INVALID, CHECK_NAME_PATTERN

FINGERPRINT_SCHEMA = f"^{FINGERPRINT_PATTERN.pattern}$"


@extend_schema_field(
    {
        "type": "string",
        "pattern": FINGERPRINT_SCHEMA,
        "description": "The `fingerprint` of the staging-diff this is about.",
    }
)
class FingerprintField(ParsedField):
    """A review fingerprint that must be given."""

    def parse(self, data: Any) -> str:
        value = clean_fingerprint(data, self.field_name)
        if value is None:
            raise serializers.ValidationError(
                "Required: the fingerprint of the staging-diff this is about."
            )
        return value


# A plain Field with a hand-written schema: for a CharField that allows blanks,
# drf-spectacular emits a oneOf that the empty string matches twice.
@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "pattern": f"^({FINGERPRINT_PATTERN.pattern})?$",
        "description": "The `fingerprint` of the staging-diff you looked at. When given, the "
        "request goes through only if Staging and Production are still exactly that state. "
        "Empty or null: Staging as it is now.",
    }
)
class OptionalFingerprintField(ParsedField):
    def parse(self, data: Any) -> str | None:
        return clean_fingerprint(data, self.field_name)


def check_name_field(**kwargs: Any) -> StrictCharField:
    return StrictCharField(
        trim_whitespace=False,
        validators=[RegexValidator(f"^{CHECK_NAME_PATTERN.pattern}$", message=CHECK_NAME_INVALID)],
        **kwargs,
    )


# --- the policy ------------------------------------------------------------------------------


class PublishPolicySerializer(serializers.Serializer):
    """An agent's publish policy: what must hold before Staging may go live.

    Taken whole by PUT and in part by PATCH; answered with the built-in checks that
    ``blocking_builtin_checks`` may name.
    """

    required_approvals = StrictIntegerField(
        min_value=0,
        max_value=MAX_REQUIRED_APPROVALS,
        help_text="Approvals from publishers needed on the exact state published; 0: none.",
    )
    authors_may_approve = StrictBooleanField(
        help_text="Whether someone who changed Staging since the last publish may approve it."
    )
    required_checks = FlatListField(
        child=check_name_field(),
        max_length=MAX_REQUIRED_CHECKS,
        help_text="External checks that must report success on the state published.",
    )
    blocking_builtin_checks = FlatListField(
        child=serializers.ChoiceField(choices=list(BUILTIN_CHECKS)),
        help_text="Built-in checks that hold a publish back when they fail.",
    )
    # A method field: a read-only nested serializer would still leave an unused
    # ``BuiltinCheckRefRequest`` component in the schema.
    builtin_checks = serializers.SerializerMethodField(help_text="The built-in checks there are.")

    @extend_schema_field(BuiltinCheckRefSerializer(many=True))
    def get_builtin_checks(self, policy: Any) -> list[dict[str, str]]:
        return builtin_check_refs()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A misspelt field would otherwise be dropped and the answer show the policy
        # unchanged, which reads as success; for a rule guarding Production, refuse it.
        # ``builtin_checks`` is let through so that a policy read can be sent back as is.
        known = {*self.fields, "builtin_checks"}
        unknown = sorted(key for key in self.initial_data if key not in known)
        if unknown:
            raise serializers.ValidationError(f"Unknown field(s): {', '.join(unknown)}.")
        return attrs


# --- review requests, verdicts, checks -------------------------------------------------------


class ReviewRequestCreateSerializer(serializers.Serializer):
    description = free_text_field(COMMENT_MAX_LENGTH)
    expected_fingerprint = OptionalFingerprintField(required=False, allow_null=True)


class VerdictCreateSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(
        choices=Verdict.Kind.choices,
        help_text="approved, changes_requested, or withdrawn (takes back your earlier one).",
    )
    comment = free_text_field(COMMENT_MAX_LENGTH)
    expected_fingerprint = FingerprintField(
        help_text="The staging-diff's `fingerprint` you reviewed; refused as `stale_review` "
        "if Staging or Production moved since."
    )


class CheckRunCreateSerializer(serializers.Serializer):
    fingerprint = FingerprintField()
    name = check_name_field(help_text=CHECK_NAME_INVALID)
    state = serializers.ChoiceField(choices=CheckRun.State.choices)
    description = free_text_field(CHECK_DESCRIPTION_MAX_LENGTH)
    target_url = StrictCharField(
        max_length=URL_MAX_LENGTH,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Where to read the details: an http(s) URL.",
    )
