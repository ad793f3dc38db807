"""The review page under a publish policy, continued: review requests from the page, the
publish the policy refuses, break glass, and what a publish record keeps of it in the
history."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from publishing.models import PublishRecord
from reviews import services as reviews
from reviews.models import ReviewRequest
from tests.pages.conftest import fingerprint, messages_of, publish_url, records, review_url, reword
from tests.pages.review_gate import (
    approve,
    card,
    pass_check,
    publish_card,
    request_url,
)

pytestmark = pytest.mark.django_db


# --- review requests from the review page ------------------------------------------------------


def test_an_editor_requests_a_review_of_the_state_shown(client_as, strict, users):
    client = client_as("editor")
    html = card(client.get(review_url(strict)).content.decode())
    assert "No review requested." in html
    assert f'name="request-fingerprint" value="{fingerprint(strict)}"' in html
    response = client.post(
        request_url(strict),
        {
            "request-description": "New tone, please check.",
            "request-fingerprint": fingerprint(strict),
        },
    )
    assert response.status_code == 302
    request = ReviewRequest.objects.get()
    assert (request.status, request.requested_by, request.fingerprint) == (
        "open",
        users["editor"],
        fingerprint(strict),
    )
    html = client.get(review_url(strict)).content.decode()
    assert "Review requested:" in html
    assert "Requested by <strong>editor</strong>" in card(html)
    assert "New tone, please check." in card(html)
    assert ">Withdraw request</button>" in card(html)
    # Asked for this very state already: no second form.
    assert request_url(strict) not in card(html)


def test_a_request_for_an_earlier_state_says_so_and_may_be_renewed(
    client_as, strict, users, owner, instruction
):
    reviews.request_review(agent=strict, acting_user=users["editor"])
    reword(strict, owner, instruction, "Be terse.")
    html = card(client_as("editor").get(review_url(strict)).content.decode())
    assert "Staging changed since" in html
    assert ">Request review of the changes now</button>" in html


def test_requesting_a_review_of_a_moved_state_or_of_nothing_is_a_message(
    client_as, agent, published, owner, instruction
):
    client = client_as("editor")
    stale = fingerprint(agent)
    response = client.post(request_url(agent), {"request-fingerprint": stale})
    assert any("nothing to review" in m for m in messages_of(response))
    reword(agent, owner, instruction, "Be terse.")
    response = client.post(request_url(agent), {"request-fingerprint": stale})
    assert response.status_code == 302
    refused = "Review not requested: Staging or Production changed"
    assert any(refused in m for m in messages_of(response))
    assert not ReviewRequest.objects.exists()


def test_a_viewer_may_not_request_a_review(client_as, strict):
    data = {"request-fingerprint": fingerprint(strict)}
    assert client_as("viewer").post(request_url(strict), data).status_code == 403
    assert client_as("outsider").post(request_url(strict), data).status_code == 404
    assert not ReviewRequest.objects.exists()


# --- publishing under the policy ---------------------------------------------------------------


def test_a_publish_the_policy_refuses_lists_what_is_missing(client_as, strict):
    response = client_as("publisher").post(
        publish_url(strict), {"fingerprint": fingerprint(strict), "notes": "Keep me"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Not published: the publish policy is not met. 2 approvals needed, 0 given" in html
    assert "Required check &#x27;regression-eval&#x27;: no result yet." in html
    assert records(strict) == 1


def test_the_ordinary_publish_form_cannot_break_glass(client_as, strict):
    response = client_as("owner").post(
        publish_url(strict),
        {
            "fingerprint": fingerprint(strict),
            "break_glass_reason": "Outage",
            "confirm_break_glass": "on",
        },
    )
    assert response.status_code == 409
    assert records(strict) == 1


def test_an_owner_gets_the_break_glass_form(client_as, strict):
    html = publish_card(client_as("owner").get(review_url(strict)).content.decode())
    assert "<summary>Publish anyway (break glass)</summary>" in html
    assert '<input type="hidden" name="break_glass" value="1">' in html
    assert '<label for="id_break_glass_break_glass_reason">Why publish without' in html
    assert 'id="id_break_glass_confirm_break_glass"' in html
    assert ">Publish anyway (break glass)</button>" in html


def break_glass(client, agent, **fields):
    """POST the "Publish anyway (break glass)" form as the review page renders it for Staging
    now, with ``fields`` as typed."""
    return client.post(
        publish_url(agent), {"break_glass": "1", "fingerprint": fingerprint(agent), **fields}
    )


def test_an_owner_breaks_glass_with_a_reason_and_the_record_is_flagged(client_as, strict):
    response = break_glass(
        client_as("owner"),
        strict,
        break_glass_reason="Customers see a wrong price; the fix cannot wait.",
        confirm_break_glass="on",
        notes="Hotfix",
    )
    assert response.status_code == 302
    record = PublishRecord.objects.order_by("-sequence").first()
    assert record.broke_glass
    assert record.gate["break_glass"]["reason"] == (
        "Customers see a wrong price; the fix cannot wait."
    )
    assert "2 approvals needed, 0 given on this state." in record.gate["break_glass"]["blockers"]
    assert response["Location"] == reverse(
        "publishing:publish-detail", args=[strict.pk, record.change_track_id]
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"confirm_break_glass": "on"}, "break_glass_reason", "Say why this cannot wait"),
        ({"break_glass_reason": "Outage"}, "confirm_break_glass", "Tick this box to confirm."),
    ],
)
def test_break_glass_needs_a_reason_and_a_confirmation(client_as, strict, data, field, message):
    response = break_glass(client_as("owner"), strict, notes="Typed", **data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_break_glass_{field}_error_1"' in html
    assert '<details class="disclosure disclosure--danger" open>' in html
    assert ">\nTyped</textarea>" in html  # what was typed is kept
    assert records(strict) == 1


def test_break_glass_is_refused_for_a_publisher(client_as, strict):
    response = break_glass(
        client_as("publisher"), strict, break_glass_reason="I am sure", confirm_break_glass="on"
    )
    assert response.status_code == 403
    assert "Only an owner can publish without meeting the publish policy." in (
        response.content.decode()
    )
    assert records(strict) == 1


# --- what the history keeps ----------------------------------------------------------------


@pytest.fixture
def broke_glass(strict, users):
    approve(strict, users["publisher"], comment="One is all we have")
    pass_check(strict, users["editor"], url="https://ci.example/runs/9")
    from publishing.services import publish_agent

    return publish_agent(
        agent=strict,
        acting_user=users["owner"],
        notes="Hotfix",
        break_glass_reason="Wrong price <live>",
    )


def test_the_history_marks_a_break_glass_publish_with_its_reason(client_as, broke_glass):
    agent_id = broke_glass.agent_id
    url = reverse("publishing:publishes", args=[agent_id])
    html = client_as("editor").get(url).content.decode()
    rows = html.split("<tr>")
    flagged = next(row for row in rows if f">#{broke_glass.sequence}</a>" in row)
    assert "Published without approval (break glass)" in flagged
    assert "<strong>Reason:</strong> Wrong price &lt;live&gt;" in flagged
    earlier = next(row for row in rows if ">#1</a>" in row)
    assert "break glass" not in earlier


def test_the_publish_page_shows_break_glass_and_what_it_was_published_with(client_as, broke_glass):
    url = reverse(
        "publishing:publish-detail", args=[broke_glass.agent_id, broke_glass.change_track_id]
    )
    html = client_as("editor").get(url).content.decode()
    alert = html[html.index("glass-alert") : html.index("</div>", html.index("glass-alert"))]
    assert "Published without approval (break glass)" in alert
    assert "<strong>Reason:</strong> Wrong price &lt;live&gt;" in alert
    assert "<li>2 approvals needed, 1 given on this state.</li>" in alert
    gate = html[html.index('id="gate-title"') :]
    assert "2 approvals from people other than the authors" in gate
    assert '<span class="badge badge--removed">Not met</span>' in gate
    counted = r'<strong>publisher</strong>\s*<span class="badge badge--live">Approved · counted'
    assert re.search(counted, gate)
    assert re.search(r'badge--live">Passed</span>\s*<code class="gate-name">regression-eval', gate)
    assert 'href="https://ci.example/runs/9"' in gate
    assert "No secrets in instructions or settings" in gate


def test_a_publish_without_a_policy_shows_no_gate(client_as, published):
    url = reverse("publishing:publish-detail", args=[published.agent_id, published.change_track_id])
    html = client_as("editor").get(url).content.decode()
    assert 'id="gate-title"' not in html
    assert "break glass" not in html
