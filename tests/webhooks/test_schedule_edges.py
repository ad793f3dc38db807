"""Schedule corners the main tests do not reach: a task run before its time, an author who
is gone or an agent deleted by then (with the words the owners read), and a sweep that
hands on lost schedules a batch at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from agents import services as agent_services
from publishing import scheduling
from publishing.models import PublishRecord, ScheduledPublish
from publishing.selectors import review_staging
from tests import factories


def scheduled(agent, **given) -> ScheduledPublish:
    agent_services.update_agent_settings(agent=agent, acting_user=agent.created_by, name="Next")
    arguments = {
        "publish_at": timezone.now() + timedelta(minutes=5),
        "expected_fingerprint": review_staging(agent).fingerprint,
        **given,
    }
    return scheduling.schedule_publish(agent=agent, acting_user=agent.created_by, **arguments)


NOT_A_TIME = "Must be an ISO 8601 date-time, e.g. 2030-01-31T02:00:00+01:00."


@pytest.mark.parametrize(
    ("publish_at", "message"),
    [
        ("tomorrow", NOT_A_TIME),
        ("2030-02-30T02:00:00Z", NOT_A_TIME),  # the form of a date-time, but no such day
        (1893456000, NOT_A_TIME),
        ("2030-01-01T02:00:00", "Give the time zone (e.g. +01:00 or Z): 02:00 where?"),
        ("2001-01-01T02:00:00Z", "Must be in the future."),
        ("2999-01-01T02:00:00Z", "At most a year ahead."),
    ],
)
def test_a_bad_time_is_refused_with_what_to_give_instead(agent, publish_at, message):
    # The words are the API's 400 and the schedule form's error, so they are held whole.
    with pytest.raises(ValidationError) as refused:
        scheduled(agent, publish_at=publish_at)
    assert refused.value.message_dict == {"publish_at": [message]}


def test_a_schedule_without_a_fingerprint_is_refused_saying_what_to_give(agent):
    with pytest.raises(ValidationError) as refused:
        scheduled(agent, expected_fingerprint=None)
    assert refused.value.message_dict == {
        "expected_fingerprint": ["Schedule the state you reviewed: give its fingerprint."]
    }


def test_a_schedule_given_no_notes_publishes_with_none(agent):
    item = scheduled(agent)
    assert item.notes == ""
    due(item)
    scheduling.run_schedule(item.pk)
    assert PublishRecord.objects.get().notes == ""


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
