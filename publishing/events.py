"""The webhook events publishing reports, recorded in the transaction of what they report.

Payloads name what happened and link to the live read; they carry no Staging content
(integrations fetch Production themselves). ``webhooks.events`` documents the envelope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse

from agents.models import Agent
from webhooks import events as webhook_events

if TYPE_CHECKING:
    from publishing.models import PublishRecord, ScheduledPublish
    from publishing.services import RollbackPlan


def live_url(agent: Agent) -> str:
    return settings.PUBLIC_BASE_URL + reverse("agent-production", args=[agent.pk])


def _user(user: Any, username: str = "") -> dict[str, Any] | None:
    if user is None:
        return {"id": None, "username": username} if username else None
    return {"id": user.pk, "username": user.username}


def _schedule(schedule: ScheduledPublish) -> dict[str, Any]:
    return {
        "id": schedule.pk,
        "publish_at": schedule.publish_at.isoformat(),
        "scheduled_by": _user(schedule.scheduled_by, schedule.scheduled_by_username),
        "scheduled_at": schedule.created_at.isoformat(),
    }


def publish_created(record: PublishRecord, *, schedule: ScheduledPublish | None) -> None:
    agent = record.agent
    webhook_events.record_event(
        agent=agent,
        event_type=webhook_events.PUBLISH_CREATED,
        data={
            "agent": {
                **webhook_events.agent_reference(agent),
                "name": record.snapshot["settings"]["name"],
            },
            "change_track_id": str(record.change_track_id),
            "sequence": record.sequence,
            "published_at": record.published_at.isoformat(),
            "published_by": _user(record.published_by, record.published_by_username),
            "summary": record.summary,
            "counts": record.counts,
            "restored_from": (
                str(record.restored_from.change_track_id) if record.restored_from else None
            ),
            "restored_mode": record.restored_mode or None,
            "schedule": _schedule(schedule) if schedule is not None else None,
            "live_url": live_url(agent),
        },
    )


def rollback_applied(plan: RollbackPlan, *, agent: Agent, acting_user: Any) -> None:
    webhook_events.record_event(
        agent=agent,
        event_type=webhook_events.ROLLBACK_APPLIED,
        data={
            "agent": webhook_events.agent_reference(agent),
            "change_track_id": str(plan.record.change_track_id),
            "sequence": plan.record.sequence,
            "mode": plan.mode,
            "applied_by": _user(acting_user),
            # Counts only: what Staging now holds is not for integrations.
            "staging_counts": plan.staging_diff.counts,
            "production_changed": False,
        },
    )


def staging_discarded(*, agent: Agent, acting_user: Any) -> None:
    webhook_events.record_event(
        agent=agent,
        event_type=webhook_events.STAGING_DISCARDED,
        data={"agent": webhook_events.agent_reference(agent), "discarded_by": _user(acting_user)},
    )


def schedule_succeeded(schedule: ScheduledPublish, record: PublishRecord) -> None:
    _schedule_event(
        schedule,
        webhook_events.SCHEDULE_SUCCEEDED,
        change_track_id=str(record.change_track_id),
        live_url=live_url(schedule.agent),
    )


def schedule_failed(schedule: ScheduledPublish) -> None:
    _schedule_event(
        schedule,
        webhook_events.SCHEDULE_FAILED,
        reason=schedule.failure_code,
        detail=schedule.failure_detail,
    )


def _schedule_event(schedule: ScheduledPublish, event_type: str, **outcome: Any) -> None:
    webhook_events.record_event(
        agent=schedule.agent,
        event_type=event_type,
        data={
            "agent": webhook_events.agent_reference(schedule.agent),
            "schedule": _schedule(schedule),
            **outcome,
        },
    )
