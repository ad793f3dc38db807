"""The Staging revision a request's edits are based on, and the one they leave it at.

An editor sends the revision they saw: the API's ``If-Match`` (``agents.api.base.JSONView``
reads it for every request), a form's or a body's ``base_revision``. It is kept, as given,
for the edits made inside ``based_on``, and read (``current_base``) when an edit needs it,
so a malformed one is refused as a 400 on where it came from - after the caller's right to
the agent is checked. ``agents.concurrency`` merges or refuses an edit on an older revision.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import ValidationError

BASE_FIELD = "base_revision"

# The state the caller's edits are based on, as they gave it (``If-Match`` or a form's
# ``base_revision``), with the name of where it came from; None: last write wins.
_base: ContextVar[tuple[Any, str] | None] = ContextVar("staging_base", default=None)
# The revision the caller's last edit left Staging at (an API answer's ETag).
_edited: ContextVar[int | None] = ContextVar("staging_edited_revision", default=None)


@contextmanager
def based_on(revision: Any, source: str = BASE_FIELD) -> Iterator[None]:
    """Staging edits made inside were based on ``revision`` (None: not said).

    ``revision`` is taken as given (an ``If-Match`` value, a form field) and read when an edit
    needs it, so a malformed one is refused as a 400 on ``source`` after the caller's right to
    the agent is checked. The revision the edits leave Staging at is ``edited_revision()``.
    """
    base_token = _base.set(None if revision is None else (revision, source))
    edited_token = _edited.set(None)
    try:
        yield
    finally:
        _base.reset(base_token)
        _edited.reset(edited_token)


def base_from(revision: Any, source: str) -> None:
    """Name the base of the edits still to come in the current ``based_on`` block."""
    _base.set(None if revision is None else (revision, source))


def current_base() -> int | None:
    given = _base.get()
    return None if given is None else parse_revision(*given)


def note_edited(revision: int) -> None:
    _edited.set(revision)


def edited_revision() -> int | None:
    return _edited.get()


def parse_revision(raw: Any, field: str = BASE_FIELD) -> int | None:
    """A revision from an ``If-Match`` value (``"12"``, ``W/"12"``) or a form field."""
    if raw is None or raw == "" or raw == "*":
        return None
    text = str(raw).strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    if not text.isdigit() or len(text) > 9 or int(text) < 1:
        raise ValidationError({field: ["Must be a Staging revision, as the ETag gave it."]})
    return int(text)
