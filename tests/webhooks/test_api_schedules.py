"""The scheduled-publish API: schedule a reviewed state, list and see schedules, cancel one.

Every answer is held to the published schema (``client_as``, from the publishing tests).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agents import services as agent_services
from publishing.models import PublishRecord, ScheduledPublish
from publishing.selectors import review_staging
from publishing.services import publish_agent
from tests.publishing.conftest import api_schema, client_as, editor, viewer  # noqa: F401
from tests.webhooks.conftest import run_tasks
from tests.webhooks.test_schedules import come_due

LATER = "2999-01-01T00:00:00Z"  # beyond the year ahead a schedule may be


def later(**delta) -> str:
    moment = timezone.now() + (timedelta(**delta) if delta else timedelta(hours=2))
    return moment.isoformat()


def schedules_url(agent) -> str:
    return f"/api/v2/agents/{agent.pk}/schedules"


@pytest.fixture
def reviewed(agent):
    """The agent with unpublished changes, and the fingerprint of their review."""
    agent_services.update_agent_settings(agent=agent, acting_user=agent.created_by, name="New")
    return agent


def body(agent, **change):
    return {
        "publish_at": later(),
        "expected_fingerprint": review_staging(agent).fingerprint,
        "notes": "night release",
        **change,
    }


def schedule_as(user, agent, **change):
    return client_as(user).post(schedules_url(agent), body(agent, **change), format="json")


def test_a_publisher_schedules_the_reviewed_state(reviewed, publisher):
    publish_at = later(hours=3)
    response = schedule_as(publisher, reviewed, publish_at=publish_at)
    assert response.status_code == 201, response.content
    data = response.json()
    item = ScheduledPublish.objects.get()
    assert data["id"] == item.pk
    assert data["agent_id"] == reviewed.pk
    assert data["status"] == "pending"
    assert data["notes"] == "night release"
    assert data["expected_fingerprint"] == review_staging(reviewed).fingerprint
    assert data["scheduled_by"] == {"id": publisher.pk, "username": "publisher"}
    assert (data["reason"], data["detail"], data["finished_at"]) == (None, None, None)
    assert (data["cancelled_by"], data["change_track_id"]) == (None, None)
    assert item.publish_at == timezone.datetime.fromisoformat(publish_at)
    assert not PublishRecord.objects.exists()


def test_one_schedule_and_the_list_for_editors(reviewed, owner, editor):  # noqa: F811
    created = schedule_as(owner, reviewed).json()
    client = client_as(editor)
    one = client.get(f"{schedules_url(reviewed)}/{created['id']}")
    assert one.status_code == 200
    assert one.json() == created
    listed = client.get(schedules_url(reviewed))
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert listed.json()["results"] == [created]


def test_the_list_is_newest_first_and_filters_by_status(reviewed, owner):
    client = client_as(owner)
    first = schedule_as(owner, reviewed).json()
    assert client.post(f"{schedules_url(reviewed)}/{first['id']}/cancel").status_code == 200
    second = schedule_as(owner, reviewed).json()
    rows = client.get(schedules_url(reviewed)).json()["results"]
    assert [row["id"] for row in rows] == [second["id"], first["id"]]
    cancelled = client.get(schedules_url(reviewed), {"status": "cancelled"}).json()["results"]
    assert [row["id"] for row in cancelled] == [first["id"]]
    assert client.get(schedules_url(reviewed), {"status": "failed"}).json()["count"] == 0
    for query in ("status=done", "status=", "status=pending&status=failed", "page="):
        response = client.get(f"{schedules_url(reviewed)}?{query}")
        assert response.status_code == 400, query
        assert list(response.json()) in (["status"], ["page"])


def test_viewers_and_outsiders_do_not_see_schedules(reviewed, owner, viewer, stranger):  # noqa: F811
    created = schedule_as(owner, reviewed).json()
    one = f"{schedules_url(reviewed)}/{created['id']}"
    assert client_as(viewer).get(schedules_url(reviewed)).status_code == 403
    assert client_as(viewer).get(one).status_code == 403
    assert client_as(stranger).get(schedules_url(reviewed)).status_code == 404
    assert client_as(stranger).get(one).status_code == 404
    assert client_as(None).get(one).status_code == 401


def test_editors_may_neither_schedule_nor_cancel(reviewed, owner, editor):  # noqa: F811
    # Refused for the role before the body is read, like a publish.
    assert client_as(editor).post(schedules_url(reviewed), {}, format="json").status_code == 403
    created = schedule_as(owner, reviewed).json()
    cancel = f"{schedules_url(reviewed)}/{created['id']}/cancel"
    assert client_as(editor).post(cancel).status_code == 403
    assert ScheduledPublish.objects.get().status == "pending"


def test_outsiders_cannot_schedule_or_cancel(reviewed, owner, stranger):
    assert schedule_as(stranger, reviewed).status_code == 404
    created = schedule_as(owner, reviewed).json()
    cancel = f"{schedules_url(reviewed)}/{created['id']}/cancel"
    assert client_as(stranger).post(cancel).status_code == 404
    assert client_as(None).post(cancel).status_code == 401
    assert ScheduledPublish.objects.get().status == "pending"


def test_a_schedule_of_another_agent_is_not_found_here(reviewed, owner, other_agent):
    agent_services.update_agent_settings(
        agent=other_agent, acting_user=other_agent.created_by, name="Other, changed"
    )
    theirs = schedule_as(other_agent.created_by, other_agent).json()
    url = f"{schedules_url(reviewed)}/{theirs['id']}"
    assert client_as(owner).get(url).status_code == 404
    assert client_as(owner).post(url + "/cancel").status_code == 404


@pytest.mark.parametrize("bad", ["abc", "0", "-3", str(2**63), "1.0"])
def test_a_malformed_schedule_id_is_not_found(reviewed, owner, bad):
    assert client_as(owner).get(f"{schedules_url(reviewed)}/{bad}").status_code == 404
    assert client_as(owner).post(f"{schedules_url(reviewed)}/{bad}/cancel").status_code == 404


MISSING = object()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("publish_at", MISSING),
        ("publish_at", "tomorrow"),
        ("publish_at", 1893456000),
        ("publish_at", "2030-01-01T02:00:00"),  # no time zone
        ("publish_at", "2001-01-01T02:00:00Z"),  # past
        ("publish_at", LATER),  # more than a year ahead
        ("expected_fingerprint", MISSING),
        ("expected_fingerprint", None),
        ("expected_fingerprint", ""),
        ("expected_fingerprint", "abc"),
        ("expected_fingerprint", "A" * 64),
        ("notes", "x" * 5001),
        ("notes", 3),
        ("notes", "a\x00b"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(reviewed, owner, field, value):
    payload = body(reviewed)
    if value is MISSING:
        del payload[field]
    else:
        payload[field] = value
    response = client_as(owner).post(schedules_url(reviewed), payload, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not ScheduledPublish.objects.exists()


def test_a_review_older_than_staging_is_refused_as_stale(reviewed, owner):
    fingerprint = review_staging(reviewed).fingerprint
    agent_services.update_agent_settings(agent=reviewed, acting_user=owner, name="Newer")
    response = schedule_as(owner, reviewed, expected_fingerprint=fingerprint)
    assert response.status_code == 409
    data = response.json()
    assert (data["code"], data["has_changes"]) == ("stale_review", True)
    assert data["fingerprint"] == review_staging(reviewed).fingerprint
    assert not ScheduledPublish.objects.exists()


def test_nothing_to_publish_is_refused(agent, owner):
    publish_agent(agent=agent, acting_user=owner)
    response = schedule_as(owner, agent)
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["has_changes"]) == (
        "nothing_to_publish",
        False,
    )


def test_a_second_pending_schedule_is_refused(reviewed, owner):
    assert schedule_as(owner, reviewed).status_code == 201
    response = schedule_as(owner, reviewed)
    assert response.status_code == 409
    assert response.json()["code"] == "schedule_exists"
    assert ScheduledPublish.objects.count() == 1


def test_cancelling_a_pending_schedule_and_only_a_pending_one(reviewed, owner, publisher):
    created = schedule_as(owner, reviewed).json()
    cancel = f"{schedules_url(reviewed)}/{created['id']}/cancel"
    response = client_as(publisher).post(cancel)
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "cancelled"
    assert data["cancelled_by"] == {"id": publisher.pk, "username": "publisher"}
    assert data["finished_at"] is not None
    again = client_as(owner).post(cancel)
    assert again.status_code == 409
    assert again.json()["code"] == "schedule_not_pending"


def test_a_schedule_that_went_live_names_its_publish(reviewed, owner):
    created = schedule_as(owner, reviewed).json()
    item = ScheduledPublish.objects.get(pk=created["id"])
    come_due(item)
    run_tasks()
    record = PublishRecord.objects.get()
    data = client_as(owner).get(f"{schedules_url(reviewed)}/{item.pk}").json()
    assert data["status"] == "succeeded"
    assert data["change_track_id"] == str(record.change_track_id)
    assert data["finished_at"] is not None
    cancel = client_as(owner).post(f"{schedules_url(reviewed)}/{item.pk}/cancel")
    assert (cancel.status_code, cancel.json()["code"]) == (409, "schedule_not_pending")


def test_a_schedule_that_failed_says_why(reviewed, owner):
    created = schedule_as(owner, reviewed).json()
    agent_services.update_agent_settings(agent=reviewed, acting_user=owner, name="Moved")
    item = ScheduledPublish.objects.get(pk=created["id"])
    come_due(item)
    run_tasks()
    data = client_as(owner).get(f"{schedules_url(reviewed)}/{item.pk}").json()
    assert (data["status"], data["reason"]) == ("failed", "stale_review")
    assert data["detail"]
    assert data["change_track_id"] is None


def test_the_schema_documents_the_schedules():
    schema = api_schema()
    base = "/api/v2/agents/{agent_id}/schedules"
    create = schema["paths"][base]["post"]
    assert {"201", "400", "401", "403", "404", "409", "413", "415"} <= set(create["responses"])
    assert set(schema["paths"][base]) >= {"get", "post"}
    assert "get" in schema["paths"][base + "/{schedule_id}"]
    assert "409" in schema["paths"][base + "/{schedule_id}/cancel"]["post"]["responses"]
    request = schema["components"]["schemas"]["ScheduleInputRequest"]
    assert set(request["required"]) == {"publish_at", "expected_fingerprint"}
    assert request["properties"]["publish_at"]["format"] == "date-time"
    shown = schema["components"]["schemas"]["Schedule"]["properties"]
    assert {"reason", "detail", "change_track_id", "scheduled_by", "cancelled_by"} <= set(shown)
