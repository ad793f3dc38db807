"""A failure at any step of a publish or a rollback leaves the database exactly as before.

Each test makes one step raise (the database refusing a write, a bug, a lost connection),
then compares everything the operation could have written - Staging, Production, the
publish records, the edit history of every Staging model, the agent's pending-restore
bookkeeping - against a picture taken before. Afterwards the same operation, without the
fault, must still work: nothing was left half-locked or half-written.
"""

from __future__ import annotations

import contextlib

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction

from agents import services, staging
from agents.models import Agent, Corpus
from agents.services import apply as whole_configuration
from publishing import services as publishing_services
from publishing.exceptions import NothingToPublish
from publishing.integrity import verify_chain
from publishing.live import cache as live
from publishing.models import ProductionConfiguration, PublishRecord
from publishing.selectors import edit_history
from publishing.services import (
    discard_staging,
    publish_agent,
    restore_checkpoint,
    rollback_agent,
)
from publishing.signals import agent_published
from tests import factories
from tests.reliability import helpers


class InjectedFault(Exception):
    """The failure the tests inject; anything else escaping is a real bug."""


def fail_on_call(n: int, original=None, exc: type[BaseException] = InjectedFault):
    """A stand-in that lets the first n-1 calls through to ``original`` and fails the n-th."""
    calls = {"count": 0}

    def stand_in(*args, **kwargs):
        calls["count"] += 1
        if calls["count"] == n:
            raise exc(f"injected at call {n}")
        return original(*args, **kwargs)

    stand_in.calls = calls
    return stand_in


@pytest.fixture
def published(publisher, rich_agent):
    """An agent published twice, with unpublished changes on top."""
    publish_agent(agent=rich_agent, acting_user=publisher, notes="first")
    services.update_agent_settings(
        agent=rich_agent, acting_user=publisher, description="Second version"
    )
    services.add_instruction(
        agent=rich_agent, acting_user=publisher, title="Escalate", content="Call a human."
    )
    publish_agent(agent=rich_agent, acting_user=publisher, notes="second")
    services.update_agent_settings(
        agent=rich_agent, acting_user=publisher, name="Renamed, not yet live"
    )
    services.delete_instruction(
        agent=rich_agent,
        acting_user=publisher,
        instruction_id=rich_agent.instructions.order_by("position").first().pk,
    )
    return Agent.objects.select_related("project").get(pk=rich_agent.pk)


def assert_unchanged(agent: Agent, before: dict) -> None:
    after = helpers.stored_state(agent)
    for part in before:
        assert after[part] == before[part], f"{part} changed"


# --- publish ---------------------------------------------------------------------------------


PUBLISH_FAULTS = {
    # The record is the first write of a publish.
    "record insert": (PublishRecord, "save", 1),
    # Production is written after the record: the record must go too.
    "production write": (ProductionConfiguration.objects.__class__, "update_or_create", 1),
}


@pytest.mark.parametrize("step", sorted(PUBLISH_FAULTS))
def test_publish_fault_leaves_everything_as_before(published, publisher, monkeypatch, step):
    owner, name, n = PUBLISH_FAULTS[step]
    monkeypatch.setattr(owner, name, fail_on_call(n, getattr(owner, name)))
    before = helpers.stored_state(published)

    with pytest.raises(InjectedFault):
        publish_agent(agent=published, acting_user=publisher, notes="doomed")

    assert_unchanged(published, before)
    monkeypatch.undo()
    record = publish_agent(agent=published, acting_user=publisher, notes="after the fault")
    assert record.sequence == 3
    assert ProductionConfiguration.objects.get(agent_id=published.pk).snapshot == record.snapshot


def test_publish_losing_the_database_mid_way_leaves_everything_as_before(
    published, publisher, monkeypatch
):
    manager_class = ProductionConfiguration.objects.__class__
    monkeypatch.setattr(
        manager_class,
        "update_or_create",
        fail_on_call(1, manager_class.update_or_create, exc=OperationalError),
    )
    before = helpers.stored_state(published)

    with pytest.raises(OperationalError):
        publish_agent(agent=published, acting_user=publisher)

    assert_unchanged(published, before)


def test_publish_fault_while_clearing_the_restore_marker(published, publisher, monkeypatch):
    """The last write of a publish that follows a restore: the agent's restore marker."""
    first = PublishRecord.objects.get(agent_id=published.pk, sequence=1)
    rollback_agent(agent=published, acting_user=publisher, record=first)
    before = helpers.stored_state(published)
    assert before["agent"]["pending_restored_from"] == first.change_track_id
    monkeypatch.setattr(Agent, "save", fail_on_call(1, Agent.save))

    with pytest.raises(InjectedFault):
        publish_agent(agent=published, acting_user=publisher)

    assert_unchanged(published, before)
    monkeypatch.undo()
    record = publish_agent(agent=published, acting_user=publisher)
    assert record.restored_from_id == first.pk


def test_publish_fault_in_the_hash_leaves_everything_as_before(published, publisher, monkeypatch):
    monkeypatch.setattr(
        publishing_services,
        "compute_record_hash",
        fail_on_call(1, publishing_services.compute_record_hash),
    )
    before = helpers.stored_state(published)

    with pytest.raises(InjectedFault):
        publish_agent(agent=published, acting_user=publisher)

    assert_unchanged(published, before)


def test_publish_inside_a_caller_transaction_that_fails_leaves_nothing(published, publisher):
    """A caller's transaction that fails after the publish takes the publish with it, and the
    on-commit effects (cache drop, signal) never run for a publish that did not happen."""
    before = helpers.stored_state(published)
    sent = []

    def receiver(**kwargs):
        sent.append(kwargs["record"].change_track_id)

    agent_published.connect(receiver)
    cache.set(live.cache_key(published.pk), {"body": "old"})
    try:
        with pytest.raises(InjectedFault), transaction.atomic():
            publish_agent(agent=published, acting_user=publisher)
            raise InjectedFault("caller fails after publishing")
    finally:
        agent_published.disconnect(receiver)

    assert_unchanged(published, before)
    assert sent == []
    assert cache.get(live.cache_key(published.pk)) == {"body": "old"}


# --- after commit ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_failing_published_receiver_cannot_undo_a_committed_publish():
    """on_commit effects run after the commit: a receiver that raises cannot roll the
    publish back, and the live-read cache (dropped by the hook registered first) does not
    keep serving the old Production.

    The exception itself does reach the caller of ``publish_agent`` (Django runs on-commit
    hooks non-robustly unless ``robust=True``); see docs/reliability.md."""
    user = factories.UserFactory(username="committer")
    agent = helpers.make_rich_agent(user)

    def broken_receiver(**kwargs):
        raise InjectedFault("receiver failed")

    agent_published.connect(broken_receiver)
    cache.set(live.cache_key(agent.pk), {"body": "stale"})
    try:
        with contextlib.suppress(InjectedFault):
            publish_agent(agent=agent, acting_user=user, notes="committed anyway")
    finally:
        agent_published.disconnect(broken_receiver)

    records = list(PublishRecord.objects.filter(agent_id=agent.pk).order_by("sequence"))
    assert len(records) == 1
    assert records[0].notes == "committed anyway"
    assert verify_chain(records) is None
    assert ProductionConfiguration.objects.get(agent_id=agent.pk).snapshot == records[0].snapshot
    assert cache.get(live.cache_key(agent.pk)) is None
    with pytest.raises(NothingToPublish):
        publish_agent(agent=agent, acting_user=user)


@pytest.mark.django_db(transaction=True)
def test_a_receiver_sees_the_committed_publish():
    """The signal is sent after commit, so a receiver reading from another connection
    already sees the new Production."""
    user = factories.UserFactory(username="observer")
    agent = helpers.make_rich_agent(user)
    seen = []

    def receiver(record, **kwargs):
        seen.append(
            ProductionConfiguration.objects.filter(agent_id=record.agent_id)
            .values_list("change_track_id", flat=True)
            .first()
        )

    agent_published.connect(receiver)
    try:
        record = publish_agent(agent=agent, acting_user=user)
    finally:
        agent_published.disconnect(receiver)
    assert seen == [record.change_track_id]


# --- rollback, discard, checkpoint restore ----------------------------------------------------


def _records(agent):
    return list(PublishRecord.objects.filter(agent_id=agent.pk).order_by("sequence"))


ROLLBACK_OPERATIONS = {
    "restore": lambda agent, user: rollback_agent(
        agent=agent, acting_user=user, record=_records(agent)[0], mode="restore"
    ),
    "revert": lambda agent, user: rollback_agent(
        agent=agent, acting_user=user, record=_records(agent)[1], mode="revert"
    ),
    "discard": lambda agent, user: discard_staging(agent=agent, acting_user=user),
    "checkpoint restore": lambda agent, user: restore_checkpoint(
        agent=agent, acting_user=user, history_id=edit_history(agent).last().history_id
    ),
}

# Points inside apply_snapshot_to_staging, in the order it reaches them: (where, call no.).
ROLLBACK_FAULTS = {
    # After the settings and instructions were collected, at the first keyed section.
    "knowledge sources": (whole_configuration, "_apply_keyed", 1),
    # Corpora done, tools not yet.
    "tools": (whole_configuration, "_apply_keyed", 2),
    "guardrails": (whole_configuration, "_apply_keyed", 4),
    # Inside the flush: first history rows and bulk writes done, the rest not.
    "first history write": (staging, "record_history", 1),
    "second history write": (staging, "record_history", 2),
    # Every row written; only the checkpoint row of StagingConfiguration is left.
    "checkpoint row": (staging.StagingConfiguration, "save", 1),
}


@pytest.mark.parametrize("operation", sorted(ROLLBACK_OPERATIONS))
@pytest.mark.parametrize("fault", sorted(ROLLBACK_FAULTS))
def test_rollback_fault_leaves_everything_as_before(
    published, publisher, monkeypatch, operation, fault
):
    owner, name, n = ROLLBACK_FAULTS[fault]
    stand_in = fail_on_call(n, getattr(owner, name))
    monkeypatch.setattr(owner, name, stand_in)
    before = helpers.stored_state(published)

    with pytest.raises(InjectedFault):
        ROLLBACK_OPERATIONS[operation](published, publisher)

    assert stand_in.calls["count"] == n, "the fault point was never reached"
    assert_unchanged(published, before)
    monkeypatch.undo()
    ROLLBACK_OPERATIONS[operation](published, publisher)
    assert helpers.stored_state(published)["staging_revision"] == before["staging_revision"] + 1


def test_rollback_to_a_deleted_catalogue_object_is_refused_whole(published, publisher):
    """A restore that needs a corpus that no longer exists is refused before any write."""
    first = _records(published)[0]
    corpus_ids = [c["corpus_id"] for c in first.snapshot["knowledge_sources"]["corpora"]]
    services.disconnect_corpora(agent=published, acting_user=publisher, corpus_ids=corpus_ids)
    Corpus.objects.filter(pk__in=corpus_ids).delete()
    before = helpers.stored_state(published)

    with pytest.raises(ValidationError) as refused:
        rollback_agent(agent=published, acting_user=publisher, record=first)

    assert "snapshot" in refused.value.message_dict
    assert_unchanged(published, before)
