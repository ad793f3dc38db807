"""``publish_agent`` under a publish policy: allowed exactly when the approvals and checks on
the state published meet it, refused otherwise with what is missing, and recorded (inside the
record's hash) with what it was published on."""

from __future__ import annotations

import hashlib
import itertools
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from agents import services as agent_services
from agents.models import AgentPermission, Instruction
from configuration.snapshot import canonical_json
from publishing import scheduling
from publishing.integrity import compute_record_hash, verify_chain
from publishing.models import ProductionConfiguration, PublishRecord, ScheduledPublish
from publishing.services import publish_agent
from reviews import services
from reviews.exceptions import ApprovalRequired, ChecksNotPassed
from reviews.models import PublishPolicy, ReviewRequest
from reviews.policy import Policy
from tests import factories
from tests.reviews.scenario import approve, check, edit, fresh, person, set_policy, state_of
from tests.webhooks.conftest import run_tasks

pytestmark = pytest.mark.django_db

APPROVALS = ("none", "fresh", "by_author", "stale", "withdrawn", "revoked")
CHECK_STATES = ("missing", "pending", "failure", "error", "success")
POLICIES = [
    pytest.param(n, authors, required, id=f"{n}-{'authors' if authors else 'others'}-{required}")
    for n in (0, 1, 2)
    for authors in (False, True)
    for required in ("no-check", "eval-required")
]
EDITED = "Edited name"
NAME = "Support bot"  # the agent fixture's


def records(agent) -> list[PublishRecord]:
    return list(
        PublishRecord.objects.filter(agent_id=agent.pk)
        .select_related("published_by")
        .order_by("sequence")
    )


def publish(agent, user, **kwargs) -> PublishRecord:
    return publish_agent(agent=fresh(agent), acting_user=user, **kwargs)


def production_of(agent):
    return ProductionConfiguration.objects.get(agent_id=agent.pk).snapshot


class World:
    """A pending change of ``agent``, reviewed by ``alice`` and ``bob`` (publishers who did
    not edit), with an ``editor`` who posts check results and a ``releaser`` who publishes
    with the publisher role. ``prefix`` keeps usernames apart when several worlds coexist."""

    def __init__(self, agent, owner, *, prefix: str = ""):
        self.agent = fresh(agent)
        self.owner = owner
        self.editor = person(agent, f"{prefix}editor", "editor")
        self.alice = person(agent, f"{prefix}alice", "publisher")
        self.bob = person(agent, f"{prefix}bob", "publisher")
        self.releaser = person(agent, f"{prefix}releaser", "publisher")
        self.cast = {self.alice.username: "alice", self.bob.username: "bob"}

    def review(self, approvals: str) -> None:
        if approvals == "none":
            return
        approve(self.agent, self.alice)
        approve(self.agent, self.bob)
        if approvals == "by_author":
            # Bob touches Staging and puts it back: the state he approved is the one under
            # review still, and he is now one of its authors.
            edit(self.agent, self.bob, "Bob was here")
            edit(self.agent, self.bob, NAME)
        elif approvals == "stale":
            edit(self.agent, self.editor, "Edited again")
        elif approvals == "withdrawn":
            approve(self.agent, self.bob, "withdrawn")
        elif approvals == "revoked":
            permission = AgentPermission.objects.get(agent=self.agent, user=self.bob)
            agent_services.revoke_permission(permission=permission, acting_user=self.owner)

    def check(self, state: str) -> None:
        if state != "missing":
            check(self.agent, self.editor, "eval", state)


@pytest.fixture
def world(live, owner):
    """A world whose agent is live already, and whose ``editor`` made the pending change."""
    built = World(live, owner)
    edit(live, built.editor, EDITED)
    return built


def counted_by(approvals: str, authors_may_approve: bool) -> list[str]:
    """Whose approvals count, worked out from the scenario rather than from the code."""
    return {
        "none": [],
        "fresh": ["alice", "bob"],
        "by_author": ["alice", "bob"] if authors_may_approve else ["alice"],
        "stale": [],
        "withdrawn": ["alice"],
        "revoked": ["alice"],
    }[approvals]


def newest_verdicts(approvals: str, authors_may_approve: bool) -> set[tuple]:
    """(reviewer, verdict, stale, counted) of each reviewer's newest verdict."""
    counted = counted_by(approvals, authors_may_approve)
    if approvals == "none":
        return set()
    bob_verdict = "withdrawn" if approvals == "withdrawn" else "approved"
    stale = approvals == "stale"
    return {
        ("alice", "approved", stale, "alice" in counted),
        ("bob", bob_verdict, stale, "bob" in counted),
    }


def expected_blockers(n: int, counted: int, required: bool, state: str) -> list[str]:
    blockers = []
    if counted < n:
        plural = "s" if n != 1 else ""
        blockers.append(f"{n} approval{plural} needed, {counted} given on this state.")
    if required and state != "success":
        shown = "no result yet" if state == "missing" else state
        blockers.append(f"Required check 'eval': {shown}.")
    return blockers


# --- single cases the matrix leaves implicit ------------------------------------------------


def test_an_approval_then_a_staging_edit_then_a_publish_is_refused(world):
    set_policy(world.agent, world.owner, required_approvals=1)
    approve(world.agent, world.alice)
    edit(world.agent, world.editor, "One more thing")
    with pytest.raises(ApprovalRequired) as caught:
        publish(world.agent, world.releaser)
    assert caught.value.extra["blockers"] == ["1 approval needed, 0 given on this state."]
    [verdict] = caught.value.extra["approvals"]
    assert (verdict["reviewer"]["username"], verdict["stale"], verdict["counted"]) == (
        "alice",
        True,
        False,
    )

    approve(world.agent, world.alice)
    assert publish(world.agent, world.releaser).gate["met"] is True


def test_a_request_for_changes_holds_the_publish_back_until_its_reviewer_approves(world):
    set_policy(world.agent, world.owner, required_approvals=1)
    approve(world.agent, world.alice)
    approve(world.agent, world.bob, "changes_requested", comment="Tone is off.")
    with pytest.raises(ApprovalRequired) as caught:
        publish(world.agent, world.releaser)
    assert caught.value.extra["blockers"] == ["Changes requested by bob."]

    approve(world.agent, world.bob)
    record = publish(world.agent, world.releaser)
    assert sorted(a["reviewer"]["username"] for a in record.gate["approvals"]) == ["alice", "bob"]


def test_changes_requested_by_someone_who_may_no_longer_approve_hold_nothing_back(world):
    set_policy(world.agent, world.owner, required_approvals=1)
    approve(world.agent, world.alice)
    approve(world.agent, world.bob, "changes_requested")
    agent_services.revoke_permission(
        permission=AgentPermission.objects.get(agent=world.agent, user=world.bob),
        acting_user=world.owner,
    )
    assert publish(world.agent, world.releaser).gate["met"] is True


def test_without_required_approvals_a_request_for_changes_is_advice(world):
    """A policy of checks only: nobody's review is asked for, so none holds a publish back."""
    set_policy(world.agent, world.owner, required_checks=["eval"])
    check(world.agent, world.editor, "eval", "success")
    approve(world.agent, world.bob, "changes_requested")
    record = publish(world.agent, world.releaser)
    assert [(a["reviewer"]["username"], a["verdict"]) for a in record.gate["approvals"]] == [
        ("bob", "changes_requested")
    ]


def test_an_author_may_object_to_their_own_change_though_not_vouch_for_it(world):
    """Four eyes keep authors from approving what they wrote, not from holding it back."""
    set_policy(world.agent, world.owner, required_approvals=1)
    approve(world.agent, world.alice)
    # Bob touches Staging and puts it back: same state under review, and he is an author.
    edit(world.agent, world.bob, "Bob was here")
    edit(world.agent, world.bob, EDITED)
    approve(world.agent, world.bob, "changes_requested", comment="I got the tone wrong.")
    with pytest.raises(ApprovalRequired) as caught:
        publish(world.agent, world.releaser)
    assert caught.value.extra["blockers"] == ["Changes requested by bob."]


@pytest.mark.parametrize("lowered_to", ["editor", "viewer"])
def test_an_approver_lowered_below_publisher_no_longer_counts(world, lowered_to):
    set_policy(world.agent, world.owner, required_approvals=1)
    approve(world.agent, world.alice)
    agent_services.change_permission(
        permission=AgentPermission.objects.get(agent=world.agent, user=world.alice),
        acting_user=world.owner,
        role=lowered_to,
    )
    with pytest.raises(ApprovalRequired) as caught:
        publish(world.agent, world.releaser)
    [verdict] = caught.value.extra["approvals"]
    assert (verdict["counted"], verdict["not_counted_reason"]) == (
        False,
        "no longer holds the publisher role",
    )


def test_the_reviewers_newest_verdict_counts(world):
    set_policy(world.agent, world.owner, required_approvals=1)
    approve(world.agent, world.alice)
    approve(world.agent, world.alice, "changes_requested")
    with pytest.raises(ApprovalRequired):
        publish(world.agent, world.releaser)
    approve(world.agent, world.alice)
    publish(world.agent, world.releaser)


def test_the_newest_result_of_a_check_counts_and_only_on_the_state_published(world):
    set_policy(world.agent, world.owner, required_checks=["eval"])
    check(world.agent, world.editor, "eval", "success")
    check(world.agent, world.editor, "eval", "failure")
    with pytest.raises(ChecksNotPassed):
        publish(world.agent, world.releaser)
    check(world.agent, world.editor, "eval", "success", target_url="https://ci.example.com/9")

    services.request_review(agent=fresh(world.agent), acting_user=world.editor)
    edit(world.agent, world.editor, "Moved on")  # the success above was on the old state
    with pytest.raises(ChecksNotPassed) as caught:
        publish(world.agent, world.releaser)
    assert caught.value.extra["blockers"] == ["Required check 'eval': no result yet."]

    edit(world.agent, world.editor, EDITED)  # back to the state that passed
    record = publish(world.agent, world.releaser)
    assert record.gate["checks"] == [
        {
            "name": "eval",
            "state": "success",
            "required": True,
            "target_url": "https://ci.example.com/9",
        }
    ]


def test_checks_nobody_requires_are_recorded_but_hold_nothing_back(world):
    set_policy(world.agent, world.owner, required_approvals=1)
    approve(world.agent, world.alice)
    check(world.agent, world.editor, "redteam", "failure")
    record = publish(world.agent, world.releaser)
    assert record.gate["checks"] == [
        {"name": "redteam", "state": "failure", "required": False, "target_url": ""}
    ]


def test_a_blocking_builtin_check_holds_the_publish_back(world):
    set_policy(world.agent, world.owner, blocking_builtin_checks=["instructions"])
    for instruction in Instruction.objects.filter(agent_id=world.agent.pk):
        agent_services.delete_instruction(
            agent=fresh(world.agent), acting_user=world.editor, instruction_id=instruction.pk
        )
    with pytest.raises(ChecksNotPassed) as caught:
        publish(world.agent, world.releaser)
    [builtin] = caught.value.extra["checks"]
    assert (builtin["name"], builtin["passed"], builtin["blocking"]) == (
        "instructions",
        False,
        True,
    )

    agent_services.add_instruction(
        agent=fresh(world.agent), acting_user=world.editor, title="Tone", content="Be kind."
    )
    record = publish(world.agent, world.releaser)
    assert record.gate["builtin_checks"] == [
        {"name": "instructions", "passed": True, "blocking": True}
    ]


def test_an_approval_from_before_the_last_publish_never_counts_again(world):
    """The same pair of states can come back (publish, publish back, edit again): the
    approval given the first time was spent by the first publish."""
    set_policy(world.agent, world.owner, required_approvals=1)
    first_time = state_of(world.agent)
    approve(world.agent, world.alice)
    publish(world.agent, world.releaser)
    edit(world.agent, world.editor, "Support bot")
    approve(world.agent, world.bob)
    publish(world.agent, world.releaser)
    edit(world.agent, world.editor, EDITED)
    assert state_of(world.agent) == first_time

    with pytest.raises(ApprovalRequired) as caught:
        publish(world.agent, world.releaser)
    assert caught.value.extra["approvals"] == []


def test_someone_who_edited_before_the_last_publish_is_no_author_of_the_next_change(world):
    set_policy(world.agent, world.owner, required_approvals=1)
    edit(world.agent, world.alice, "Alice's change")
    approve(world.agent, world.bob)
    publish(world.agent, world.releaser)
    edit(world.agent, world.editor, "Editor's change")
    approve(world.agent, world.alice)
    assert publish(world.agent, world.releaser).gate["approvals"][0]["counted"] is True


# --- break glass --------------------------------------------------------------------------


def test_an_owner_breaks_the_glass_with_a_reason_kept_in_the_record(world):
    set_policy(world.agent, world.owner, required_approvals=2, required_checks=["eval"])
    approve(world.agent, world.alice)
    record = publish(world.agent, world.owner, break_glass_reason="Outage.")
    assert record.broke_glass is True
    assert record.gate["break_glass"] == {
        "reason": "Outage.",
        "blockers": [
            "2 approvals needed, 1 given on this state.",
            "Required check 'eval': no result yet.",
        ],
    }
    assert [a["reviewer"]["username"] for a in record.gate["approvals"]] == ["alice"]
    assert verify_chain(records(world.agent)) is None


def test_a_publisher_may_not_break_the_glass_and_nothing_is_written(world):
    set_policy(world.agent, world.owner, required_approvals=1)
    services.request_review(agent=fresh(world.agent), acting_user=world.editor)
    before = records(world.agent)
    with pytest.raises(PermissionDenied, match="Only an owner"):
        publish(world.agent, world.releaser, break_glass_reason="Outage.")
    assert records(world.agent) == before
    assert ReviewRequest.objects.get().status == ReviewRequest.Status.OPEN
    assert production_of(world.agent)["settings"]["name"] == "Support bot"


def test_a_publisher_giving_a_reason_is_refused_even_when_the_policy_is_met(world):
    set_policy(world.agent, world.owner, required_approvals=1)
    approve(world.agent, world.alice)
    with pytest.raises(PermissionDenied, match="Only an owner"):
        publish(world.agent, world.releaser, break_glass_reason="Just in case.")
    assert len(records(world.agent)) == 1


def test_an_owner_whose_policy_is_met_breaks_no_glass(world):
    set_policy(world.agent, world.owner, required_approvals=1)
    approve(world.agent, world.alice)
    record = publish(world.agent, world.owner, break_glass_reason="Just in case.")
    assert record.broke_glass is False
    assert record.gate["break_glass"] is None


@pytest.mark.parametrize("reason", [5, ["Outage."], "x" * 1001])
def test_a_malformed_reason_is_refused(world, reason):
    set_policy(world.agent, world.owner, required_approvals=1)
    with pytest.raises(ValidationError) as caught:
        publish(world.agent, world.owner, break_glass_reason=reason)
    assert set(caught.value.message_dict) == {"break_glass_reason"}


# --- the record ---------------------------------------------------------------------------


def old_record_hash(record) -> str:
    """The record hash as it was computed before publish policies existed."""
    content = {
        "agent_id": record.agent_id,
        "sequence": record.sequence,
        "change_track_id": str(record.change_track_id),
        "published_by_username": record.published_by_username,
        "published_at": record.published_at.isoformat(),
        "notes": record.notes,
        "summary": record.summary,
        "counts": record.counts,
        "changes": record.changes,
        "snapshot": record.snapshot,
        "fingerprint": record.fingerprint,
        "restored_from_id": record.restored_from_id,
        "restored_mode": record.restored_mode,
        "previous_hash": record.previous_hash,
    }
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def test_without_a_policy_or_reviews_records_look_as_before(world):
    record = publish(world.agent, world.releaser)
    record.refresh_from_db()
    assert record.gate == {}
    assert record.broke_glass is False
    assert record.record_hash == compute_record_hash(record)
    # Contributors and the published revision join the hash only when kept, as the gate.
    record.contributors, record.staging_revision = [], None
    assert compute_record_hash(record) == old_record_hash(record)


def test_a_gate_joins_the_hash(world):
    set_policy(world.agent, world.owner, required_approvals=1)
    approve(world.agent, world.alice)
    record = publish(world.agent, world.releaser)
    record.refresh_from_db()
    assert record.record_hash == compute_record_hash(record) != old_record_hash(record)


@pytest.mark.parametrize(
    "tamper",
    [
        "drop the gate",
        "uncount an approval",
        "add an approval",
        "flip broke_glass on",
        "flip broke_glass off",
        "rewrite the reason",
        "mark a check passed",
    ],
)
def test_a_tampered_gate_or_broke_glass_flag_is_detected(world, tamper):
    set_policy(world.agent, world.owner, required_approvals=1, required_checks=["eval"])
    approve(world.agent, world.alice)
    check(world.agent, world.editor, "eval", "failure")
    broken = tamper in ("flip broke_glass off", "rewrite the reason", "mark a check passed")
    if broken:
        publish(world.agent, world.owner, break_glass_reason="Outage.")
    else:
        check(world.agent, world.editor, "eval", "success")
        publish(world.agent, world.releaser)
    edit(world.agent, world.editor, "Later change")
    set_policy(world.agent, world.owner, required_approvals=0, required_checks=[])
    publish(world.agent, world.releaser)  # a record after it, so the link to it is checked
    assert verify_chain(records(world.agent)) is None

    record = records(world.agent)[1]
    gate = record.gate
    broke_glass = record.broke_glass
    if tamper == "drop the gate":
        gate = {}
    elif tamper == "uncount an approval":
        gate["approvals"][0]["counted"] = False
    elif tamper == "add an approval":
        gate["approvals"].append({**gate["approvals"][0], "reviewer": {"id": 1, "username": "x"}})
    elif tamper == "flip broke_glass on":
        broke_glass = True
    elif tamper == "flip broke_glass off":
        broke_glass = False
    elif tamper == "rewrite the reason":
        gate["break_glass"]["reason"] = "Planned release."
    elif tamper == "mark a check passed":
        gate["checks"][0]["state"] = "success"
    PublishRecord.objects.filter(pk=record.pk).update(gate=gate, broke_glass=broke_glass)

    broken_link = verify_chain(records(world.agent))
    assert broken_link is not None
    assert broken_link.sequence == record.sequence


def test_a_flag_without_a_gate_is_detected_though_the_hash_leaves_both_out(world):
    record = publish(world.agent, world.releaser)
    assert record.gate == {}
    PublishRecord.objects.filter(pk=record.pk).update(broke_glass=True)
    broken_link = verify_chain(records(world.agent))
    assert broken_link is not None
    assert broken_link.reason == "broke_glass does not match the policy record"


def test_a_publish_closes_the_open_review_request(world):
    set_policy(world.agent, world.owner, required_approvals=1)
    made = services.request_review(agent=fresh(world.agent), acting_user=world.editor)
    approve(world.agent, world.alice)
    publish(world.agent, world.releaser)
    made.refresh_from_db()
    assert made.status == ReviewRequest.Status.PUBLISHED
    assert (made.closed_by, made.closed_by_username) == (world.releaser, "releaser")
    assert made.closed_at is not None


def test_a_refused_publish_leaves_the_review_request_open(world):
    set_policy(world.agent, world.owner, required_approvals=1)
    services.request_review(agent=fresh(world.agent), acting_user=world.editor)
    with pytest.raises(ApprovalRequired):
        publish(world.agent, world.releaser)
    assert ReviewRequest.objects.get().status == ReviewRequest.Status.OPEN


# --- scheduled publishes --------------------------------------------------------------------


def come_due(item: ScheduledPublish) -> None:
    past = timezone.now() - timedelta(seconds=1)
    ScheduledPublish.objects.filter(pk=item.pk).update(publish_at=past)
    DBTaskResult.objects.filter(id=item.task_id).update(run_after=past)


def scheduled(world) -> ScheduledPublish:
    return scheduling.schedule_publish(
        agent=fresh(world.agent),
        acting_user=world.releaser,
        publish_at=timezone.now() + timedelta(minutes=5),
        expected_fingerprint=state_of(world.agent),
        notes="night release",
    )


@pytest.mark.parametrize(
    ("policy", "code"),
    [
        ({"required_approvals": 1}, "approval_required"),
        ({"required_checks": ["eval"]}, "checks_not_passed"),
    ],
)
def test_a_schedule_fails_when_the_policy_is_not_met_at_run_time(world, policy, code):
    item = scheduled(world)
    set_policy(world.agent, world.owner, **policy)  # set after scheduling: run time decides
    come_due(item)
    run_tasks()
    item.refresh_from_db()
    assert (item.status, item.failure_code) == (ScheduledPublish.Status.FAILED, code)
    assert item.failure_detail
    assert len(records(world.agent)) == 1


def test_a_schedule_publishes_when_the_policy_is_met_by_run_time(world):
    set_policy(world.agent, world.owner, required_approvals=1)
    item = scheduled(world)
    approve(world.agent, world.alice)  # given after scheduling, before the run
    come_due(item)
    run_tasks()
    item.refresh_from_db()
    assert item.status == ScheduledPublish.Status.SUCCEEDED
    assert [a["reviewer"]["username"] for a in item.publish_record.gate["approvals"]] == ["alice"]


# --- the matrix ----------------------------------------------------------------------------
#
# 720 cases over 30 states of review (approvals x check state). Each state is built once, in a
# transaction opened for this module and rolled back after it; every case runs in a savepoint
# inside it (pytest-django's own), so it sets its policy and publishes on a state as built.


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = {}
            for index, (approvals, state) in enumerate(itertools.product(APPROVALS, CHECK_STATES)):
                owner = factories.UserFactory(username=f"w{index}-owner")
                project = factories.ProjectFactory()
                agent = factories.AgentFactory(project=project, user=owner, name=NAME)
                world = World(agent, owner, prefix=f"w{index}-")
                world.review(approvals)
                world.check(state)
                world.fingerprint = state_of(agent)
                built[approvals, state] = world
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.parametrize(("n", "authors_may_approve", "required"), POLICIES)
@pytest.mark.parametrize("role", ["publisher", "owner"])
@pytest.mark.parametrize("approvals", APPROVALS)
@pytest.mark.parametrize("state", CHECK_STATES)
def test_the_publish_policy_matrix(
    worlds, n, authors_may_approve, required, role, approvals, state
):
    required = required == "eval-required"
    world = worlds[approvals, state]
    reviewed = world.fingerprint
    user = world.owner if role == "owner" else world.releaser
    counted = counted_by(approvals, authors_may_approve)
    approvals_ok = len(counted) >= n
    checks_ok = not required or state == "success"
    policy = Policy(
        required_approvals=n,
        authors_may_approve=authors_may_approve,
        required_checks=("eval",) if required else (),
    )
    if not policy.is_default:
        # The row as set_policy writes it (its own tests are in test_policy.py), in one query.
        PublishPolicy.objects.create(
            agent=world.agent, updated_at=timezone.now(), **policy.as_dict()
        )
    before = records(world.agent)

    if approvals_ok and checks_ok:
        record = publish(world.agent, user)
        assert production_of(world.agent)["settings"]["name"] == (
            "Edited again" if approvals == "stale" else NAME
        )
        gate = record.gate
        listed = {
            (world.cast[a["reviewer"]["username"]], a["verdict"], a["counted"])
            for a in gate.get("approvals", [])
        }
        fresh_verdicts = {
            (name, verdict, counts)
            for name, verdict, stale, counts in newest_verdicts(approvals, authors_may_approve)
            if not stale and verdict != "withdrawn"
        }
        if policy.is_default and not fresh_verdicts and state == "missing":
            assert gate == {}
        else:
            assert gate["fingerprint"] == reviewed
            assert gate["policy"] == policy.as_dict()
            assert gate["met"] is True
            assert gate["break_glass"] is None
            assert listed == fresh_verdicts
            assert (
                sorted(
                    world.cast[a["reviewer"]["username"]] for a in gate["approvals"] if a["counted"]
                )
                == counted
            )
            assert gate["checks"] == (
                [{"name": "eval", "state": state, "required": required, "target_url": ""}]
                if state != "missing" or required
                else []
            )
        assert record.broke_glass is False
        assert verify_chain(records(world.agent)) is None
        return

    expected = ApprovalRequired if not approvals_ok else ChecksNotPassed
    with pytest.raises(expected) as caught:
        publish(world.agent, user)
    blockers = expected_blockers(n, len(counted), required, state)
    extra = caught.value.extra
    assert extra["fingerprint"] == reviewed
    assert extra["blockers"] == blockers
    assert extra["required_approvals"] == n
    assert {
        (world.cast[v["reviewer"]["username"]], v["verdict"], v["stale"], v["counted"])
        for v in extra["approvals"]
    } == newest_verdicts(approvals, authors_may_approve)
    assert [(c["name"], c["state"], c["required"]) for c in extra["checks"]] == (
        [("eval", state, True)] if required else []
    )
    assert caught.value.as_dict()["code"] == expected.code
    assert caught.value.as_dict()["has_changes"] is True
    assert records(world.agent) == before == []
    assert not ProductionConfiguration.objects.filter(agent_id=world.agent.pk).exists()

    if role == "publisher":
        with pytest.raises(PermissionDenied):
            publish(world.agent, user, break_glass_reason="Outage, publishing the fix now.")
        assert records(world.agent) == []
        return
    record = publish(world.agent, user, break_glass_reason="  Outage, publishing the fix now. ")
    assert record.broke_glass is True
    assert record.gate["met"] is False
    assert record.gate["break_glass"] == {
        "reason": "Outage, publishing the fix now.",
        "blockers": blockers,
    }
    assert verify_chain(records(world.agent)) is None
