"""What must hold before Staging may go live, and the reviews and checks that make it hold.

Everything here is bound to a **review fingerprint** (``combine_fingerprints`` of Production
and Staging, the one ``staging-diff`` shows): an approval or a check result speaks for exactly
that state, and any later Staging edit or publish makes it stale. The rows are append-only
logs - a withdrawn approval is a new verdict, a re-run check a new result - so the admin and
the history show every step, and "the latest per person (or per check name) counts".
"""

from django.db import models

from agents.models import Agent
from ejento_staging.fields import user_reference

COMMENT_MAX_LENGTH = 5000
CHECK_NAME_MAX_LENGTH = 100
CHECK_DESCRIPTION_MAX_LENGTH = 500
URL_MAX_LENGTH = 2000
MAX_REQUIRED_APPROVALS = 5
MAX_REQUIRED_CHECKS = 20


class PublishPolicy(models.Model):
    """Per agent, set by its owners. No row means the default: publish as before."""

    agent = models.OneToOneField(
        Agent, on_delete=models.CASCADE, primary_key=True, related_name="publish_policy"
    )
    required_approvals = models.PositiveSmallIntegerField(default=0)
    authors_may_approve = models.BooleanField(default=False)
    required_checks = models.JSONField(default=list, blank=True)
    blocking_builtin_checks = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField()
    updated_by = user_reference()

    class Meta:
        verbose_name = "publish policy"
        verbose_name_plural = "publish policies"

    def __str__(self) -> str:
        return f"Publish policy of agent {self.agent_id}"


class PolicyChange(models.Model):
    """One change of an agent's publish policy: who, when, and the policy before and after."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="policy_changes")
    changed_by = user_reference()
    changed_by_username = models.CharField(max_length=150, blank=True, default="")
    changed_at = models.DateTimeField()
    before = models.JSONField()
    after = models.JSONField()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["agent", "-changed_at"], name="policy_change_agent")]

    def __str__(self) -> str:
        return f"Policy of agent {self.agent_id} changed {self.changed_at:%Y-%m-%d %H:%M}"


class ReviewRequest(models.Model):
    """An editor's request that publishers review Staging as it stood (``fingerprint``).

    An agent has at most one open request: asking again replaces it (``superseded``), a
    publish closes it (``published``), its author or a publisher may withdraw it.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded"
        WITHDRAWN = "withdrawn", "Withdrawn"

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="review_requests")
    fingerprint = models.CharField(max_length=64)
    staging_revision = models.PositiveIntegerField()
    description = models.TextField(max_length=COMMENT_MAX_LENGTH, blank=True, default="")
    requested_by = user_reference(related_name="review_requests")
    requested_by_username = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = user_reference()
    closed_by_username = models.CharField(max_length=150, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent"],
                condition=models.Q(status="open"),
                name="one_open_review_request_per_agent",
            )
        ]
        indexes = [models.Index(fields=["agent", "fingerprint"], name="review_request_state")]

    def __str__(self) -> str:
        return f"Review request {self.pk} of agent {self.agent_id} ({self.status})"


class Verdict(models.Model):
    """A publisher's verdict on one reviewed state: approve, request changes, or withdraw.

    The reviewer's newest verdict on a fingerprint is the one that counts.
    """

    class Kind(models.TextChoices):
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        WITHDRAWN = "withdrawn", "Withdrawn"

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="verdicts")
    review_request = models.ForeignKey(
        ReviewRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="verdicts"
    )
    fingerprint = models.CharField(max_length=64)
    staging_revision = models.PositiveIntegerField()
    kind = models.CharField(max_length=24, choices=Kind.choices)
    comment = models.TextField(max_length=COMMENT_MAX_LENGTH, blank=True, default="")
    reviewer = user_reference(related_name="verdicts")
    reviewer_username = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agent", "fingerprint"], name="verdict_state")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.reviewer_username} on agent {self.agent_id}"


class CheckRun(models.Model):
    """A result an external check (an evaluation, a red-team run, a CI job) posted for one
    reviewed state, like a commit status. The newest per name and fingerprint counts."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCESS = "success", "Success"
        FAILURE = "failure", "Failure"
        ERROR = "error", "Error"

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="check_runs")
    fingerprint = models.CharField(max_length=64)
    name = models.CharField(max_length=CHECK_NAME_MAX_LENGTH)
    state = models.CharField(max_length=16, choices=State.choices)
    description = models.CharField(max_length=CHECK_DESCRIPTION_MAX_LENGTH, blank=True, default="")
    target_url = models.URLField(max_length=URL_MAX_LENGTH, blank=True, default="")
    created_by = user_reference(related_name="check_runs")
    created_by_username = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agent", "fingerprint", "name"], name="check_run_state")]

    def __str__(self) -> str:
        return f"{self.name}: {self.state} (agent {self.agent_id})"
