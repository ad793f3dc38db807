"""Every page in a real browser at desktop width: it renders, styled, without errors.

With ``SCREENSHOTS=1`` the pictures are written to ``docs/screenshots/`` (see docs/pages.md);
otherwise to a temporary folder, so the run still checks every page.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from agents import services
from publishing.management.commands.seed_demo import REVIEW_POLICY, request_review
from publishing.services import publish_agent
from reviews import services as reviews
from tests.browser.conftest import sign_in
from tests.browser.demo import build_demo
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def shots(tmp_path):
    folder = DOCS if os.environ.get("SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shoot(page, folder: Path, name: str, path: str, *, heading: str | re.Pattern) -> None:
    page.goto(path)
    assert page.get_by_role("heading", name=heading).first.is_visible(), heading
    # Our stylesheet loaded: the top bar has its dark background, not the browser default.
    background = page.eval_on_selector(".topbar", "el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(17, 26, 46)"
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_every_page_renders_in_the_browser(page, shots):
    demo = build_demo()
    agent = demo.agent.pk
    alice = demo.users["alice"]
    # A fuller list: one agent never published, one live with nothing pending.
    services.create_agent(
        project=demo.agent.project, acting_user=alice, name="Billing helper", description="Draft"
    )
    live = services.create_agent(
        project=demo.agent.project, acting_user=alice, name="HR onboarding"
    )
    services.add_instruction(
        agent=live, acting_user=alice, title="Welcome", content="Greet new staff."
    )
    publish_agent(agent=live, acting_user=alice, notes="")

    page.goto("/accounts/login/")
    page.screenshot(path=str(shots / "login.png"), full_page=True)

    sign_in(page, "alice", PASSWORD)
    _shoot(page, shots, "agent-list", "/agents/", heading="Agents")
    _shoot(page, shots, "staging-editor", f"/agents/{agent}/", heading="Settings & model")
    _shoot(
        page,
        shots,
        "review",
        f"/agents/{agent}/review/",
        heading=re.compile(r"\d+ changes waiting to go live"),
    )
    _shoot(page, shots, "publish-history", f"/agents/{agent}/publishes/", heading="Publish history")
    _shoot(
        page,
        shots,
        "publish-detail",
        f"/agents/{agent}/publishes/{demo.second.change_track_id}/",
        heading="Publish #2",
    )
    _shoot(
        page,
        shots,
        "restore-preview",
        f"/agents/{agent}/publishes/{demo.first.change_track_id}/restore/?mode=restore",
        heading="Roll back to publish #1",
    )
    _shoot(page, shots, "edit-history", f"/agents/{agent}/history/", heading="Edit history")
    _shoot(page, shots, "production", f"/agents/{agent}/production/", heading="Settings")
    # The review workflow: a policy, an editor's request for review, a check result.
    reviews.set_policy(agent=demo.agent, acting_user=alice, values=REVIEW_POLICY)
    request_review(
        demo.agent,
        demo.users["carol"],
        description="Friendlier tone, refunds explained.",
        check={
            "state": "success",
            "description": "118 of 120 conversations pass",
            "target_url": "https://ci.example.com/evals/42",
        },
    )
    _shoot(
        page,
        shots,
        "review-policy",
        f"/agents/{agent}/review/#policy-title",
        heading="Publish policy",
    )
    _shoot(page, shots, "publish-policy", f"/agents/{agent}/policy/", heading="Publish policy")
    _shoot(page, shots, "review-requests", f"/agents/{agent}/reviews/", heading="Reviews")
    # Narrow screens: the two sides of the diff stack, each labelled.
    page.set_viewport_size({"width": 390, "height": 844})
    _shoot(
        page,
        shots,
        "review-phone",
        f"/agents/{agent}/review/",
        heading=re.compile(r"\d+ changes waiting to go live"),
    )
    label = page.eval_on_selector(
        ".diff-cell--after", "el => getComputedStyle(el, '::before').content"
    )
    assert label == '"Staging"'
    assert page.problems == []
