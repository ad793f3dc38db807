"""The publish policy page: the policy in words and its change history for editors and up,
the form for owners, per-field errors that keep what was typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviews import services as reviews
from reviews.models import PolicyChange, PublishPolicy
from reviews.selectors import policy_for

pytestmark = pytest.mark.django_db


def policy_url(agent) -> str:
    return reverse("reviews:policy", args=[agent.pk])


def form(**overrides):
    data = {
        "required_approvals": "2",
        "required_checks": "regression-eval, redteam/jailbreak\nci:unit",
        "blocking_builtin_checks": ["no_secrets", "instructions"],
    }
    data.update(overrides)
    return data


def history(html: str) -> str:
    return html[html.index('id="history-title"') :]


# --- who sees and who changes ------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "publisher", "owner"])
def test_editors_and_up_see_the_policy(client_as, agent, who):
    response = client_as(who).get(policy_url(agent))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="current-title"' in html
    assert "Nothing required: any publisher may publish at any time." in html
    assert 'aria-current="page">Publish policy</a>' in html


def test_viewers_and_outsiders_do_not(client_as, agent):
    assert client_as("viewer").get(policy_url(agent)).status_code == 403
    assert client_as("outsider").get(policy_url(agent)).status_code == 404


@pytest.mark.parametrize("who", ["editor", "publisher"])
def test_only_owners_get_the_form_and_may_post_it(client_as, agent, who):
    html = client_as(who).get(policy_url(agent)).content.decode()
    assert "Only the agent's owners can change its publish policy." in html
    assert 'name="required_approvals"' not in html
    assert client_as(who).post(policy_url(agent), form()).status_code == 403
    assert client_as("viewer").post(policy_url(agent), form()).status_code == 403
    assert client_as("outsider").post(policy_url(agent), form()).status_code == 404
    assert not PublishPolicy.objects.exists()


def test_the_owner_gets_the_form_with_the_current_values(client_as, agent, owner):
    reviews.set_policy(
        agent=agent,
        acting_user=owner,
        values={"required_approvals": 1, "required_checks": ["b-check", "a-check"]},
    )
    html = client_as("owner").get(policy_url(agent)).content.decode()
    assert 'name="required_approvals" value="1" min="0" max="5"' in html
    assert ">\na-check\nb-check</textarea>" in html
    assert '<input type="checkbox" name="authors_may_approve"' in html
    assert "<legend>Built-in checks that block a publish</legend>" in html
    assert 'value="no_secrets"' in html and "No secrets in instructions or settings" in html
    assert "1 approval from people other than the authors; required checks: a-check, b-check" in (
        html
    )


# --- changing it ---------------------------------------------------------------------------


def test_the_owner_changes_the_policy(client_as, agent):
    client = client_as("owner")
    response = client.post(policy_url(agent), form(authors_may_approve="on"))
    assert response.status_code == 302
    assert response["Location"] == policy_url(agent)
    policy = policy_for(agent)
    assert policy.required_approvals == 2
    assert policy.authors_may_approve is True
    assert policy.required_checks == ("ci:unit", "redteam/jailbreak", "regression-eval")
    # Kept in the built-in checks' own order.
    assert policy.blocking_builtin_checks == ("instructions", "no_secrets")
    html = client.get(response["Location"]).content.decode()
    assert "Publish policy saved. 2 approvals (authors may approve their own change)" in html


def test_saving_the_same_policy_changes_nothing(client_as, agent):
    client = client_as("owner")
    client.post(policy_url(agent), form())
    response = client.post(policy_url(agent), form())
    assert response.status_code == 302
    assert PolicyChange.objects.count() == 1
    html = client.get(response["Location"]).content.decode()
    assert "Nothing changed: the policy already said that." in html


def test_the_change_history_says_who_when_and_what_in_words(client_as, agent, owner):
    client = client_as("owner")
    client.post(policy_url(agent), form())
    client.post(policy_url(agent), form(required_approvals="1", required_checks=""))
    html = history(client_as("editor").get(policy_url(agent)).content.decode())
    newest, oldest = html.split('<li>\n      <p class="small"><strong>owner</strong>')[1:3]
    assert 'Required approvals: <span class="policy-before">2</span>' in newest
    assert "<strong>1</strong>" in newest
    assert (
        'Required checks: <span class="policy-before">ci:unit, redteam/jailbreak, '
        "regression-eval</span>"
    ) in newest
    assert "<strong>none</strong>" in newest
    assert "Blocking built-in checks" not in newest  # unchanged, so not listed
    assert 'Required approvals: <span class="policy-before">0</span>' in oldest
    assert 'Blocking built-in checks: <span class="policy-before">none</span>' in oldest
    assert (
        "<strong>Instructions present and within limits, No secrets in instructions or "
        "settings</strong>"
    ) in oldest
    assert "Authors may approve" not in oldest
    change = PolicyChange.objects.order_by("changed_at").first()
    assert f'datetime="{change.changed_at.isoformat()}' in oldest


def test_a_policy_never_changed_has_no_history(client_as, agent):
    html = history(client_as("editor").get(policy_url(agent)).content.decode())
    assert "The policy has never been changed" in html


# --- refused input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"required_approvals": "9"}, "required_approvals", "Must be a whole number from 0 to 5."),
        ({"required_approvals": "-1"}, "required_approvals", "Must be a whole number from 0 to 5."),
        ({"required_approvals": "two"}, "required_approvals", "Enter a whole number."),
        ({"required_approvals": ""}, "required_approvals", "This field is required."),
        (
            {"required_checks": "regression-eval\nbad name!"},
            "required_checks",
            "Not a valid name: &#x27;bad name!&#x27;.",
        ),
        (
            {"required_checks": "\n".join(f"check-{i}" for i in range(21))},
            "required_checks",
            "Must be a list of at most 20 check names.",
        ),
        (
            {"blocking_builtin_checks": ["no_such_check"]},
            "blocking_builtin_checks",
            "Select a valid choice.",
        ),
    ],
)
def test_bad_input_is_shown_beside_its_field_and_nothing_changes(
    client_as, agent, overrides, field, message
):
    response = client_as("owner").post(policy_url(agent), form(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The policy was not changed" in html
    assert message in html
    assert f'id="id_{field}_error_1"' in html  # beside its field
    assert not PublishPolicy.objects.exists()
    assert not PolicyChange.objects.exists()


def test_a_refused_form_keeps_what_was_typed(client_as, agent):
    typed = form(
        required_approvals="9",
        required_checks="regression-eval\nbad name!",
        authors_may_approve="on",
        blocking_builtin_checks=["tool_actions"],
    )
    html = client_as("owner").post(policy_url(agent), typed).content.decode()
    assert 'name="required_approvals" value="9"' in html
    assert ">\nregression-eval\nbad name!</textarea>" in html
    assert 'name="authors_may_approve" id="id_authors_may_approve" checked' in html
    assert 'value="tool_actions" id="id_blocking_builtin_checks_2" checked' in html
    assert 'value="no_secrets" id="id_blocking_builtin_checks_4" checked' not in html


# --- where the page is linked from -------------------------------------------------------


def test_the_agent_tabs_link_the_review_pages(client_as, agent):
    html = client_as("editor").get(reverse("agents:editor", args=[agent.pk])).content.decode()
    tabs = html[html.index('<nav class="tabs"') : html.index("</nav>", html.index('class="tabs"'))]
    assert f'<a href="{reverse("reviews:requests", args=[agent.pk])}">Reviews</a>' in tabs
    assert f'<a href="{policy_url(agent)}">Publish policy</a>' in tabs
    assert tabs.index("Publish history") < tabs.index("Reviews") < tabs.index("Publish policy")
    viewer = client_as("viewer").get(reverse("agents:production", args=[agent.pk]))
    assert policy_url(agent) not in viewer.content.decode()
