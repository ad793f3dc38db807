"""``Authorization: Token <secret>`` against ``accounts.ApiToken``."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.models import ApiToken
from accounts.services import token_digest


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's TokenAuthentication (same header parsing, keyword and messages) over ApiToken.

    An unknown, expired or revoked token is "Invalid token." as DRF says for an unknown one,
    so the answer does not tell a guesser which tokens once existed.
    """

    keyword = "Token"
    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = (
            ApiToken.objects.select_related("user")
            .filter(digest=token_digest(key), revoked_at=None, expires_at__gt=timezone.now())
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
