"""The risky buttons ask in a native dialog (static/js/confirm.js, allowed by the CSP): the
question says what will happen, and cancelling writes nothing."""

from __future__ import annotations

import pytest

from agents import services
from agents.models import StagingConfiguration
from publishing.confirmations import publish_question
from publishing.models import PublishRecord
from publishing.selectors import review_staging
from tests import factories
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


def test_copy_from_another_agent_previews_asks_and_cancel_copies_nothing(page):
    demo = build_demo(pending_changes=False)
    agent = demo.agent
    bob = demo.users["bob"]
    factories.join(agent.project.organization, bob)
    dev = services.create_agent(project=agent.project, acting_user=bob, name="Support dev")
    services.add_instruction(agent=dev, acting_user=bob, title="Tone", content="Be brief.")
    before = revision(agent)
    sign_in(page, "bob", PASSWORD)
    page.goto(f"/agents/{agent.pk}/copy-from/")
    page.get_by_label("Copy from").select_option(label="Support dev · Staging")
    page.get_by_role("button", name="Preview the copy").click()
    expect(page.get_by_role("heading", name="What Staging would become")).to_be_visible()
    assert revision(agent) == before

    page.get_by_role("button", name="Copy onto Staging").click()
    dialog = page.get_by_role("dialog")
    question = "Make Staging a copy of Support dev · Staging?"
    expect(dialog.get_by_role("heading")).to_have_text(question)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert revision(agent) == before

    page.get_by_role("button", name="Copy onto Staging").click()
    dialog.get_by_role("button", name="Copy onto Staging").click()
    expect(page.get_by_role("status")).to_contain_text("Staging now matches Support dev")
    assert revision(agent) == before + 1
    assert list(agent.instructions.values_list("content", flat=True)) == ["Be brief."]
    assert page.problems == [], "\n".join(page.problems)
