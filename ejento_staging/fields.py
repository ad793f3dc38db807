"""Model fields more than one app declares the same way."""

from django.conf import settings
from django.db import models


def user_reference(*, related_name: str = "+") -> models.ForeignKey:
    """Who did something. Deleting that user leaves NULL here, never deletes the record: the
    history outlives its people (records that must still name them keep the username too)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
    )
