"""Password guessing is throttled per client address.

The token endpoint is. The login page is not yet, so a guesser can move from the API to the
page: its test is a strict expected failure until the throttle proposed in
docs/reliability.md lands - it then passes, strict turns that into a failure, and the
marker is deleted."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from tests import factories

TOKEN_URL = "/api/v2/auth/token"
LOGIN_PAGE = "/accounts/login/"


def configured_attempts() -> int:
    """How many attempts the configured rate allows per period ("20/min" -> 20)."""
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"]
    return int(rate.split("/")[0])


@pytest.fixture
def victim(db):
    return factories.UserFactory(username="victim")


def guess(client, password: str, address: str = "203.0.113.7"):
    return client.post(
        TOKEN_URL,
        {"username": "victim", "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def test_token_endpoint_throttles_guessing_at_the_configured_rate(victim):
    client = APIClient()
    allowed = configured_attempts()
    answers = [guess(client, f"wrong-{i}").status_code for i in range(allowed)]
    assert set(answers) == {400}

    blocked = guess(client, "wrong-again")
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0


def test_the_right_password_does_not_get_past_the_throttle(victim):
    client = APIClient()
    for i in range(configured_attempts()):
        guess(client, f"wrong-{i}")
    assert guess(client, factories.PASSWORD).status_code == 429


def test_other_clients_are_not_locked_out(victim):
    client = APIClient()
    for i in range(configured_attempts() + 1):
        guess(client, f"wrong-{i}", address="203.0.113.7")
    answer = guess(client, factories.PASSWORD, address="198.51.100.9")
    assert answer.status_code == 200
    assert answer.json()["token"]


def test_login_page_throttles_guessing_at_the_same_rate(victim):
    client = Client()
    allowed = configured_attempts()
    for i in range(allowed):
        page = client.post(
            LOGIN_PAGE, {"username": "victim", "password": f"wrong-{i}"}, REMOTE_ADDR="203.0.113.7"
        )
        assert page.status_code == 200  # the form again, with its error
    blocked = client.post(
        LOGIN_PAGE,
        {"username": "victim", "password": factories.PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )
    assert blocked.status_code == 429
    assert "_auth_user_id" not in client.session
