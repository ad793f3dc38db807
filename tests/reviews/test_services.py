"""The review workflow's writes: review requests, verdicts and check results, each an
editor's or a publisher's call on exactly one state of Staging (its review fingerprint)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from agents import services as agent_services
from agents.models import Agent, AgentPermission
from reviews import services
from reviews.exceptions import NothingToReview, ReviewRequestClosed, StaleState, UnknownFingerprint
from reviews.models import CheckRun, ReviewRequest, Verdict
from tests import factories
from tests.reviews.scenario import approve, check, edit, fresh, person, set_policy, state_of
from webhooks import services as webhook_services
from webhooks.events import CHECKS_REQUESTED, REVIEW_REQUESTED
from webhooks.models import Event

pytestmark = pytest.mark.django_db

OLD = "0" * 64


@pytest.fixture
def pending(live, editor):
    """``live`` with a change of Staging by ``editor``, not yet published."""
    edit(live, editor)
    return live


def request_review(agent, user, **kwargs):
    return services.request_review(agent=fresh(agent), acting_user=user, **kwargs)


def withdraw(request, user):
    return services.withdraw_review_request(
        request=ReviewRequest.objects.get(pk=request.pk), acting_user=user
    )


def assert_stale_once_staging_moved(agent, editor, step) -> None:
    """``step(expected_fingerprint)``, naming the state before an edit, is refused as stale
    and the refusal names the state now."""
    seen = state_of(agent)
    edit(agent, editor, name="Moved on")
    with pytest.raises(StaleState) as caught:
        step(seen)
    assert caught.value.extra == {"fingerprint": state_of(agent)}


# --- request_review ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "publisher", "owner"])
def test_an_editor_or_more_asks_for_a_review_of_staging_as_it_stands(pending, who, request):
    user = request.getfixturevalue(who)
    made = request_review(pending, user, description="  Please look at the tone.  ")

    row = ReviewRequest.objects.get()
    assert row.pk == made.pk
    assert row.status == ReviewRequest.Status.OPEN
    assert row.fingerprint == state_of(pending)
    assert row.staging_revision == fresh(pending).staging.revision
    assert (row.requested_by, row.requested_by_username) == (user, who)
    assert row.description == "Please look at the tone."


def test_a_viewer_may_not_ask_for_a_review_and_a_stranger_does_not_see_the_agent(
    pending, viewer, stranger
):
    with pytest.raises(PermissionDenied):
        request_review(pending, viewer)
    with pytest.raises(Agent.DoesNotExist):
        request_review(pending, stranger)
    assert not ReviewRequest.objects.exists()


def test_there_is_nothing_to_review_when_staging_equals_production(live, editor):
    with pytest.raises(NothingToReview):
        request_review(live, editor)
    assert not ReviewRequest.objects.exists()


def test_a_request_naming_a_state_that_moved_on_is_stale(pending, editor):
    assert_stale_once_staging_moved(
        pending, editor, lambda seen: request_review(pending, editor, expected_fingerprint=seen)
    )
    assert not ReviewRequest.objects.exists()

    made = request_review(pending, editor, expected_fingerprint=state_of(pending))
    assert made.fingerprint == state_of(pending)


@pytest.mark.parametrize(
    ("field", "value"),
    [("expected_fingerprint", "abc"), ("expected_fingerprint", 7), ("description", "x" * 5001)],
)
def test_a_malformed_request_is_refused_by_field(pending, editor, field, value):
    with pytest.raises(ValidationError) as caught:
        request_review(pending, editor, **{field: value})
    assert set(caught.value.message_dict) == {field}


def test_asking_again_supersedes_the_open_request(pending, editor, publisher):
    first = request_review(pending, editor)
    edit(pending, editor, name="Second try")
    second = request_review(pending, publisher)

    first.refresh_from_db()
    assert first.status == ReviewRequest.Status.SUPERSEDED
    assert (first.closed_by, first.closed_by_username) == (publisher, "publisher")
    assert first.closed_at == second.created_at
    assert list(ReviewRequest.objects.filter(status="open")) == [second]


@pytest.fixture
def subscribed(agent, owner):
    """An endpoint of the agent subscribed to the review events, so they are recorded."""
    endpoint, _secret = webhook_services.create_endpoint(
        acting_user=owner,
        organization_id=agent.project.organization_id,
        agent=agent,
        url="http://127.0.0.1:9/hook",
        event_types=[REVIEW_REQUESTED, CHECKS_REQUESTED],
    )
    return endpoint


def events() -> list[tuple[str, str]]:
    """(type, fingerprint) of each review event, oldest first."""
    rows = Event.objects.filter(type__in=[REVIEW_REQUESTED, CHECKS_REQUESTED]).order_by(
        "created_at", "id"
    )
    return [
        (
            e.type,
            e.payload["data"].get("fingerprint")
            or e.payload["data"]["review_request"]["fingerprint"],
        )
        for e in rows
    ]


def test_each_request_is_announced_and_checks_are_asked_for_once_per_state(
    pending, editor, owner, subscribed
):
    set_policy(pending, owner, required_checks=["eval"])
    first_state = state_of(pending)
    made = request_review(pending, editor, description="tone")
    assert events() == [(REVIEW_REQUESTED, first_state), (CHECKS_REQUESTED, first_state)]

    request_review(pending, editor)  # the same state again: no new checks
    edit(pending, editor, name="Second try")
    second_state = state_of(pending)
    request_review(pending, editor)
    edit(pending, editor, name="Edited name")  # back to the first state, put up before
    assert state_of(pending) == first_state
    request_review(pending, editor)

    assert events() == [
        (REVIEW_REQUESTED, first_state),
        (CHECKS_REQUESTED, first_state),
        (REVIEW_REQUESTED, first_state),
        (REVIEW_REQUESTED, second_state),
        (CHECKS_REQUESTED, second_state),
        (REVIEW_REQUESTED, first_state),
    ]
    announced = Event.objects.filter(type=REVIEW_REQUESTED).order_by("created_at", "id").first()
    data = announced.payload["data"]
    assert data["review_request"]["id"] == made.pk
    assert data["review_request"]["requested_by"] == {"id": editor.pk, "username": "editor"}
    assert data["review_request"]["description"] == "tone"
    assert data["agent"]["id"] == pending.pk
    asked = Event.objects.filter(type=CHECKS_REQUESTED).order_by("created_at", "id").first()
    assert asked.payload["data"]["required_checks"] == ["eval"]
    assert asked.payload["data"]["checks_url"].endswith(reverse("api-checks", args=[pending.pk]))


def test_a_refused_request_records_no_event(pending, editor, subscribed):
    with pytest.raises(StaleState):
        request_review(pending, editor, expected_fingerprint=OLD)
    assert events() == []


# --- withdraw_review_request -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "publisher", "owner"])
def test_its_author_or_a_publisher_withdraws_a_request(pending, editor, who, request):
    made = request_review(pending, editor)
    user = request.getfixturevalue(who)
    withdrawn = withdraw(made, user)

    made.refresh_from_db()
    assert made.status == withdrawn.status == ReviewRequest.Status.WITHDRAWN
    assert (made.closed_by, made.closed_by_username) == (user, who)
    assert made.closed_at is not None


def test_another_editor_or_a_viewer_may_not_withdraw_it(pending, editor, viewer, stranger):
    made = request_review(pending, editor)
    other_editor = person(pending, "other-editor", "editor")
    for user in (other_editor, viewer):
        with pytest.raises(PermissionDenied):
            withdraw(made, user)
    with pytest.raises(Agent.DoesNotExist):
        withdraw(made, stranger)
    made.refresh_from_db()
    assert made.status == ReviewRequest.Status.OPEN


def test_an_author_who_lost_the_editor_role_may_not_withdraw_it(pending, editor, owner):
    made = request_review(pending, editor)
    permission = AgentPermission.objects.get(agent=pending, user=editor)
    agent_services.change_permission(permission=permission, acting_user=owner, role="viewer")
    with pytest.raises(PermissionDenied):
        withdraw(made, editor)


@pytest.mark.parametrize("closed_by", ["withdrawn", "superseded", "published"])
def test_a_closed_request_cannot_be_withdrawn(pending, editor, owner, closed_by):
    from publishing.services import publish_agent

    made = request_review(pending, editor)
    if closed_by == "withdrawn":
        withdraw(made, editor)
    elif closed_by == "superseded":
        request_review(pending, editor)
    else:
        publish_agent(agent=fresh(pending), acting_user=owner)
    with pytest.raises(ReviewRequestClosed) as caught:
        withdraw(made, owner)
    assert caught.value.extra == {"status": closed_by}


# --- give_verdict ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["publisher", "owner"])
@pytest.mark.parametrize("kind", ["approved", "changes_requested", "withdrawn"])
def test_a_publisher_or_more_gives_a_verdict_on_the_state_they_saw(pending, who, kind, request):
    user = request.getfixturevalue(who)
    made = approve(pending, user, kind, comment="  looks fine  ")

    row = Verdict.objects.get()
    assert row.pk == made.pk
    assert (row.kind, row.comment, row.reviewer, row.reviewer_username) == (
        kind,
        "looks fine",
        user,
        who,
    )
    assert row.fingerprint == state_of(pending)
    assert row.staging_revision == fresh(pending).staging.revision


def test_a_verdict_belongs_to_the_open_request_of_the_same_state(pending, editor, publisher):
    assert approve(pending, publisher).review_request is None
    made = request_review(pending, editor)
    assert approve(pending, publisher).review_request == made
    request_review(pending, editor)  # supersedes ``made``
    assert approve(pending, publisher).review_request != made


def test_editors_and_viewers_give_no_verdict_and_strangers_do_not_see_the_agent(
    pending, editor, viewer, stranger
):
    for user in (editor, viewer):
        with pytest.raises(PermissionDenied):
            approve(pending, user)
    with pytest.raises(Agent.DoesNotExist):
        approve(pending, stranger)
    assert not Verdict.objects.exists()


def test_a_verdict_on_a_state_that_moved_on_is_stale_and_writes_nothing(pending, editor, publisher):
    assert_stale_once_staging_moved(
        pending, editor, lambda seen: approve(pending, publisher, expected_fingerprint=seen)
    )
    assert not Verdict.objects.exists()


def test_a_publish_by_someone_else_makes_a_verdict_stale(pending, publisher, owner):
    from publishing.services import publish_agent

    seen = state_of(pending)
    publish_agent(agent=fresh(pending), acting_user=owner)
    edit(pending, owner, name="Next change")
    with pytest.raises(StaleState):
        approve(pending, publisher, expected_fingerprint=seen)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"verdict": "lgtm"}, "verdict"),
        ({"verdict": ["approved"]}, "verdict"),
        ({"expected_fingerprint": None}, "expected_fingerprint"),
        ({"expected_fingerprint": ""}, "expected_fingerprint"),
        ({"expected_fingerprint": "ABC"}, "expected_fingerprint"),
        ({"comment": "x" * 5001}, "comment"),
        ({"comment": None}, "comment"),
    ],
)
def test_a_malformed_verdict_is_refused_by_field(pending, publisher, changes, field):
    kwargs = {"verdict": "approved", "expected_fingerprint": state_of(pending), **changes}
    with pytest.raises(ValidationError) as caught:
        services.give_verdict(agent=fresh(pending), acting_user=publisher, **kwargs)
    assert set(caught.value.message_dict) == {field}
    assert not Verdict.objects.exists()


def test_an_author_may_not_approve_their_own_change_unless_the_policy_says_so(live, owner):
    author = person(live, "author", "publisher")
    edit(live, author)
    with pytest.raises(PermissionDenied, match="no author approve"):
        approve(live, author)
    assert not Verdict.objects.exists()

    # Asking for changes on one's own work is no approval: it is always allowed.
    approve(live, author, "changes_requested")

    set_policy(live, owner, authors_may_approve=True)
    assert approve(live, author).kind == "approved"


def test_an_author_is_someone_who_edited_since_the_last_publish(live, owner):
    """The owner built and published the agent: that was before the pending change."""
    editor = person(live, "writer", "editor")
    edit(live, editor)
    assert approve(live, owner).kind == "approved"


def test_there_is_no_verdict_when_staging_equals_production(live, publisher):
    with pytest.raises(NothingToReview):
        approve(live, publisher)
    assert not Verdict.objects.exists()


# --- post_check ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "publisher", "owner"])
def test_an_editor_or_more_posts_a_check_result(pending, who, request):
    user = request.getfixturevalue(who)
    run = check(
        pending,
        user,
        "regression-eval",
        "success",
        description=" 97% ",
        target_url="https://ci.example.com/runs/1",
    )
    row = CheckRun.objects.get()
    assert row.pk == run.pk
    assert (row.name, row.state, row.description, row.target_url) == (
        "regression-eval",
        "success",
        "97%",
        "https://ci.example.com/runs/1",
    )
    assert (row.created_by, row.created_by_username, row.fingerprint) == (
        user,
        who,
        state_of(pending),
    )


def test_viewers_post_no_check_and_strangers_do_not_see_the_agent(pending, viewer, stranger):
    with pytest.raises(PermissionDenied):
        check(pending, viewer, "eval", "success")
    with pytest.raises(Agent.DoesNotExist):
        check(pending, stranger, "eval", "success")
    assert not CheckRun.objects.exists()


def test_every_bad_field_of_a_check_result_is_named_at_once(pending, editor):
    with pytest.raises(ValidationError) as caught:
        services.post_check(
            agent=fresh(pending),
            acting_user=editor,
            fingerprint=None,
            name="bad name",
            state="passed",
            description="x" * 501,
            target_url="ftp://ci.example.com/run",
        )
    assert set(caught.value.message_dict) == {
        "fingerprint",
        "name",
        "state",
        "description",
        "target_url",
    }
    assert not CheckRun.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("fingerprint", None),
        ("fingerprint", ""),
        ("fingerprint", "f" * 63),
        ("fingerprint", 12),
        ("name", ""),
        ("name", None),
        ("name", "x" * 101),
        ("state", "missing"),
        ("state", None),
        ("description", 5),
        ("target_url", "not a url"),
        ("target_url", "javascript:alert(1)"),
        ("target_url", "https://ci.example.com/" + "x" * 2000),
        ("target_url", 5),
    ],
)
def test_a_bad_field_of_a_check_result_is_named(pending, editor, field, value):
    given = {
        "fingerprint": state_of(pending),
        "name": "eval",
        "state": "success",
        "description": "",
        "target_url": "",
        field: value,
    }
    with pytest.raises(ValidationError) as caught:
        services.post_check(agent=fresh(pending), acting_user=editor, **given)
    assert set(caught.value.message_dict) == {field}


def test_a_check_result_for_another_agents_state_is_refused(pending, editor):
    other_owner = factories.UserFactory(username="other-owner")
    other = factories.AgentFactory(user=other_owner, name="Other bot")
    edit(other, other_owner, name="Other change")
    foreign = state_of(other)
    request_review(other, other_owner)  # put up for review there, not here

    with pytest.raises(UnknownFingerprint) as caught:
        check(pending, editor, "eval", "success", fingerprint=foreign)
    assert caught.value.extra == {"fingerprint": state_of(pending)}
    assert not CheckRun.objects.filter(agent=pending).exists()


def test_a_result_for_an_earlier_review_request_is_kept_but_not_for_any_old_state(pending, editor):
    reviewed = state_of(pending)
    request_review(pending, editor)
    edit(pending, editor, name="Moved on")
    never_requested = state_of(pending)
    edit(pending, editor, name="Moved on again")

    kept = check(pending, editor, "eval", "failure", fingerprint=reviewed)
    assert (kept.fingerprint, kept.state) == (reviewed, "failure")
    with pytest.raises(UnknownFingerprint):
        check(pending, editor, "eval", "success", fingerprint=never_requested)
    assert CheckRun.objects.count() == 1


def test_results_are_kept_as_a_log(pending, editor):
    check(pending, editor, "eval", "pending")
    check(pending, editor, "eval", "success")
    assert list(CheckRun.objects.order_by("id").values_list("state", flat=True)) == [
        "pending",
        "success",
    ]
