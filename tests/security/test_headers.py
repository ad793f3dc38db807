"""Red-team finding 13: a strict Content-Security-Policy everywhere, and signed-in pages and
API answers never stored by a cache."""

from __future__ import annotations

import re

import pytest

from agents import services
from publishing.services import publish_agent
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in parts}


def assert_no_store(response) -> None:
    assert "no-store" in response["Cache-Control"], response.get("Cache-Control")


@pytest.fixture
def published(agent, owner):
    services.add_instruction(agent=agent, acting_user=owner, title="Tone", content="Be kind.")
    publish_agent(agent=agent, user=owner)
    return agent


@pytest.mark.parametrize(
    "path",
    [
        "/agents/",
        "/agents/{id}/",
        "/agents/{id}/history/",
        "/agents/{id}/publishes/",
        "/api/docs/",
        "/admin/",
        "/admin/agents/stagingconfiguration/",
        "/admin/agents/stagingconfiguration/{id}/change/",
    ],
)
def test_signed_in_pages_have_strict_csp_and_no_store(client, superuser, published, path):
    client.force_login(superuser)
    response = client.get(path.format(id=published.pk))

    assert response.status_code == 200
    assert directives(response) == STRICT
    assert_no_store(response)


def test_the_login_page_has_the_policy_too(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert directives(response) == STRICT


def test_signed_in_pages_carry_no_inline_script_or_style(client, superuser, published):
    """What the policy would block: nothing on our pages or the API docs needs it."""
    client.force_login(superuser)
    for path in ["/agents/", f"/agents/{published.pk}/", "/api/docs/"]:
        html = client.get(path).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert "<style" not in html, path
        assert " style=" not in html, path


def test_api_docs_script_is_served_from_our_origin(client, superuser):
    client.force_login(superuser)
    html = client.get("/api/docs/").content.decode()
    script = re.search(r'<script src="(/api/docs/\?[^"]*script=[^"]*)"', html)
    assert script is not None
    response = client.get(script.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    assert "SwaggerUIBundle" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v2/agents",
        "/api/v2/agents/{id}",
        "/api/v2/agents/{id}/staging-diff",
        "/api/v2/agents/{id}/publishes",
        "/api/v2/agents/{id}/history",
        "/api/schema/",
    ],
)
def test_api_answers_are_no_store(owner, published, path):
    response = client_for(owner).get(path.format(id=published.pk))
    assert response.status_code == 200
    assert_no_store(response)


def test_api_refusals_are_no_store_too(api_client, published):
    response = api_client.get(f"/api/v2/agents/{published.pk}")
    assert response.status_code in (401, 403)
    assert_no_store(response)


def test_token_callers_get_no_store(api_client, owner, published):

    token = factories.api_token(owner)
    response = api_client.get(f"/api/v2/agents/{published.pk}", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert_no_store(response)


def test_the_live_read_keeps_its_own_cache_control(owner, published):
    from publishing.live_views import CACHE_CONTROL

    client = client_for(owner)
    response = client.get(f"/api/v2/agents/{published.pk}/production")
    assert response.status_code == 200
    assert response["Cache-Control"] == CACHE_CONTROL
    again = client.get(
        f"/api/v2/agents/{published.pk}/production", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304
    assert again["Cache-Control"] == CACHE_CONTROL


def test_static_files_keep_their_caching(client, superuser):
    client.force_login(superuser)
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_favicon_requests_find_our_icon(client):
    """The admin links no icon, so browsers ask for /favicon.ico: a 404 there is a console
    error on every admin page."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"


def test_admin_history_list_has_no_inline_style(client, superuser, published):
    client.force_login(superuser)
    html = client.get(f"/admin/agents/stagingconfiguration/{published.pk}/history/")
    assert html.status_code == 200
    assert " style=" not in html.content.decode()
