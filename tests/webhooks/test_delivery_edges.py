"""Delivery corners the main tests do not reach: the exact body sent, the words of an
automatic disable, a failing streak started twice at once, and settled deliveries the sweep
must leave alone."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from publishing.services import publish_agent
from tests.webhooks.conftest import run_tasks
from webhooks import delivery as deliveries
from webhooks.models import Delivery, Endpoint, Event
from webhooks.transport import Answer


def publish(agent):
    return publish_agent(agent=agent, acting_user=agent.created_by)


def test_the_body_is_the_payload_as_compact_json_with_sorted_keys(agent, endpoint, receiver):
    # One byte form for one event: every retry and redelivery sends the very same body.
    publish(agent)
    run_tasks()
    [received] = receiver.wait_for(1)
    payload = Event.objects.get().payload
    assert received.body == json.dumps(payload, separators=(",", ":"), sort_keys=True)


def test_the_disable_reason_says_since_when_what_failed_last_and_what_to_do(
    agent, endpoint, receiver, settings
):
    settings.WEBHOOK_RETRY_DELAYS = [0]
    receiver.default_status = 500
    since = timezone.now() - timedelta(days=6)
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=since)
    publish(agent)
    run_tasks()
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason.startswith("Disabled automatically on ")
    assert endpoint.disabled_reason.endswith(
        f" UTC: every delivery since {since:%Y-%m-%d %H:%M} UTC failed (last: HTTP 500). "
        "Fix the receiver, then enable the endpoint again and redeliver what it missed."
    )


def test_a_failure_within_the_grace_leaves_the_endpoint_enabled(
    agent, endpoint, receiver, settings
):
    settings.WEBHOOK_RETRY_DELAYS = [0]
    receiver.default_status = 500
    since = timezone.now() - timedelta(seconds=settings.WEBHOOK_DISABLE_AFTER_SECONDS - 60)
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=since)
    publish(agent)
    run_tasks()
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason, endpoint.failing_since) == (True, "", since)


def test_a_failure_does_not_restart_a_streak_another_worker_began(endpoint):
    # Two workers fail on the same endpoint at once; both read failing_since as empty.
    began = timezone.now() - timedelta(minutes=3)
    stale = Endpoint.objects.get(pk=endpoint.pk)
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=began)
    deliveries._note_failure(stale, Answer(status_code=500, duration_ms=1, error="HTTP 500"))
    assert Endpoint.objects.get(pk=endpoint.pk).failing_since == began


@pytest.mark.parametrize("status", [Delivery.Status.SUCCEEDED, Delivery.Status.FAILED])
def test_a_settled_delivery_is_never_handed_on(agent, endpoint, settings, status):
    # Its task has finished and it was due long ago: the very shape of a lost delivery,
    # but it is settled, and sending it again would repeat (or revive) it.
    publish(agent)
    long_ago = timezone.now() - timedelta(days=1)
    Delivery.objects.update(status=status, next_attempt_at=long_ago, finished_at=long_ago)
    DBTaskResult.objects.update(status="SUCCESSFUL")
    assert deliveries.hand_on_lost_deliveries() == 0
    assert Delivery.objects.get().status == status
    assert DBTaskResult.objects.count() == 1
