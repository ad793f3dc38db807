"""Webhook endpoints, the events sent to them and every attempt to deliver one.

An event is written in the transaction of what it reports (a publish, a rollback ...), with
one delivery per subscribed endpoint and the task that will send it: the three commit or
vanish together. A delivery's id is the ``webhook-id`` the receiver sees on every attempt,
so receivers deduplicate on it.
"""

import uuid

from django.db import models
from django.utils import timezone

from agents.models import Agent, Organization
from ejento_staging.fields import user_reference

URL_MAX_LENGTH = 2000
DESCRIPTION_MAX_LENGTH = 500


class Endpoint(models.Model):
    """Where an organization's events go: for every agent, or for one (``agent``)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    agent = models.ForeignKey(
        Agent,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        help_text="Empty: the events of every agent of the organization.",
    )
    url = models.URLField(max_length=URL_MAX_LENGTH)
    description = models.CharField(max_length=DESCRIPTION_MAX_LENGTH, blank=True, default="")
    event_types = models.JSONField(default=list)
    enabled = models.BooleanField(default=True)
    # The signing secrets ("whsec_" + base64), shown once and never again: the admin and the
    # API leave them out. During a rotation the previous one signs too, until it expires.
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True, default="")
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    created_by = user_reference()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Since when every attempt has failed (reset by a success); past a limit it is disabled.
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["organization", "enabled"], name="webhook_org_enabled")]

    def __str__(self) -> str:
        return self.url


class Event(models.Model):
    """Something that happened, as sent: ``payload`` is the exact JSON body."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=64)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        Agent, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class Delivery(models.Model):
    """One event to one endpoint, until it succeeds or its retries run out."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # Failed attempts since the delivery was (re)started: picks the next retry's delay.
    failures_in_row = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # While sending: the worker's claim; past it, the sweep hands the delivery on.
    lease_until = models.DateTimeField(null=True, blank=True)
    task_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="one_delivery_per_endpoint")
        ]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_date"),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event.type} to {self.endpoint.url} ({self.status})"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.id.hex}"


class DeliveryAttempt(models.Model):
    """One HTTP request of a delivery: the delivery log."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    succeeded = models.BooleanField()
    error = models.CharField(max_length=500, blank=True, default="")
    response_excerpt = models.CharField(max_length=1000, blank=True, default="")
    manual = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at", "-number"]
        indexes = [models.Index(fields=["delivery", "-number"], name="attempt_delivery_number")]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"
