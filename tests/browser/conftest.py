"""Browser tests: Playwright's sync API driving Debian's Chromium against ``live_server``.

Without Chromium these tests skip, unless ``REQUIRE_ALL=1``: then they fail, so a CI run
that is meant to cover everything cannot pass by skipping them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture then skips, or fails under REQUIRE_ALL=1
    expect = None


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1440, "height": 900}


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_ALL") == "1":
        pytest.fail(f"{reason} (REQUIRE_ALL=1: browser tests may not skip)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """Chromium for one module of tests.

    Playwright's sync API runs an event loop in this thread for as long as it is open; the
    ORM calls the tests make themselves (fixtures, assertions) are still plain synchronous
    code, so Django's async guard is lifted exactly that long and restored after, never
    leaking into other modules or the processes they start.
    """
    if not CHROMIUM.exists():
        _unavailable(f"Chromium not found at {CHROMIUM}")
    if expect is None:
        _unavailable("Playwright for Python is not installed")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def open_tab(browser, live_server):
    """A tab in a browser context of its own (its own cookies, so its own sign-in), with what
    the browser reports kept in ``tab.problems``; close its ``context`` after."""
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    problems: list[str] = []
    # Anything the browser reports (a missing stylesheet, a script error) fails the test.
    tab.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: problems.append(str(exc)))
    tab.problems = problems
    return tab


@pytest.fixture
def page(browser, live_server):
    tab = open_tab(browser, live_server)
    yield tab
    tab.context.close()


def sign_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/agents/")


@pytest.fixture
def demo_in_editor(page):
    """The demo with nothing waiting to publish, and Carol (an editor) on its Staging editor
    in ``page``."""
    from tests.browser.demo import build_demo

    demo = build_demo(pending_changes=False)
    open_editor(page, demo, "carol")
    return demo


def open_editor(page, demo, username: str) -> None:
    """``username`` signed in on ``demo``'s Staging editor, its deferred scripts run (they
    must have, before anything is typed)."""
    from tests.factories import PASSWORD

    sign_in(page, username, PASSWORD)
    page.goto(f"/agents/{demo.agent.pk}/")
    page.wait_for_load_state("load")
