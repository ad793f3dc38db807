"""The whole loop in a real browser: edit Staging, review, publish, history, restore."""

from __future__ import annotations

import re

import pytest

from agents.snapshot import staging_snapshot
from publishing.models import ProductionConfiguration, PublishRecord
from tests.browser.conftest import expect, sign_in
from tests.browser.demo import TONE, build_demo
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab(page, name: str):
    return page.get_by_role("navigation", name="Agent pages").get_by_role("link", name=name)


WARM = "Answer warmly and briefly, and always in the customer's language."


def test_edit_review_publish_and_restore(page):
    demo = build_demo(pending_changes=False)
    agent = demo.agent
    sign_in(page, "bob", PASSWORD)

    # Edit one instruction in Staging.
    page.get_by_role("link", name="Support assistant").click()
    expect(page.locator(".env--staging")).to_be_visible()
    tone = page.locator(f"#instruction-{demo.instructions['tone']}")
    tone.get_by_text("Edit “Tone”").click()
    tone.get_by_label("Content").fill(WARM)
    tone.get_by_role("button", name="Save instruction").click()
    expect(page.get_by_role("status")).to_contain_text("Instruction updated. Saved to Staging.")

    # Review: Production on the left, Staging on the right, the changed words marked.
    tab(page, "Review & publish").click()
    expect(page.get_by_role("heading", name="1 change waiting to go live")).to_be_visible()
    row = page.locator(".diff-row").first
    expect(row.locator(".diff-cell--before del").first).to_have_text("politely")
    expect(row.locator(".diff-cell--after ins").first).to_contain_text("warmly")

    # Publish with notes.
    page.get_by_label("Notes for this publish").fill("Warmer tone for the launch")
    page.get_by_role("button", name="Publish to Production").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Publish 1 change (1 instruction) to Production?")
    dialog.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("Published to Production as #3")
    assert (
        ProductionConfiguration.objects.get(agent=agent).snapshot["instructions"][0]["content"]
        == WARM
    )

    # The history shows it, newest first.
    tab(page, "Publish history").click()
    first_row = page.locator("tbody tr").first
    expect(first_row).to_contain_text("#3")
    expect(first_row).to_contain_text("bob")
    expect(first_row).to_contain_text("Warmer tone for the launch")
    expect(first_row).to_contain_text("Live")

    # Preview a restore of the first publish, then confirm it.
    page.get_by_role("link", name="View publish #1").click()
    page.get_by_role("link", name="Preview restore…").click()
    expect(
        page.get_by_role("heading", name=re.compile("What Staging would become"))
    ).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile("What Production would get"))
    ).to_be_visible()
    page.get_by_role("button", name="Restore onto Staging").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Restore Staging to publish #1?")
    dialog.get_by_role("button", name="Restore onto Staging").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Production is not affected until you publish"
    )

    # Staging is publish #1 again; Production is still publish #3.
    live = PublishRecord.objects.get(agent=agent, sequence=3)
    assert ProductionConfiguration.objects.get(agent=agent).change_track_id == live.change_track_id
    assert staging_snapshot(agent)["instructions"][0]["content"] == TONE
    tab(page, "Production").click()
    expect(page.locator("main")).to_contain_text(WARM)
    expect(page.locator("main")).not_to_contain_text("Answer politely")
    assert page.problems == []


def test_invalid_input_is_shown_beside_the_field(page):
    demo = build_demo(pending_changes=False)
    sign_in(page, "carol", PASSWORD)
    page.goto(f"/agents/{demo.agent.pk}/")
    page.get_by_label("Temperature").fill("5")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("alert").first).to_contain_text("Nothing was saved")
    field = page.locator(".field--error", has=page.get_by_label("Temperature"))
    expect(field).to_contain_text("Must be between 0 and 2.")
    assert staging_snapshot(demo.agent)["settings"]["model_config"]["temperature"] == 0.3


def test_a_viewer_gets_production_only(page):
    build_demo()
    sign_in(page, "victor", PASSWORD)
    page.get_by_role("link", name="Support assistant").click()
    expect(page).to_have_url(re.compile(r"/production/$"))
    expect(page.locator(".env--production")).to_be_visible()
    expect(page.get_by_role("link", name="Staging editor")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Escalation")  # pending in Staging only


def test_an_editor_may_review_but_not_publish(page):
    demo = build_demo()
    sign_in(page, "carol", PASSWORD)
    page.goto(f"/agents/{demo.agent.pk}/review/")
    expect(
        page.get_by_role("heading", name=re.compile("changes waiting to go live"))
    ).to_be_visible()
    expect(page.get_by_role("button", name="Publish to Production")).to_have_count(0)
    expect(page.get_by_text("Publishing needs the publisher role")).to_be_visible()
