"""Nothing typed in the Staging editor is lost: a save in one section keeps what was typed in
the others, leaving with unsaved input warns, and a draft never overwrites a newer save."""

from __future__ import annotations

import pytest

from agents import services
from agents.snapshot import staging_snapshot
from tests.browser.conftest import expect, sign_in
from tests.browser.demo import build_demo
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def type_temperature(page, value: str) -> None:
    field = page.get_by_label("Temperature")
    field.click()  # a real gesture: Chromium warns before unload only after one
    field.press("Control+a")
    field.press_sequentially(value)


def save_tone(page, demo, content: str) -> None:
    tone = page.locator(f"#instruction-{demo.instructions['tone']}")
    tone.get_by_text("Edit “Tone”").click()
    tone.get_by_label("Content").fill(content)
    tone.get_by_role("button", name="Save instruction").click()


def test_saving_an_instruction_keeps_the_temperature_typed(page, demo_in_editor):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    type_temperature(page, "1.1")
    expect(page.locator(".field--unsaved", has=page.get_by_label("Temperature"))).to_be_visible()

    save_tone(page, demo_in_editor, "Be warm.")

    expect(page.locator("#instructions .message--success")).to_contain_text("Instruction updated.")
    assert dialogs == []  # submitting is no leaving
    assert staging_snapshot(demo_in_editor.agent)["instructions"][0]["content"] == "Be warm."
    assert staging_snapshot(demo_in_editor.agent)["settings"]["model_config"]["temperature"] == 0.3
    temperature = page.get_by_label("Temperature")
    expect(temperature).to_have_value("1.1")
    field = page.locator(".field--unsaved", has=temperature)
    expect(field.locator(".unsaved-mark")).to_have_text("unsaved")
    # The message of the save and the Staging badge are both in view where the page landed.
    expect(page.locator("#instructions .message--success")).to_be_in_viewport()
    expect(page.locator(".agent-bar .env--staging")).to_be_in_viewport()

    # Saving the temperature itself clears the mark, and nothing comes back after.
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#settings .message--success")).to_contain_text("Settings updated.")
    expect(page.get_by_label("Temperature")).to_have_value("1.1")
    expect(page.locator(".unsaved-mark")).to_have_count(0)
    assert staging_snapshot(demo_in_editor.agent)["settings"]["model_config"]["temperature"] == 1.1
    assert page.problems == []


def test_leaving_with_unsaved_input_warns(page, demo_in_editor):
    type_temperature(page, "1.4")
    with page.expect_event("dialog") as caught:
        page.close(run_before_unload=True)
    assert caught.value.type == "beforeunload"
    caught.value.dismiss()  # stay
    assert not page.is_closed()

    # Typed back to the saved value: nothing is unsaved, the page closes without a word (a
    # dialog now would be dismissed, and the page would never close).
    type_temperature(page, "0.3")
    with page.expect_event("close"):
        page.close(run_before_unload=True)


def test_a_draft_from_an_older_state_is_shown_not_restored(page, demo_in_editor):
    type_temperature(page, "1.7")
    # A colleague saves meanwhile: Staging is now further on than the page the typing began on.
    alice = demo_in_editor.users["alice"]
    services.update_agent_settings(agent=demo_in_editor.agent, acting_user=alice, name="Helper")
    save_tone(page, demo_in_editor, "Be warm.")

    expect(page.locator("#instructions .message--success")).to_contain_text("Instruction updated.")
    expect(page.get_by_label("Temperature")).to_have_value("0.3")
    notice = page.locator(".draft-notice")
    expect(notice).to_contain_text("Staging changed since you typed these")
    expect(notice).to_contain_text("Temperature: 1.7")
    notice.get_by_role("button", name="Put them back").click()
    expect(page.get_by_label("Temperature")).to_have_value("1.7")
    expect(page.locator(".field--unsaved .unsaved-mark")).to_have_count(1)
    # The colleague's save is what the page shows, marked as differing from Production.
    name = page.locator("#id_settings-name")
    expect(name).to_have_value("Helper")
    expect(page.locator("label[for=id_settings-name] .changed-mark")).to_be_visible()
    assert page.problems == []


def test_the_editor_fits_a_phone(page):
    demo = build_demo()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "carol", PASSWORD)
    page.goto(f"/agents/{demo.agent.pk}/")
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    # Every action's config is in reach, inside the page's width.
    config = page.locator("#tools td[data-label='Config']").first
    config.scroll_into_view_if_needed()
    box = config.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    # The tab bar scrolls within itself, with a shadow at its edge saying so.
    tabs = page.locator(".tabs")
    assert tabs.evaluate("el => el.scrollWidth > el.clientWidth")
    assert "gradient" in tabs.evaluate("el => getComputedStyle(el).backgroundImage")
    assert page.problems == []
