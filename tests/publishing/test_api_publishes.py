"""GET publishes (paginated, filtered), one publish, and the rollback preview."""

from __future__ import annotations

import uuid
from unittest import mock

import pytest
from django.utils import timezone

from agents import services
from publishing.models import PublishRecord
from publishing.services import publish_agent
from tests.publishing.conftest import PUBLISH_ROW_FIELDS, client_as, staging_of, the_conflict


def list_url(agent) -> str:
    return f"/api/v2/agents/{agent.pk}/publishes"


def detail_url(agent, change_track_id) -> str:
    return f"/api/v2/agents/{agent.pk}/publishes/{change_track_id}"


def publish_on(agent, user, when, **kwargs) -> PublishRecord:
    """A publish with the clock set to ``when`` (so the record and its hash carry it)."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        return publish_agent(agent=agent, acting_user=user, **kwargs)


@pytest.fixture
def history(agent, owner, publisher):
    """Publishes on 2024-03-01 10:00 (owner), 2024-03-02 23:30 (publisher), 2024-03-05 (owner)."""
    utc = timezone.get_current_timezone()
    dates = [
        (owner, timezone.datetime(2024, 3, 1, 10, 0, tzinfo=utc)),
        (publisher, timezone.datetime(2024, 3, 2, 23, 30, tzinfo=utc)),
        (owner, timezone.datetime(2024, 3, 5, 8, 0, tzinfo=utc)),
    ]
    records = []
    for n, (user, when) in enumerate(dates):
        services.update_agent_settings(agent=agent, acting_user=owner, name=f"Version {n + 1}")
        records.append(publish_on(agent, user, when, notes=f"note {n + 1}"))
    return records


# --- list ---------------------------------------------------------------------------------


def test_list_is_newest_first_without_changes_or_snapshots(agent, editor, history):
    response = client_as(editor).get(list_url(agent))

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3
    assert data["next"] is None
    assert [row["sequence"] for row in data["results"]] == [3, 2, 1]
    for row in data["results"]:
        assert set(row) == PUBLISH_ROW_FIELDS
    assert data["results"][0]["previous_change_track_id"] == str(history[1].change_track_id)
    assert data["results"][2]["previous_change_track_id"] is None


def test_list_rows_name_who_published(agent, editor, publisher, history):
    rows = client_as(editor).get(list_url(agent)).json()["results"]
    assert rows[1]["published_by"] == {"id": publisher.pk, "username": "publisher"}
    assert rows[1]["notes"] == "note 2"
    assert rows[1]["summary"] == "Name changed"


def test_list_is_paginated(agent, owner, editor):
    for n in range(27):
        services.update_agent_settings(agent=agent, acting_user=owner, name=f"Name {n}")
        publish_agent(agent=agent, acting_user=owner)
    client = client_as(editor)

    first = client.get(list_url(agent)).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 27
    assert len(first["results"]) == 25
    assert [r["sequence"] for r in second["results"]] == [2, 1]
    assert second["previous"] is not None


@pytest.mark.parametrize("page", ["0", "99", "abc"])
def test_a_page_that_does_not_exist_is_404(agent, editor, history, page):
    response = client_as(editor).get(list_url(agent), {"page": page})
    assert response.status_code == 404


def test_list_of_a_never_published_agent_is_empty(agent, editor):
    data = client_as(editor).get(list_url(agent)).json()
    assert data == {"count": 0, "next": None, "previous": None, "results": []}


def test_list_shows_only_this_agents_publishes(agent, editor, history, other_agent):
    rows = client_as(editor).get(list_url(agent)).json()["results"]
    ours = {str(r.change_track_id) for r in history}
    assert {row["change_track_id"] for row in rows} == ours


def test_filter_by_publisher(agent, editor, publisher, owner, history):
    client = client_as(editor)
    by_publisher = client.get(list_url(agent), {"published_by": publisher.pk}).json()
    assert [r["sequence"] for r in by_publisher["results"]] == [2]
    by_owner = client.get(list_url(agent), {"published_by": owner.pk}).json()
    assert [r["sequence"] for r in by_owner["results"]] == [3, 1]


@pytest.mark.parametrize(
    ("params", "sequences"),
    [
        ({"published_after": "2024-03-02"}, [3, 2]),
        ({"published_after": "2024-03-03"}, [3]),
        ({"published_before": "2024-03-02"}, [2, 1]),  # a date: the whole day
        ({"published_before": "2024-03-01"}, [1]),
        ({"published_before": "2024-03-02T12:00:00Z"}, [1]),
        ({"published_after": "2024-03-01T10:00:00Z"}, [3, 2, 1]),  # inclusive
        ({"published_after": "2024-03-01T10:00:01Z"}, [3, 2]),
        ({"published_after": "2024-03-02T00:00:00+01:00"}, [3, 2]),
        ({"published_after": "2024-03-02T23:30:00-01:00"}, [3]),
        ({"published_after": "2024-03-02", "published_before": "2024-03-04"}, [2]),
        ({"published_after": "2024-03-06"}, []),
        ({"published_after": "2024-03-04", "published_before": "2024-03-02"}, []),
        ({"published_before": "2024-03-02t12:00:00z"}, [1]),  # RFC 3339 lower case
    ],
)
def test_filter_by_date(agent, editor, history, params, sequences):
    response = client_as(editor).get(list_url(agent), params)
    assert response.status_code == 200
    assert [r["sequence"] for r in response.json()["results"]] == sequences


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"published_by": "abc"}, "published_by"),
        ({"published_by": "0"}, "published_by"),
        ({"published_by": "99999999999999999999"}, "published_by"),
        ({"published_after": "yesterday"}, "published_after"),
        ({"published_after": "2024-13-01"}, "published_after"),
        ({"published_before": "2024-02-30"}, "published_before"),
        ({"published_before": "2024-03-01T25:00"}, "published_before"),
        ({"published_before": "2024-03-01\x00"}, "published_before"),
    ],
)
def test_malformed_filters_are_400_naming_the_field(agent, editor, history, params, field):
    response = client_as(editor).get(list_url(agent), params)
    assert response.status_code == 400
    assert field in response.json()


def test_dates_at_the_edge_of_the_calendar_are_accepted(agent, editor, history):
    client = client_as(editor)
    late = client.get(list_url(agent), {"published_after": "9999-12-31T23:59:59-05:00"})
    assert late.status_code == 200
    assert late.json()["count"] == 0
    early = client.get(list_url(agent), {"published_before": "0001-01-01T00:00:00+05:00"})
    assert early.status_code == 200
    assert early.json()["count"] == 0


def test_unknown_publisher_filter_is_an_empty_page(agent, editor, history):
    response = client_as(editor).get(list_url(agent), {"published_by": 424242})
    assert response.status_code == 200
    assert response.json()["count"] == 0


# --- one record ---------------------------------------------------------------------------


def test_detail_has_changes_and_snapshot(agent, editor, history):
    second = history[1]
    response = client_as(editor).get(detail_url(agent, second.change_track_id))

    assert response.status_code == 200
    data = response.json()
    assert set(data) == PUBLISH_ROW_FIELDS | {"changes", "snapshot", "gate", "contributors"}
    assert data["changes"] == second.changes
    assert data["snapshot"] == second.snapshot
    assert data["previous_change_track_id"] == str(history[0].change_track_id)


def test_detail_accepts_an_upper_case_uuid(agent, editor, history):
    response = client_as(editor).get(detail_url(agent, str(history[0].change_track_id).upper()))
    assert response.status_code == 200


def test_detail_of_an_unknown_publish_is_404(agent, editor, history):
    response = client_as(editor).get(detail_url(agent, uuid.uuid4()))
    assert response.status_code == 404
    assert response.json() == {"detail": "No such publish for this agent."}


def test_detail_of_another_agents_publish_is_404(agent, editor, other_agent):
    foreign = PublishRecord.objects.get(agent=other_agent)
    response = client_as(editor).get(detail_url(agent, foreign.change_track_id))
    assert response.status_code == 404


@pytest.mark.parametrize("bad", ["not-a-uuid", "1234", "%00", "g" * 32])
def test_detail_with_a_malformed_change_track_id_is_400(agent, editor, history, bad):
    response = client_as(editor).get(detail_url(agent, bad))
    assert response.status_code == 400
    assert "change_track_id" in response.json()


def test_detail_after_a_rollback_publish_names_where_it_came_from(agent, owner, editor, history):
    client = client_as(owner)
    client.put(
        f"/api/v2/agents/{agent.pk}/rollback",
        {"change_track_id": str(history[0].change_track_id), "mode": "restore"},
        format="json",
    )
    record = client.post(f"/api/v2/agents/{agent.pk}/publish", {}, format="json").json()

    detail = client_as(editor).get(detail_url(agent, record["change_track_id"])).json()
    assert detail["restored_from"] == str(history[0].change_track_id)
    assert detail["restored_mode"] == "restore"
    row = client_as(editor).get(list_url(agent)).json()["results"][0]
    assert row["restored_from"] == str(history[0].change_track_id)


# --- preview ------------------------------------------------------------------------------


def test_restore_preview_shows_staging_and_production_diffs(agent, owner, editor, history):
    services.add_instruction(agent=agent, acting_user=owner, title="Draft", content="unpublished")

    response = client_as(editor).get(
        detail_url(agent, history[0].change_track_id) + "/diff", {"mode": "restore"}
    )

    assert response.status_code == 200
    data = response.json()
    assert data["change_track_id"] == str(history[0].change_track_id)
    assert data["mode"] == "restore"
    staging_changes = {(c["section"], c["field"], c["change"]) for c in data["staging"]["changes"]}
    assert staging_changes == {("settings", "name", "modified"), ("instructions", None, "removed")}
    assert [(c["field"], c["before"], c["after"]) for c in data["production"]["changes"]] == [
        ("name", "Version 3", "Version 1")
    ]
    assert data["conflicts"] == []


def test_preview_defaults_to_restore(agent, editor, history):
    data = client_as(editor).get(detail_url(agent, history[0].change_track_id) + "/diff").json()
    assert data["mode"] == "restore"


def test_revert_preview_lists_conflicts_and_writes_nothing(agent, owner, editor, history):
    # Publish 3 renamed "Version 2" -> "Version 3"; renaming again makes reverting it conflict.
    services.update_agent_settings(agent=agent, acting_user=owner, name="Version 4")
    staging = staging_of(agent)

    data = (
        client_as(editor)
        .get(detail_url(agent, history[2].change_track_id) + "/diff", {"mode": "revert"})
        .json()
    )

    assert data["mode"] == "revert"
    expected = ("settings", "name", "Version 3", "Version 4", "Version 2")
    assert the_conflict(data["conflicts"]) == expected
    assert staging_of(agent) == staging


def test_revert_preview_without_conflicts(agent, editor, history):
    data = (
        client_as(editor)
        .get(detail_url(agent, history[2].change_track_id) + "/diff", {"mode": "revert"})
        .json()
    )
    assert data["conflicts"] == []
    assert [(c["field"], c["after"]) for c in data["staging"]["changes"]] == [("name", "Version 2")]


def test_preview_with_an_empty_mode_is_400(agent, editor, history):
    """An empty ``?mode=`` is a client's bug, not a request for the default (leave it out)."""
    response = client_as(editor).get(
        detail_url(agent, history[0].change_track_id) + "/diff", {"mode": ""}
    )
    assert response.status_code == 400
    assert response.json() == {"mode": ['"" is not a valid choice.']}


def test_preview_without_a_mode_uses_the_default(agent, editor, history):
    response = client_as(editor).get(detail_url(agent, history[0].change_track_id) + "/diff")
    assert response.json()["mode"] == "restore"


@pytest.mark.parametrize("mode", ["undo", "RESTORE", "restore "])
def test_preview_with_a_bad_mode_is_400(agent, editor, history, mode):
    response = client_as(editor).get(
        detail_url(agent, history[0].change_track_id) + "/diff", {"mode": mode}
    )
    assert response.status_code == 400
    assert "mode" in response.json()


def test_preview_of_an_unknown_publish_is_404(agent, editor, history):
    response = client_as(editor).get(detail_url(agent, uuid.uuid4()) + "/diff")
    assert response.status_code == 404


def test_preview_of_another_agents_publish_is_404(agent, editor, other_agent):
    foreign = PublishRecord.objects.get(agent=other_agent)
    response = client_as(editor).get(detail_url(agent, foreign.change_track_id) + "/diff")
    assert response.status_code == 404


def test_preview_with_a_malformed_change_track_id_is_400(agent, editor):
    response = client_as(editor).get(detail_url(agent, "nope") + "/diff")
    assert response.status_code == 400


def test_records_cannot_be_changed_or_deleted_through_the_api(agent, owner, history):
    client = client_as(owner)
    url = detail_url(agent, history[0].change_track_id)
    before = PublishRecord.objects.filter(pk=history[0].pk).values().get()
    assert client.delete(url).status_code == 405
    assert client.put(url, {"notes": "rewritten"}, format="json").status_code == 405
    assert client.patch(url, {"notes": "rewritten"}, format="json").status_code == 405
    assert PublishRecord.objects.filter(pk=history[0].pk).values().get() == before
