"""publish_agent: Production becomes Staging, one append-only record, effects after commit."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction

from agents import services
from agents.models import Agent
from configuration.diff import diff_snapshots
from configuration.snapshot import fingerprint
from publishing.exceptions import NothingToPublish, StaleReview
from publishing.integrity import compute_record_hash, verify_chain
from publishing.live import cache as live
from publishing.models import NOTES_MAX_LENGTH, ProductionConfiguration, PublishRecord
from publishing.selectors import review_staging
from publishing.services import discard_staging, publish_agent, rollback_agent
from publishing.signals import agent_published
from tests.configuration.fingerprints import review_fingerprint
from tests.publishing.conftest import assert_invariants, production_of, records_of, staging_of


@pytest.fixture
def received():
    """Every agent_published signal sent while the test runs."""
    calls: list[dict] = []

    def receiver(sender, **kwargs):
        calls.append({"sender": sender, **kwargs})

    agent_published.connect(receiver, weak=False)
    yield calls
    agent_published.disconnect(receiver)


def edit(agent, user, name: str) -> None:
    services.update_agent_settings(agent=agent, acting_user=user, name=name)


# --- what a publish writes ---------------------------------------------------------------


def test_first_publish_makes_production_equal_to_staging(agent, owner, catalogue):
    services.add_instruction(agent=agent, acting_user=owner, title="Greet", content="Say hello")
    services.enable_tool(agent=agent, acting_user=owner, tool_id=catalogue["tools"][0].pk)
    staging = staging_of(agent)

    record = publish_agent(agent=agent, acting_user=owner, notes="launch")

    assert production_of(agent) == staging
    row = ProductionConfiguration.objects.get(agent_id=agent.pk)
    assert row.change_track_id == record.change_track_id
    assert row.fingerprint == fingerprint(staging) == record.fingerprint
    assert row.published_by == owner
    assert row.published_at == record.published_at


def test_first_publish_record_has_every_field(agent, owner):
    services.add_instruction(agent=agent, acting_user=owner, title="Greet", content="Say hello")
    expected = diff_snapshots(None, staging_of(agent))

    record = publish_agent(agent=agent, acting_user=owner, notes="  launch  ")
    record.refresh_from_db()

    assert record.sequence == 1
    assert record.previous is None
    assert record.previous_hash == ""
    assert record.record_hash == compute_record_hash(record)
    assert record.published_by == owner
    assert record.published_by_username == "owner"
    assert record.notes == "launch"
    assert record.summary == expected.summary
    assert record.counts == expected.counts
    assert record.changes == [c.as_dict() for c in expected.changes]
    assert record.snapshot == staging_of(agent)
    assert record.restored_from is None
    assert record.restored_mode == ""


def test_second_publish_records_only_what_changed_since_the_first(agent, owner, catalogue):
    first = publish_agent(agent=agent, acting_user=owner)
    services.connect_corpora(
        agent=agent, acting_user=owner, corpus_ids=[catalogue["corpora"][0].pk]
    )

    second = publish_agent(agent=agent, acting_user=owner)

    assert second.sequence == 2
    assert second.previous == first
    assert second.previous_hash == first.record_hash
    assert second.counts["knowledge_sources"] == 1
    assert sum(second.counts.values()) == 1
    assert second.summary == "1 knowledge source added"
    assert [c["key"] for c in second.changes] == [f"corpus:{catalogue['corpora'][0].pk}"]


def test_chain_of_many_publishes_verifies(agent, owner):
    for n in range(5):
        edit(agent, owner, f"Name {n}")
        publish_agent(agent=agent, acting_user=owner)

    records = records_of(agent)
    assert [r.sequence for r in records] == [1, 2, 3, 4, 5]
    assert verify_chain(records) is None
    assert_invariants(agent)


def test_earlier_records_are_unchanged_by_later_publishes(agent, owner):
    first = publish_agent(agent=agent, acting_user=owner, notes="one")
    before = PublishRecord.objects.filter(pk=first.pk).values().get()

    edit(agent, owner, "Renamed")
    publish_agent(agent=agent, acting_user=owner, notes="two")

    assert PublishRecord.objects.filter(pk=first.pk).values().get() == before


def test_publish_leaves_staging_and_its_history_alone(agent, owner):
    edit(agent, owner, "Renamed")
    staging = staging_of(agent)
    checkpoints = agent.staging.history.count()

    publish_agent(agent=agent, acting_user=owner)

    assert staging_of(agent) == staging
    assert agent.staging.history.count() == checkpoints


def test_after_a_publish_the_review_shows_no_changes(agent, owner):
    assert review_staging(agent).as_dict()["published"] is False
    publish_agent(agent=agent, acting_user=owner)

    review = review_staging(agent).as_dict()
    assert review["has_changes"] is False
    assert review["changes"] == []
    assert review["published"] is True


# --- refusals ------------------------------------------------------------------------------


def test_nothing_to_publish_right_after_a_publish_writes_nothing(agent, owner, received):
    publish_agent(agent=agent, acting_user=owner)
    production = ProductionConfiguration.objects.values().get(agent_id=agent.pk)

    with pytest.raises(NothingToPublish) as caught:
        publish_agent(agent=agent, acting_user=owner)

    assert caught.value.as_dict() == {
        "has_changes": False,
        "code": "nothing_to_publish",
        "detail": caught.value.detail,
    }
    assert PublishRecord.objects.filter(agent=agent).count() == 1
    assert ProductionConfiguration.objects.values().get(agent_id=agent.pk) == production


def test_edit_then_undo_is_nothing_to_publish(agent, owner):
    publish_agent(agent=agent, acting_user=owner)
    edit(agent, owner, "Temporary")
    edit(agent, owner, "Support bot")

    with pytest.raises(NothingToPublish):
        publish_agent(agent=agent, acting_user=owner)


def test_nothing_to_publish_sends_no_signal(
    agent, owner, received, django_capture_on_commit_callbacks
):
    publish_agent(agent=agent, acting_user=owner)
    received.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(NothingToPublish),
    ):
        publish_agent(agent=agent, acting_user=owner)
    assert callbacks == []
    assert received == []


def test_stale_review_is_refused_and_writes_nothing(agent, owner):
    reviewed = review_staging(agent).fingerprint
    edit(agent, owner, "Changed after the review")

    with pytest.raises(StaleReview) as caught:
        publish_agent(agent=agent, acting_user=owner, expected_fingerprint=reviewed)

    current = review_staging(agent).fingerprint
    assert caught.value.as_dict() == {
        "has_changes": True,
        "code": "stale_review",
        "detail": caught.value.detail,
        "fingerprint": current,
    }
    assert not PublishRecord.objects.filter(agent=agent).exists()
    assert not ProductionConfiguration.objects.filter(agent_id=agent.pk).exists()


def test_review_goes_stale_when_someone_else_publishes_first(agent, owner, publisher):
    edit(agent, owner, "Version A")
    reviewed = review_staging(agent).fingerprint
    publish_agent(agent=agent, acting_user=publisher)
    edit(agent, owner, "Version B")

    with pytest.raises(StaleReview):
        publish_agent(agent=agent, acting_user=owner, expected_fingerprint=reviewed)
    assert PublishRecord.objects.filter(agent=agent).count() == 1


def test_matching_review_publishes_exactly_what_was_reviewed(agent, owner):
    edit(agent, owner, "Reviewed name")
    review = review_staging(agent)

    record = publish_agent(agent=agent, acting_user=owner, expected_fingerprint=review.fingerprint)

    assert record.snapshot == review.staging
    assert review.fingerprint == review_fingerprint(None, record.snapshot)


@pytest.mark.parametrize("blank", ["", None])
def test_blank_fingerprint_means_no_review_check(agent, owner, blank):
    record = publish_agent(agent=agent, acting_user=owner, expected_fingerprint=blank)
    assert record.sequence == 1


@pytest.mark.parametrize(
    "notes",
    [123, "x" * (NOTES_MAX_LENGTH + 1), "nul \x00 inside"],
    ids=["not-a-string", "too-long", "nul"],
)
def test_invalid_notes_are_refused_before_anything_is_written(agent, owner, notes):
    with pytest.raises(ValidationError) as caught:
        publish_agent(agent=agent, acting_user=owner, notes=notes)
    assert "notes" in caught.value.message_dict
    assert not PublishRecord.objects.filter(agent=agent).exists()
    assert not ProductionConfiguration.objects.filter(agent_id=agent.pk).exists()


# --- effects after commit -------------------------------------------------------------------


def test_signal_sent_once_after_commit_with_the_record(
    agent, owner, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record = publish_agent(agent=agent, acting_user=owner)
        assert received == []  # nothing before the commit
    for callback in callbacks:
        callback()

    assert len(received) == 1
    assert received[0]["sender"] is PublishRecord
    assert received[0]["record"] == record
    assert received[0]["agent"].pk == agent.pk


def test_live_cache_is_dropped_after_commit_not_before(
    agent, owner, django_capture_on_commit_callbacks
):
    key = live.cache_key(agent.pk)
    cache.set(key, {"body": "stale"})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish_agent(agent=agent, acting_user=owner)
        assert cache.get(key) == {"body": "stale"}
    for callback in callbacks:
        callback()
    assert cache.get(key) is None


def test_other_agents_live_cache_is_kept(
    agent, owner, other_agent, django_capture_on_commit_callbacks
):
    other_key = live.cache_key(other_agent.pk)
    cache.set(other_key, {"body": "other"})
    with django_capture_on_commit_callbacks(execute=True):
        publish_agent(agent=agent, acting_user=owner)
    assert cache.get(other_key) == {"body": "other"}


def test_rolled_back_transaction_publishes_nothing_and_sends_nothing(
    agent, owner, received, django_capture_on_commit_callbacks
):
    key = live.cache_key(agent.pk)
    cache.set(key, {"body": "live"})

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        publish_agent(agent=agent, acting_user=owner)
        raise RuntimeError("the caller's transaction fails after the publish")

    assert callbacks == []
    assert received == []
    assert cache.get(key) == {"body": "live"}
    assert not PublishRecord.objects.filter(agent=agent).exists()
    assert not ProductionConfiguration.objects.filter(agent_id=agent.pk).exists()


# --- restored_from bookkeeping --------------------------------------------------------------


def test_publish_after_a_restore_carries_restored_from_then_clears_it(agent, owner):
    first = publish_agent(agent=agent, acting_user=owner)
    edit(agent, owner, "Second")
    publish_agent(agent=agent, acting_user=owner)
    rollback_agent(agent=agent, acting_user=owner, record=first, mode="restore")

    restoring = publish_agent(agent=agent, acting_user=owner)
    assert restoring.restored_from == first
    assert restoring.restored_mode == "restore"
    assert Agent.objects.get(pk=agent.pk).pending_restored_from is None

    edit(agent, owner, "Third")
    after = publish_agent(agent=agent, acting_user=owner)
    assert after.restored_from is None
    assert after.restored_mode == ""
    assert verify_chain(records_of(agent)) is None


def test_publish_after_a_revert_carries_the_revert_mode(agent, owner):
    publish_agent(agent=agent, acting_user=owner)
    edit(agent, owner, "Second")
    second = publish_agent(agent=agent, acting_user=owner)
    rollback_agent(agent=agent, acting_user=owner, record=second, mode="revert")

    record = publish_agent(agent=agent, acting_user=owner)

    assert record.restored_from == second
    assert record.restored_mode == "revert"


def test_discard_after_a_restore_forgets_the_restore(agent, owner):
    first = publish_agent(agent=agent, acting_user=owner)
    edit(agent, owner, "Second")
    publish_agent(agent=agent, acting_user=owner)
    rollback_agent(agent=agent, acting_user=owner, record=first)
    discard_staging(agent=agent, acting_user=owner)
    edit(agent, owner, "Third")

    record = publish_agent(agent=agent, acting_user=owner)

    assert record.restored_from is None


def test_a_publish_by_someone_without_an_account_is_refused(agent):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Agent.DoesNotExist):
        publish_agent(agent=agent, acting_user=AnonymousUser())
    assert records_of(agent) == []


def test_production_of_each_agent_is_its_own(agent, owner, other_agent):
    other_production = production_of(other_agent)
    edit(agent, owner, "Only this one")
    publish_agent(agent=agent, acting_user=owner)
    assert production_of(other_agent) == other_production
    assert records_of(other_agent)[0].sequence == 1


def test_a_failing_cache_invalidation_after_commit_leaves_the_publish_standing(
    agent, owner, received, monkeypatch, django_capture_on_commit_callbacks
):
    # The publish has committed by the time the cache is dropped: a cache outage must not
    # turn it into an error the client would read as "not published".
    def broken(agent_id):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(live, "invalidate", broken)
    with django_capture_on_commit_callbacks(execute=True):
        record = publish_agent(agent=agent, acting_user=owner)

    assert PublishRecord.objects.get(agent=agent) == record
    assert production_of(agent) == record.snapshot
    assert [call["record"] for call in received] == [record]  # the next hook still ran
