"""Forms for the pages: they parse what a browser sends into the values a service takes.

They hold no rules of their own beyond the shape of the input (a number is a number, JSON
parses): the services validate, and ``ServiceErrors.add_service_errors`` puts what they refuse
next to the field it concerns, so the page and the API give the same messages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput, JSONString

from agents.models import (
    DESCRIPTION_MAX_LENGTH,
    INSTRUCTION_CONTENT_MAX_LENGTH,
    INSTRUCTION_TITLE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    AccessLevel,
    Corpus,
    Project,
)
from agents.permissions import organizations_for
from ejento_staging.parsers import UnsafeJSON, loads_json

# Service error keys that name a form field differently.
_FIELD_ALIASES = {"corpus_ids": "corpora", "id": None, "snapshot": None}


class ServiceErrors:
    """Mixin: show a service's ``ValidationError`` on the fields it names."""

    def add_service_errors(self, exc: ValidationError) -> None:
        form: forms.Form = self  # type: ignore[assignment]
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                form.add_error(None, message)
            return
        for key, messages in exc.message_dict.items():
            target = _FIELD_ALIASES.get(key, key)
            for message in messages:
                field, text = self._locate(form, target, message)
                form.add_error(field, text)

    @staticmethod
    def _locate(form: forms.Form, key: str | None, message: str) -> tuple[str | None, str]:
        # Nested settings (model_config, corpus settings) answer "temperature: Must be ...";
        # those keys are fields of their own on the page.
        head, sep, rest = message.partition(": ")
        if sep and head in form.fields:
            return head, rest
        if key in form.fields:
            return key, message
        return None, message


class PageForm(ServiceErrors, forms.Form):
    """A form whose errors can come from the services too."""


def _kept(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    # A browser sends "1" for a stored 1 and "0.7" for 0.7: keep the stored value when the
    # number is the same, so saving an untouched form never turns 1 into 1.0 (a "change").
    out = {}
    for key, value in new.items():
        before = old.get(key)
        same_number = (
            isinstance(value, int | float)
            and isinstance(before, int | float)
            and not isinstance(before, bool)
            and before == value
        )
        out[key] = before if same_number else value
    return out


# --- list ------------------------------------------------------------------------------------


class AgentSearchForm(forms.Form):
    q = forms.CharField(label="Search by name", required=False, max_length=NAME_MAX_LENGTH)


class NewAgentForm(PageForm):
    project = forms.ModelChoiceField(queryset=Project.objects.none(), empty_label=None)
    name = forms.CharField(max_length=NAME_MAX_LENGTH)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=DESCRIPTION_MAX_LENGTH
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only projects of the user's organizations: any other id is "not a valid choice".
        self.fields["project"].queryset = Project.objects.filter(
            organization__in=organizations_for(user)
        ).select_related("organization")


# --- settings --------------------------------------------------------------------------------

MODEL_FIELDS = (
    "model",
    "temperature",
    "top_p",
    "max_tokens",
    "frequency_penalty",
    "presence_penalty",
    "seed",
    "reasoning_effort",
    "response_format",
    "stop",
)


class SettingsForm(PageForm):
    name = forms.CharField(max_length=NAME_MAX_LENGTH)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=DESCRIPTION_MAX_LENGTH
    )
    model = forms.CharField(label="Model", max_length=100)
    temperature = forms.FloatField(required=False, help_text="0 to 2")
    top_p = forms.FloatField(label="Top p", required=False, help_text="0 to 1")
    max_tokens = forms.IntegerField(label="Max tokens", required=False)
    frequency_penalty = forms.FloatField(required=False, help_text="-2 to 2")
    presence_penalty = forms.FloatField(required=False, help_text="-2 to 2")
    seed = forms.IntegerField(required=False)
    reasoning_effort = forms.ChoiceField(
        required=False,
        choices=[("", "Default"), ("low", "Low"), ("medium", "Medium"), ("high", "High")],
    )
    response_format = forms.ChoiceField(
        required=False, choices=[("", "Default"), ("text", "Text"), ("json", "JSON")]
    )
    stop = forms.CharField(
        label="Stop sequences",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line, at most 4.",
    )

    @classmethod
    def initial_from(cls, settings: dict[str, Any]) -> dict[str, Any]:
        config = settings.get("model_config") or {}
        initial = {"name": settings.get("name", ""), "description": settings.get("description", "")}
        for key in MODEL_FIELDS:
            value = config.get(key)
            initial[key] = "\n".join(value) if key == "stop" and isinstance(value, list) else value
        return initial

    def model_config(self, current: dict[str, Any]) -> dict[str, Any]:
        """The whole model configuration the form describes (empty fields left out)."""
        data = self.cleaned_data
        config: dict[str, Any] = {}
        for key in MODEL_FIELDS:
            value = data.get(key)
            if key == "stop":
                value = [line.strip() for line in (value or "").splitlines() if line.strip()]
            if value in (None, "", []):
                continue
            config[key] = value
        return _kept(current, config)


# --- instructions ----------------------------------------------------------------------------


class InstructionForm(PageForm):
    title = forms.CharField(max_length=INSTRUCTION_TITLE_MAX_LENGTH)
    content = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), max_length=INSTRUCTION_CONTENT_MAX_LENGTH
    )


class MoveForm(PageForm):
    position = forms.IntegerField(min_value=0)


class ActionForm(PageForm):
    """A button with no fields; a refusal shows as a non-field error beside it."""


# --- knowledge sources -----------------------------------------------------------------------

SEARCH_TYPES = [
    ("", "Default"),
    ("semantic", "Semantic"),
    ("keyword", "Keyword"),
    ("hybrid", "Hybrid"),
]
YES_NO = [("", "Default"), ("true", "Yes"), ("false", "No")]


class CorpusConnectForm(PageForm):
    corpora = forms.ModelMultipleChoiceField(
        queryset=Corpus.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Corpora to connect",
    )
    top_k = forms.IntegerField(label="Top k", required=False, initial=5)

    def __init__(self, *args: Any, organization_id: int, connected: set[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["corpora"].queryset = (
            Corpus.objects.filter(project__organization_id=organization_id)
            .exclude(pk__in=connected)
            .select_related("project")
        )
        self.fields["corpora"].label_from_instance = lambda c: f"{c.name} ({c.project.name})"

    def corpus_ids(self) -> list[int]:
        return [corpus.pk for corpus in self.cleaned_data["corpora"]]

    def settings(self) -> dict[str, Any]:
        top_k = self.cleaned_data.get("top_k")
        return {} if top_k is None else {"top_k": top_k}


class CorpusSettingsForm(PageForm):
    enabled = forms.BooleanField(required=False)
    top_k = forms.IntegerField(label="Top k", required=False)
    min_score = forms.FloatField(label="Minimum score", required=False)
    search_type = forms.ChoiceField(required=False, choices=SEARCH_TYPES)
    citations = forms.ChoiceField(required=False, choices=YES_NO)

    @classmethod
    def initial_from(cls, connection: dict[str, Any]) -> dict[str, Any]:
        settings = connection.get("settings") or {}
        citations = settings.get("citations")
        return {
            "enabled": connection.get("enabled"),
            "top_k": settings.get("top_k"),
            "min_score": settings.get("min_score"),
            "search_type": settings.get("search_type", ""),
            "citations": "" if citations is None else ("true" if citations else "false"),
        }

    def settings(self, current: dict[str, Any]) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {}
        for key in ("top_k", "min_score", "search_type"):
            if data.get(key) not in (None, ""):
                out[key] = data[key]
        if data.get("citations"):
            out["citations"] = data["citations"] == "true"
        return _kept(current, out)


class SharePointForm(PageForm):
    site_url = forms.CharField(
        label="Site URL", max_length=500, widget=forms.URLInput(attrs={"placeholder": "https://"})
    )
    folder_path = forms.CharField(label="Folder path", max_length=500)


# --- tools and guardrails --------------------------------------------------------------------


class SafeJSONField(forms.JSONField):
    """Django's JSONField, parsing with the API's ``loads_json``.

    Django's own parse lets ``RecursionError`` (deep nesting) and the int-digit limit's
    ``ValueError`` escape, and keeps a lone surrogate that then breaks re-rendering the page:
    each was a 500. Here each is "Enter a valid JSON." next to the field (400), and the box
    is shown again as the text that was typed.
    """

    def to_python(self, value: Any) -> Any:
        if self.disabled or value in self.empty_values or not isinstance(value, str):
            return super().to_python(value)
        try:
            converted = loads_json(value)
        except UnsafeJSON as exc:
            raise ValidationError(
                f"{self.error_messages['invalid']} ({exc})", code="invalid"
            ) from None
        return JSONString(converted) if isinstance(converted, str) else converted

    def bound_data(self, data: Any, initial: Any) -> Any:
        if self.disabled or data is None:
            return super().bound_data(data, initial)
        try:
            return loads_json(data)
        except UnsafeJSON:
            return InvalidJSONInput(data)


def _json_field(label: str) -> forms.JSONField:
    return SafeJSONField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "class": "code"}),
        help_text='A JSON object, e.g. {"timeout": 30}.',
    )


class ActionConfigForm(PageForm):
    config = _json_field("Action config")

    def value(self) -> dict[str, Any]:
        # An emptied box means "no config", which the services store as {}.
        value = self.cleaned_data.get("config")
        return {} if value is None else value


class GuardrailForm(PageForm):
    enabled = forms.BooleanField(required=False)
    settings = _json_field("Settings")

    def value(self) -> dict[str, Any]:
        value = self.cleaned_data.get("settings")
        return {} if value is None else value


# --- access, tags ----------------------------------------------------------------------------


class AccessForm(PageForm):
    access_level = forms.ChoiceField(
        label="Who may use the published agent",
        choices=AccessLevel.choices,
        widget=forms.RadioSelect,
    )


class TagsForm(PageForm):
    tags = forms.CharField(
        required=False,
        help_text="Separate tags with commas.",
        widget=forms.TextInput(attrs={"placeholder": "support, billing"}),
    )

    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data.get("tags", "").split(",") if tag.strip()]
