"""The review page under a publish policy: the "Publish policy" card (approvals fresh and
stale, requests for changes, checks, authors), the review forms, the disabled Publish button
and break glass - and what a publish record keeps of it in the history."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from agents import services
from configuration.checks import BuiltinCheckResult
from publishing.models import PublishRecord
from reviews import services as reviews
from reviews.models import ReviewRequest, Verdict
from tests import factories
from tests.pages.conftest import fingerprint, messages_of, publish_url, records, review_url, reword

pytestmark = pytest.mark.django_db


def verdict_url(agent) -> str:
    return reverse("reviews:verdict", args=[agent.pk])


def request_url(agent) -> str:
    return reverse("reviews:request", args=[agent.pk])


def card(html: str) -> str:
    """The "Publish policy" card alone, so what it says is not found elsewhere on the page."""
    start = html.index('<section class="card gate"')
    return html[start : html.index("</section>", start)]


def publish_card(html: str) -> str:
    start = html.index('id="publish-title"')
    return html[start : html.index('<section class="card gate"', start)]


@pytest.fixture
def strict(edited, owner):
    """Two approvals from non-authors, one required external check, one blocking built-in."""
    reviews.set_policy(
        agent=edited,
        acting_user=owner,
        values={
            "required_approvals": 2,
            "required_checks": ["regression-eval"],
            "blocking_builtin_checks": ["no_secrets"],
        },
    )
    return edited


@pytest.fixture
def second_publisher(agent, owner):
    person = factories.UserFactory(username="second")
    factories.join(agent.project.organization, person)
    services.grant_permission(
        agent=agent, acting_user=owner, target_user_id=person.pk, role="publisher"
    )
    return person


def approve(agent, user, *, comment=""):
    return reviews.give_verdict(
        agent=agent,
        acting_user=user,
        verdict="approved",
        expected_fingerprint=fingerprint(agent),
        comment=comment,
    )


def pass_check(agent, user, name="regression-eval", state="success", url=""):
    return reviews.post_check(
        agent=agent,
        acting_user=user,
        fingerprint=fingerprint(agent),
        name=name,
        state=state,
        description=f"{name} said {state}",
        target_url=url,
    )


# --- the card --------------------------------------------------------------------------------


def test_without_a_policy_nothing_is_required_and_publish_is_enabled(client_as, edited):
    html = client_as("publisher").get(review_url(edited)).content.decode()
    assert "Nothing required: any publisher may publish at any time." in card(html)
    assert f'href="{reverse("reviews:policy", args=[edited.pk])}"' in card(html)
    assert "Not ready to publish" not in html
    assert re.search(r'<button type="submit" class="btn btn--primary btn--block">\s*Publish', html)
    assert "break glass" not in html


def test_the_policy_in_words_and_the_publish_button_disabled_with_the_reasons(client_as, strict):
    html = client_as("publisher").get(review_url(strict)).content.decode()
    assert (
        "2 approvals from people other than the authors; required checks: regression-eval; "
        "blocking: No secrets in instructions or settings" in card(html)
    )
    assert "0 of 2" in card(html)
    publish = publish_card(html)
    assert "Not ready to publish" in publish
    assert "<li>2 approvals needed, 0 given on this state.</li>" in publish
    assert "<li>Required check &#x27;regression-eval&#x27;: no result yet.</li>" in publish
    assert 'disabled aria-describedby="publish-blockers">Publish to Production</button>' in publish
    # A publisher is not offered break glass; the notes box of a publish that cannot be
    # made is not offered either.
    assert "break glass" not in html
    assert 'name="notes"' not in publish


def test_an_editor_sees_why_it_cannot_be_published_yet(client_as, strict):
    html = client_as("editor").get(review_url(strict)).content.decode()
    assert "2 approvals needed, 0 given on this state." in publish_card(html)
    # Editors review nothing: no verdict form, but they may ask for a review.
    assert verdict_url(strict) not in html
    assert request_url(strict) in html


def test_required_checks_with_their_state_badges_and_links(client_as, strict, users):
    pass_check(strict, users["editor"], state="failure", url="https://ci.example/runs/7")
    pass_check(strict, users["editor"], name="redteam/jailbreak", state="pending")
    html = card(client_as("publisher").get(review_url(strict)).content.decode())
    required = html[html.index("regression-eval</code>") - 120 : html.index("runs/7") + 200]
    assert '<span class="badge badge--removed">Failed</span>' in required
    assert '<span class="tag">Required</span>' in required
    assert 'href="https://ci.example/runs/7"' in required
    assert 'Details<span class="visually-hidden"> of regression-eval' in required
    optional = html[html.index("Running") : html.index("redteam/jailbreak</code>") + 60]
    assert "Required" not in optional  # reported, but not one the policy asks for


def test_a_required_check_without_a_result_is_waiting(client_as, strict):
    html = card(client_as("publisher").get(review_url(strict)).content.decode())
    assert (
        '<span class="badge badge--neutral">Waiting for a result</span>\n'
        '      <code class="gate-name">regression-eval</code>'
    ) in html


def test_builtin_checks_passed_warning_and_blocking_with_findings(client_as, strict, monkeypatch):
    def fake(snapshot):
        return (
            BuiltinCheckResult("instructions", "Instructions present", True, "ok", ()),
            BuiltinCheckResult(
                "no_secrets",
                "No secrets in instructions or settings",
                False,
                "1 possible secret.",
                ("Instruction “Tone”: an API key",),
            ),
            BuiltinCheckResult("model_config", "Model settings valid", False, "Too hot.", ()),
        )

    monkeypatch.setattr("reviews.selectors.run_builtin_checks", fake)
    html = client_as("publisher").get(review_url(strict)).content.decode()
    builtin = card(html)[card(html).index('id="builtin-title"') :]
    assert re.search(r"badge--live\">Passed</span>\s*Instructions present", builtin)
    assert re.search(r"badge--removed\">Blocking</span>\s*No secrets in", builtin)
    assert "<li>Instruction “Tone”: an API key</li>" in builtin
    assert re.search(r"badge--pending\">Warning</span>\s*Model settings valid", builtin)
    # Only the blocking one holds the publish back.
    assert "No secrets in instructions or settings: 1 possible secret." in publish_card(html)
    assert "Too hot." not in publish_card(html)


def test_the_authors_of_the_pending_change_are_named(client_as, strict, users):
    services.update_agent_settings(agent=strict, acting_user=users["editor"], name="Renamed")
    html = card(client_as("publisher").get(review_url(strict)).content.decode())
    authors = "<strong>editor</strong>, <strong>owner</strong>"
    assert f"Changed Staging since the last publish: {authors}" in html


def test_with_nothing_to_publish_the_policy_is_still_shown(client_as, agent, published, owner):
    reviews.set_policy(agent=agent, acting_user=owner, values={"required_approvals": 1})
    html = client_as("editor").get(review_url(agent)).content.decode()
    assert "Nothing to publish" in html
    assert "1 approval from people other than the authors" in card(html)
    assert request_url(agent) not in html


# --- approving ---------------------------------------------------------------------------------


def test_a_publisher_approves_the_state_shown(client_as, strict, users):
    client = client_as("publisher")
    html = client.get(review_url(strict)).content.decode()
    assert f'name="verdict-fingerprint" value="{fingerprint(strict)}"' in html
    assert re.search(r'name="verdict-verdict" value="approved"[^>]*>Approve</button>', html)
    response = client.post(
        verdict_url(strict),
        {
            "verdict-verdict": "approved",
            "verdict-comment": "Reads well.",
            "verdict-fingerprint": fingerprint(strict),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == review_url(strict)
    verdict = Verdict.objects.get()
    assert (verdict.kind, verdict.reviewer, verdict.comment) == (
        "approved",
        users["publisher"],
        "Reads well.",
    )
    html = client.get(review_url(strict)).content.decode()
    assert "Approved: your approval counts" in html
    assert "Approved · counts" in card(html)
    assert "Reads well." in card(html)
    assert "1 of 2" in card(html)
    assert "<li>2 approvals needed, 1 given on this state.</li>" in publish_card(html)
    assert "You approved this state." in card(html)
    assert ">Withdraw my verdict</button>" in card(html)


def test_two_approvals_and_passing_checks_enable_publish(
    client_as, strict, users, second_publisher
):
    approve(strict, users["publisher"])
    approve(strict, second_publisher)
    pass_check(strict, users["editor"])
    client = client_as("publisher")
    html = client.get(review_url(strict)).content.decode()
    assert "Not ready to publish" not in html
    response = client.post(
        publish_url(strict),
        {"fingerprint": fingerprint(strict), "notes": "Reviewed", "confirmed": "1"},
    )
    assert response.status_code == 302
    record = PublishRecord.objects.order_by("-sequence").first()
    assert not record.broke_glass
    assert {a["reviewer"]["username"] for a in record.gate["approvals"]} == {
        "publisher",
        "second",
    }


def test_an_author_may_not_approve_their_own_change(client_as, strict):
    client = client_as("owner")  # the owner wrote the pending change
    html = card(client.get(review_url(strict)).content.decode())
    assert "lets no author approve their own change" in html
    assert 'value="approved"' not in html
    assert ">Request changes</button>" in html
    response = client.post(
        verdict_url(strict),
        {"verdict-verdict": "approved", "verdict-fingerprint": fingerprint(strict)},
    )
    assert response.status_code == 302
    assert any("lets no author approve" in m for m in messages_of(response))
    assert not Verdict.objects.exists()


def test_approving_a_state_that_moved_since_is_refused_with_a_clear_message(
    client_as, strict, owner, instruction
):
    seen = fingerprint(strict)
    reword(strict, owner, instruction, "Be brief.")
    client = client_as("publisher")
    response = client.post(
        verdict_url(strict), {"verdict-verdict": "approved", "verdict-fingerprint": seen}
    )
    assert response.status_code == 302
    assert response["Location"] == review_url(strict)
    html = client.get(response["Location"]).content.decode()
    assert "Your verdict was not recorded: Staging or Production changed since you loaded" in html
    assert not Verdict.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"verdict-verdict": "approved", "verdict-fingerprint": "abc"}, "64-character hex"),
        ({"verdict-verdict": "maybe"}, "Select a valid choice"),
        ({"verdict-verdict": "approved"}, "This field is required"),
    ],
)
def test_a_malformed_verdict_is_a_message_not_an_error_page(client_as, strict, data, message):
    response = client_as("publisher").post(verdict_url(strict), data)
    assert response.status_code == 302
    assert any(message in m for m in messages_of(response))
    assert not Verdict.objects.exists()


def test_requesting_changes_holds_the_publish_back(client_as, strict, users):
    response = client_as("publisher").post(
        verdict_url(strict),
        {
            "verdict-verdict": "changes_requested",
            "verdict-comment": "Too curt <b>for</b> customers.",
            "verdict-fingerprint": fingerprint(strict),
        },
    )
    assert response.status_code == 302
    html = client_as("editor").get(review_url(strict)).content.decode()
    changes = card(html)[card(html).index('id="changes-title"') :]
    assert "<strong>publisher</strong>" in changes
    assert "Holds the publish back" in changes
    assert "Too curt &lt;b&gt;for&lt;/b&gt; customers." in changes
    assert "<li>Changes requested by publisher.</li>" in publish_card(html)


def test_withdrawing_my_verdict(client_as, strict, users):
    approve(strict, users["publisher"])
    client = client_as("publisher")
    response = client.post(
        verdict_url(strict),
        {"verdict-verdict": "withdrawn", "verdict-fingerprint": fingerprint(strict)},
    )
    assert response.status_code == 302
    assert Verdict.objects.latest("id").kind == "withdrawn"
    html = card(client.get(review_url(strict)).content.decode())
    assert "No approvals yet." in html
    assert "Withdraw my verdict" not in html


def test_only_publishers_give_verdicts(client_as, strict):
    data = {"verdict-verdict": "approved", "verdict-fingerprint": fingerprint(strict)}
    assert client_as("editor").post(verdict_url(strict), data).status_code == 403
    assert client_as("viewer").post(verdict_url(strict), data).status_code == 403
    assert client_as("outsider").post(verdict_url(strict), data).status_code == 404
    assert client_as("editor").get(verdict_url(strict)).status_code == 405
    assert not Verdict.objects.exists()


# --- stale approvals ---------------------------------------------------------------------------


def test_an_approval_of_an_earlier_state_is_shown_as_such_with_the_diff(
    client_as, strict, users, owner, instruction
):
    verdict = approve(strict, users["publisher"], comment="Fine as it was.")
    reword(strict, owner, instruction, "Be terse.")
    client = client_as("editor")
    html = card(client.get(review_url(strict)).content.decode())
    assert "Approved an earlier state" in html
    assert "publisher approved an earlier state of Staging" in html
    assert "Approved · counts" not in html
    changes_url = reverse("publishing:verdict-changes", args=[strict.pk, verdict.pk])
    assert f'<a href="{changes_url}">See what changed since</a>' in html

    page = client.get(changes_url)
    assert page.status_code == 200
    diff = page.content.decode()
    assert "What changed since publisher approved" in diff
    assert "1 change since" in diff
    assert ">Approved then</th>" in diff and ">Staging now</th>" in diff
    assert "<del>warm.</del>" in diff and "<ins>terse.</ins>" in diff
    assert "Fine as it was." in diff


def test_the_changes_since_a_verdict_on_the_current_state_are_none(client_as, strict, users):
    verdict = approve(strict, users["publisher"])
    url = reverse("publishing:verdict-changes", args=[strict.pk, verdict.pk])
    html = client_as("editor").get(url).content.decode()
    assert "nothing changed since" in html
    assert "No differences in Staging." in html


def test_the_changes_since_a_verdict_need_the_editor_role_and_this_agents_verdict(
    client_as, strict, users, project, owner
):
    verdict = approve(strict, users["publisher"])
    url = reverse("publishing:verdict-changes", args=[strict.pk, verdict.pk])
    assert client_as("viewer").get(url).status_code == 403
    assert client_as("outsider").get(url).status_code == 404
    other = factories.AgentFactory(project=project, user=owner, name="Other")
    wrong = reverse("publishing:verdict-changes", args=[other.pk, verdict.pk])
    assert client_as("owner").get(wrong).status_code == 404


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
