"""Review requests over the API: ask (editors), list, one with its verdicts, withdraw.

Every answer of the reviews API here is held to the published schema.
"""

from __future__ import annotations

import pytest

from agents import services as agent_services
from publishing.services import publish_agent
from reviews import services
from reviews.models import ReviewRequest, Verdict
from reviews.selectors import review_state
from tests import factories
from tests.publishing.conftest import grant
from tests.reviews.api_client import assert_refused_naming, checked


def requests_url(agent) -> str:
    return f"/api/v2/agents/{agent.pk}/review-requests"


def request_url(agent, pk) -> str:
    return f"{requests_url(agent)}/{pk}"


def current(agent) -> str:
    return review_state(agent).fingerprint


def rows(agent) -> list[tuple]:
    return list(
        ReviewRequest.objects.filter(agent_id=agent.pk)
        .order_by("id")
        .values_list("status", "closed_by_id")
    )


@pytest.fixture
def asked(agent, editor):
    """The editor's open request on the agent's (never published) Staging."""
    return services.request_review(agent=agent, acting_user=editor, description="Please")


def test_an_editor_asks_for_a_review_of_staging_as_it_stands(agent, editor):
    fingerprint = current(agent)

    response = checked(editor).post(
        requests_url(agent),
        {"description": "  New greeting  ", "expected_fingerprint": fingerprint},
        format="json",
    )

    assert response.status_code == 201, response.content
    row = ReviewRequest.objects.get(agent_id=agent.pk)
    assert (row.status, row.fingerprint, row.description) == ("open", fingerprint, "New greeting")
    assert (row.requested_by_id, row.requested_by_username) == (editor.pk, "editor")
    assert row.staging_revision == agent.staging.revision
    data = response.json()
    assert data["id"] == row.pk
    assert data["fingerprint"] == fingerprint
    assert data["description"] == "New greeting"
    assert data["status"] == "open"
    assert data["requested_by"] == {"id": editor.pk, "username": "editor"}
    assert (data["closed_at"], data["closed_by"]) == (None, None)


@pytest.mark.parametrize("body", [{}, {"expected_fingerprint": ""}, {"expected_fingerprint": None}])
def test_without_a_fingerprint_the_request_is_for_staging_now(agent, editor, body):
    response = checked(editor).post(requests_url(agent), body, format="json")
    assert response.status_code == 201
    assert ReviewRequest.objects.get().fingerprint == current(agent)


def test_asking_again_supersedes_the_open_request(agent, editor, asked):
    response = checked(editor).post(requests_url(agent), {}, format="json")
    assert response.status_code == 201
    assert rows(agent) == [("superseded", editor.pk), ("open", None)]


def test_a_stale_fingerprint_is_409_and_nothing_is_asked(agent, owner, editor):
    seen = current(agent)
    agent_services.update_agent_settings(agent=agent, acting_user=owner, name="Moved on")

    response = checked(editor).post(
        requests_url(agent), {"expected_fingerprint": seen}, format="json"
    )

    assert response.status_code == 409
    assert response.json() == {
        "code": "stale_review",
        "detail": "Staging changed since you reviewed it. Review the new changes, then try again.",
        "fingerprint": current(agent),
    }
    assert rows(agent) == []


def test_nothing_to_review_is_409(agent, owner, editor):
    publish_agent(agent=agent, acting_user=owner)
    response = checked(editor).post(requests_url(agent), {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "nothing_to_review"
    assert rows(agent) == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"description": 5}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"description": "a\x00b"}, "description"),
        ({"expected_fingerprint": "abc"}, "expected_fingerprint"),
        ({"expected_fingerprint": "A" * 64}, "expected_fingerprint"),
        ({"expected_fingerprint": 12}, "expected_fingerprint"),
    ],
)
def test_bad_input_is_400_naming_the_field(agent, editor, payload, field):
    response = checked(editor).post(requests_url(agent), payload, format="json")
    assert_refused_naming(response, field)
    assert rows(agent) == []


# --- the list ------------------------------------------------------------------------------


def test_the_list_is_newest_first_and_filters_by_status(agent, editor, asked):
    newer = services.request_review(agent=agent, acting_user=editor)
    client = checked(editor)

    listed = client.get(requests_url(agent)).json()
    assert [r["id"] for r in listed["results"]] == [newer.pk, asked.pk]
    assert [r["status"] for r in listed["results"]] == ["open", "superseded"]

    only = client.get(requests_url(agent) + "?status=superseded").json()
    assert [r["id"] for r in only["results"]] == [asked.pk]
    assert only["results"][0]["closed_by"] == {"id": editor.pk, "username": "editor"}


@pytest.mark.parametrize("query", ["status=", "status=closed", "status=open&status=withdrawn"])
def test_a_bad_status_filter_is_400(agent, editor, query):
    response = checked(editor).get(requests_url(agent) + "?" + query)
    assert_refused_naming(response, "status")


def test_the_list_shows_only_this_agents_requests(agent, editor, other_agent, asked):
    agent_services.update_agent_settings(
        agent=other_agent, acting_user=other_agent.created_by, name="Other change"
    )
    services.request_review(agent=other_agent, acting_user=other_agent.created_by)
    assert [r["id"] for r in checked(editor).get(requests_url(agent)).json()["results"]] == [
        asked.pk
    ]


# --- one request ---------------------------------------------------------------------------


def test_one_request_with_its_verdicts_and_whether_it_is_stale(
    agent,
    owner,
    editor,
    publisher,
    asked,
):
    verdict = services.give_verdict(
        agent=agent,
        acting_user=publisher,
        verdict="approved",
        expected_fingerprint=asked.fingerprint,
        comment="Fine",
    )
    client = checked(editor)

    data = client.get(request_url(agent, asked.pk)).json()

    assert data["id"] == asked.pk
    assert data["stale"] is False
    assert [(v["id"], v["verdict"], v["comment"]) for v in data["verdicts"]] == [
        (verdict.pk, "approved", "Fine")
    ]
    assert data["verdicts"][0]["reviewer"] == {"id": publisher.pk, "username": "publisher"}
    assert data["verdicts"][0]["review_request_id"] == asked.pk

    agent_services.update_agent_settings(agent=agent, acting_user=owner, name="Moved on")
    assert client.get(request_url(agent, asked.pk)).json()["stale"] is True


@pytest.mark.parametrize("pk", ["0", "abc", "99999999", "1.0", str(2**64)])
def test_an_unknown_request_is_404(agent, editor, asked, pk):
    assert checked(editor).get(request_url(agent, pk)).status_code == 404


def test_another_agents_request_is_404_here(agent, editor, other_agent):
    agent_services.update_agent_settings(
        agent=other_agent, acting_user=other_agent.created_by, name="Other change"
    )
    theirs = services.request_review(agent=other_agent, acting_user=other_agent.created_by)
    client = checked(editor)
    assert client.get(request_url(agent, theirs.pk)).status_code == 404
    assert client.post(request_url(agent, theirs.pk) + "/withdraw").status_code == 404
    assert ReviewRequest.objects.get(pk=theirs.pk).status == "open"


# --- withdrawing ---------------------------------------------------------------------------


def test_its_author_withdraws_it(agent, editor, asked):
    response = checked(editor).post(request_url(agent, asked.pk) + "/withdraw")

    assert response.status_code == 200
    asked.refresh_from_db()
    assert (asked.status, asked.closed_by_id, asked.closed_by_username) == (
        "withdrawn",
        editor.pk,
        "editor",
    )
    assert asked.closed_at is not None
    data = response.json()
    assert data["status"] == "withdrawn"
    assert data["closed_by"] == {"id": editor.pk, "username": "editor"}
    assert data["verdicts"] == []


def test_a_publisher_withdraws_someone_elses_request(agent, publisher, asked):
    response = checked(publisher).post(request_url(agent, asked.pk) + "/withdraw")
    assert response.status_code == 200
    assert rows(agent) == [("withdrawn", publisher.pk)]


def test_another_editor_may_not_withdraw_it(agent, editor, asked):
    other = factories.UserFactory(username="editor2")
    grant(agent, other, "editor")
    response = checked(other).post(request_url(agent, asked.pk) + "/withdraw")
    assert response.status_code == 403
    assert "author" in response.json()["detail"]
    assert rows(agent) == [("open", None)]


def test_a_closed_request_cannot_be_withdrawn(agent, editor, asked):
    client = checked(editor)
    client.post(request_url(agent, asked.pk) + "/withdraw")

    response = client.post(request_url(agent, asked.pk) + "/withdraw")

    assert response.status_code == 409
    assert response.json()["code"] == "review_request_closed"
    assert response.json()["status"] == "withdrawn"
    assert rows(agent) == [("withdrawn", editor.pk)]


def test_a_publish_closes_the_open_request(agent, owner, editor, asked):
    publish_agent(agent=agent, acting_user=owner)
    data = checked(editor).get(request_url(agent, asked.pk)).json()
    assert (data["status"], data["closed_by"]["username"], data["stale"]) == (
        "published",
        "owner",
        True,
    )
    assert Verdict.objects.count() == 0
