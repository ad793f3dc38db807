"""Who is asking the live read: an API token or a session, checked as DRF would check them.

The live read does not run DRF's authentication classes (they cost more than the whole
cached answer), so it restates their refusals here, with DRF's own messages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

NOT_PROVIDED = "Authentication credentials were not provided."
TOKEN_MAX_LENGTH = 40  # accounts.services issues 40 hex digits


class Unauthorized(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def token_from_header(request: HttpRequest) -> str | None:
    """The token of ``Authorization: Token <key>``, parsed as DRF's TokenAuthentication does.

    None when the header is absent or names another scheme (the session is tried next).
    """
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    parts = header.split()
    if not parts or parts[0].lower() != "token":
        return None
    if len(parts) == 1:
        raise Unauthorized("Invalid token header. No credentials provided.")
    if len(parts) > 2:
        raise Unauthorized("Invalid token header. Token string should not contain spaces.")
    token = parts[1]
    try:
        # Header values arrive as latin-1; DRF refuses what is not valid UTF-8 bytes.
        token = token.encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise Unauthorized(
            "Invalid token header. Token string should not contain invalid characters."
        ) from None
    if len(token) > TOKEN_MAX_LENGTH or not token.isascii() or not token.isalnum():
        # No stored token looks like this (keys are 40 hex digits), and some such strings
        # (a NUL) would make PostgreSQL raise: answer without asking the database.
        raise Unauthorized("Invalid token.")
    return token


def session_key_from_cookie(request: HttpRequest) -> str | None:
    """The session cookie's key, or None when there is none that could name a session."""
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    # Django's session keys are lower-case letters and digits; anything else is no session.
    if not session_key or not session_key.isascii() or not session_key.isalnum():
        return None
    return session_key


def forced_user(request: Any) -> Any:
    """The user DRF's test client forces onto the request, if any (then no credentials)."""
    return getattr(request, "_force_auth_user", None)
