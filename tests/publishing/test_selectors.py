"""Read side: the review, the publish history and its filters, one record."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agents import services
from configuration.diff import diff_snapshots
from publishing.integrity import verify_chain
from publishing.models import PublishRecord
from publishing.selectors import get_publish_record, publish_records, review_staging
from publishing.services import publish_agent
from tests import factories
from tests.configuration.fingerprints import review_fingerprint
from tests.publishing.conftest import production_of, staging_of


def rename(agent, user, name):
    services.update_agent_settings(agent=agent, acting_user=user, name=name)


def publish_days_ago(agent, user, days: int, **kwargs) -> PublishRecord:
    """Publish with the clock turned back, so the record (and its hash) carry that date."""
    when = timezone.now() - timedelta(days=days)
    with mock.patch("django.utils.timezone.now", return_value=when):
        return publish_agent(agent=agent, user=user, **kwargs)


# --- review ------------------------------------------------------------------------------


def test_review_before_the_first_publish_compares_with_nothing(agent):
    review = review_staging(agent)
    assert review.production is None
    assert review.staging == staging_of(agent)
    assert review.diff == diff_snapshots(None, review.staging)
    assert review.fingerprint == review_fingerprint(None, review.staging)
    data = review.as_dict()
    assert data["published"] is False
    assert data["has_changes"] is True
    assert data["before"] == "production"
    assert data["after"] == "staging"


def test_review_lists_exactly_the_unpublished_changes(agent, owner, catalogue):
    publish_agent(agent=agent, user=owner)
    services.enable_tool(agent=agent, acting_user=owner, tool_id=catalogue["tools"][0].pk)
    rename(agent, owner, "Renamed")

    data = review_staging(agent).as_dict()

    assert data["counts"] == {
        "settings": 1,
        "instructions": 0,
        "knowledge_sources": 0,
        "tools": 1,
        "guardrails": 0,
    }
    assert [(c["section"], c["field"]) for c in data["changes"]] == [
        ("settings", "name"),
        ("tools", None),
    ]
    assert data["summary"] == "Name changed, Tool “CRM” added"


def test_review_fingerprint_changes_with_either_side(agent, owner):
    first = review_staging(agent).fingerprint
    rename(agent, owner, "Renamed")
    second = review_staging(agent).fingerprint
    publish_agent(agent=agent, user=owner)
    third = review_staging(agent).fingerprint
    assert len({first, second, third}) == 3


def test_review_fingerprint_is_stable_while_nothing_moves(agent, owner):
    rename(agent, owner, "Renamed")
    assert review_staging(agent).fingerprint == review_staging(agent).fingerprint


def test_review_costs_the_same_queries_whatever_the_size(agent, owner, catalogue):
    with CaptureQueriesContext(connection) as small:
        review_staging(agent)
    for n in range(6):
        services.add_instruction(agent=agent, acting_user=owner, title=f"I{n}", content="x")
    for tool in catalogue["tools"]:
        services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    services.connect_corpora(
        agent=agent, acting_user=owner, corpus_ids=[c.pk for c in catalogue["corpora"]]
    )
    with CaptureQueriesContext(connection) as large:
        review_staging(agent)
    assert len(large) == len(small)


# --- publish history ---------------------------------------------------------------------


@pytest.fixture
def three_records(agent, owner, publisher):
    """Three publishes: owner 3 days ago, publisher 1 day ago, owner now."""
    rename(agent, owner, "One")
    first = publish_days_ago(agent, owner, 3, notes="one")
    rename(agent, owner, "Two")
    second = publish_days_ago(agent, publisher, 1, notes="two")
    rename(agent, owner, "Three")
    third = publish_agent(agent=agent, user=owner, notes="three")
    records = [PublishRecord.objects.get(pk=r.pk) for r in (first, second, third)]
    assert verify_chain(records) is None
    return records


def test_publish_records_newest_first(agent, three_records):
    assert [r.sequence for r in publish_records(agent=agent)] == [3, 2, 1]


def test_publish_records_do_not_load_snapshots_or_changes(agent, three_records):
    rows = list(publish_records(agent=agent))
    for row in rows:
        deferred = row.get_deferred_fields()
        assert {"snapshot", "changes"} <= deferred


def test_publish_records_cost_one_query_whatever_their_number(agent, three_records):
    with CaptureQueriesContext(connection) as queries:
        rows = list(publish_records(agent=agent))
        for row in rows:
            _ = row.previous.change_track_id if row.previous_id else None
            _ = row.restored_from.change_track_id if row.restored_from_id else None
    assert len(queries) == 1


def test_publish_records_filtered_by_publisher(agent, publisher, owner, three_records):
    assert [r.sequence for r in publish_records(agent=agent, published_by=publisher.pk)] == [2]
    assert [r.sequence for r in publish_records(agent=agent, published_by=owner.pk)] == [3, 1]


def test_publish_records_filtered_by_date_range(agent, three_records):
    first, second, third = three_records
    after = publish_records(agent=agent, published_after=second.published_at)
    assert [r.sequence for r in after] == [3, 2]
    before = publish_records(agent=agent, published_before=second.published_at)
    assert [r.sequence for r in before] == [2, 1]
    window = publish_records(
        agent=agent,
        published_after=first.published_at + timedelta(seconds=1),
        published_before=third.published_at - timedelta(seconds=1),
    )
    assert [r.sequence for r in window] == [2]


def test_publish_records_are_the_agents_own(agent, three_records, other_agent):
    assert all(r.agent_id == agent.pk for r in publish_records(agent=agent))
    assert [r.agent_id for r in publish_records(agent=other_agent)] == [other_agent.pk]


def test_get_publish_record_by_change_track_id(agent, three_records):
    second = three_records[1]
    record = get_publish_record(agent=agent, change_track_id=second.change_track_id)
    assert record == second
    assert record.snapshot == second.snapshot
    assert record.previous == three_records[0]


def test_get_publish_record_of_another_agent_is_not_found(agent, other_agent):
    foreign = PublishRecord.objects.get(agent=other_agent)
    with pytest.raises(PublishRecord.DoesNotExist):
        get_publish_record(agent=agent, change_track_id=foreign.change_track_id)


def test_record_snapshot_is_what_was_live_at_the_time(agent, owner, three_records):
    assert [r.snapshot["settings"]["name"] for r in three_records] == ["One", "Two", "Three"]
    assert production_of(agent) == three_records[-1].snapshot


def test_published_by_username_survives_on_the_record(agent, three_records, publisher):
    record = three_records[1]
    assert record.published_by_username == publisher.username


def test_records_of_a_user_with_no_publishes_is_empty(agent, three_records):
    nobody = factories.UserFactory(username="nobody")
    assert list(publish_records(agent=agent, published_by=nobody.pk)) == []


def test_future_window_is_empty(agent, three_records):
    future = timezone.now() + timedelta(days=1)
    assert list(publish_records(agent=agent, published_after=future)) == []
