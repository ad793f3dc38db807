"""The forms of the webhook pages: a new endpoint, changing one, confirming, the log filter.

They parse what a browser sends; ``webhooks.services`` holds the rules (a public https URL,
known event types, who may manage what) and its refusals are shown beside the field they
concern. The choices offered are only those the user may pick, so a refusal is rare.
"""

from __future__ import annotations

from typing import Any

from django import forms

from agents.forms import PageForm
from webhooks.events import EVENT_TYPES, SUBSCRIBABLE
from webhooks.models import DESCRIPTION_MAX_LENGTH, URL_MAX_LENGTH, Delivery

ALL_AGENTS = ""
# Each checkbox says what its event means.
EVENT_CHOICES = [(name, f"{name}: {EVENT_TYPES[name]}") for name in SUBSCRIBABLE]


class EndpointForm(PageForm):
    """What every endpoint has; field names are the service's, so its errors land here."""

    url = forms.CharField(
        label="URL",
        max_length=URL_MAX_LENGTH,
        help_text="Where events are POSTed. Must be https and reachable from the internet.",
        # The service is the one judge of a URL; the browser's type=url only helps typing.
        widget=forms.URLInput(
            attrs={"placeholder": "https://example.com/hooks/ejento", "autocomplete": "off"}
        ),
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "What receives these events"}),
    )
    event_types = forms.MultipleChoiceField(
        label="Events",
        choices=EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event type."},
        # A list of checkboxes, each explained: not one checkbox as the pages' field.html draws.
        template_name="webhooks/_events_field.html",
    )


class NewEndpointForm(EndpointForm):
    """A new endpoint: the organization and the scope are chosen among those the user may
    manage (an admin: every agent, or one; an agent owner: one of their agents)."""

    organization = forms.TypedChoiceField(label="Organization", coerce=int)
    agent = forms.TypedChoiceField(
        label="Agents",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="All agents of the organization (its admins only), or one agent you own.",
    )
    field_order = ["organization", "agent", "url", "description", "event_types"]

    def __init__(
        self,
        *args: Any,
        organizations: list[Any],
        agents: list[Any],
        admin_of: set[int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.admin_of = admin_of
        self.agents = {agent.pk: agent for agent in agents}
        names = {organization.pk: organization.name for organization in organizations}
        self.fields["organization"].choices = list(names.items())
        groups: dict[int, list[tuple[int, str]]] = {}
        for agent in agents:
            label = f"{agent.staging.name} ({agent.project.name})"
            groups.setdefault(agent.project.organization_id, []).append((agent.pk, label))
        self.fields["agent"].choices = [
            (ALL_AGENTS, "All agents of the organization"),
            *[(names[pk], choices) for pk, choices in groups.items() if pk in names],
        ]
        if not any(pk in admin_of for pk in names):
            # Nobody here may subscribe to a whole organization: no such choice to offer.
            self.fields["agent"].choices = self.fields["agent"].choices[1:]
            self.fields["agent"].required = True
            self.fields["agent"].help_text = "One agent you own."

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        organization_id = data.get("organization")
        if organization_id is None or "agent" not in data:
            return data
        agent = self.agents.get(data["agent"]) if data["agent"] is not None else None
        data["agent"] = agent
        if agent is None and organization_id not in self.admin_of:
            self.add_error(
                "agent",
                "Only the organization's admins can subscribe to all its agents: "
                "choose one of your agents.",
            )
        elif agent is not None and agent.project.organization_id != organization_id:
            self.add_error("agent", "That agent belongs to another organization.")
        return data


class EditEndpointForm(EndpointForm):
    # Enabling it again forgets why it was disabled (the service's rule).
    enabled = forms.BooleanField(label="Enabled: send events to this URL", required=False)

    @classmethod
    def initial_from(cls, endpoint: Any) -> dict[str, Any]:
        return {
            "url": endpoint.url,
            "description": endpoint.description,
            "event_types": endpoint.event_types,
            "enabled": endpoint.enabled,
        }


class ConfirmForm(PageForm):
    """One box to tick before an action that cannot be undone from this page."""

    confirm = forms.BooleanField(
        error_messages={"required": "Tick the box to confirm."},
    )

    def __init__(self, *args: Any, label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = label


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *Delivery.Status.choices],
    )
