"""A verdict or a check result racing a publish, on PostgreSQL: whichever takes the agent's
row lock first wins, and the publish record (if any) matches the policy as it stood when the
publish committed - it is there only if the approvals and checks then met the policy, and its
gate lists exactly those.

Each race is played three ways: the publish holds the lock while the other write tries, the
other write holds it while the publish tries, and both start together (several rounds). A
step that skipped the lock would finish while the other one is held, or leave a record and
a contradicting verdict or result side by side.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from agents import services as agent_services
from agents.models import Agent
from publishing import services as publishing_services
from publishing.integrity import verify_chain
from publishing.models import PublishRecord
from publishing.services import publish_agent
from reviews import services
from reviews.exceptions import ApprovalRequired, ChecksNotPassed, StaleState, UnknownFingerprint
from reviews.models import CheckRun, Verdict
from tests import factories
from tests.reliability import helpers
from tests.reliability.conftest import require_postgres

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_only"),
]

JOIN_TIMEOUT = 60.0
# How long the second step is given to (wrongly) get past the lock the first one holds.
BLOCKED_FOR = 0.5
ROUNDS = 8


@pytest.fixture
def postgres_only(transactional_db):
    require_postgres()


def fresh(agent_id: int) -> Agent:
    return Agent.objects.select_related("project").get(pk=agent_id)


class Setup:
    """An agent live in Production with a pending change by ``editor``, approved by
    ``alice``, with a passing ``eval`` result, under a policy that requires both."""

    def __init__(self, tag: str, *, put_up_for_review: bool = False):
        self.owner = factories.UserFactory(username=f"{tag}-owner")
        agent = factories.AgentFactory(user=self.owner, name=f"{tag} bot")
        self.agent_id = agent.pk
        people = {}
        for name, role in (("editor", "editor"), ("alice", "publisher"), ("rel", "publisher")):
            user = factories.UserFactory(username=f"{tag}-{name}")
            factories.join(agent.project.organization, user)
            agent_services.grant_permission(
                agent=agent, acting_user=self.owner, target_user_id=user.pk, role=role
            )
            people[name] = user
        self.editor, self.alice, self.releaser = people["editor"], people["alice"], people["rel"]
        agent_services.add_instruction(
            agent=fresh(agent.pk), acting_user=self.owner, title="Tone", content="Be kind."
        )
        publish_agent(agent=fresh(agent.pk), acting_user=self.owner)
        agent_services.update_agent_settings(
            agent=fresh(agent.pk), acting_user=self.editor, name=f"{tag} bot, edited"
        )
        services.set_policy(
            agent=fresh(agent.pk),
            acting_user=self.owner,
            values={"required_approvals": 1, "required_checks": ["eval"]},
        )
        self.fingerprint = services.review_state(fresh(agent.pk)).fingerprint
        if put_up_for_review:
            services.request_review(agent=fresh(agent.pk), acting_user=self.editor)
        self.approve("approved")
        self.check("success")

    # The two racing steps, each as a fresh request would make it.
    def approve(self, verdict: str) -> Verdict:
        return services.give_verdict(
            agent=fresh(self.agent_id),
            acting_user=self.alice,
            verdict=verdict,
            expected_fingerprint=self.fingerprint,
        )

    def check(self, state: str) -> CheckRun:
        return services.post_check(
            agent=fresh(self.agent_id),
            acting_user=self.editor,
            fingerprint=self.fingerprint,
            name="eval",
            state=state,
        )

    def publish(self) -> PublishRecord:
        return publish_agent(agent=fresh(self.agent_id), acting_user=self.releaser)

    # What the race left behind.
    def records(self) -> list[PublishRecord]:
        return list(
            PublishRecord.objects.filter(agent_id=self.agent_id)
            .select_related("published_by")
            .order_by("sequence")
        )

    def pending_record(self) -> PublishRecord | None:
        """The record of the raced publish (the first one made the agent live)."""
        records = self.records()
        assert verify_chain(records) is None
        assert len(records) in (1, 2)
        return records[1] if len(records) == 2 else None

    def withdrawals(self) -> list[Verdict]:
        return list(Verdict.objects.filter(agent_id=self.agent_id, kind="withdrawn"))

    def failures(self) -> list[CheckRun]:
        return list(CheckRun.objects.filter(agent_id=self.agent_id, state="failure"))


class Paused:
    """Wraps ``module.name`` so the thread named ``who`` stops right after calling it (its
    transaction open, the agent's row locked) until ``release()``."""

    def __init__(self, monkeypatch, module: Any, name: str, who: str):
        self.entered = threading.Event()
        self.released = threading.Event()
        original = getattr(module, name)

        def paused(*args, **kwargs):
            result = original(*args, **kwargs)
            if threading.current_thread().name == who:
                self.entered.set()
                assert self.released.wait(JOIN_TIMEOUT), "never released"
            return result

        monkeypatch.setattr(module, name, paused)

    def release(self) -> None:
        self.released.set()


class Outcome:
    def __init__(self) -> None:
        self.result: Any = None
        self.error: BaseException | None = None


def start(name: str, job: Callable[[], Any]) -> tuple[threading.Thread, Outcome]:
    outcome = Outcome()

    def run() -> None:
        try:
            outcome.result = job()
        except BaseException as exc:
            outcome.error = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread, outcome


def first_holds_the_lock(
    pause: Paused, first: Callable[[], Any], second: Callable[[], Any]
) -> tuple[Outcome, Outcome]:
    """Run ``first`` until it pauses holding the agent's lock, start ``second``, check it
    waits, then let both finish."""
    first_thread, first_outcome = start("first", first)
    assert pause.entered.wait(JOIN_TIMEOUT), f"first step never got there: {first_outcome.error}"
    second_thread, second_outcome = start("second", second)
    time.sleep(BLOCKED_FOR)
    blocked = second_thread.is_alive()
    pause.release()
    first_thread.join(JOIN_TIMEOUT)
    second_thread.join(JOIN_TIMEOUT)
    assert not first_thread.is_alive() and not second_thread.is_alive(), "deadlock?"
    assert blocked, f"the second step did not wait for the lock: {second_outcome.error!r}"
    return first_outcome, second_outcome


def counted_approvers(record: PublishRecord) -> list[str]:
    return [a["reviewer"]["username"] for a in record.gate["approvals"] if a["counted"]]


def eval_state(record: PublishRecord) -> str:
    [result] = [c for c in record.gate["checks"] if c["name"] == "eval"]
    return result["state"]


# --- an approval withdrawn while a publish runs ------------------------------------------


def test_a_publish_holding_the_lock_counts_the_approval_and_the_withdrawal_comes_too_late(
    monkeypatch,
):
    world = Setup("a")
    pause = Paused(monkeypatch, publishing_services, "hold_publish", who="first")
    published, withdrawn = first_holds_the_lock(
        pause, world.publish, lambda: world.approve("withdrawn")
    )
    assert published.error is None
    assert isinstance(withdrawn.error, StaleState)
    record = world.pending_record()
    assert counted_approvers(record) == [world.alice.username]
    assert world.withdrawals() == []


def test_a_withdrawal_holding_the_lock_holds_the_publish_back(monkeypatch):
    world = Setup("b")
    pause = Paused(monkeypatch, services, "review_state", who="first")
    withdrawn, published = first_holds_the_lock(
        pause, lambda: world.approve("withdrawn"), world.publish
    )
    assert withdrawn.error is None
    assert isinstance(published.error, ApprovalRequired)
    assert world.pending_record() is None
    assert len(world.withdrawals()) == 1


def test_a_withdrawal_and_a_publish_started_together_never_both_win():
    worlds = [Setup(f"c{n}") for n in range(ROUNDS)]
    for world in worlds:
        crew = helpers.Crew(
            [world.publish, lambda world=world: world.approve("withdrawn")],
            timeout=JOIN_TIMEOUT,
        ).run()
        assert crew.unexpected(ApprovalRequired, StaleState) == []
        record = world.pending_record()
        withdrawals = world.withdrawals()
        # Exactly one of the two took effect, and the record says what it was published on.
        assert (record is None) != (not withdrawals)
        if record is not None:
            assert counted_approvers(record) == [world.alice.username]
            assert record.gate["met"] is True
        else:
            assert isinstance(crew.errors[0], ApprovalRequired)


# --- a check turning to failure while a publish runs -------------------------------------


def test_a_publish_holding_the_lock_keeps_the_passing_check_and_the_failure_comes_too_late(
    monkeypatch,
):
    world = Setup("d")
    pause = Paused(monkeypatch, publishing_services, "hold_publish", who="first")
    published, failed = first_holds_the_lock(pause, world.publish, lambda: world.check("failure"))
    assert published.error is None
    # Not put up for review, so no longer a state a result may be posted for.
    assert isinstance(failed.error, UnknownFingerprint)
    assert eval_state(world.pending_record()) == "success"
    assert world.failures() == []


def test_a_failure_kept_for_a_reviewed_state_lands_after_the_publish_it_lost_to(monkeypatch):
    """A state put up for review keeps taking results after it went live; the record still
    says what the check said when the publish committed, and the failure is newer."""
    world = Setup("e", put_up_for_review=True)
    pause = Paused(monkeypatch, publishing_services, "hold_publish", who="first")
    published, failed = first_holds_the_lock(pause, world.publish, lambda: world.check("failure"))
    assert published.error is None and failed.error is None
    record = world.pending_record()
    assert eval_state(record) == "success"
    [failure] = world.failures()
    assert failure.created_at > record.published_at


def test_a_failure_holding_the_lock_holds_the_publish_back(monkeypatch):
    world = Setup("f")
    pause = Paused(monkeypatch, services, "review_state", who="first")
    failed, published = first_holds_the_lock(pause, lambda: world.check("failure"), world.publish)
    assert failed.error is None
    assert isinstance(published.error, ChecksNotPassed)
    assert published.error.extra["blockers"] == ["Required check 'eval': failure."]
    assert world.pending_record() is None


@pytest.mark.parametrize("put_up_for_review", [False, True], ids=["current-only", "reviewed"])
def test_a_failure_and_a_publish_started_together_agree_on_the_order(put_up_for_review):
    worlds = [Setup(f"g{n}", put_up_for_review=put_up_for_review) for n in range(ROUNDS)]
    for world in worlds:
        crew = helpers.Crew(
            [world.publish, lambda world=world: world.check("failure")], timeout=JOIN_TIMEOUT
        ).run()
        assert crew.unexpected(ChecksNotPassed, UnknownFingerprint) == []
        record = world.pending_record()
        failures = world.failures()
        if record is None:
            assert isinstance(crew.errors[0], ChecksNotPassed)
            assert len(failures) == 1
            continue
        # Published: the failure, if it was kept at all, came after the publish committed.
        assert eval_state(record) == "success"
        assert record.gate["met"] is True
        assert all(failure.created_at > record.published_at for failure in failures)
        if not put_up_for_review:
            assert failures == []
