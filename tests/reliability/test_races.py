"""Concurrent publishes, edits and rollbacks of one agent on PostgreSQL.

Each test starts its threads at one barrier, each thread with its own database connection,
and joins them with a timeout (a deadlock shows as a hung thread). What must hold afterwards
(DESIGN invariants 1, 2 and 5): exactly the publishes that had something to publish
succeeded; the publish records form an intact hash chain; every record's snapshot is a
state Staging really was in (never a half-made edit); every record's changes are the diff
from the record before it; and Production equals the newest record's snapshot.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time

import pytest
from django.contrib.auth import get_user_model

from agents import services
from agents.models import Agent, StagingConfiguration
from configuration.diff import diff_snapshots
from configuration.snapshot import fingerprint
from publishing.exceptions import (
    NothingToDiscard,
    NothingToPublish,
    RevertConflict,
    StaleReview,
)
from publishing.integrity import verify_chain
from publishing.models import ProductionConfiguration, PublishRecord
from publishing.selectors import checkpoint_snapshot, review_staging
from publishing.services import discard_staging, publish_agent, rollback_agent
from tests.reliability import helpers

# Every test here runs on a committed PostgreSQL database.
pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.usefixtures("postgres")]

THREADS = 30
JOIN_TIMEOUT = 120.0


def fresh(agent_id: int) -> Agent:
    """Each thread loads its own Agent: services cache related rows on the instance."""
    return Agent.objects.select_related("project").get(pk=agent_id)


def assert_history_consistent(agent_id: int) -> list[PublishRecord]:
    """The invariants every interleaving must leave behind; returns the records."""
    records = list(PublishRecord.objects.filter(agent_id=agent_id).order_by("sequence"))
    assert verify_chain(records) is None
    staging_states = {
        fingerprint(checkpoint_snapshot(agent_id=agent_id, revision=revision))
        for revision in StagingConfiguration.history.filter(agent_id=agent_id)
        .values_list("revision", flat=True)
        .distinct()
    }
    previous = None
    for record in records:
        assert record.fingerprint == fingerprint(record.snapshot)
        # Published exactly a state Staging was in at one of its checkpoints.
        assert record.fingerprint in staging_states, f"record #{record.sequence}"
        expected = [c.as_dict() for c in diff_snapshots(previous, record.snapshot).changes]
        assert record.changes == expected, f"record #{record.sequence}"
        assert record.changes, f"record #{record.sequence} published nothing"
        previous = record.snapshot
    if records:
        production = ProductionConfiguration.objects.get(agent_id=agent_id)
        newest = records[-1]
        assert production.snapshot == newest.snapshot
        assert production.change_track_id == newest.change_track_id
        assert production.fingerprint == newest.fingerprint
    return records


@pytest.fixture
def agent_id(rich_agent):
    return rich_agent.pk


def test_simultaneous_publishes_of_one_state_make_exactly_one_record(publisher, agent_id):
    crew = helpers.Crew(
        [
            lambda: publish_agent(agent=fresh(agent_id), acting_user=publisher, notes="race")
            for _ in range(THREADS)
        ],
        timeout=JOIN_TIMEOUT,
    ).run()

    assert crew.unexpected(NothingToPublish) == []
    assert sorted(crew.outcomes()) == ["NothingToPublish"] * (THREADS - 1) + ["ok"]
    records = assert_history_consistent(agent_id)
    assert len(records) == 1
    winner = next(r for r in crew.results if r is not None)
    assert records[0].change_track_id == winner.change_track_id


def test_simultaneous_publishes_with_the_same_review_publish_it_once(publisher, agent_id):
    """Everyone reviewed the same diff: one publishes it, the rest are told there is
    nothing left to publish (not a stale review, and never a second copy)."""
    reviewed = review_staging(fresh(agent_id)).fingerprint
    crew = helpers.Crew(
        [
            lambda: publish_agent(
                agent=fresh(agent_id), acting_user=publisher, expected_fingerprint=reviewed
            )
            for _ in range(THREADS)
        ],
        timeout=JOIN_TIMEOUT,
    ).run()

    assert crew.unexpected(NothingToPublish) == []
    assert crew.outcomes().count("ok") == 1
    assert len(assert_history_consistent(agent_id)) == 1


def test_edits_racing_publishes_never_publish_a_half_made_edit(publisher, agent_id):
    editors = 15
    rounds = 4

    def edit(n: int) -> None:
        agent = fresh(agent_id)
        for r in range(rounds):
            # Two-part edits: if a publish could see one part without the other, its
            # snapshot would match no checkpoint of Staging.
            services.add_instruction(
                agent=agent,
                acting_user=publisher,
                title=f"E{n}R{r}",
                content=f"step {r}",
                position=0,
            )
            services.update_agent_settings(
                agent=agent,
                acting_user=publisher,
                description=f"editor {n} round {r}",
                model_config={"model": "gpt-4o", "temperature": (n % 10) / 10, "max_tokens": r + 1},
            )

    def publish() -> int:
        made = 0
        for _ in range(rounds):
            try:
                publish_agent(agent=fresh(agent_id), acting_user=publisher)
                made += 1
            except NothingToPublish:
                pass
        return made

    jobs = [lambda n=n: edit(n) for n in range(editors)] + [
        publish for _ in range(THREADS - editors)
    ]
    crew = helpers.Crew(jobs, timeout=JOIN_TIMEOUT).run()

    assert crew.unexpected() == []
    records = assert_history_consistent(agent_id)
    assert len(records) == sum(crew.results[editors:])
    assert len(records) >= 1


def test_stale_reviews_racing_edits_publish_only_what_was_reviewed(publisher, agent_id):
    """A publish that carries a review fingerprint publishes exactly that state or nothing.

    Reviewers keep reviewing and publishing while editors keep changing Staging, so some
    reviews go stale between the look and the publish and some do not; every publish that
    went through must be exactly the state its reviewer saw.
    """
    editors, edits_each = 10, 5
    outcomes: dict[str, int] = {"published": 0, "stale": 0, "nothing": 0}
    lock = threading.Lock()
    editors_left = [editors]
    editing_done = threading.Event()

    def count(what: str) -> None:
        with lock:
            outcomes[what] += 1

    def review_then_publish() -> list[str]:
        published = []
        # Until the editors are done and there is nothing left to publish (bounded, so a
        # bug shows as a failure rather than a hang).
        for _ in range(2000):
            finished = editing_done.is_set()
            agent = fresh(agent_id)
            review = review_staging(agent)
            try:
                record = publish_agent(
                    agent=agent, acting_user=publisher, expected_fingerprint=review.fingerprint
                )
            except StaleReview:
                count("stale")
                continue
            except NothingToPublish:
                count("nothing")
                if finished:
                    break
                time.sleep(0.005)
                continue
            count("published")
            assert record.snapshot == review.staging
            published.append(record.fingerprint)
        return published

    def edit(n: int) -> None:
        for i in range(edits_each):
            services.update_agent_settings(
                agent=fresh(agent_id), acting_user=publisher, description=f"edit {n}.{i}"
            )
            time.sleep(0.01)
        with lock:
            editors_left[0] -= 1
            if editors_left[0] == 0:
                editing_done.set()

    jobs = [lambda n=n: edit(n) for n in range(editors)] + [
        review_then_publish for _ in range(THREADS - editors)
    ]
    random.Random(7).shuffle(jobs)
    crew = helpers.Crew(jobs, timeout=JOIN_TIMEOUT).run()

    assert crew.unexpected() == []
    records = assert_history_consistent(agent_id)
    published = [fp for result in crew.results if isinstance(result, list) for fp in result]
    assert sorted(published) == sorted(r.fingerprint for r in records)
    assert outcomes["published"] == len(records) >= 1, outcomes
    # Reviewers stop only once the editors are done and nothing is left: the last edit is live.
    assert review_staging(fresh(agent_id)).diff.has_changes is False, outcomes


def test_rollbacks_racing_publishes_leave_production_at_the_newest_record(publisher, agent_id):
    agent = fresh(agent_id)
    for i in range(5):
        services.update_agent_settings(agent=agent, acting_user=publisher, description=f"v{i}")
        services.add_instruction(agent=agent, acting_user=publisher, title=f"Rule {i}", content="x")
        publish_agent(agent=agent, acting_user=publisher, notes=f"v{i}")
    targets = list(PublishRecord.objects.filter(agent_id=agent_id).order_by("sequence"))
    rng = random.Random(11)

    def rollback(n: int) -> None:
        record = targets[n % len(targets)]
        mode = "revert" if n % 3 == 0 else "restore"
        rollback_agent(agent=fresh(agent_id), acting_user=publisher, record=record, mode=mode)

    def publish() -> None:
        publish_agent(agent=fresh(agent_id), acting_user=publisher)

    def discard() -> None:
        discard_staging(agent=fresh(agent_id), acting_user=publisher)

    jobs = (
        [lambda n=n: rollback(n) for n in range(14)]
        + [publish for _ in range(13)]
        + [discard for _ in range(3)]
    )
    rng.shuffle(jobs)
    crew = helpers.Crew(jobs, timeout=JOIN_TIMEOUT).run()

    assert crew.unexpected(NothingToPublish, NothingToDiscard, RevertConflict) == []
    records = assert_history_consistent(agent_id)
    assert len(records) >= len(targets)
    # Whatever won, a publish right now makes Production exactly Staging.
    with contextlib.suppress(NothingToPublish):
        publish_agent(agent=fresh(agent_id), acting_user=publisher)
    final = assert_history_consistent(agent_id)
    assert ProductionConfiguration.objects.get(agent_id=agent_id).snapshot == final[-1].snapshot
    assert review_staging(fresh(agent_id)).diff.has_changes is False


def test_publishes_of_different_agents_do_not_wait_for_each_other(publisher):
    """The lock is per agent: 30 agents published at once each get their record."""
    ids = [helpers.make_rich_agent(publisher, name=f"Agent {i}").pk for i in range(THREADS)]
    crew = helpers.Crew(
        [lambda pk=pk: publish_agent(agent=fresh(pk), acting_user=publisher) for pk in ids],
        timeout=JOIN_TIMEOUT,
    ).run()

    assert crew.unexpected() == []
    for pk in ids:
        assert len(assert_history_consistent(pk)) == 1
    assert get_user_model().objects.count() == 1
