"""The events integrations can subscribe to, their envelope, and recording one.

Every body is ``{"type", "version", "timestamp", "data"}``. ``version`` changes only when a
field is removed or changes meaning; new fields may appear at any time. No event carries
Staging content: integrations fetch what went live from the live read (``data.live_url``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from agents.models import Agent
from background.queue import enqueue
from webhooks.models import Delivery, Endpoint, Event
from webhooks.tasks import deliver

PAYLOAD_VERSION = 1

PUBLISH_CREATED = "publish.created"
ROLLBACK_APPLIED = "rollback.applied"
STAGING_DISCARDED = "staging.discarded"
SCHEDULE_SUCCEEDED = "schedule.succeeded"
SCHEDULE_FAILED = "schedule.failed"
REVIEW_REQUESTED = "review.requested"
CHECKS_REQUESTED = "checks.requested"
WEBHOOK_TEST = "webhook.test"

EVENT_TYPES = {
    PUBLISH_CREATED: "Staging was published: Production changed.",
    ROLLBACK_APPLIED: "A restore or revert of an earlier publish was applied to Staging.",
    STAGING_DISCARDED: "Staging's unpublished changes were discarded.",
    SCHEDULE_SUCCEEDED: "A scheduled publish went live.",
    SCHEDULE_FAILED: "A scheduled publish did not go live; data.reason says why.",
    REVIEW_REQUESTED: "An editor asked for Staging to be reviewed before it is published.",
    CHECKS_REQUESTED: (
        "A state of Staging was put up for review for the first time: checks may run on "
        "data.fingerprint and post their results to data.checks_url."
    ),
    WEBHOOK_TEST: "A test event, sent on request to one endpoint.",
}
# Types an endpoint may subscribe to (a test event goes to the endpoint it was sent to).
SUBSCRIBABLE = tuple(name for name in EVENT_TYPES if name != WEBHOOK_TEST)


def agent_reference(agent: Agent) -> dict[str, Any]:
    """``data.agent`` of an event about one agent: which agent, and where it belongs."""
    return {
        "id": agent.pk,
        "organization_id": agent.project.organization_id,
        "project_id": agent.project_id,
    }


def envelope(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": event_type,
        "version": PAYLOAD_VERSION,
        "timestamp": timezone.now().isoformat().replace("+00:00", "Z"),
        "data": data,
    }


def subscribers(agent: Agent, event_type: str) -> list[Endpoint]:
    """The enabled endpoints of the agent's organization that want this event."""
    candidates = Endpoint.objects.filter(
        organization_id=agent.project.organization_id, enabled=True
    ).only("id", "agent_id", "event_types")
    # Subscriptions are a short JSON list per endpoint and an organization has few
    # endpoints; filtering here keeps the query the same on SQLite and PostgreSQL.
    return [
        endpoint
        for endpoint in candidates
        if event_type in endpoint.event_types and endpoint.agent_id in (None, agent.pk)
    ]


def record_event(*, agent: Agent, event_type: str, data: dict[str, Any]) -> Event | None:
    """Write the event and a queued delivery per subscribed endpoint, in this transaction.

    Called inside the transaction of what it reports: if that rolls back, no event was
    ever recorded or sent. Nothing is written when no endpoint subscribes.
    """
    endpoints = subscribers(agent, event_type)
    if not endpoints:
        return None
    event, _deliveries = _record(
        organization_id=agent.project.organization_id,
        agent_id=agent.pk,
        event_type=event_type,
        data=data,
        endpoints=endpoints,
    )
    return event


def _record(
    *,
    organization_id: int,
    agent_id: int | None,
    event_type: str,
    data: dict[str, Any],
    endpoints: list[Endpoint],
) -> tuple[Event, list[Delivery]]:
    event = Event.objects.create(
        type=event_type,
        organization_id=organization_id,
        agent_id=agent_id,
        payload=envelope(event_type, data),
    )
    deliveries = []
    for endpoint in endpoints:
        delivery_id = uuid.uuid4()
        deliveries.append(
            Delivery(
                id=delivery_id,
                event=event,
                endpoint=endpoint,
                task_id=enqueue(deliver, str(delivery_id)),
            )
        )
    return event, Delivery.objects.bulk_create(deliveries)


def record_test_event(*, endpoint: Endpoint, data: dict[str, Any]) -> Delivery:
    """A ``webhook.test`` event for one endpoint, whatever it subscribes to."""
    _event, [delivery] = _record(
        organization_id=endpoint.organization_id,
        agent_id=endpoint.agent_id,
        event_type=WEBHOOK_TEST,
        data=data,
        endpoints=[endpoint],
    )
    return delivery
