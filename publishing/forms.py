"""The forms of the publishing pages: publish, restore or revert, and the history filter."""

from __future__ import annotations

from typing import Any

from django import forms

from agents.forms import PageForm
from publishing.inputs import day_bound
from publishing.models import NOTES_MAX_LENGTH


class PublishForm(PageForm):
    notes = forms.CharField(
        label="Notes for this publish",
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What changed and why"}),
    )
    # The review this publish is for: anything else is refused as stale.
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)


class RestoreForm(PageForm):
    mode = forms.ChoiceField(
        choices=[("restore", "Restore"), ("revert", "Revert")],
        widget=forms.RadioSelect,
        initial="restore",
    )


class PublishFilterForm(PageForm):
    published_by = forms.TypedChoiceField(
        label="Published by", required=False, coerce=int, empty_value=None
    )
    published_after = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    published_before = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, publishers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["published_by"].choices = [("", "Anyone"), *publishers]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        after, before = data.get("published_after"), data.get("published_before")
        if after and before and after > before:
            self.add_error("published_before", "Must be on or after the start date.")
        return data

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for ``publishing.selectors.publish_records`` (whole days)."""
        data = self.cleaned_data
        after, before = data.get("published_after"), data.get("published_before")
        return {
            "published_by": data.get("published_by"),
            "published_after": day_bound(after) if after else None,
            "published_before": day_bound(before, end_of_day=True) if before else None,
        }
