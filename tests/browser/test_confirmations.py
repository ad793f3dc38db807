"""The risky buttons ask in a native dialog (static/js/confirm.js, allowed by the CSP): the
question says what will happen, and cancelling writes nothing."""

from __future__ import annotations

import pytest

from agents.models import StagingConfiguration
from publishing.confirmations import publish_question
from publishing.models import PublishRecord
from publishing.selectors import review_staging
from tests.browser.conftest import expect, sign_in
from tests.browser.demo import build_demo
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def revision(agent) -> int:
    return StagingConfiguration.objects.get(agent_id=agent.pk).revision


def test_publish_asks_with_the_counts_and_cancel_publishes_nothing(page):
    demo = build_demo(pending_changes=True)
    agent = demo.agent
    question = publish_question(review_staging(agent).diff)
    published = PublishRecord.objects.filter(agent_id=agent.pk).count()
    sign_in(page, "bob", PASSWORD)
    page.goto(f"/agents/{agent.pk}/review/")

    page.get_by_role("button", name="Publish to Production").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text(question)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert PublishRecord.objects.filter(agent_id=agent.pk).count() == published

    # Escape cancels too.
    page.get_by_role("button", name="Publish to Production").click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert PublishRecord.objects.filter(agent_id=agent.pk).count() == published

    page.get_by_role("button", name="Publish to Production").click()
    dialog.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("Published to Production")
    assert PublishRecord.objects.filter(agent_id=agent.pk).count() == published + 1
    assert page.problems == [], "\n".join(page.problems)


def test_delete_asks_naming_the_instruction_and_cancel_keeps_it(page):
    demo = build_demo(pending_changes=False)
    agent = demo.agent
    before = revision(agent)
    sign_in(page, "bob", PASSWORD)
    page.goto(f"/agents/{agent.pk}/")
    tone = page.locator(f"#instruction-{demo.instructions['tone']}")

    tone.get_by_role("button", name="Delete “Tone”").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Delete “Tone”?")
    expect(dialog).to_contain_text("Production keeps it until the next publish")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert revision(agent) == before
    assert agent.instructions.filter(pk=demo.instructions["tone"]).exists()

    tone.get_by_role("button", name="Delete “Tone”").click()
    dialog.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Instruction deleted.")
    assert not agent.instructions.filter(pk=demo.instructions["tone"]).exists()
    assert page.problems == [], "\n".join(page.problems)
