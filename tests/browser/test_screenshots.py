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
CHANGES_WAITING = re.compile(r"\d+ changes waiting to go live")


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
    first, second = demo.first.change_track_id, demo.second.change_track_id
    tone = demo.instructions["tone"]
    for name, path, heading in [
        ("agent-list", "/agents/", "Agents"),
        ("staging-editor", f"/agents/{agent}/", "Settings & model"),
        ("review", f"/agents/{agent}/review/", CHANGES_WAITING),
        ("publish-history", f"/agents/{agent}/publishes/", "Publish history"),
        ("publish-detail", f"/agents/{agent}/publishes/{second}/", "Publish #2"),
        (
            "restore-preview",
            f"/agents/{agent}/publishes/{first}/restore/?mode=restore",
            "Roll back to publish #1",
        ),
        ("edit-history", f"/agents/{agent}/history/", "Edit history"),
        ("production", f"/agents/{agent}/production/", "Settings"),
        ("compare", f"/agents/{agent}/compare/?from={first}&to=staging", re.compile("→")),
        ("blame", f"/agents/{agent}/instructions/{tone}/blame/", "Who wrote “Tone”"),
        ("copy-from", f"/agents/{agent}/copy-from/", "Copy from another agent"),
    ]:
        _shoot(page, shots, name, path, heading=heading)
    # Two editors: a colleague renamed the agent after this page was opened.
    page.goto(f"/agents/{agent}/")
    services.update_agent_settings(agent=demo.agent, acting_user=demo.users["bob"], name="Helpdesk")
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    page.locator("[data-staging-watch]").wait_for()
    page.locator("#id_settings-name").fill("Support desk")
    page.get_by_role("button", name="Save settings").click()
    page.locator(".edit-conflict").wait_for()
    page.screenshot(path=str(shots / "edit-conflict.png"), full_page=True)
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
    for name, path, heading in [
        ("review-policy", f"/agents/{agent}/review/#policy-title", "Publish policy"),
        ("publish-policy", f"/agents/{agent}/policy/", "Publish policy"),
        ("review-requests", f"/agents/{agent}/reviews/", "Reviews"),
    ]:
        _shoot(page, shots, name, path, heading=heading)
    # Narrow screens: the two sides of the diff stack, each labelled.
    page.set_viewport_size({"width": 390, "height": 844})
    _shoot(page, shots, "review-phone", f"/agents/{agent}/review/", heading=CHANGES_WAITING)
    label = page.eval_on_selector(
        ".diff-cell--after", "el => getComputedStyle(el, '::before').content"
    )
    assert label == '"Staging"'
    # The conflict page answers 409, which Chromium reports as a failed load.
    assert [p for p in page.problems if "status of 409" not in p] == []
