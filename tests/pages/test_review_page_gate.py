"""The review page under a publish policy: the "Publish policy" card (approvals fresh and
stale, requests for changes, checks, authors), the verdict forms and the disabled Publish
button. Requests, break glass and the history: test_review_page_publishing.py."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from agents import services
from configuration.checks import BuiltinCheckResult
from publishing.models import PublishRecord
from reviews import services as reviews
from reviews.models import Verdict
from tests import factories
from tests.agents.conftest import grant
from tests.pages.conftest import fingerprint, messages_of, publish_url, review_url, reword
from tests.pages.review_gate import (
    approve,
    card,
    pass_check,
    publish_card,
    request_url,
    verdict_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_publisher(agent, owner):
    return grant(agent, owner, "second", "publisher")


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
