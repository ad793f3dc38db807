"""Verdicts over the API: publishers approve, request changes or withdraw, always on the
state they reviewed; editors read the log. Every reviews-API answer is held to the schema."""

from __future__ import annotations

import pytest

from agents import services as agent_services
from publishing.services import publish_agent
from reviews import services
from reviews.models import Verdict
from reviews.selectors import review_state
from tests.reviews.api_client import assert_refused_naming, checked


def verdicts_url(agent) -> str:
    return f"/api/v2/agents/{agent.pk}/verdicts"


def current(agent) -> str:
    return review_state(agent).fingerprint


def give(user, agent, **body):
    body = {"verdict": "approved", "expected_fingerprint": current(agent), **body}
    return checked(user).post(verdicts_url(agent), body, format="json")


def test_a_publisher_approves_the_state_they_reviewed(agent, editor, publisher):
    asked = services.request_review(agent=agent, acting_user=editor)
    fingerprint = current(agent)

    response = give(publisher, agent, comment="  Looks right  ")

    assert response.status_code == 201, response.content
    row = Verdict.objects.get(agent_id=agent.pk)
    assert (row.kind, row.fingerprint, row.comment) == ("approved", fingerprint, "Looks right")
    assert (row.reviewer_id, row.reviewer_username) == (publisher.pk, "publisher")
    assert row.review_request_id == asked.pk
    assert row.staging_revision == agent.staging.revision
    assert response.json() == {
        "id": row.pk,
        "verdict": "approved",
        "comment": "Looks right",
        "reviewer": {"id": publisher.pk, "username": "publisher"},
        "given_at": response.json()["given_at"],
        "fingerprint": fingerprint,
        "staging_revision": row.staging_revision,
        "review_request_id": asked.pk,
    }


@pytest.mark.parametrize("kind", ["changes_requested", "withdrawn"])
def test_requesting_changes_and_withdrawing_are_recorded(agent, publisher, kind):
    response = give(publisher, agent, verdict=kind)
    assert response.status_code == 201
    assert list(Verdict.objects.values_list("kind", "review_request_id")) == [(kind, None)]


def test_a_verdict_on_an_old_fingerprint_is_409_stale_and_not_recorded(
    agent,
    owner,
    publisher,
):
    reviewed = current(agent)
    agent_services.update_agent_settings(agent=agent, acting_user=owner, name="Changed since")

    response = give(publisher, agent, expected_fingerprint=reviewed)

    assert response.status_code == 409
    assert response.json()["code"] == "stale_review"
    assert response.json()["fingerprint"] == current(agent) != reviewed
    assert not Verdict.objects.exists()


def test_nothing_to_review_is_409(agent, owner, publisher):
    publish_agent(agent=agent, acting_user=owner)
    response = give(publisher, agent)
    assert response.status_code == 409
    assert response.json()["code"] == "nothing_to_review"
    assert not Verdict.objects.exists()


def test_an_author_may_not_approve_their_own_change(agent, owner):
    # The owner made the agent, so Staging holds their unpublished work.
    response = give(owner, agent)
    assert response.status_code == 403
    assert "policy lets no author approve" in response.json()["detail"]
    assert not Verdict.objects.exists()


def test_an_author_may_request_changes(agent, owner):
    assert give(owner, agent, verdict="changes_requested").status_code == 201


def test_an_author_approves_when_the_policy_allows_it(agent, owner):
    services.set_policy(agent=agent, acting_user=owner, values={"authors_may_approve": True})
    assert give(owner, agent).status_code == 201
    assert Verdict.objects.get().reviewer_id == owner.pk


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"verdict": None}, "verdict"),
        ({"verdict": "approve"}, "verdict"),
        ({"verdict": 1}, "verdict"),
        ({"comment": 5}, "comment"),
        ({"comment": "x" * 5001}, "comment"),
        ({"comment": "a\x00b"}, "comment"),
        ({"expected_fingerprint": ""}, "expected_fingerprint"),
        ({"expected_fingerprint": None}, "expected_fingerprint"),
        ({"expected_fingerprint": "abc"}, "expected_fingerprint"),
        ({"expected_fingerprint": 7}, "expected_fingerprint"),
    ],
)
def test_bad_input_is_400_naming_the_field(agent, publisher, payload, field):
    response = give(publisher, agent, **payload)
    assert_refused_naming(response, field)
    assert not Verdict.objects.exists()


@pytest.mark.parametrize("left_out", ["verdict", "expected_fingerprint"])
def test_required_fields_left_out_are_400(agent, publisher, left_out):
    body = {"verdict": "approved", "expected_fingerprint": current(agent)}
    del body[left_out]
    response = checked(publisher).post(verdicts_url(agent), body, format="json")
    assert_refused_naming(response, left_out)


# --- the log -------------------------------------------------------------------------------


def test_the_log_is_newest_first_and_filters_by_fingerprint(
    agent,
    owner,
    editor,
    publisher,
):
    first_state = current(agent)
    give(publisher, agent, verdict="changes_requested")
    agent_services.update_agent_settings(agent=agent, acting_user=owner, name="Fixed")
    give(publisher, agent)
    client = checked(editor)

    listed = client.get(verdicts_url(agent)).json()
    assert listed["count"] == 2
    assert [v["verdict"] for v in listed["results"]] == ["approved", "changes_requested"]

    filtered = client.get(verdicts_url(agent) + f"?fingerprint={first_state}").json()
    assert [(v["verdict"], v["fingerprint"]) for v in filtered["results"]] == [
        ("changes_requested", first_state)
    ]


@pytest.mark.parametrize(
    "query", ["fingerprint=", "fingerprint=abc", f"fingerprint={'a' * 64}&fingerprint={'b' * 64}"]
)
def test_a_bad_fingerprint_filter_is_400(agent, editor, query):
    response = checked(editor).get(verdicts_url(agent) + "?" + query)
    assert_refused_naming(response, "fingerprint")
