"""What the review page's tests under a publish policy read and do: the policy card, its
forms' addresses, and approvals and check results given on the state shown."""

from __future__ import annotations

from django.urls import reverse

from reviews import services as reviews
from tests.pages.conftest import fingerprint


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
