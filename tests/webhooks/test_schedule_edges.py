"""Schedule corners the main tests do not reach: a task run before its time, an author who
is gone or an agent deleted by then (with the words the owners read), and a sweep that
hands on lost schedules a batch at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from agents import services as agent_services
from publishing import scheduling
from publishing.models import PublishRecord, ScheduledPublish
from publishing.selectors import review_staging
from tests import factories


def scheduled(agent) -> ScheduledPublish:
    agent_services.update_agent_settings(agent=agent, acting_user=agent.created_by, name="Next")
    return scheduling.schedule_publish(
        agent=agent,
        acting_user=agent.created_by,
        publish_at=timezone.now() + timedelta(minutes=5),
        expected_fingerprint=review_staging(agent).fingerprint,
    )


def due(item: ScheduledPublish) -> None:
    past = timezone.now() - timedelta(seconds=1)
    ScheduledPublish.objects.filter(pk=item.pk).update(publish_at=past)
    DBTaskResult.objects.filter(id=item.task_id).update(run_after=past)


def test_a_schedule_run_before_its_time_waits(agent):
    # A sweep or a worker whose clock runs ahead may start it early; the task set for the
    # right time will come.
    item = scheduled(agent)
    assert scheduling.run_schedule(item.pk) == "not due yet"
    item.refresh_from_db()
    assert (item.status, item.finished_at) == (ScheduledPublish.Status.PENDING, None)
    assert not PublishRecord.objects.exists()


def failed(item: ScheduledPublish) -> ScheduledPublish:
    due(item)
    assert scheduling.run_schedule(item.pk) == "failed: permission_denied"
    item.refresh_from_db()
    assert item.status == ScheduledPublish.Status.FAILED
    assert item.finished_at is not None
    assert not PublishRecord.objects.exists()
    return item


AUTHOR_GONE = "The user who scheduled this publish can no longer publish."


def test_a_schedule_whose_author_was_deactivated_fails_saying_so(agent):
    item = scheduled(agent)
    type(agent.created_by).objects.filter(pk=agent.created_by_id).update(is_active=False)
    assert failed(item).failure_detail == AUTHOR_GONE


def test_a_schedule_whose_author_was_deleted_fails_saying_so(agent):
    item = scheduled(agent)
    agent.created_by.delete()
    item = failed(item)
    assert (item.scheduled_by, item.failure_detail) == (None, AUTHOR_GONE)
    assert item.scheduled_by_username == "owner"


def test_a_schedule_of_an_agent_deleted_since_fails_saying_so(agent):
    item = scheduled(agent)
    type(agent).objects.filter(pk=agent.pk).update(deleted_at=timezone.now())
    assert failed(item).failure_detail == "The agent was deleted."


@pytest.fixture
def two_lost_schedules(agent, settings):
    settings.BACKGROUND_LEASE_SECONDS = 0
    sibling = factories.AgentFactory(project=agent.project, user=agent.created_by, name="Sib")
    items = [scheduled(agent), scheduled(sibling)]
    for item in items:
        due(item)
    DBTaskResult.objects.update(status="RUNNING")  # taken by workers that died
    return items


def test_the_schedule_sweep_hands_on_a_batch_at_a_time(two_lost_schedules, monkeypatch):
    monkeypatch.setattr(scheduling, "SWEEP_BATCH", 1)
    assert scheduling.hand_on_lost_schedules() == 1
    assert scheduling.hand_on_lost_schedules() == 1
    assert scheduling.hand_on_lost_schedules() == 0
    assert DBTaskResult.objects.filter(status="READY").count() == 2
