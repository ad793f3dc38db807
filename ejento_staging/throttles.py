"""Login throttling, shared by the token endpoint and the login page.

Two buckets, both must allow a sign-in attempt:

* per client address (``LOGIN_THROTTLE_RATE``, every attempt counts). The address is
  ``client_address``: ``REMOTE_ADDR``, unless that is one of ``TRUSTED_PROXIES``, and only
  then ``X-Forwarded-For`` as far back as the trusted proxies vouch for it. DRF's own
  ``get_ident`` believes the whole header when ``NUM_PROXIES`` is unset, so a guesser who sent
  a fresh header with every attempt was never throttled.
* per account (``LOGIN_ACCOUNT_THROTTLE_RATE``, failed attempts only), keyed by the
  normalised username whether or not such a user exists, so guessing one account's password
  from many addresses is throttled too, and the answer says nothing about who exists.
"""

from __future__ import annotations

import hashlib
import ipaddress
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, proxies: tuple) -> bool:
    return any(address in network for network in proxies)


def client_address(request: Any) -> str:
    """The address a request came from, believing only configured proxies.

    With no ``TRUSTED_PROXIES`` (the default) this is ``REMOTE_ADDR`` and ``X-Forwarded-For``
    is ignored. Behind trusted proxies the header is read from the right: each proxy appends
    the address it saw, so the first entry that is not itself a trusted proxy is the client.
    Anything left of it was written by the client and is never believed. An entry that is not
    an address ends the walk at the last proxy that vouched for it (a shared bucket: it errs
    toward throttling, never toward a fresh one).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = _networks(tuple(settings.TRUSTED_PROXIES))
    try:
        if not proxies or not _trusted(ipaddress.ip_address(remote), proxies):
            return remote
    except ValueError:
        return remote
    client = remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([hop.strip() for hop in forwarded.split(",") if hop.strip()]):
        try:
            address = ipaddress.ip_address(hop)
        except ValueError:
            break
        client = str(address)
        if not _trusted(address, proxies):
            break
    return client


class SharedCounters:
    """Keep a throttle's counters in the ``throttle`` cache, which every app process shares
    (see settings): a count kept per process would let each worker allow the full rate."""

    @property
    def cache(self) -> BaseCache:
        # Settings always name one; a test that replaces CACHES whole gets the default.
        return caches["throttle"] if "throttle" in settings.CACHES else caches["default"]


class LoginRateThrottle(SharedCounters, SimpleRateThrottle):
    """Limits sign-in attempts per client address, at ``DEFAULT_THROTTLE_RATES["login"]``.

    One scope for the API token endpoint and the login page, so switching between the two
    gains a guesser nothing. The rate is read per request (not once at import like DRF's
    throttles), so a settings change - a deployment's environment or a test's override -
    applies at once.
    """

    scope = "login"

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_ident(self, request: Any) -> str:
        return client_address(request)

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def normalise_username(username: Any) -> str:
    """One bucket for every spelling the sign-in could match: Unicode-normalised, trimmed,
    case-folded (usernames are unique regardless of case here)."""
    if username is None:
        return ""
    return unicodedata.normalize("NFKC", str(username)).strip().casefold()


def login_username(data: Any) -> str:
    """The username a sign-in attempt names, normalised ("" when it names none)."""
    if not isinstance(data, Mapping):
        return ""
    return normalise_username(data.get("username"))


class AccountLoginThrottle(SharedCounters, SimpleRateThrottle):
    """Failed sign-ins per account, at ``DEFAULT_THROTTLE_RATES["login_account"]``.

    ``blocked()`` is asked before the password is checked (checking it would answer the
    guess), ``failed()`` after a refused one. Successful sign-ins do not count, so a busy
    integration never locks itself out; an attacker who keeps failing can lock the account
    for the throttle's period, the price of stopping guessing from many addresses.
    """

    scope = "login_account"

    def __init__(self, username: str) -> None:
        super().__init__()
        digest = hashlib.sha256(username.encode()).hexdigest()[:32] if username else None
        self.key = self.cache_format % {"scope": self.scope, "ident": digest} if digest else None

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def _load(self) -> None:
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()

    def blocked(self) -> float | None:
        """Seconds to wait when the account has used up its failed attempts, else None."""
        if self.rate is None or self.key is None:
            return None
        self._load()
        if len(self.history) >= self.num_requests:
            return self.wait() or float(self.duration)
        return None

    def failed(self) -> None:
        if self.rate is None or self.key is None:
            return
        self._load()
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
