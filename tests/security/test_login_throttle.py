"""Password guessing is throttled per client address and per account.

The token endpoint and the login page share both buckets. The client address believes
``X-Forwarded-For`` only from ``TRUSTED_PROXIES`` (none by default), so a fresh header per
attempt buys nothing (red-team finding 2); failed attempts also count against the account,
whatever address they come from.
"""

from __future__ import annotations

import copy
import itertools

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from ejento_staging.throttles import client_address
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


def forwarded_for(chain: str | None) -> dict[str, str]:
    """The X-Forwarded-For header a request claims, as test-client keyword arguments."""
    return {"HTTP_X_FORWARDED_FOR": chain} if chain is not None else {}


def guess(
    client,
    password: str,
    address: str = "203.0.113.7",
    *,
    username: str = "victim",
    forwarded: str | None = None,
):
    """One sign-in attempt at the token endpoint from ``address``."""
    return client.post(
        TOKEN_URL,
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
        **forwarded_for(forwarded),
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


def sign_in_page(client, password: str, address: str, *, forwarded: str | None = None):
    """One sign-in attempt at the login page from ``address``."""
    return client.post(
        LOGIN_PAGE,
        {"username": "victim", "password": password},
        REMOTE_ADDR=address,
        **forwarded_for(forwarded),
    )


def assert_page_refuses_the_right_password(client, address: str, *, forwarded: str | None = None):
    assert sign_in_page(client, factories.PASSWORD, address, forwarded=forwarded).status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_page_throttles_guessing_at_the_same_rate(victim):
    client = Client()
    allowed = configured_attempts()
    for i in range(allowed):
        # The form again, with its error.
        assert sign_in_page(client, f"wrong-{i}", "203.0.113.7").status_code == 200
    assert_page_refuses_the_right_password(client, "203.0.113.7")


# --- red-team finding 2: X-Forwarded-For from anyone but a trusted proxy is ignored ----------

_fresh = (f"198.18.{n // 256}.{n % 256}" for n in itertools.count(1))


def spoofed(client, password: str):
    """An attempt from the same machine that claims a fresh address every time."""
    return guess(client, password, "203.0.113.7", forwarded=next(_fresh))


def test_a_fresh_forwarded_header_per_attempt_is_still_throttled(victim):
    client = APIClient()
    allowed = configured_attempts()
    answers = [spoofed(client, f"wrong-{i}").status_code for i in range(60)]
    assert answers == [400] * allowed + [429] * (60 - allowed)
    assert spoofed(client, factories.PASSWORD).status_code == 429


def test_login_page_ignores_a_fresh_forwarded_header_too(victim):
    client = Client()
    allowed = configured_attempts()
    codes = [
        sign_in_page(client, f"wrong-{i}", "203.0.113.7", forwarded=next(_fresh)).status_code
        for i in range(allowed + 5)
    ]
    assert codes == [200] * allowed + [429] * 5
    assert_page_refuses_the_right_password(client, "203.0.113.7", forwarded=next(_fresh))


def request_from(remote: str, forwarded: str | None = None):
    return RequestFactory().post("/", REMOTE_ADDR=remote, **forwarded_for(forwarded))


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "client"),
    [
        # No trusted proxy (the default): the header is nobody's word.
        ([], "203.0.113.7", "1.2.3.4", "203.0.113.7"),
        # A trusted proxy: the address it appended is the client; what the client wrote
        # to the left of it is not believed.
        (["10.0.0.1"], "10.0.0.1", "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        # A chain of trusted proxies (a network): walk back past every one of them.
        (["10.0.0.0/8"], "10.0.0.1", "1.2.3.4, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        # Someone not in the list sending the header directly: ignored.
        (["10.0.0.1"], "203.0.113.7", "1.2.3.4", "203.0.113.7"),
        # A trusted proxy with no header: the proxy itself.
        (["10.0.0.1"], "10.0.0.1", None, "10.0.0.1"),
        # Garbage at the first hop: stop at the proxy, never a fresh bucket.
        (["10.0.0.1"], "10.0.0.1", "1.2.3.4, not-an-address", "10.0.0.1"),
        (["::1"], "::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_client_address_believes_only_trusted_proxies(settings, trusted, remote, forwarded, client):
    settings.TRUSTED_PROXIES = trusted
    assert client_address(request_from(remote, forwarded)) == client


def test_behind_a_configured_proxy_each_client_has_its_own_bucket(victim, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    client = APIClient()

    def via_proxy(real: str, password: str):
        # The client writes a fresh left part; the proxy appends the address it saw.
        return guess(client, password, "10.0.0.1", forwarded=f"{next(_fresh)}, {real}")

    allowed = configured_attempts()
    codes = [via_proxy("203.0.113.7", f"wrong-{i}").status_code for i in range(allowed + 1)]
    assert codes == [400] * allowed + [429]
    assert via_proxy("198.51.100.9", factories.PASSWORD).status_code == 200


# --- and per account, whatever the address ---------------------------------------------------


@pytest.fixture
def account_rate(settings):
    """A small per-account budget, so the test need not make a hundred attempts."""
    rest = copy.deepcopy(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"]["login_account"] = "5/hour"
    settings.REST_FRAMEWORK = rest
    return 5


def test_the_account_limit_is_configured():
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates["login_account"]
    assert int(rates["login_account"].split("/")[0]) > 0


def test_failed_attempts_from_many_addresses_lock_the_account(victim, account_rate):
    client = APIClient()
    addresses = (f"192.0.2.{n}" for n in itertools.count(1))
    codes = [guess(client, f"wrong-{i}", next(addresses)).status_code for i in range(account_rate)]
    assert codes == [400] * account_rate
    # Another spelling of the same account shares the bucket.
    variant = guess(client, "wrong", next(addresses), username=" VICTIM ")
    assert variant.status_code == 429
    blocked = guess(client, factories.PASSWORD, next(addresses))
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    # Other accounts are untouched.
    factories.UserFactory(username="bystander")
    other = guess(client, factories.PASSWORD, next(addresses), username="bystander")
    assert other.status_code == 200


def test_an_unknown_username_is_throttled_like_a_real_one(db, account_rate):
    """The answer must not tell which usernames exist."""
    client = APIClient()
    codes = [
        guess(client, "x", f"192.0.2.{i + 1}", username="nobody-here").status_code
        for i in range(account_rate + 1)
    ]
    assert codes == [400] * account_rate + [429]


def test_successful_sign_ins_do_not_use_up_the_account(victim, account_rate):
    client = APIClient()
    for i in range(account_rate * 2):
        assert guess(client, factories.PASSWORD, f"192.0.2.{i + 1}").status_code == 200


def test_login_page_counts_failures_per_account_too(victim, account_rate):
    client = Client()
    for i in range(account_rate):
        assert sign_in_page(client, f"wrong-{i}", f"192.0.2.{i + 1}").status_code == 200
    assert_page_refuses_the_right_password(client, "198.51.100.200")
    # The page and the endpoint share the account's bucket.
    assert guess(APIClient(), factories.PASSWORD, "198.51.100.201").status_code == 429
