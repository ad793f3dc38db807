"""GET readiness: how Staging as it stands measures up to the agent's publish policy, the
same decision a publish takes. Every reviews-API answer is held to the schema."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents import services as agent_services
from configuration.checks import BUILTIN_CHECKS
from publishing.services import publish_agent
from reviews import services
from reviews.selectors import review_state
from tests import factories
from tests.publishing.conftest import grant
from tests.reviews.api_client import checked


def readiness(user, agent) -> dict:
    response = checked(user).get(f"/api/v2/agents/{agent.pk}/readiness")
    assert response.status_code == 200, response.content
    return response.json()


def current(agent) -> str:
    return review_state(agent).fingerprint


def approve(user, agent, kind: str = "approved"):
    return services.give_verdict(
        agent=agent, acting_user=user, verdict=kind, expected_fingerprint=current(agent)
    )


def test_without_a_policy_staging_is_ready(agent, owner, editor):
    data = readiness(editor, agent)
    assert data["fingerprint"] == current(agent)
    assert (data["has_changes"], data["met"], data["approvals_met"], data["checks_met"]) == (
        True,
        True,
        True,
        True,
    )
    assert data["blockers"] == []
    assert data["approvals"] == {"required": 0, "counted": 0, "verdicts": []}
    assert data["policy"]["required_approvals"] == 0
    assert [b["name"] for b in data["builtin_checks"]] == list(BUILTIN_CHECKS)
    assert not any(b["blocking"] for b in data["builtin_checks"])
    assert data["authors"] == [{"id": owner.pk, "username": "owner"}]
    assert data["review_request"] is None


def test_one_approval_short_names_what_is_missing(agent, owner, editor, publisher):
    services.set_policy(agent=agent, acting_user=owner, values={"required_approvals": 2})
    asked = services.request_review(agent=agent, acting_user=editor, description="Tone")
    verdict = approve(publisher, agent)

    data = readiness(editor, agent)

    assert (data["met"], data["approvals_met"]) == (False, False)
    assert data["blockers"] == ["2 approvals needed, 1 given on this state."]
    assert (data["approvals"]["required"], data["approvals"]["counted"]) == (2, 1)
    [row] = data["approvals"]["verdicts"]
    assert (row["id"], row["verdict"], row["stale"], row["counted"]) == (
        verdict.pk,
        "approved",
        False,
        True,
    )
    assert data["review_request"]["id"] == asked.pk
    assert data["review_request"]["description"] == "Tone"


def test_an_approval_made_stale_by_a_staging_edit_no_longer_counts(
    agent,
    owner,
    editor,
    publisher,
):
    services.set_policy(agent=agent, acting_user=owner, values={"required_approvals": 1})
    approved_on = current(agent)
    approve(publisher, agent)
    assert readiness(editor, agent)["met"] is True

    agent_services.update_agent_settings(agent=agent, acting_user=editor, name="Edited after")

    data = readiness(editor, agent)
    [row] = data["approvals"]["verdicts"]
    assert (row["stale"], row["counted"], row["fingerprint"]) == (True, False, approved_on)
    assert data["fingerprint"] != approved_on
    assert (data["met"], data["approvals"]["counted"]) == (False, 0)
    assert data["blockers"] == ["1 approval needed, 0 given on this state."]
    assert {a["username"] for a in data["authors"]} == {"owner", "editor"}


def test_changes_requested_hold_a_publish_back(agent, owner, editor, publisher):
    services.set_policy(agent=agent, acting_user=owner, values={"required_approvals": 1})
    other = factories.UserFactory(username="publisher2")
    grant(agent, other, "publisher")
    approve(publisher, agent)
    approve(other, agent, "changes_requested")

    data = readiness(editor, agent)

    assert data["approvals"]["counted"] == 1
    assert data["met"] is False
    assert data["blockers"] == ["Changes requested by publisher2."]


def test_a_required_check_without_a_result_is_missing(agent, owner, editor):
    services.set_policy(agent=agent, acting_user=owner, values={"required_checks": ["ci"]})
    data = readiness(editor, agent)
    assert (data["met"], data["checks_met"]) == (False, False)
    assert [(c["name"], c["state"], c["required"]) for c in data["checks"]] == [
        ("ci", "missing", True)
    ]
    assert data["blockers"] == ["Required check 'ci': no result yet."]


def test_a_blocking_builtin_check_that_fails_holds_it_back(agent, owner, editor):
    services.set_policy(
        agent=agent, acting_user=owner, values={"blocking_builtin_checks": ["instructions"]}
    )
    data = readiness(editor, agent)
    instructions = next(b for b in data["builtin_checks"] if b["name"] == "instructions")
    assert (instructions["passed"], instructions["blocking"]) == (False, True)
    assert data["checks_met"] is False

    agent_services.add_instruction(agent=agent, acting_user=owner, title="Be kind", content="Hi")
    assert readiness(editor, agent)["checks_met"] is True


def test_after_a_publish_there_is_nothing_to_review(agent, owner, editor):
    publish_agent(agent=agent, acting_user=owner)
    data = readiness(editor, agent)
    assert data["has_changes"] is False
    assert data["authors"] == []


def test_readiness_costs_the_same_whatever_the_number_of_verdicts_and_checks(agent, owner, editor):
    services.set_policy(
        agent=agent, acting_user=owner, values={"required_approvals": 3, "required_checks": ["a"]}
    )
    services.request_review(agent=agent, acting_user=editor)
    client = checked(editor)
    url = f"/api/v2/agents/{agent.pk}/readiness"

    def add_reviews(start: int, count: int) -> None:
        for n in range(start, start + count):
            reviewer = factories.UserFactory(username=f"reviewer{n}")
            grant(agent, reviewer, "publisher")
            approve(reviewer, agent)
            services.post_check(
                agent=agent,
                acting_user=editor,
                fingerprint=current(agent),
                name=f"c{n}",
                state="success",
            )

    add_reviews(0, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_reviews(1, 4)
    with CaptureQueriesContext(connection) as many:
        data = client.get(url).json()

    assert (data["approvals"]["counted"], len(data["checks"])) == (5, 6)
    assert len(many) == len(few)
