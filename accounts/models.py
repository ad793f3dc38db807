"""API tokens: many per user, named, expiring, revocable; only a digest of the secret is kept."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """One credential for ``Authorization: Token <secret>``.

    The secret is shown once, when the token is issued; the database holds its SHA-256
    (``digest``), so reading the table gives no usable credential. The secret is 160 random
    bits, so a plain hash suffices (no salt or stretching: nothing to guess), and it lets the
    live read find the token with one indexed equality lookup inside its single statement.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, default="default")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_live(self, at: datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (at or timezone.now())
