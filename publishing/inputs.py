"""What people send the publishing services, each kind read one way: notes and dates.

The same values arrive through the API (serializers), the pages (forms) and direct calls
(services). Each kind has one parser here, raising ``ValidationError`` keyed by field like
``agents.validation``: the services call it to hold the rule whoever calls them; the API's
serializer fields call it so a 400 names every offending field at once, in the same words;
the pages' forms check the shape the browser sends and leave the rule to the service.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from agents.validation import clean_text
from publishing.models import NOTES_MAX_LENGTH

DATE_INVALID = "Must be an ISO 8601 date (YYYY-MM-DD) or datetime (YYYY-MM-DDThh:mm[:ss][±hh:mm])."


def clean_notes(value: Any) -> str:
    """A publish's notes: a string the database can store, at most ``NOTES_MAX_LENGTH``
    characters as given, kept without the whitespace around it."""
    return clean_text(value, "notes", max_length=NOTES_MAX_LENGTH, required=False).strip()


def day_bound(day: date, *, end_of_day: bool = False) -> datetime:
    """A day as an inclusive bound: its first instant, or its last (``end_of_day``), in UTC.

    The day is the server's (``TIME_ZONE``), as for a datetime given without an offset.
    """
    return _utc(datetime.combine(day, time.max if end_of_day else time.min))


def parse_moment(value: Any, field: str, *, end_of_day: bool = False) -> datetime:
    """An ISO date or datetime, as an aware UTC datetime.

    A date alone is ``day_bound(date, end_of_day=...)``, so a range given in dates takes in
    both whole days. A datetime without an offset is taken in the server's time zone.
    """
    if not isinstance(value, str):
        raise ValidationError({field: [DATE_INVALID]})
    # RFC 3339 allows a lower-case "t" and "z"; Python's parsers want upper case.
    text = value.strip().upper()
    try:
        # The date first: Python's datetime parser takes a bare date as its midnight,
        # which would make "published_before=<date>" leave out that very day.
        day = parse_date(text)
        moment = None if day is not None else parse_datetime(text)
    except ValueError:  # well-formed but impossible, e.g. month 13
        raise ValidationError({field: [DATE_INVALID]}) from None
    if day is not None:
        return day_bound(day, end_of_day=end_of_day)
    if moment is None:
        raise ValidationError({field: [DATE_INVALID]})
    return _utc(moment)


def _utc(moment: datetime) -> datetime:
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        # Normalised here, where an offset that pushes the value past year 1 or 9999 can be
        # caught, rather than as an overflow inside the database adapter. Such a bound lies
        # beyond every record, so the edge of the calendar means the same.
        return moment.astimezone(UTC)
    except OverflowError:
        edge = datetime.max if moment.year > 1 else datetime.min
        return edge.replace(tzinfo=UTC)
