"""The pages' stylesheet and the API docs' assets are served by the app itself (no CDN)."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/static/css/app.css", "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"],
)
def test_static_files_are_served_without_debug(client, settings, path):
    assert settings.DEBUG is False
    response = client.get(path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)


@pytest.mark.django_db
def test_api_docs_load_nothing_from_another_host(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("docs", password="x"))
    body = client.get("/api/docs/").content.decode()
    assert "cdn." not in body and "//unpkg" not in body and "jsdelivr" not in body


@pytest.mark.django_db
def test_favicon_ico_is_served_at_the_root(client):
    """Browsers ask for /favicon.ico on pages that link no icon; a 404 there is a console error."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # ICO header


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/accounts/login/"])
def test_pages_and_the_admin_link_the_icon(client, path):
    body = client.get(path).content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in body
    assert 'href="/favicon.ico"' in body
