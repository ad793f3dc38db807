"""What the reviews API answers. The publish API's policy refusals and a publish record's
``gate`` use these shapes too, so one state reads the same wherever it is shown.

The review state is computed as plain data (``reviews.readiness``) and served as is; these
serializers describe it for ``/api/schema/`` and render the rows of the logs.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from agents.serializers.common import RecordedUserSerializer
from configuration.checks import BUILTIN_CHECKS
from reviews.models import MAX_REQUIRED_APPROVALS, CheckRun, ReviewRequest, Verdict
from reviews.readiness import MISSING, NOT_COUNTED_REASONS


class OneOfField(serializers.CharField):
    """A string among ``values``, documented by a pattern: an enum would be a schema
    component named after the field (``StateEnum``, ``StatusEnum``) that collides with
    every other field of that name over other values."""

    def __init__(self, values: tuple[str, ...] | list[str], **kwargs: Any) -> None:
        self.values = tuple(values)
        super().__init__(**kwargs)
        # Set per instance (the values differ) in __init__, so DRF's copy of each declared
        # field keeps it.
        self._spectacular_annotation = {
            "field": {"type": "string", "pattern": f"^({'|'.join(self.values)})$"}
        }


def user_ref(user_id: int | None, username: str) -> dict[str, Any] | None:
    # The username is kept beside the key, so the log outlives the account.
    if user_id is None and not username:
        return None
    return {"id": user_id, "username": username}


class ReviewsUserRefSerializer(RecordedUserSerializer):
    class Meta:
        ref_name = "ReviewsUserRef"


# --- the policy ------------------------------------------------------------------------------


class PolicyValuesSerializer(serializers.Serializer):
    """A publish policy as a value: what the change log and the readiness show of it."""

    class Meta:
        ref_name = "PublishPolicyValues"

    required_approvals = serializers.IntegerField(min_value=0, max_value=MAX_REQUIRED_APPROVALS)
    authors_may_approve = serializers.BooleanField()
    required_checks = serializers.ListField(child=serializers.CharField())
    blocking_builtin_checks = serializers.ListField(child=serializers.CharField())


class BuiltinCheckRefSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()


def builtin_check_refs() -> list[dict[str, str]]:
    return [{"name": name, "label": label} for name, label in BUILTIN_CHECKS.items()]


class PolicyChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    changed_by = serializers.SerializerMethodField()
    changed_at = serializers.DateTimeField()
    before = PolicyValuesSerializer()
    after = PolicyValuesSerializer()

    @extend_schema_field(ReviewsUserRefSerializer(allow_null=True))
    def get_changed_by(self, change: Any) -> dict[str, Any] | None:
        return user_ref(change.changed_by_id, change.changed_by_username)


# --- verdicts --------------------------------------------------------------------------------


class VerdictSerializer(serializers.Serializer):
    """One verdict as given (the log): the newest per reviewer and state is the one counted."""

    id = serializers.IntegerField()
    verdict = serializers.ChoiceField(choices=Verdict.Kind.choices, source="kind")
    comment = serializers.CharField(allow_blank=True)
    reviewer = serializers.SerializerMethodField()
    given_at = serializers.DateTimeField(source="created_at")
    fingerprint = serializers.CharField(help_text="The reviewed state it was given on.")
    staging_revision = serializers.IntegerField()
    review_request_id = serializers.IntegerField(
        allow_null=True, help_text="The open review request of that state, if there was one."
    )

    @extend_schema_field(ReviewsUserRefSerializer(allow_null=True))
    def get_reviewer(self, verdict: Verdict) -> dict[str, Any] | None:
        return user_ref(verdict.reviewer_id, verdict.reviewer_username)


class ReviewerVerdictSerializer(serializers.Serializer):
    """A reviewer's newest verdict since the last publish, as the policy weighs it."""

    id = serializers.IntegerField()
    reviewer = ReviewsUserRefSerializer()
    verdict = serializers.ChoiceField(choices=Verdict.Kind.choices)
    comment = serializers.CharField(allow_blank=True)
    given_at = serializers.DateTimeField()
    fingerprint = serializers.CharField()
    staging_revision = serializers.IntegerField()
    stale = serializers.BooleanField(
        help_text="Given on an earlier state: Staging or Production moved since."
    )
    counted = serializers.BooleanField(help_text="Counts as one of the approvals required.")
    not_counted_reason = serializers.CharField(
        allow_blank=True,
        help_text="Why a fresh approval does not count ("
        + "; ".join(NOT_COUNTED_REASONS.values())
        + "); empty otherwise.",
    )


# --- checks ----------------------------------------------------------------------------------

CHECK_STATES = tuple(CheckRun.State.values)


class CheckStateSerializer(serializers.Serializer):
    """The newest result of one external check on a state, or ``missing`` for a required
    check with none yet."""

    name = serializers.CharField()
    state = OneOfField((*CHECK_STATES, MISSING))
    required = serializers.BooleanField(help_text="Named by the policy's required_checks.")
    description = serializers.CharField(allow_blank=True)
    target_url = serializers.CharField(allow_blank=True)
    reported_at = serializers.DateTimeField(allow_null=True)
    reported_by = ReviewsUserRefSerializer(allow_null=True)


class CheckRunSerializer(serializers.Serializer):
    """One result an external check posted (the log)."""

    id = serializers.IntegerField()
    fingerprint = serializers.CharField()
    name = serializers.CharField()
    state = OneOfField(CHECK_STATES)
    description = serializers.CharField(allow_blank=True)
    target_url = serializers.CharField(allow_blank=True)
    reported_at = serializers.DateTimeField(source="created_at")
    reported_by = serializers.SerializerMethodField()

    @extend_schema_field(ReviewsUserRefSerializer(allow_null=True))
    def get_reported_by(self, run: CheckRun) -> dict[str, Any] | None:
        return user_ref(run.created_by_id, run.created_by_username)


class BuiltinCheckResultSerializer(serializers.Serializer):
    """A built-in check of the configuration itself, run on Staging as it stands."""

    name = OneOfField(tuple(BUILTIN_CHECKS))
    label = serializers.CharField()
    passed = serializers.BooleanField()
    detail = serializers.CharField(allow_blank=True)
    findings = serializers.ListField(
        child=serializers.JSONField(), help_text="What the check found, if anything."
    )


class BuiltinStateSerializer(BuiltinCheckResultSerializer):
    blocking = serializers.BooleanField(help_text="The policy holds a publish back on it.")


def policy_check_list(**kwargs: Any) -> PolymorphicProxySerializer:
    """A policy refusal's ``checks``: the required external checks and the blocking built-in
    ones together. Their shapes differ (a ``state``; ``passed``), so each item is one or the
    other."""
    return PolymorphicProxySerializer(
        component_name="PolicyCheck",
        serializers=[CheckStateSerializer, BuiltinStateSerializer],
        resource_type_field_name=None,
        many=True,
        **kwargs,
    )


# --- review requests -------------------------------------------------------------------------


class ReviewRequestSerializer(serializers.Serializer):
    class Meta:
        # Not "ReviewRequest": the schema's components named "...Request" are request bodies.
        ref_name = "ReviewRequestSummary"

    id = serializers.IntegerField()
    fingerprint = serializers.CharField(help_text="The state of Staging put up for review.")
    staging_revision = serializers.IntegerField()
    description = serializers.CharField(allow_blank=True)
    status = OneOfField(
        tuple(ReviewRequest.Status.values),
        help_text="open, published (a publish closed it), superseded (a newer request "
        "replaced it) or withdrawn.",
    )
    requested_by = serializers.SerializerMethodField()
    requested_at = serializers.DateTimeField(source="created_at")
    closed_at = serializers.DateTimeField(allow_null=True)
    closed_by = serializers.SerializerMethodField()

    @extend_schema_field(ReviewsUserRefSerializer(allow_null=True))
    def get_requested_by(self, request: ReviewRequest) -> dict[str, Any] | None:
        return user_ref(request.requested_by_id, request.requested_by_username)

    @extend_schema_field(ReviewsUserRefSerializer(allow_null=True))
    def get_closed_by(self, request: ReviewRequest) -> dict[str, Any] | None:
        return user_ref(request.closed_by_id, request.closed_by_username)


class ReviewRequestDetailSerializer(ReviewRequestSerializer):
    class Meta:
        ref_name = "ReviewRequestDetail"

    stale = serializers.BooleanField(
        help_text="Staging or Production moved since it was asked: it names an earlier state."
    )
    verdicts = VerdictSerializer(many=True, help_text="Given while it was open; newest first.")


# --- readiness -------------------------------------------------------------------------------


class ApprovalsSerializer(serializers.Serializer):
    required = serializers.IntegerField(min_value=0)
    counted = serializers.IntegerField(min_value=0)
    verdicts = ReviewerVerdictSerializer(
        many=True, help_text="Each reviewer's newest verdict since the last publish."
    )


class ReadinessSerializer(serializers.Serializer):
    """Whether Staging as it stands may go live under the agent's policy, and why not."""

    fingerprint = serializers.CharField(help_text="The state under review (the staging-diff's).")
    has_changes = serializers.BooleanField()
    policy = PolicyValuesSerializer()
    met = serializers.BooleanField(help_text="A publish now would pass the policy.")
    approvals_met = serializers.BooleanField()
    checks_met = serializers.BooleanField()
    blockers = serializers.ListField(
        child=serializers.CharField(), help_text="What holds a publish back, in words."
    )
    approvals = ApprovalsSerializer()
    checks = CheckStateSerializer(many=True)
    builtin_checks = BuiltinStateSerializer(many=True)
    authors = ReviewsUserRefSerializer(
        many=True, help_text="Who changed Staging since the last publish."
    )
    review_request = ReviewRequestSerializer(
        allow_null=True, help_text="The open review request, if any."
    )


class CheckStatesSerializer(serializers.Serializer):
    fingerprint = serializers.CharField()
    current = serializers.BooleanField(help_text="It names the state under review now.")
    checks = CheckStateSerializer(
        many=True, help_text="The newest result per check, and each required one missing."
    )
    runs = CheckRunSerializer(many=True, help_text="Every result on it, newest first.")


# --- what a publish record keeps of the policy -----------------------------------------------


class GateApprovalSerializer(serializers.Serializer):
    reviewer = ReviewsUserRefSerializer()
    verdict = serializers.ChoiceField(choices=Verdict.Kind.choices)
    given_at = serializers.DateTimeField()
    counted = serializers.BooleanField()


class GateCheckSerializer(serializers.Serializer):
    name = serializers.CharField()
    state = OneOfField((*CHECK_STATES, MISSING))
    required = serializers.BooleanField()
    target_url = serializers.CharField(allow_blank=True)


class GateBuiltinCheckSerializer(serializers.Serializer):
    name = serializers.CharField()
    passed = serializers.BooleanField()
    blocking = serializers.BooleanField()


class BreakGlassSerializer(serializers.Serializer):
    reason = serializers.CharField()
    blockers = serializers.ListField(
        child=serializers.CharField(), help_text="What the policy was still missing."
    )


class PublishGateSerializer(serializers.Serializer):
    """What the publish policy said when this publish went through; ``{}`` when there was
    neither a policy nor any review or check result (as for every publish before policies)."""

    fingerprint = serializers.CharField(required=False)
    policy = PolicyValuesSerializer(required=False)
    met = serializers.BooleanField(required=False)
    approvals = GateApprovalSerializer(many=True, required=False)
    checks = GateCheckSerializer(many=True, required=False)
    builtin_checks = GateBuiltinCheckSerializer(many=True, required=False)
    break_glass = BreakGlassSerializer(
        required=False,
        allow_null=True,
        help_text="An owner published without the policy being met: why.",
    )
