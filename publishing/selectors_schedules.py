"""Reading an agent's scheduled publishes (the writes are ``publishing.scheduling``)."""

from __future__ import annotations

from django.db.models import F, QuerySet

from agents.models import Agent
from ejento_staging.ids import parse_id
from publishing.models import ScheduledPublish

SCHEDULE_STATES = tuple(ScheduledPublish.Status.values)


def schedules_of(agent: Agent, status: str | None = None) -> QuerySet[ScheduledPublish]:
    """The agent's schedules, the newest first; only those in ``status`` when given."""
    schedules = (
        ScheduledPublish.objects.filter(agent_id=agent.pk)
        .select_related("cancelled_by")
        # The one field of the publish it made that is shown; the record holds a snapshot.
        .annotate(change_track_id=F("publish_record__change_track_id"))
        .order_by("-created_at", "-id")
    )
    if status is not None:
        schedules = schedules.filter(status=status)
    return schedules


def get_schedule(*, agent: Agent, schedule_id: object) -> ScheduledPublish:
    """One schedule of this agent; ``ScheduledPublish.DoesNotExist`` for any other id."""
    pk = parse_id(schedule_id)
    if pk is None:
        raise ScheduledPublish.DoesNotExist("No such scheduled publish for this agent.")
    schedule = schedules_of(agent).filter(pk=pk).first()
    if schedule is None:
        raise ScheduledPublish.DoesNotExist("No such scheduled publish for this agent.")
    schedule.agent = agent
    return schedule
