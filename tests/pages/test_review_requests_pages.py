"""The review requests page (the open request first, then the history, each with its
verdicts), withdrawing a request, and the agent list's "Review requested" indicator."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agents import services
from publishing.services import publish_agent
from reviews import services as reviews
from reviews.models import ReviewRequest
from tests import factories
from tests.pages.conftest import fingerprint, messages_of, reword

pytestmark = pytest.mark.django_db


def requests_url(agent) -> str:
    return reverse("reviews:requests", args=[agent.pk])


def withdraw_url(agent, request) -> str:
    return reverse("reviews:request-withdraw", args=[agent.pk, request.pk])


def ask(agent, user, description=""):
    return reviews.request_review(agent=agent, acting_user=user, description=description)


def verdict(agent, user, kind, comment=""):
    return reviews.give_verdict(
        agent=agent,
        acting_user=user,
        verdict=kind,
        expected_fingerprint=fingerprint(agent),
        comment=comment,
    )


def open_section(html: str) -> str:
    return html[html.index('id="open-title"') : html.index('id="past-title"')]


def past_section(html: str) -> str:
    return html[html.index('id="past-title"') :]


# --- the page ---------------------------------------------------------------------------


def test_the_open_request_comes_first_then_the_history(
    client_as, edited, users, owner, instruction
):
    first = ask(edited, users["editor"], "First look, please")
    verdict(edited, users["publisher"], "changes_requested", "Warmer still")
    reword(edited, owner, instruction, "Be warmer.")
    ask(edited, users["editor"], "Second look <after> your comments")
    verdict(edited, users["publisher"], "approved", "Good now")

    html = client_as("editor").get(requests_url(edited)).content.decode()
    now = open_section(html)
    assert '<span class="badge badge--scheduled">Open</span>' in now
    assert "The state under review now" in now
    assert "Requested by <strong>editor</strong>" in now
    assert "Second look &lt;after&gt; your comments" in now
    assert '<span class="badge badge--live">Approved</span>' in now
    assert "<strong>publisher</strong>" in now and "Good now" in now
    assert "Warmer still" not in now

    earlier = past_section(html)
    assert '<span class="badge badge--neutral">Superseded</span>' in earlier
    assert "An earlier state" in earlier
    assert "First look, please" in earlier
    assert '<span class="badge badge--removed">Changes requested</span>' in earlier
    assert "Warmer still" in earlier
    assert f"on Staging revision {first.staging_revision}; superseded" in earlier


def test_an_open_request_on_an_earlier_state_is_marked_stale(
    client_as, edited, users, owner, instruction
):
    ask(edited, users["editor"])
    reword(edited, owner, instruction, "Be terse.")
    now = open_section(client_as("publisher").get(requests_url(edited)).content.decode())
    assert "Stale: Staging changed since" in now
    assert "No description." in now
    assert "No verdicts on this request." in now


def test_a_published_request_is_history(client_as, edited, users):
    ask(edited, users["editor"])
    publish_agent(agent=edited, acting_user=users["publisher"])
    html = client_as("editor").get(requests_url(edited)).content.decode()
    assert "No review is requested." in open_section(html)
    assert '<span class="badge badge--live">Published</span>' in past_section(html)
    assert "by publisher" in past_section(html)


def test_no_requests_yet(client_as, agent):
    html = client_as("editor").get(requests_url(agent)).content.decode()
    assert "No review is requested." in html
    assert "No earlier review requests." in html
    assert 'aria-current="page">Reviews</a>' in html


def test_viewers_and_outsiders_may_not_see_the_requests(client_as, edited, users):
    ask(edited, users["editor"], "secret plans")
    viewer = client_as("viewer").get(requests_url(edited))
    assert viewer.status_code == 403
    assert "secret plans" not in viewer.content.decode()
    assert client_as("outsider").get(requests_url(edited)).status_code == 404


# --- withdrawing --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "publisher"])
def test_its_author_or_a_publisher_withdraws_a_request(client_as, edited, users, who):
    request = ask(edited, users["editor"])
    client = client_as(who)
    html = client.get(requests_url(edited)).content.decode()
    assert ">Withdraw request</button>" in html
    response = client.post(withdraw_url(edited, request))
    assert response.status_code == 302
    assert response["Location"] == reverse("publishing:review", args=[edited.pk])
    request.refresh_from_db()
    assert (request.status, request.closed_by) == ("withdrawn", users[who])
    assert "Review request withdrawn." in messages_of(response)


def test_another_editor_may_not_withdraw_it(client_as, edited, users):
    request = ask(edited, users["publisher"])
    html = client_as("editor").get(requests_url(edited)).content.decode()
    assert "Withdraw request" not in html
    response = client_as("editor").post(withdraw_url(edited, request))
    assert response.status_code == 302
    assert any(
        "Only its author or a publisher can withdraw a review request." in m
        for m in messages_of(response)
    )
    request.refresh_from_db()
    assert request.status == "open"


def test_withdrawing_a_closed_or_unknown_request(client_as, edited, users, project, owner):
    request = ask(edited, users["editor"])
    reviews.withdraw_review_request(request=request, acting_user=users["editor"])
    response = client_as("editor").post(withdraw_url(edited, request))
    assert response.status_code == 302
    assert any("This review request is no longer open." in m for m in messages_of(response))
    other = factories.AgentFactory(project=project, user=owner, name="Other")
    assert client_as("owner").post(withdraw_url(other, request)).status_code == 404
    assert client_as("viewer").post(withdraw_url(edited, request)).status_code == 403


def test_a_too_long_description_is_a_message_not_an_error_page(client_as, edited):
    response = client_as("editor").post(
        reverse("reviews:request", args=[edited.pk]),
        {"request-description": "x" * 5001, "request-fingerprint": fingerprint(edited)},
    )
    assert response.status_code == 302
    assert any("at most 5000 characters" in m for m in messages_of(response))
    assert not ReviewRequest.objects.exists()


# --- the agent list ---------------------------------------------------------------------------


def test_the_list_shows_review_requested_to_editors_and_up(client_as, edited, users):
    ask(edited, users["editor"])
    for who in ("editor", "publisher", "owner"):
        html = client_as(who).get(reverse("agents:list")).content.decode()
        assert ">Review requested</a>" in html, who
        assert f'href="{reverse("publishing:review", args=[edited.pk])}#policy"' in html
    # To a viewer it would say Staging differs from what is live.
    html = client_as("viewer").get(reverse("agents:list")).content.decode()
    assert "Review requested" not in html


def test_only_an_open_request_shows_in_the_list(client_as, edited, users):
    request = ask(edited, users["editor"])
    reviews.withdraw_review_request(request=request, acting_user=users["editor"])
    html = client_as("owner").get(reverse("agents:list")).content.decode()
    assert "Review requested" not in html


def test_the_indicator_costs_no_query_per_row(client_as, edited, users, owner, project):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as("owner")
    ask(edited, users["editor"])

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("agents:list")).status_code == 200
        return len(captured)

    one = count()
    for n in range(3):
        other = factories.AgentFactory(project=project, user=owner, name=f"Bot {n}")
        services.add_instruction(agent=other, acting_user=owner, title="t", content="c")
        publish_agent(agent=other, acting_user=owner)
        services.update_agent_settings(agent=other, acting_user=owner, name=f"Bot {n}!")
        reviews.request_review(agent=other, acting_user=owner)
    html = client.get(reverse("agents:list")).content.decode()
    assert html.count(">Review requested</a>") == 4
    assert count() == one
