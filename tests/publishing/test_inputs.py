"""One parser per kind of input: the service, the API and the pages read notes, fingerprints
and dates the same way, and refuse them in the same words."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from agents.validation import clean_fingerprint
from publishing.api.publishes import PublishFilterSerializer
from publishing.api.review import PublishInputSerializer
from publishing.forms import PublishFilterForm
from publishing.inputs import clean_notes, day_bound, parse_moment
from publishing.models import NOTES_MAX_LENGTH, PublishRecord
from publishing.services import publish_agent

FINGERPRINT = "a" * 64


def refusal(call) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        call()
    return [message for messages in caught.value.message_dict.values() for message in messages]


def assert_refused_by_parser_and_api(parse, serializer_class, field: str, given, message: str):
    """The parser and the API serializer built on it refuse ``given`` with the same message."""
    assert refusal(lambda: parse(given, field)) == [message]
    serializer = serializer_class(data={field: given})
    assert not serializer.is_valid()
    assert serializer.errors[field] == [message]


NOTES_REFUSED = [
    (7, "Must be a string."),
    ("a\x00b", "Must not contain NUL characters."),
    ("x" * (NOTES_MAX_LENGTH + 1), f"At most {NOTES_MAX_LENGTH} characters."),
    ("\ud800", "Must be valid Unicode text (no lone surrogates)."),
]


@pytest.mark.parametrize(("notes", "message"), NOTES_REFUSED)
def test_notes_are_refused_in_the_same_words_by_the_parser_and_the_api(notes, message):
    assert refusal(lambda: clean_notes(notes)) == [message]
    serializer = PublishInputSerializer(data={"notes": notes})
    assert not serializer.is_valid()
    assert serializer.errors["notes"] == [message]


@pytest.mark.django_db
@pytest.mark.parametrize(("notes", "message"), NOTES_REFUSED)
def test_the_service_refuses_the_same_notes_itself(agent, owner, notes, message):
    assert refusal(lambda: publish_agent(agent=agent, acting_user=owner, notes=notes)) == [message]
    assert not PublishRecord.objects.filter(agent_id=agent.pk).exists()


def test_notes_are_kept_without_surrounding_whitespace():
    assert clean_notes("  launch\n") == "launch"
    # The limit counts what was sent, as the schema's maxLength says.
    assert clean_notes(" " * NOTES_MAX_LENGTH) == ""
    with pytest.raises(ValidationError):
        clean_notes(" " * (NOTES_MAX_LENGTH + 1))


@pytest.mark.parametrize("given", ["", None])
def test_no_fingerprint_means_publish_whatever_staging_is(given):
    assert clean_fingerprint(given, "expected_fingerprint") is None


@pytest.mark.parametrize("given", ["A" * 64, "a" * 63, "g" * 64, 42, ["a" * 64]])
def test_a_malformed_fingerprint_is_refused_by_the_parser_and_the_api(given):
    message = "Must be the 64-character hex fingerprint of a staging-diff."
    assert_refused_by_parser_and_api(
        clean_fingerprint, PublishInputSerializer, "expected_fingerprint", given, message
    )


def test_a_well_formed_fingerprint_is_kept():
    assert clean_fingerprint(FINGERPRINT, "expected_fingerprint") == FINGERPRINT


def test_a_day_is_a_bound_that_takes_in_the_whole_day():
    assert day_bound(date(2025, 1, 31)) == datetime(2025, 1, 31, tzinfo=UTC)
    assert day_bound(date(2025, 1, 31), end_of_day=True) == datetime(
        2025, 1, 31, 23, 59, 59, 999999, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("text", "end_of_day", "expected"),
    [
        ("2025-01-31", False, datetime(2025, 1, 31, tzinfo=UTC)),
        ("2025-01-31", True, datetime(2025, 1, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        ("2025-01-31t10:00z", True, datetime(2025, 1, 31, 10, tzinfo=UTC)),
        ("2025-01-31T10:00", False, datetime(2025, 1, 31, 10, tzinfo=UTC)),
        ("2025-01-31T10:00+02:00", False, datetime(2025, 1, 31, 8, tzinfo=UTC)),
        ("0001-01-01T00:00+01:00", False, datetime.min.replace(tzinfo=UTC)),
    ],
)
def test_a_date_or_datetime_is_read_as_a_utc_bound(text, end_of_day, expected):
    assert parse_moment(text, "published_after", end_of_day=end_of_day) == expected


@pytest.mark.parametrize("text", ["yesterday", "2025-13-01", "2025-02-30T10:00", 20250131])
def test_what_is_no_date_is_refused_by_the_parser_and_the_api(text):
    message = "Must be an ISO 8601 date (YYYY-MM-DD) or datetime (YYYY-MM-DDThh:mm[:ss][±hh:mm])."
    assert_refused_by_parser_and_api(
        parse_moment, PublishFilterSerializer, "published_after", text, message
    )


def test_the_page_and_the_api_read_the_same_days_as_the_same_bounds():
    query = {"published_after": "2025-01-01", "published_before": "2025-01-31"}
    api = PublishFilterSerializer(data=query)
    page = PublishFilterForm(query, publishers=[])
    assert api.is_valid() and page.is_valid()
    assert page.filters() == {"published_by": None, **api.validated_data}
