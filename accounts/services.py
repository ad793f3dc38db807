"""The one way to issue and revoke API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import ApiToken

# 20 random bytes as 40 hex digits: the length and alphabet of the tokens DRF issued, so
# clients, header parsing (``publishing.live.authentication``) and logs are unchanged.
SECRET_BYTES = 20
MAX_EXPIRES_IN = timedelta(days=365)


def token_digest(secret: str) -> str:
    """What the database stores and looks a token up by."""
    return hashlib.sha256(secret.encode()).hexdigest()


def default_lifetime() -> timedelta:
    return timedelta(days=settings.API_TOKEN_TTL_DAYS)


def issue_token(
    *, user: Any, name: str = "default", expires_in: timedelta | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it and its secret, which is never stored or shown again.

    Every call makes a new token (one per integration); earlier ones stay valid.
    """
    secret = secrets.token_hex(SECRET_BYTES)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=token_digest(secret),
        prefix=secret[:8],
        created_at=now,
        expires_at=now + (expires_in if expires_in is not None else default_lifetime()),
    )
    return token, secret


def may_revoke(acting_user: Any, token: ApiToken) -> bool:
    return bool(acting_user.is_superuser or token.user_id == acting_user.pk)


def visible_tokens(acting_user: Any) -> QuerySet[ApiToken]:
    """The tokens the acting user may see and revoke: their own, or every one for a superuser.

    The rule of ``may_revoke``, as a query.
    """
    tokens = ApiToken.objects.all()
    return tokens if acting_user.is_superuser else tokens.filter(user_id=acting_user.pk)


def tokens_of(acting_user: Any, user_id: int | None = None) -> QuerySet[ApiToken]:
    """One user's tokens (the acting user's own by default), newest first.

    Superusers may list anyone's; anyone else asking for another user's is refused
    (``PermissionDenied``).
    """
    if user_id is None:
        user_id = acting_user.pk
    if user_id != acting_user.pk and not acting_user.is_superuser:
        raise PermissionDenied("Only superusers may list another user's tokens.")
    return ApiToken.objects.filter(user_id=user_id).order_by("-created_at", "-id")


def revoke_token(*, acting_user: Any, token: ApiToken) -> ApiToken:
    """Revoke one token: its owner's or, for a superuser, anyone's. Revoking twice is a no-op.

    Raises ``PermissionDenied`` for anyone else. Saved (not ``QuerySet.update``) so the
    live read's cache receivers see it and drop cached access decisions on commit.
    """
    if not may_revoke(acting_user, token):
        raise PermissionDenied("You may revoke only your own API tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def revoke_all_tokens(*, user: Any) -> int:
    """Revoke every token of ``user`` (a password change); returns how many were live."""
    now = timezone.now()
    count = 0
    with transaction.atomic():
        # One save per token, for the same reason as in revoke_token; a user has a few.
        for token in ApiToken.objects.select_for_update().filter(user=user, revoked_at=None):
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            count += 1
    return count
