"""Production and its publish records, the append-only audit trail of Production.

``ProductionConfiguration`` is what end-users and integrations get: the snapshot of the
newest publish, never edited field by field, only replaced whole by
``publishing.services.publish_agent``, so it needs no row history of its own.

A publish record is written once, by ``publishing.services.publish_agent``, in the same transaction
that replaces Production, and never changed or deleted afterwards (the admin and the API
offer no way to). Each holds the full snapshot that went live, the changes against the
Production before it, and a hash chained to the previous record's, so any rewrite of the
past is detectable (``manage.py verify_publish_history``).
"""

import uuid

from django.db import models

from agents.models import Agent
from ejento_staging.fields import user_reference

NOTES_MAX_LENGTH = 5000


class ProductionConfiguration(models.Model):
    """What end-users and integrations get: the snapshot of the newest publish.

    Written only by ``publishing.services.publish_agent``, under a row lock on the agent.
    ``snapshot`` is the canonical form of ``configuration.snapshot``; ``change_track_id`` names
    the publish record it came from, so the live read needs this one row and nothing else.
    """

    agent = models.OneToOneField(
        Agent, on_delete=models.CASCADE, primary_key=True, related_name="production"
    )
    snapshot = models.JSONField()
    fingerprint = models.CharField(max_length=64)
    change_track_id = models.UUIDField()
    published_at = models.DateTimeField()
    published_by = user_reference()
    # The Staging revision that went live: edits after it are the next publish's. Empty for
    # publishes made before it was kept (their time stands in).
    staging_revision = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        # The table kept its name when the model moved here from ``agents``.
        db_table = "agents_productionconfiguration"
        verbose_name = "production configuration"

    def __str__(self) -> str:
        return f"{self.snapshot.get('settings', {}).get('name', self.agent_id)} (production)"


class PublishRecord(models.Model):
    change_track_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="publish_records")
    sequence = models.PositiveIntegerField(help_text="1 for an agent's first publish, then +1.")
    published_by = user_reference(related_name="publish_records")
    # Kept beside the foreign key so the audit trail survives a user's deletion.
    published_by_username = models.CharField(max_length=150, blank=True, default="")
    published_at = models.DateTimeField(db_index=True)
    notes = models.TextField(max_length=NOTES_MAX_LENGTH, blank=True, default="")
    summary = models.CharField(max_length=1000)
    counts = models.JSONField(default=dict)
    changes = models.JSONField(default=list)
    snapshot = models.JSONField()
    fingerprint = models.CharField(max_length=64)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next"
    )
    restored_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="restorations"
    )
    restored_mode = models.CharField(max_length=16, blank=True, default="")
    # What the publish policy said (``reviews.readiness.Readiness.record``): the policy, the
    # approvals and check results it was published with, and a break-glass reason. Empty
    # when there was neither a policy nor a review, as for every record before policies.
    gate = models.JSONField(default=dict, blank=True)
    # An owner published without the policy being met; ``gate["break_glass"]`` says why.
    broke_glass = models.BooleanField(default=False, db_index=True)
    # Who made the changes this publish took live, newest first (``publishing.authors``):
    # ``[{"id", "username", "changed_at"}]``. Empty on records made before it was kept.
    contributors = models.JSONField(default=list, blank=True)
    # The Staging revision that went live; null on records made before it was kept.
    staging_revision = models.PositiveIntegerField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64, blank=True, default="")
    record_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-published_at", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "sequence"], name="unique_publish_sequence")
        ]
        indexes = [
            models.Index(fields=["agent", "-published_at"], name="publish_agent_date"),
            models.Index(
                fields=["agent", "published_by", "-published_at"], name="publish_agent_user_date"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.summary[:60]}"


class ScheduledPublish(models.Model):
    """A reviewed state of Staging, to be published at ``publish_at`` by a worker.

    The worker publishes through ``publish_agent`` as ``scheduled_by``, with that user's role
    checked then and ``expected_fingerprint`` as the review: if Staging or Production moved
    since, nothing goes live and the schedule fails with the reason.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="scheduled_publishes")
    expected_fingerprint = models.CharField(max_length=64)
    publish_at = models.DateTimeField()
    notes = models.TextField(max_length=NOTES_MAX_LENGTH, blank=True, default="")
    scheduled_by = user_reference(related_name="scheduled_publishes")
    scheduled_by_username = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Why it failed: stale_review, nothing_to_publish, approval_required, checks_not_passed
    # or permission_denied (which also covers an author deactivated or deleted, and an agent
    # deleted since).
    failure_code = models.CharField(max_length=32, blank=True, default="")
    failure_detail = models.CharField(max_length=500, blank=True, default="")
    finished_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = user_reference()
    publish_record = models.OneToOneField(
        PublishRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="schedule",
    )
    task_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["publish_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent"],
                condition=models.Q(status="pending"),
                name="one_pending_schedule_per_agent",
            )
        ]
        indexes = [models.Index(fields=["status", "publish_at"], name="schedule_due")]

    def __str__(self) -> str:
        return f"Publish of agent {self.agent_id} at {self.publish_at:%Y-%m-%d %H:%M}"
