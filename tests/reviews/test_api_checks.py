"""External check results over the API: a CI job (an editor's token) posts a result for one
reviewed state; editors read how the checks stand. Every reviews-API answer is held to the
schema."""

from __future__ import annotations

import pytest

from agents import services as agent_services
from reviews import services
from reviews.models import CheckRun
from reviews.selectors import review_state
from tests.reviews.api_client import assert_refused_naming, checked


def checks_url(agent) -> str:
    return f"/api/v2/agents/{agent.pk}/checks"


def current(agent) -> str:
    return review_state(agent).fingerprint


def report(user, agent, **body):
    body = {"fingerprint": current(agent), "name": "regression-eval", "state": "success", **body}
    return checked(user).post(checks_url(agent), body, format="json")


def test_a_result_is_recorded_for_the_state_it_names(agent, editor):
    fingerprint = current(agent)

    response = report(
        editor,
        agent,
        description=" 412/412 passed ",
        target_url="https://ci.example.com/runs/1",
    )

    assert response.status_code == 201, response.content
    run = CheckRun.objects.get(agent_id=agent.pk)
    assert (run.fingerprint, run.name, run.state) == (fingerprint, "regression-eval", "success")
    assert (run.description, run.target_url) == ("412/412 passed", "https://ci.example.com/runs/1")
    assert (run.created_by_id, run.created_by_username) == (editor.pk, "editor")
    data = response.json()
    assert data["id"] == run.pk
    assert data["reported_by"] == {"id": editor.pk, "username": "editor"}
    assert (data["name"], data["state"], data["fingerprint"]) == (
        "regression-eval",
        "success",
        fingerprint,
    )


def test_the_newest_result_per_name_counts_and_required_ones_show_missing(
    agent,
    owner,
    editor,
):
    services.set_policy(
        agent=agent, acting_user=owner, values={"required_checks": ["redteam", "regression-eval"]}
    )
    report(editor, agent, state="pending")
    report(editor, agent, state="failure", description="3 regressions")
    report(editor, agent, name="lint", state="success")

    data = checked(editor).get(checks_url(agent)).json()

    assert (data["fingerprint"], data["current"]) == (current(agent), True)
    states = {c["name"]: (c["state"], c["required"]) for c in data["checks"]}
    assert states == {
        "lint": ("success", False),
        "redteam": ("missing", True),
        "regression-eval": ("failure", True),
    }
    missing = next(c for c in data["checks"] if c["name"] == "redteam")
    assert (missing["reported_at"], missing["reported_by"]) == (None, None)
    runs = list(CheckRun.objects.order_by("-created_at", "-id").values_list("id", flat=True))
    assert [r["id"] for r in data["runs"]] == runs
    assert [r["state"] for r in data["runs"]] == ["success", "failure", "pending"]


def test_results_of_an_earlier_reviewed_state_are_kept_and_readable(
    agent,
    owner,
    editor,
):
    asked = services.request_review(agent=agent, acting_user=editor)
    agent_services.update_agent_settings(agent=agent, acting_user=owner, name="Moved on")

    # The evaluation finishes after Staging moved: its result still lands on what it ran on.
    response = report(editor, agent, fingerprint=asked.fingerprint, state="failure")
    assert response.status_code == 201
    assert CheckRun.objects.get().fingerprint == asked.fingerprint

    client = checked(editor)
    old = client.get(checks_url(agent) + f"?fingerprint={asked.fingerprint}").json()
    assert (old["fingerprint"], old["current"]) == (asked.fingerprint, False)
    assert [(c["name"], c["state"]) for c in old["checks"]] == [("regression-eval", "failure")]
    now = client.get(checks_url(agent)).json()
    assert (now["checks"], now["runs"]) == ([], [])


def test_another_agents_fingerprint_is_409_unknown_and_not_recorded(
    agent,
    editor,
    other_agent,
):
    theirs = current(other_agent)

    response = report(editor, agent, fingerprint=theirs)

    assert response.status_code == 409
    assert response.json()["code"] == "unknown_fingerprint"
    assert response.json()["fingerprint"] == current(agent)
    assert not CheckRun.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"fingerprint": ""}, "fingerprint"),
        ({"fingerprint": None}, "fingerprint"),
        ({"fingerprint": "abc"}, "fingerprint"),
        ({"name": ""}, "name"),
        ({"name": "two words"}, "name"),
        ({"name": "/leading"}, "name"),
        ({"name": " padded"}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 5}, "name"),
        ({"state": "passed"}, "state"),
        ({"state": "missing"}, "state"),
        ({"description": "x" * 501}, "description"),
        ({"description": 5}, "description"),
        ({"description": "a\x00b"}, "description"),
        ({"target_url": "ftp://ci.example.com/1"}, "target_url"),
        ({"target_url": "not a url"}, "target_url"),
        ({"target_url": "https://ci.example.com/" + "x" * 2000}, "target_url"),
        ({"target_url": 5}, "target_url"),
    ],
)
def test_bad_input_is_400_naming_the_field(agent, editor, payload, field):
    response = report(editor, agent, **payload)
    assert_refused_naming(response, field)
    assert not CheckRun.objects.exists()


def test_every_bad_field_is_named_at_once(agent, editor):
    response = checked(editor).post(checks_url(agent), {"state": "done"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"fingerprint", "name", "state"}


@pytest.mark.parametrize("query", ["fingerprint=", "fingerprint=xyz"])
def test_a_bad_fingerprint_query_is_400(agent, editor, query):
    response = checked(editor).get(checks_url(agent) + "?" + query)
    assert_refused_naming(response, "fingerprint")
