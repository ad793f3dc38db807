"""Scheduled publishes: a reviewed state of Staging, published later by a worker.

Scheduling records the review (``expected_fingerprint``) and queues a task to run at
``publish_at``, in one transaction. At that time a worker publishes through
``publish_agent`` as the user who scheduled it, with that user's role checked then and the
review compared then: if Staging or Production moved, or the user lost the right, nothing
goes live and the schedule fails with the reason. The schedule's row is locked, and its
status checked, in the transaction of the publish: two workers never publish it twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from agents.models import Agent
from agents.permissions import Role, lock_agent, require_role
from agents.validation import clean_fingerprint
from background.queue import claim, enqueue, take_lost
from publishing import events
from publishing.exceptions import (
    NothingToPublish,
    ScheduleExists,
    ScheduleNotPending,
    StaleReview,
)
from publishing.inputs import clean_notes
from publishing.models import ScheduledPublish
from publishing.selectors import review_staging
from publishing.services import publish_agent
from reviews.exceptions import ApprovalRequired, ChecksNotPassed

# How far ahead a publish may be scheduled.
LONGEST_WAIT = timedelta(days=366)
SWEEP_BATCH = 200


def schedule_publish(
    *,
    agent: Agent,
    acting_user: Any,
    publish_at: Any,
    expected_fingerprint: Any,
    notes: Any = "",
) -> ScheduledPublish:
    """Schedule the reviewed state of Staging to go live at ``publish_at``.

    Refused unless ``acting_user`` is at least a publisher; ``StaleReview`` if Staging or
    Production moved since the review, ``NothingToPublish`` if Staging equals Production,
    ``ScheduleExists`` if one is already pending.
    """
    role = require_role(acting_user, agent, Role.PUBLISHER)
    fingerprint = clean_fingerprint(expected_fingerprint, "expected_fingerprint")
    if fingerprint is None:
        raise ValidationError(
            {"expected_fingerprint": ["Schedule the state you reviewed: give its fingerprint."]}
        )
    publish_at = clean_publish_at(publish_at)
    notes = clean_notes(notes)
    with transaction.atomic():
        locked = lock_agent(agent, acting_user, role)
        review = review_staging(locked)
        if not review.diff.has_changes:
            raise NothingToPublish()
        if review.fingerprint != fingerprint:
            raise StaleReview(fingerprint=review.fingerprint)
        if ScheduledPublish.objects.filter(
            agent_id=locked.pk, status=ScheduledPublish.Status.PENDING
        ).exists():
            raise ScheduleExists()
        schedule = ScheduledPublish(
            agent=locked,
            expected_fingerprint=fingerprint,
            publish_at=publish_at,
            notes=notes,
            scheduled_by=acting_user,
            scheduled_by_username=acting_user.username,
            created_at=timezone.now(),
        )
        try:
            with transaction.atomic():
                schedule.save(force_insert=True)
        except IntegrityError:
            raise ScheduleExists() from None
        schedule.task_id = enqueue(_run_task(), schedule.pk, run_after=publish_at)
        schedule.save(update_fields=["task_id"])
    return schedule


def cancel_schedule(*, schedule: ScheduledPublish, acting_user: Any) -> ScheduledPublish:
    """Cancel a pending schedule (a publisher's call); its task then does nothing."""
    require_role(acting_user, schedule.agent, Role.PUBLISHER)
    with transaction.atomic():
        locked = ScheduledPublish.objects.select_for_update().get(pk=schedule.pk)
        if locked.status != ScheduledPublish.Status.PENDING:
            raise ScheduleNotPending(status=locked.status)
        locked.status = ScheduledPublish.Status.CANCELLED
        locked.cancelled_by = acting_user
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "cancelled_by", "finished_at"])
    return locked


def clean_publish_at(value: Any) -> datetime:
    """A moment in the future (at most ``LONGEST_WAIT`` ahead), with its UTC offset."""
    if isinstance(value, str):
        try:
            value = parse_datetime(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        raise ValidationError(
            {"publish_at": ["Must be an ISO 8601 date-time, e.g. 2030-01-31T02:00:00+01:00."]}
        )
    if timezone.is_naive(value):
        raise ValidationError(
            {"publish_at": ["Give the time zone (e.g. +01:00 or Z): 02:00 where?"]}
        )
    now = timezone.now()
    if value <= now:
        raise ValidationError({"publish_at": ["Must be in the future."]})
    if value > now + LONGEST_WAIT:
        raise ValidationError({"publish_at": ["At most a year ahead."]})
    return value


FAILURES = {
    StaleReview: "stale_review",
    NothingToPublish: "nothing_to_publish",
    ApprovalRequired: "approval_required",
    ChecksNotPassed: "checks_not_passed",
    PermissionDenied: "permission_denied",
    Agent.DoesNotExist: "permission_denied",
}


def run_schedule(schedule_id: int) -> str:
    """Carry out a due schedule: publish, or record why not (the task's body)."""
    with transaction.atomic():
        schedule = claim(
            ScheduledPublish.objects.select_related("agent__project", "scheduled_by"), schedule_id
        )
        if schedule is None:
            return "held by another worker"
        if schedule.status != ScheduledPublish.Status.PENDING:
            return f"already {schedule.status}"
        if schedule.publish_at > timezone.now():
            # Run early (a sweep, or a clock ahead): the task for the right time will come.
            return "not due yet"
        schedule.finished_at = timezone.now()
        try:
            with transaction.atomic():
                record = _publish(schedule)
        except tuple(FAILURES) as refusal:
            schedule.status = ScheduledPublish.Status.FAILED
            schedule.failure_code = _failure_code(refusal)
            schedule.failure_detail = str(refusal)[:500]
            schedule.save()
            events.schedule_failed(schedule)
            return f"failed: {schedule.failure_code}"
        schedule.status = ScheduledPublish.Status.SUCCEEDED
        schedule.publish_record = record
        schedule.save()
        events.schedule_succeeded(schedule, record)
        return f"published #{record.sequence}"


def _publish(schedule: ScheduledPublish):
    user = schedule.scheduled_by
    if user is None or not user.is_active:
        raise PermissionDenied("The user who scheduled this publish can no longer publish.")
    agent = schedule.agent
    if agent.deleted_at is not None:
        raise Agent.DoesNotExist("The agent was deleted.")
    return publish_agent(
        agent=agent,
        acting_user=user,
        notes=schedule.notes,
        expected_fingerprint=schedule.expected_fingerprint,
        schedule=schedule,
    )


def _failure_code(refusal: Exception) -> str:
    for kind, code in FAILURES.items():
        if isinstance(refusal, kind):
            return code
    return "error"


def _run_task():
    from publishing.tasks import run_scheduled_publish  # the task module imports this one

    return run_scheduled_publish


def hand_on_lost_schedules() -> int:
    """Queue again the due schedules whose task is gone: a sweeper (``background.sweep``).

    A worker that dies mid-publish rolls the publish back, and leaves its task marked
    running; the schedule is still pending, so it is due again.
    """
    overdue = ScheduledPublish.objects.filter(
        status=ScheduledPublish.Status.PENDING,
        publish_at__lt=timezone.now() - timedelta(seconds=settings.BACKGROUND_LEASE_SECONDS),
    ).only("id", "task_id")
    with transaction.atomic():
        lost = take_lost(overdue, batch=SWEEP_BATCH)
        for schedule in lost:
            schedule.task_id = enqueue(_run_task(), schedule.pk)
            schedule.save(update_fields=["task_id"])
    return len(lost)
