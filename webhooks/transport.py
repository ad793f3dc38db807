"""One HTTP POST of a webhook, to the address that was checked, with a hard time limit."""

from __future__ import annotations

import time
from dataclasses import dataclass

import urllib3
from django.conf import settings

from webhooks.targets import Target, UnsafeTarget, resolve

EXCERPT_CHARACTERS = 1000
USER_AGENT = "ejento-staging-webhooks/1"


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    duration_ms: int
    error: str = ""
    excerpt: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, body: str, headers: dict[str, str]) -> Answer:
    """POST ``body`` to ``url``; never raises: what went wrong is in the answer.

    The host is resolved and checked now (not only when the endpoint was saved) and the
    connection goes to that very address, with the host name kept for TLS and ``Host``.
    Redirects are not followed: a 3xx could point anywhere, and counts as a failure.
    """
    started = time.monotonic()
    try:
        target = resolve(url)
    except UnsafeTarget as refused:
        return Answer(None, _elapsed_ms(started), error=f"Not sent: {refused}")
    try:
        response = _pool(target).urlopen(
            "POST",
            target.path,
            body=body.encode(),
            headers={
                **headers,
                "Host": target.host if target.port in (80, 443) else f"{target.host}:{target.port}",
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
            },
            redirect=False,
            retries=False,
            preload_content=False,
            timeout=urllib3.Timeout(total=settings.WEBHOOK_TIMEOUT_SECONDS),
        )
        try:
            excerpt = response.read(EXCERPT_CHARACTERS * 4, decode_content=True)
        finally:
            response.release_conn()
        return Answer(
            response.status,
            _elapsed_ms(started),
            error="" if 200 <= response.status < 300 else f"HTTP {response.status}",
            excerpt=excerpt.decode("utf-8", "replace")[:EXCERPT_CHARACTERS],
        )
    except urllib3.exceptions.HTTPError as failure:
        return Answer(None, _elapsed_ms(started), error=_describe(failure))


def _pool(target: Target) -> urllib3.HTTPConnectionPool:
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            maxsize=1,
        )
    return urllib3.HTTPConnectionPool(target.address, target.port, maxsize=1)


def _describe(failure: Exception) -> str:
    if isinstance(failure, urllib3.exceptions.TimeoutError):
        return f"No answer within {settings.WEBHOOK_TIMEOUT_SECONDS:g} s."
    reason = getattr(failure, "reason", None) or failure
    return f"Could not connect: {type(reason).__name__}"[:500]


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
