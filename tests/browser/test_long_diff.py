"""A long instruction edited in one paragraph: the review reads like a code review."""

from __future__ import annotations

import re

import pytest

from agents import services
from publishing.services import publish_agent
from tests.browser.conftest import expect, sign_in
from tests.browser.demo import build_demo
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Long enough that the 12 paragraphs are far taller than a screen, with a link that cannot
# wrap at a space: the narrow layout has to break it rather than overflow.
PARAGRAPHS = [
    f"Paragraph {n}: when a customer asks about case {n}, look the order up first, "
    + "check the delivery status and the payment, then explain what happens next. " * 4
    + f"See https://help.example.com/orders/case-{n}/{'x' * 60}."
    for n in range(1, 13)
]
CHANGED = "Paragraph 7: escalate to a person straight away, and say so to the customer."


@pytest.mark.parametrize("width", [1440, 390])
def test_the_jump_link_shows_the_changed_paragraph_without_overflow(page, width):
    demo = build_demo(pending_changes=False)
    bob = demo.users["bob"]
    tone = demo.instructions["tone"]

    def write(paragraphs: list[str]) -> None:
        services.update_instruction(
            agent=demo.agent,
            acting_user=bob,
            instruction_id=tone,
            content="\n\n".join(paragraphs),
        )

    write(PARAGRAPHS)
    publish_agent(agent=demo.agent, acting_user=bob, notes="Long tone")
    write([*PARAGRAPHS[:6], CHANGED, *PARAGRAPHS[7:]])

    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, "bob", PASSWORD)
    page.goto(f"/agents/{demo.agent.pk}/review/")
    change = page.locator(".diff-hunk--change").first
    expect(change.locator(".diff-cell--after")).to_contain_text(CHANGED)
    expect(change.locator(".diff-cell--after ins").first).to_have_text("escalate to")
    expect(page.get_by_text("5 unchanged lines")).to_be_visible()
    expect(page.get_by_text("4 unchanged lines")).to_be_visible()

    page.get_by_role("link", name="Instruction “Tone”: content, line 7").click()
    expect(page).to_have_url(re.compile(f"#{change.get_attribute('id')}$"))
    expect(change.locator(".diff-cell--after")).to_be_in_viewport()
    expect(change.locator(".diff-cell--before del").first).to_be_in_viewport()

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert page.problems == []
