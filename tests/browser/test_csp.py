"""Red-team finding 13: the strict Content-Security-Policy breaks nothing a person uses.

Chromium reports every refused script, style or image as a console error, which the ``page``
fixture collects; the admin and the Swagger UI API docs must load and work without one.
"""

from __future__ import annotations

import pytest

from agents import services
from tests import factories
from tests.browser.conftest import expect
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def superuser():
    user = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    agent = factories.AgentFactory(user=user, name="Support bot")
    services.add_instruction(agent=agent, acting_user=user, title="Tone", content="Be kind.")
    return user, agent


def sign_in(page, user, login_path: str, *, button: str) -> None:
    """Fill in a login form; the admin's and the site's differ only in path and button."""
    page.goto(login_path)
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=button).click()


def test_admin_pages_work_under_the_policy(page, superuser):
    user, agent = superuser
    sign_in(page, user, "/admin/login/", button="Log in")
    expect(page.get_by_role("link", name="Staging configurations", exact=True)).to_be_visible()

    for path in [
        "/admin/agents/stagingconfiguration/",
        f"/admin/agents/stagingconfiguration/{agent.pk}/change/",
        f"/admin/agents/stagingconfiguration/{agent.pk}/history/",
        "/admin/agents/historicalstagingconfiguration/?q=Support",
        # An add form with its widgets (the catalogue is changed on its own pages now).
        "/admin/agents/project/add/",
        "/admin/agents/tool/",
    ]:
        response = page.goto(path)
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
    # The admin's own scripts run: the date filter's and the list's JavaScript.
    page.goto("/admin/agents/historicalstagingconfiguration/")
    expect(page.locator("#changelist-filter")).to_be_visible()

    assert page.problems == [], "\n".join(page.problems)


def test_api_docs_render_and_list_the_operations(page, superuser):
    user, _agent = superuser
    sign_in(page, user, "/accounts/login/", button="Sign in")
    page.wait_for_url("**/agents/")

    response = page.goto("/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # Swagger UI ran (its script is ours, from ?script) and drew the operations.
    expect(page.get_by_role("heading", name="Ejento Staging & Publishing API")).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 20
    # An operation opens (Swagger UI's own handlers run).
    page.locator(".opblock-summary").first.click()
    expect(page.get_by_role("button", name="Try it out").first).to_be_visible()

    assert page.problems == [], "\n".join(page.problems)
