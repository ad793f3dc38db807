"""The copy page: make this agent's Staging another agent's Staging or Production, as a
diff first, then on confirmation (``agents.services.copy_configuration``).

Here rather than in ``agents``, because its preview is drawn like every other diff, through
``publishing.presenters`` and ``includes/diff_table.html``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from agents import services
from agents.concurrency import StagingChanged
from agents.edit_base import BASE_FIELD, based_on
from agents.forms import PageForm
from agents.models import Agent
from agents.permissions import Role, get_agent_for, listed_role, visible_agents_with_roles
from agents.selectors_transfer import PRODUCTION, STAGING, Source
from ejento_staging.pages import NOT_LIVE_YET, agent_context, display_name, page
from publishing import confirmations
from publishing.presenters import present_diff

# How many agents of the organization the page offers to copy from.
MAX_SOURCES = 500
SOURCE_LABELS = {STAGING: "Staging", PRODUCTION: "Production"}


class CopyForm(PageForm):
    source = forms.ChoiceField(label="Copy from")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = choices

    def chosen(self) -> tuple[int, Source]:
        agent_id, kind = self.cleaned_data["source"].split(":")
        return int(agent_id), Source(kind)


def source_choices(user: Any, agent: Agent) -> list[tuple[str, str]]:
    """The configurations of the organization's other agents the user may copy: Staging
    where they edit the agent, Production where it is published. One query."""
    candidates = (
        visible_agents_with_roles(user)
        .filter(project__organization_id=agent.project.organization_id)
        .exclude(pk=agent.pk)
        .order_by("staging__name", "pk")[:MAX_SOURCES]
    )
    choices = []
    for candidate in candidates:
        role = listed_role(candidate)
        name = display_name(candidate, role)
        if role >= Role.EDITOR:
            choices.append((f"{candidate.pk}:{STAGING}", f"{name} · Staging"))
        if candidate.production_or_none() is not None:
            choices.append((f"{candidate.pk}:{PRODUCTION}", f"{name} · Production"))
    return choices


@page
@require_http_methods(["GET", "POST"])
def copy_from(request: HttpRequest, agent_id: int) -> HttpResponse:
    """GET: choose a source and preview the copy (``?source=<agent id>:<staging|production>``);
    POST: copy it onto Staging."""
    agent, role = get_agent_for(request.user, agent_id, Role.EDITOR)
    choices = source_choices(request.user, agent)
    posted = request.method == "POST"
    data = request.POST if posted else (request.GET if "source" in request.GET else None)
    form = CopyForm(data, choices=choices)
    context = agent_context(agent, role, tab="editor", environment="staging")
    context.update({"form": form, "result": None, "has_sources": bool(choices)})
    if data is None:
        return render(request, "publishing/copy_from.html", context)
    if not form.is_valid():
        return render(request, "publishing/copy_from.html", context, status=400)
    source_id, source = form.chosen()
    source_agent, source_role = get_agent_for(request.user, source_id, source.required_role)
    moved = None
    try:
        # The confirmation carries the revision its preview was made on: a copy never lands
        # over edits saved after the preview someone agreed to.
        with based_on(request.POST.get(BASE_FIELD) if posted else None, BASE_FIELD):
            result = services.copy_configuration(
                agent=agent,
                acting_user=request.user,
                source_agent=source_agent,
                source=source,
                dry_run=not posted,
            )
    except StagingChanged as exc:
        moved = exc
        agent.staging.refresh_from_db()
        result = services.copy_configuration(
            agent=agent,
            acting_user=request.user,
            source_agent=source_agent,
            source=source,
            dry_run=True,
        )
        posted = False
    except ValidationError as exc:
        form.add_service_errors(exc)
        return render(request, "publishing/copy_from.html", context, status=400)
    label = f"{display_name(source_agent, source_role)} · {SOURCE_LABELS[source.kind]}"
    if posted:
        messages.success(
            request, f"Staging now matches {label} ({result.diff.summary}). {NOT_LIVE_YET}"
        )
        return redirect("agents:editor", agent_id=agent.pk)
    context.update(
        {
            "result": result,
            "source_label": label,
            "sections": present_diff(result.diff),
            "confirm_question": f"Make Staging a copy of {label}?",
            "confirm_detail": confirmations.staging_effect(result.diff),
            "base_revision": agent.staging.revision,
            "moved": moved,
        }
    )
    return render(request, "publishing/copy_from.html", context, status=409 if moved else 200)
