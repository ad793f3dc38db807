"""Scheduling a publish from the review page, the "Scheduled" card, cancelling, and the
agent list's "Scheduled" badge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agents import services
from publishing.models import ScheduledPublish
from publishing.scheduling import schedule_publish
from publishing.selectors import review_staging
from tests import factories
from tests.pages.conftest import review_url

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.now().year + 1
# The last Sunday of March: Berlin's clocks skip from 02:00 to 03:00.
SPRING_FORWARD = 31 - (datetime(NEXT_YEAR, 3, 31).weekday() + 1) % 7


def schedule_url(agent) -> str:
    return reverse("publishing:schedule", args=[agent.pk])


def cancel_url(agent, scheduled) -> str:
    return reverse("publishing:schedule-cancel", args=[agent.pk, scheduled.pk])


def form(agent, **overrides):
    data = {
        "schedule-publish_at": f"{NEXT_YEAR}-01-15T02:30",
        "schedule-time_zone": "Europe/Berlin",
        "schedule-notes": "Low traffic then",
        "schedule-fingerprint": review_staging(agent).fingerprint,
    }
    data.update(overrides)
    return data


def pending(agent, user, *, at=None, notes="Night run") -> ScheduledPublish:
    return schedule_publish(
        agent=agent,
        acting_user=user,
        publish_at=at or timezone.now() + timedelta(days=2),
        expected_fingerprint=review_staging(agent).fingerprint,
        notes=notes,
    )


# --- the form --------------------------------------------------------------------------------


def test_a_publisher_gets_the_schedule_form_for_the_reviewed_state(client_as, edited):
    html = client_as("publisher").get(review_url(edited)).content.decode()
    fingerprint = review_staging(edited).fingerprint
    assert "Schedule this publish" in html
    assert f'name="schedule-fingerprint" value="{fingerprint}"' in html
    assert 'type="datetime-local" name="schedule-publish_at"' in html
    assert '<option value="UTC" selected>UTC</option>' in html
    assert '<option value="Europe/Berlin">Europe/Berlin</option>' in html
    assert '<label for="id_schedule-time_zone">Time zone</label>' in html
    assert html.index('id="publish-title"') < html.index('id="schedule-title"')


def test_an_editor_gets_no_schedule_form_and_may_not_post_one(client_as, edited):
    html = client_as("editor").get(review_url(edited)).content.decode()
    assert "Schedule this publish" not in html
    assert schedule_url(edited) not in html
    assert client_as("editor").post(schedule_url(edited), form(edited)).status_code == 403
    assert client_as("outsider").post(schedule_url(edited), form(edited)).status_code == 404
    assert not ScheduledPublish.objects.exists()


def test_scheduling_in_a_time_zone(client_as, edited, users):
    client = client_as("publisher")
    response = client.post(schedule_url(edited), form(edited))
    assert response.status_code == 302
    assert response["Location"] == review_url(edited)
    scheduled = ScheduledPublish.objects.get()
    # 02:30 in Berlin in January is 01:30 UTC.
    assert scheduled.publish_at == datetime(NEXT_YEAR, 1, 15, 1, 30, tzinfo=UTC)
    assert scheduled.status == ScheduledPublish.Status.PENDING
    assert scheduled.scheduled_by == users["publisher"]
    assert scheduled.notes == "Low traffic then"
    assert scheduled.expected_fingerprint == review_staging(edited).fingerprint
    html = client.get(response["Location"]).content.decode()
    assert f"Publish scheduled for 15 Jan {NEXT_YEAR}, 01:30 UTC" in html
    assert 'id="scheduled-title">Scheduled<' in html
    assert f"15 Jan {NEXT_YEAR}, 01:30 UTC" in html
    assert "Scheduled by publisher" in html
    assert "Low traffic then" in html
    assert "Cancel scheduled publish" in html
    # One pending at a time: the form gives way to the schedule.
    assert "Schedule this publish" not in html


def test_utc_is_the_default_zone(client_as, edited):
    client_as("publisher").post(schedule_url(edited), form(edited, **{"schedule-time_zone": "UTC"}))
    assert ScheduledPublish.objects.get().publish_at == datetime(
        NEXT_YEAR, 1, 15, 2, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"schedule-publish_at": ""}, "publish_at", "This field is required."),
        ({"schedule-publish_at": "tomorrow"}, "publish_at", "Enter a valid date/time."),
        ({"schedule-publish_at": "2001-01-01T10:00"}, "publish_at", "Must be in the future."),
        (
            {"schedule-publish_at": f"{NEXT_YEAR + 3}-01-01T10:00"},
            "publish_at",
            "At most a year ahead.",
        ),
        (
            {"schedule-publish_at": f"{NEXT_YEAR}-03-{SPRING_FORWARD:02d}T02:30"},
            "publish_at",
            "That time does not exist in Europe/Berlin.",
        ),
        ({"schedule-time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice."),
        ({"schedule-notes": "x" * 5001}, "notes", "Ensure this value has at most 5000"),
    ],
)
def test_bad_input_is_refused_inline(client_as, edited, overrides, field, message):
    response = client_as("publisher").post(schedule_url(edited), form(edited, **overrides))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert f'id="id_schedule-{field}_error_1"' in html  # beside its field
    assert "Schedule this publish" in html
    assert not ScheduledPublish.objects.exists()


def test_a_malformed_fingerprint_asks_for_a_fresh_review(client_as, edited):
    response = client_as("publisher").post(
        schedule_url(edited), form(edited, **{"schedule-fingerprint": "abc"})
    )
    assert response.status_code == 400
    assert "Reload this page and review the changes again." in response.content.decode()
    assert not ScheduledPublish.objects.exists()


def test_a_stale_review_shows_the_fresh_one_and_keeps_what_was_typed(client_as, edited, owner):
    old = form(edited)
    services.add_instruction(agent=edited, acting_user=owner, title="Late", content="Meanwhile")
    response = client_as("publisher").post(schedule_url(edited), old)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Staging changed since you reviewed it" in html
    assert "Instruction “Late”" in html
    fresh = review_staging(edited).fingerprint
    assert f'name="schedule-fingerprint" value="{fresh}"' in html
    assert "Low traffic then" in html
    assert f'value="{NEXT_YEAR}-01-15T02:30"' in html
    assert '<option value="Europe/Berlin" selected>' in html
    assert not ScheduledPublish.objects.exists()


def test_a_second_schedule_is_refused_while_one_is_pending(client_as, edited, users):
    first = pending(edited, users["publisher"])
    response = client_as("owner").post(schedule_url(edited), form(edited))
    html = response.content.decode()
    assert response.status_code == 409
    assert "already has a scheduled publish" in html
    assert 'role="alert"' in html
    assert list(ScheduledPublish.objects.all()) == [first]


def test_nothing_to_publish_is_refused(client_as, agent, published):
    client = client_as("publisher")
    data = form(agent)
    response = client.post(schedule_url(agent), data, follow=True)
    assert "nothing to publish" in response.content.decode()
    assert not ScheduledPublish.objects.exists()


# --- the Scheduled card, cancelling ------------------------------------------------------------


def test_editors_see_the_schedule_read_only(client_as, edited, users):
    scheduled = pending(edited, users["publisher"], notes="Ship it <b>late</b>")
    html = client_as("editor").get(review_url(edited)).content.decode()
    assert 'id="scheduled-title">Scheduled<' in html
    assert "Scheduled by publisher" in html
    assert "Ship it &lt;b&gt;late&lt;/b&gt;" in html
    assert cancel_url(edited, scheduled) not in html
    assert client_as("editor").post(cancel_url(edited, scheduled)).status_code == 403
    scheduled.refresh_from_db()
    assert scheduled.status == ScheduledPublish.Status.PENDING


def test_a_publisher_cancels(client_as, edited, users):
    scheduled = pending(edited, users["publisher"])
    client = client_as("owner")
    response = client.post(cancel_url(edited, scheduled))
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.status == ScheduledPublish.Status.CANCELLED
    assert scheduled.cancelled_by == users["owner"]
    html = client.get(review_url(edited)).content.decode()
    assert "Scheduled publish cancelled" in html
    assert "Cancelled by owner." in html
    assert "Schedule this publish" in html  # free to schedule again


def test_cancelling_twice_says_it_is_no_longer_pending(client_as, edited, users):
    scheduled = pending(edited, users["publisher"])
    client = client_as("publisher")
    client.post(cancel_url(edited, scheduled))
    response = client.post(cancel_url(edited, scheduled), follow=True)
    assert "no longer pending" in response.content.decode()


def test_cancel_of_an_unknown_or_foreign_schedule_is_404(client_as, edited, users, project, owner):
    other = factories.AgentFactory(project=project, user=owner, name="Other bot")
    services.add_instruction(agent=other, acting_user=owner, title="T", content="C")
    theirs = pending(other, owner)
    client = client_as("owner")
    assert client.post(cancel_url(edited, theirs)).status_code == 404
    assert client.post(f"/agents/{edited.pk}/schedules/999999/cancel/").status_code == 404
    assert client_as("outsider").post(cancel_url(other, theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ScheduledPublish.Status.PENDING


def test_schedule_posts_refuse_get(client_as, edited, users):
    scheduled = pending(edited, users["publisher"])
    assert client_as("owner").get(schedule_url(edited)).status_code == 405
    assert client_as("owner").get(cancel_url(edited, scheduled)).status_code == 405


@pytest.mark.parametrize("url", ["schedule", "cancel"])
def test_schedule_posts_need_the_csrf_token(owner, edited, users, url):
    scheduled = pending(edited, users["publisher"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    target = schedule_url(edited) if url == "schedule" else cancel_url(edited, scheduled)
    assert client.post(target, form(edited)).status_code == 403
    scheduled.refresh_from_db()
    assert scheduled.status == ScheduledPublish.Status.PENDING


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("stale_review", "Staging or Production changed after the review"),
        ("nothing_to_publish", "there was nothing to publish"),
        ("permission_denied", "could no longer publish this agent"),
    ],
)
def test_a_failed_schedule_says_why_in_plain_words(client_as, edited, users, code, words):
    scheduled = pending(edited, users["publisher"])
    ScheduledPublish.objects.filter(pk=scheduled.pk).update(
        status=ScheduledPublish.Status.FAILED, failure_code=code, finished_at=timezone.now()
    )
    html = client_as("editor").get(review_url(edited)).content.decode()
    assert '<span class="badge badge--removed">Failed</span>' in html
    assert words in html
    assert "Nothing is scheduled." in html


def test_a_schedule_that_went_live_links_its_publish(client_as, agent, users, published):
    ScheduledPublish.objects.create(
        agent=agent,
        expected_fingerprint="0" * 64,
        publish_at=timezone.now() - timedelta(hours=1),
        scheduled_by=users["publisher"],
        scheduled_by_username="publisher",
        created_at=timezone.now() - timedelta(days=1),
        status=ScheduledPublish.Status.SUCCEEDED,
        publish_record=published,
        finished_at=timezone.now(),
    )
    html = client_as("editor").get(review_url(agent)).content.decode()
    # Shown on the "Nothing to publish" page too.
    assert "Nothing to publish" in html
    assert '<span class="badge badge--live">Published</span>' in html
    assert reverse("publishing:publish-detail", args=[agent.pk, published.change_track_id]) in html


# --- the agent list's badge --------------------------------------------------------------------


def test_the_agent_list_shows_a_scheduled_badge_with_the_time(client_as, edited, users):
    at = datetime(NEXT_YEAR, 2, 3, 4, 5, tzinfo=ZoneInfo("UTC"))
    scheduled = pending(edited, users["publisher"], at=at)
    for who in ("editor", "publisher", "owner"):
        html = client_as(who).get("/agents/").content.decode()
        assert '<span class="badge badge--scheduled">Scheduled' in html
        assert "3 Feb, 04:05 UTC" in html
    # Viewers never learn that Staging differs, so not that a publish is coming either.
    assert "badge--scheduled" not in client_as("viewer").get("/agents/").content.decode()
    client_as("owner").post(cancel_url(edited, scheduled))
    assert "badge--scheduled" not in client_as("owner").get("/agents/").content.decode()


def test_the_badge_keeps_the_list_at_one_query_for_its_rows(
    client_as, owner, project, django_assert_max_num_queries
):
    client = client_as("owner")

    def add_scheduled_agent(name: str) -> None:
        new = factories.AgentFactory(project=project, user=owner, name=name)
        services.add_instruction(agent=new, acting_user=owner, title="T", content="C")
        pending(new, owner)

    add_scheduled_agent("A")
    with django_assert_max_num_queries(30) as one:
        assert client.get("/agents/").status_code == 200
    for index in range(5):
        add_scheduled_agent(f"B{index}")
    with django_assert_max_num_queries(30) as six:
        html = client.get("/agents/").content.decode()
    assert html.count("badge--scheduled") == 6
    assert len(one) == len(six)
