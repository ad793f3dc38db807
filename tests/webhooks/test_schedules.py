"""Scheduled publishes: the reviewed state goes live at its time, or fails saying why."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from agents import services as agent_services
from publishing import scheduling
from publishing.exceptions import ScheduleExists, ScheduleNotPending, StaleReview
from publishing.models import ProductionConfiguration, PublishRecord, ScheduledPublish
from publishing.selectors import review_staging
from tests.webhooks.conftest import run_tasks

SOON = timedelta(minutes=5)


def edit(agent, name):
    agent_services.update_agent_settings(agent=agent, acting_user=agent.created_by, name=name)


def schedule(agent, user=None, *, at=None, fingerprint=None, notes="night release"):
    return scheduling.schedule_publish(
        agent=agent,
        acting_user=user or agent.created_by,
        publish_at=at or timezone.now() + SOON,
        expected_fingerprint=fingerprint or review_staging(agent).fingerprint,
        notes=notes,
    )


def come_due(item: ScheduledPublish) -> None:
    """Let time pass: the schedule and its task are due now."""
    past = timezone.now() - timedelta(seconds=1)
    ScheduledPublish.objects.filter(pk=item.pk).update(publish_at=past)
    DBTaskResult.objects.filter(id=item.task_id).update(run_after=past)


@pytest.fixture
def reviewed(agent):
    edit(agent, "Reviewed name")
    return agent


def test_a_schedule_publishes_the_reviewed_state_at_its_time(reviewed, endpoint, receiver):
    item = schedule(reviewed)
    run_tasks()
    assert not PublishRecord.objects.exists(), "published before its time"
    come_due(item)
    run_tasks()
    item.refresh_from_db()
    assert item.status == ScheduledPublish.Status.SUCCEEDED
    record = item.publish_record
    assert record.notes == "night release"
    assert record.published_by == reviewed.created_by
    assert record.schedule == item
    assert ProductionConfiguration.objects.get(agent=reviewed).snapshot["settings"]["name"] == (
        "Reviewed name"
    )
    types = [json.loads(r.body)["type"] for r in receiver.wait_for(2)]
    assert sorted(types) == ["publish.created", "schedule.succeeded"]
    published = next(json.loads(r.body) for r in receiver.received if "publish." in r.body)
    assert published["data"]["schedule"]["id"] == item.pk


def test_a_schedule_whose_staging_moved_fails_as_stale(reviewed, endpoint, receiver):
    item = schedule(reviewed)
    edit(reviewed, "Changed after the review")
    come_due(item)
    run_tasks()
    item.refresh_from_db()
    assert (item.status, item.failure_code) == (ScheduledPublish.Status.FAILED, "stale_review")
    assert not PublishRecord.objects.exists()
    [received] = receiver.wait_for(1)
    payload = json.loads(received.body)
    assert payload["type"] == "schedule.failed"
    assert payload["data"]["reason"] == "stale_review"


def test_a_schedule_fails_when_its_author_lost_the_right(reviewed, publisher, receiver):
    from agents.models import AgentPermission

    item = schedule(reviewed, publisher)
    AgentPermission.objects.filter(agent=reviewed, user=publisher).update(role="editor")
    come_due(item)
    run_tasks()
    item.refresh_from_db()
    assert (item.status, item.failure_code) == ("failed", "permission_denied")
    assert not PublishRecord.objects.exists()


def test_a_schedule_with_nothing_left_to_publish_fails_so(reviewed):
    from publishing.services import publish_agent

    item = schedule(reviewed)
    ScheduledPublish.objects.filter(pk=item.pk).update(status="cancelled")
    publish_agent(agent=reviewed, acting_user=reviewed.created_by)
    ScheduledPublish.objects.filter(pk=item.pk).update(status="pending")
    come_due(item)
    run_tasks()
    item.refresh_from_db()
    assert (item.status, item.failure_code) == ("failed", "nothing_to_publish")


def test_a_cancelled_schedule_does_nothing(reviewed):
    item = schedule(reviewed)
    scheduling.cancel_schedule(schedule=item, acting_user=reviewed.created_by)
    come_due(item)
    run_tasks()
    assert not PublishRecord.objects.exists()
    with pytest.raises(ScheduleNotPending):
        scheduling.cancel_schedule(schedule=item, acting_user=reviewed.created_by)


def test_one_pending_schedule_per_agent(reviewed):
    schedule(reviewed)
    with pytest.raises(ScheduleExists):
        schedule(reviewed)


def test_scheduling_checks_the_review_now(reviewed):
    with pytest.raises(StaleReview):
        schedule(reviewed, fingerprint="0" * 64)
    assert not ScheduledPublish.objects.exists()


@pytest.mark.parametrize(
    "publish_at",
    [
        "tomorrow",
        "2030-01-01T02:00:00",  # no time zone
        "2001-01-01T02:00:00Z",  # past
        "2999-01-01T02:00:00Z",  # too far
    ],
)
def test_a_bad_time_is_refused_by_field(reviewed, publish_at):
    with pytest.raises(ValidationError) as refused:
        schedule(reviewed, at=publish_at)
    assert list(refused.value.message_dict) == ["publish_at"]


def test_an_editor_cannot_schedule(reviewed):
    from tests.publishing.conftest import user_with_role

    with pytest.raises(PermissionDenied):
        schedule(reviewed, user_with_role(reviewed, "editor"))


def test_running_a_schedule_twice_publishes_once(reviewed):
    item = schedule(reviewed)
    come_due(item)
    assert scheduling.run_schedule(item.pk).startswith("published")
    assert scheduling.run_schedule(item.pk) == "already succeeded"
    assert PublishRecord.objects.count() == 1


def test_a_lost_schedule_is_handed_on(reviewed, settings):
    settings.BACKGROUND_LEASE_SECONDS = 0
    item = schedule(reviewed)
    come_due(item)
    assert scheduling.hand_on_lost_schedules() == 0, "its task is still queued"
    DBTaskResult.objects.filter(id=item.task_id).update(status="RUNNING")
    assert scheduling.hand_on_lost_schedules() == 1
    run_tasks()
    item.refresh_from_db()
    assert item.status == "succeeded"


def test_the_publish_says_it_came_from_its_schedule(reviewed, client):
    item = schedule(reviewed)
    come_due(item)
    run_tasks()
    record = PublishRecord.objects.get()
    client.force_login(reviewed.created_by)
    page = client.get(f"/agents/{reviewed.pk}/publishes/{record.change_track_id}/")
    assert page.status_code == 200
    assert "Scheduled</dt><dd>by owner on" in page.content.decode()
    api = client.get(f"/api/v2/agents/{reviewed.pk}/publishes/{record.change_track_id}")
    assert api.json()["schedule"]["id"] == item.pk
    assert api.json()["schedule"]["scheduled_by"]["username"] == "owner"
    listed = client.get(f"/api/v2/agents/{reviewed.pk}/publishes").json()["results"][0]
    assert listed["schedule"]["id"] == item.pk
