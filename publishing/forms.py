"""The forms of the publishing pages: publish, schedule, restore or revert, the history filter."""

from __future__ import annotations

import functools
import zoneinfo
from datetime import UTC
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from agents.forms import PageForm
from publishing.inputs import day_bound
from publishing.models import NOTES_MAX_LENGTH
from reviews.services import BREAK_GLASS_REASON_MAX_LENGTH

# The break-glass form is a second PublishForm on the review page: its own ids keep the
# two forms' labels tied to their own fields.
BREAK_GLASS_AUTO_ID = "id_break_glass_%s"


def notes_field(label: str, *, rows: int) -> forms.CharField:
    """The optional notes that go with a publish, as long as a publish record keeps them."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows, "placeholder": "What changed and why"}),
    )


def review_fingerprint_field() -> forms.CharField:
    """The fingerprint of the review the page showed, sent back hidden."""
    return forms.CharField(widget=forms.HiddenInput, max_length=64)


class PublishForm(PageForm):
    notes = notes_field("Notes for this publish", rows=3)
    # The review this publish is for: anything else is refused as stale.
    fingerprint = review_fingerprint_field()
    # Sent by the break-glass form only, so the ordinary Publish button can never publish
    # past the policy, whatever else is posted with it.
    break_glass = forms.BooleanField(required=False, widget=forms.HiddenInput)
    break_glass_reason = forms.CharField(
        label="Why publish without meeting the policy?",
        required=False,
        max_length=BREAK_GLASS_REASON_MAX_LENGTH,
        help_text="Kept in the publish record and shown in the publish history.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm_break_glass = forms.BooleanField(
        label="I am publishing without the approvals and checks this agent's policy requires.",
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("break_glass"):
            data["break_glass_reason"] = ""
            return data
        if not (data.get("break_glass_reason") or "").strip():
            self.add_error(
                "break_glass_reason",
                "Say why this cannot wait for the policy: the reason is kept with the publish.",
            )
        if not data.get("confirm_break_glass"):
            self.add_error("confirm_break_glass", "Tick this box to confirm.")
        return data


class RestoreForm(PageForm):
    mode = forms.ChoiceField(
        choices=[("restore", "Restore"), ("revert", "Revert")],
        widget=forms.RadioSelect,
        initial="restore",
    )


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def person_and_days_fields(by_label: str) -> tuple[forms.Field, forms.Field, forms.Field]:
    """The three fields of a ``PersonAndDaysFilterForm``, in the order the page shows them:
    who (chosen from the form's ``people``), from which day, to which day."""
    by = forms.TypedChoiceField(label=by_label, required=False, coerce=int, empty_value=None)
    return by, _date_field("From"), _date_field("To")


class PersonAndDaysFilterForm(PageForm):
    """A history's filter: who did it (``{verb}_by``, a user id from ``people``), and between
    which days (``{verb}_after``, ``{verb}_before``, inclusive). Subclasses declare the three
    fields, so each history keeps the parameter names of its API filter."""

    verb: str

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[f"{self.verb}_by"].choices = [("", "Anyone"), *people]

    @property
    def filtered(self) -> bool:
        """Whether a filter is on: the page then offers to clear it."""
        return any(self.data.get(name) for name in self.fields)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        after, before = data.get(f"{self.verb}_after"), data.get(f"{self.verb}_before")
        if after and before and after > before:
            self.add_error(f"{self.verb}_before", "Must be on or after the start date.")
        return data

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for the history's selector (whole days)."""
        data = self.cleaned_data
        after, before = data.get(f"{self.verb}_after"), data.get(f"{self.verb}_before")
        return {
            f"{self.verb}_by": data.get(f"{self.verb}_by"),
            f"{self.verb}_after": day_bound(after) if after else None,
            f"{self.verb}_before": day_bound(before, end_of_day=True) if before else None,
        }


class PublishFilterForm(PersonAndDaysFilterForm):
    """The publish history's filter (``publishing.selectors.publish_records``)."""

    verb = "published"
    published_by, published_after, published_before = person_and_days_fields("Published by")

    def __init__(self, *args: Any, publishers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, people=publishers, **kwargs)


class HistoryFilterForm(PersonAndDaysFilterForm):
    """The edit history's filter (``publishing.selectors.edit_history``)."""

    verb = "changed"
    changed_by, changed_after, changed_before = person_and_days_fields("Changed by")

    def __init__(self, *args: Any, editors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, people=editors, **kwargs)


@functools.cache
def time_zone_choices() -> list[tuple[str, str]]:
    """UTC first, then the IANA zones by name (the legacy aliases left out)."""
    legacy = ("Etc/", "SystemV/", "US/", "posix", "right/", "build/")
    zones = sorted(
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(legacy)
    )
    return [("UTC", "UTC"), *[(name, name.replace("_", " ")) for name in zones]]


class ScheduleForm(PageForm):
    """A publish of the reviewed state at a wall-clock time in a chosen time zone.

    A browser's ``datetime-local`` carries no offset, so the zone is a field of its own
    (UTC unless changed) and the two make the one moment the service takes.
    """

    publish_at = forms.DateTimeField(
        label="Publish at",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    time_zone = forms.ChoiceField(label="Time zone", initial="UTC")
    notes = notes_field("Notes for the scheduled publish", rows=2)
    # The review this schedule is for: the worker publishes exactly this state, or nothing.
    fingerprint = review_fingerprint_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "schedule")
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        wall, zone_name = data.get("publish_at"), data.get("time_zone")
        if wall is None or not zone_name:
            return data
        # The field made it aware in the server's zone: keep the wall-clock time only.
        wall = timezone.make_naive(wall) if timezone.is_aware(wall) else wall
        zone = zoneinfo.ZoneInfo(zone_name)
        moment = wall.replace(tzinfo=zone)
        # A time skipped when the clocks go forward does not survive the round trip.
        if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
            self.add_error("publish_at", f"That time does not exist in {zone_name}.")
            return data
        data["publish_at"] = moment
        return data

    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict") and "expected_fingerprint" in exc.error_dict:
            exc = ValidationError(
                {
                    ("fingerprint" if key == "expected_fingerprint" else key): errors
                    for key, errors in exc.error_dict.items()
                }
            )
        super().add_service_errors(exc)
