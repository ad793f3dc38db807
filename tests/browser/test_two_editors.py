"""Two people in two browsers on one agent's editor: neither loses a saved change unknowingly.

Carol (editor) and Bob (publisher) open the editor at the same revision. A save on a field
the other did not touch merges; a save on the same field shows Carol a conflict with both
values and her typed text kept; and the open page tells her when Bob saved.
"""

from __future__ import annotations

import re

import pytest

from agents.snapshot import staging_snapshot
from tests.browser.conftest import expect, open_editor, open_tab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bob(browser, live_server, demo_in_editor):
    """Bob (a publisher) on the same editor, in a browser context of his own."""
    tab = open_tab(browser, live_server)
    open_editor(tab, demo_in_editor, "bob")
    yield tab
    tab.context.close()


def set_name(page, name: str) -> None:
    page.locator("#id_settings-name").fill(name)
    page.get_by_role("button", name="Save settings").click()


def set_temperature(page, value: str) -> None:
    page.get_by_label("Temperature").fill(value)
    page.get_by_role("button", name="Save settings").click()


def test_different_fields_from_two_browsers_both_stand(page, bob, demo_in_editor):
    set_name(bob, "Bob's name")
    expect(bob.locator("#settings .message--success")).to_be_visible()

    set_temperature(page, "1.2")  # the form still shows the old name: it must not undo Bob's

    expect(page.locator("#settings .message--success")).to_contain_text("Settings updated.")
    settings = staging_snapshot(demo_in_editor.agent)["settings"]
    assert settings["name"] == "Bob's name"
    assert settings["model_config"]["temperature"] == 1.2
    expect(page.locator("#id_settings-name")).to_have_value("Bob's name")
    assert page.problems == [] and bob.problems == []


def test_the_same_field_shows_a_conflict_and_keeps_what_was_typed(page, bob, demo_in_editor):
    set_name(bob, "Bob's name")
    expect(bob.locator("#settings .message--success")).to_be_visible()

    set_name(page, "Carol's name")

    panel = page.locator(".edit-conflict")
    expect(panel).to_contain_text("Someone else changed this while you were editing")
    expect(panel).to_contain_text("Bob's name")
    expect(panel).to_contain_text("saved by bob")
    expect(panel).to_contain_text("Carol's name")
    expect(page.locator("#id_settings-name")).to_have_value("Carol's name")
    assert staging_snapshot(demo_in_editor.agent)["settings"]["name"] == "Bob's name"

    panel.get_by_role("button", name="Use mine").click()

    expect(page.locator("#settings .message--success")).to_contain_text("Settings updated.")
    assert staging_snapshot(demo_in_editor.agent)["settings"]["name"] == "Carol's name"
    # The conflict page is answered 409, which Chromium reports as a failed load; nothing else.
    assert [p for p in page.problems if "status of 409" not in p] == []
    assert len(page.problems) == 1 and bob.problems == []


def test_the_open_editor_says_when_a_colleague_saved(page, bob, demo_in_editor):
    notice = page.locator("[data-staging-watch]")
    expect(notice).to_be_hidden()
    set_name(bob, "Bob's name")
    expect(bob.locator("#settings .message--success")).to_be_visible()
    # Bob's own page knows his save: it was rendered after it.
    bob.evaluate("window.dispatchEvent(new Event('focus'))")

    page.evaluate("window.dispatchEvent(new Event('focus'))")

    expect(notice).to_be_visible()
    expect(notice).to_contain_text("bob saved a change at")
    changes = notice.get_by_role("link", name="See what changed")
    expect(changes).to_have_attribute(
        "href", re.compile(r"/compare/\?from=checkpoint:\d+&to=staging$")
    )
    changes.click()
    expect(page.locator("main")).to_contain_text("Bob's name")
    expect(bob.locator("[data-staging-watch]")).to_be_hidden()
    assert page.problems == [] and bob.problems == []
