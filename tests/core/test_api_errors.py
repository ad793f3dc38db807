"""Every 404 and 405 under /api/ is JSON ``{"detail"}``; the pages keep their HTML."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def assert_json_not_found(response):
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def assert_html_not_found(response):
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v2/agents/1/nothing",
        "/api/v2/nothing",
        "/api/nothing",
        "/api/v2/agents/1/tools/2/actions/3/nothing",
    ],
)
def test_an_unknown_api_path_answers_json(client, django_user_model, path):
    client.force_login(django_user_model.objects.create_user("someone", password="x"))
    assert_json_not_found(client.get(path))


def test_an_unknown_api_path_answers_json_with_debug_on(client, settings):
    """With DEBUG (the demo), Django answers its technical 404 page, not handler404."""
    settings.DEBUG = True
    assert_json_not_found(client.get("/api/v2/agents/1/nothing"))


def test_an_unknown_page_with_debug_on_keeps_the_technical_page(client, settings):
    settings.DEBUG = True
    assert_html_not_found(client.get("/agents/1/nothing/at/all"))


def test_an_unknown_api_path_answers_json_without_credentials(client):
    response = client.post("/api/v2/agents/1/nothing", data="{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_unknown_page_keeps_the_html_404(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("someone", password="x"))
    response = client.get("/agents/1/nothing/at/all")
    assert_html_not_found(response)
    assert "Not found" in response.content.decode()


@pytest.mark.urls("tests.core.api_error_urls")
def test_a_django_405_under_api_answers_json_with_allow(client):
    response = client.post("/api/plain")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": 'Method "POST" not allowed.'}
    assert "GET" in response["Allow"]


@pytest.mark.urls("tests.core.api_error_urls")
def test_a_django_405_of_a_page_is_left_alone(client):
    response = client.post("/pages/plain")
    assert response.status_code == 405
    assert not response["Content-Type"].startswith("application/json")


def test_a_drf_405_is_still_drf_json(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("someone", password="x"))
    response = client.delete("/api/v2/agents/1/staging-diff")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}
