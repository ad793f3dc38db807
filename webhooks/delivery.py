"""Sending a delivery: claim it, POST it, log the attempt, then finish it or retry later.

At least once: a delivery is claimed with a lease before the request and settled after;
a worker that dies in between leaves the lease to expire, and the sweep queues it again.
The ``webhook-id`` never changes, so a receiver that got it twice keeps one.

Retries follow ``WEBHOOK_RETRY_DELAYS`` (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: a little
over a day), then the delivery has failed. An endpoint where every attempt has failed for
``WEBHOOK_DISABLE_AFTER`` is disabled, with the reason its owners see.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from background.queue import claim, enqueue, take_lost
from webhooks.models import Delivery, DeliveryAttempt, Endpoint
from webhooks.signing import signed_headers
from webhooks.transport import Answer, post

SWEEP_BATCH = 500


def retry_delays() -> list[timedelta]:
    return [timedelta(seconds=seconds) for seconds in settings.WEBHOOK_RETRY_DELAYS]


def attempt(delivery_id: str) -> str:
    """One attempt at a delivery, unless it is settled, not due or held by another worker."""
    now = timezone.now()
    with transaction.atomic():
        delivery = claim(Delivery.objects.select_related("endpoint", "event"), delivery_id)
        if delivery is None:
            return "held by another worker"
        if delivery.status in (Delivery.Status.SUCCEEDED, Delivery.Status.FAILED):
            return f"already {delivery.status}"
        if delivery.status == Delivery.Status.SENDING and delivery.lease_until > now:
            return "being sent by another worker"
        if delivery.next_attempt_at > now + timedelta(seconds=1):
            return "not due yet"
        endpoint = delivery.endpoint
        if not endpoint.enabled:
            _settle(delivery, Delivery.Status.FAILED, "The endpoint is disabled.")
            return "endpoint disabled"
        delivery.status = Delivery.Status.SENDING
        delivery.attempts += 1
        delivery.lease_until = now + timedelta(seconds=settings.BACKGROUND_LEASE_SECONDS)
        delivery.save(update_fields=["status", "attempts", "lease_until"])
        number = delivery.attempts
        request = _request(delivery, endpoint, now)
    answer = post(endpoint.url, *request)
    return _settle_attempt(delivery.pk, number, now, answer)


def _request(delivery: Delivery, endpoint: Endpoint, now) -> tuple[str, dict[str, str]]:
    body = json.dumps(delivery.event.payload, separators=(",", ":"), sort_keys=True)
    secrets_ = [endpoint.secret]
    if endpoint.previous_secret and (endpoint.previous_secret_expires_at or now) > now:
        secrets_.append(endpoint.previous_secret)
    headers = signed_headers(
        webhook_id=delivery.webhook_id, timestamp=now, body=body, secrets_=secrets_
    )
    return body, headers


def _settle_attempt(delivery_id: uuid.UUID, number: int, started_at, answer: Answer) -> str:
    """Log the attempt; finish the delivery, or queue its retry, or give up."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .get(pk=delivery_id)
        )
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=started_at,
            duration_ms=answer.duration_ms,
            status_code=answer.status_code,
            succeeded=answer.succeeded,
            error=answer.error[:500],
            response_excerpt=answer.excerpt,
        )
        if delivery.status != Delivery.Status.SENDING or delivery.attempts != number:
            # The lease ran out and another worker took the delivery over: it settles it.
            return "taken over by another worker"
        endpoint = delivery.endpoint
        if answer.succeeded:
            _settle(delivery, Delivery.Status.SUCCEEDED, "")
            if endpoint.failing_since is not None:
                Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
            return "delivered"
        _note_failure(endpoint, answer)
        delivery.failures_in_row += 1
        delays = retry_delays()
        if delivery.failures_in_row > len(delays) or not endpoint.enabled:
            _settle(delivery, Delivery.Status.FAILED, answer.error)
            return "failed"
        delivery.status = Delivery.Status.PENDING
        delivery.lease_until = None
        delivery.last_error = answer.error[:500]
        delivery.next_attempt_at = timezone.now() + delays[delivery.failures_in_row - 1]
        delivery.task_id = enqueue(
            _deliver_task(), str(delivery.pk), run_after=delivery.next_attempt_at
        )
        delivery.save()
        return f"retry at {delivery.next_attempt_at.isoformat()}"


def _settle(delivery: Delivery, status: str, error: str) -> None:
    delivery.status = status
    delivery.lease_until = None
    delivery.finished_at = timezone.now()
    delivery.last_error = error[:500]
    delivery.save()


def _note_failure(endpoint: Endpoint, answer: Answer) -> None:
    """Start the endpoint's failing streak, or disable it once the streak is long enough."""
    now = timezone.now()
    if endpoint.failing_since is None:
        Endpoint.objects.filter(pk=endpoint.pk, failing_since=None).update(failing_since=now)
        return
    if now - endpoint.failing_since < timedelta(seconds=settings.WEBHOOK_DISABLE_AFTER_SECONDS):
        return
    reason = (
        f"Disabled automatically on {now:%Y-%m-%d %H:%M} UTC: every delivery since "
        f"{endpoint.failing_since:%Y-%m-%d %H:%M} UTC failed (last: {answer.error or 'error'}). "
        "Fix the receiver, then enable the endpoint again and redeliver what it missed."
    )
    Endpoint.objects.filter(pk=endpoint.pk).update(enabled=False, disabled_reason=reason[:500])
    endpoint.enabled = False


def _deliver_task():
    from webhooks.tasks import deliver  # the task module imports this one

    return deliver


def restart(delivery: Delivery) -> None:
    """Queue a settled or waiting delivery again now, with a fresh retry budget."""
    delivery.status = Delivery.Status.PENDING
    delivery.failures_in_row = 0
    delivery.lease_until = None
    delivery.finished_at = None
    delivery.next_attempt_at = timezone.now()
    delivery.task_id = enqueue(_deliver_task(), str(delivery.pk))
    delivery.save()


def hand_on_lost_deliveries() -> int:
    """Queue again the deliveries whose worker died: a sweeper (``background.sweep``).

    Lost: sending, with its lease run out; or due for longer than a lease while its task is
    no longer waiting in the queue (the task was claimed by a worker that then died).
    """
    now = timezone.now()
    lease = timedelta(seconds=settings.BACKGROUND_LEASE_SECONDS)
    overdue = Delivery.objects.filter(
        Q(status=Delivery.Status.SENDING, lease_until__lt=now)
        | Q(status=Delivery.Status.PENDING, next_attempt_at__lt=now - lease)
    ).only("id", "status", "task_id")
    with transaction.atomic():
        lost = take_lost(overdue, batch=SWEEP_BATCH)
        for delivery in lost:
            delivery.task_id = enqueue(_deliver_task(), str(delivery.pk))
            # The dead worker's attempt may or may not have reached the receiver; the next
            # one carries the same webhook-id, so the receiver can tell.
            delivery.status = Delivery.Status.PENDING
            delivery.lease_until = None
            delivery.save(update_fields=["task_id", "status", "lease_until"])
    return len(lost)
