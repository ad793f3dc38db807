"""What the write services share: reading ids and flags from a caller, and writing only the
fields that change."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from agents import validation
from agents.models import DESCRIPTION_MAX_LENGTH
from agents.staging import StagingChanges
from ejento_staging.ids import parse_id

User = get_user_model()


def require_id(value: Any, field: str) -> int:
    """``value`` as an id (``ejento_staging.ids.parse_id``), or a ValidationError on ``field``."""
    number = parse_id(value)
    if number is None:
        raise ValidationError({field: ["Must be an id."]})
    return number


def require_flag(value: Any, field: str = "enabled", *, optional: bool = False) -> bool | None:
    """``value`` when it is true or false (or None, when ``optional``); else a ValidationError.

    JSON's 0 and 1 are not flags here, so a client that sends them learns it at once.
    """
    if value is None and optional:
        return None
    if not isinstance(value, bool):
        raise ValidationError({field: ["Must be true or false."]})
    return value


def clean_description(description: Any) -> str:
    """An optional description, as stored (agents and catalogue objects alike)."""
    return validation.clean_text(
        description, "description", max_length=DESCRIPTION_MAX_LENGTH, required=False
    )


def update_changed(change: StagingChanges, row: Any, **values: Any) -> dict[str, Any]:
    """Set each given value (None: leave as is) that differs; record the row if any did.

    Answers the old values of the fields that changed, for the edit's reason.
    """
    before = {
        f: getattr(row, f) for f, v in values.items() if v is not None and getattr(row, f) != v
    }
    for field in before:
        setattr(row, field, values[field])
    change.update(row, list(before))
    return before
