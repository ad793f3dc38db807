"""Pages of the edit history: the list of checkpoints, one checkpoint with its diff and the
preview of restoring it, and the restore itself (a publisher's, confirmed).

Thin like the other publishing pages (``publishing.views``): a role check, one selector or
service call, then a page or a redirect with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from agents.models import Agent
from agents.permissions import Role, get_agent_for
from ejento_staging.pages import (
    NOT_LIVE_YET,
    agent_context,
    is_confirmed,
    page,
    paginate,
)
from publishing import confirmations, selectors, services
from publishing.compare_views import checkpoint_choices, history_picker
from publishing.forms import HistoryFilterForm, PersonAndDaysFilterForm
from publishing.presenters import present_diff

CHECKPOINTS_PER_PAGE = 25


def _checkpoint_url(request: HttpRequest, kwargs: dict[str, Any]) -> str:
    return reverse("publishing:checkpoint", args=[kwargs["agent_id"], kwargs["history_id"]])


# --- edit history ----------------------------------------------------------------------------


def filtered_rows(
    form: PersonAndDaysFilterForm, rows: Callable[..., QuerySet]
) -> tuple[QuerySet, int]:
    """What a history page (edits or publishes) lists under its filter form, and the page's
    status: ``rows(**filters)``; for a refused filter, no rows at all and 400, so the page
    shows the form's errors over an empty list rather than an unfiltered one."""
    if form.is_valid():
        return rows(**form.filters()), 200
    return rows().none(), 400


@page
@require_GET
def history(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent, role = get_agent_for(request.user, agent_id, Role.EDITOR)
    form = HistoryFilterForm(request.GET, editors=selectors.editors(agent))
    checkpoints, status = filtered_rows(
        form, lambda **filters: selectors.edit_history(agent, **filters)
    )
    context = agent_context(agent, role, tab="history", environment="staging")
    page_obj = paginate(request, checkpoints, CHECKPOINTS_PER_PAGE)
    context.update(
        {
            "filter_form": form,
            "filtered": form.filtered,
            "page_obj": page_obj,
            "current_revision": agent.staging.revision,
            **history_picker(context["published"], checkpoint_choices(page_obj)),
        }
    )
    return render(request, "publishing/history.html", context, status=status)


def _checkpoint_page(
    request: HttpRequest,
    agent: Agent,
    role: Role,
    history_id: Any,
    *,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    checkpoint = selectors.get_checkpoint(agent=agent, history_id=history_id)
    preview = selectors.checkpoint_preview(agent=agent, checkpoint=checkpoint)
    context = agent_context(agent, role, tab="history", environment="staging")
    context.update(
        {
            "checkpoint": checkpoint,
            "preview": preview,
            "sections": present_diff(preview.edit_diff),
            "staging_sections": present_diff(preview.staging_diff),
            "production_sections": present_diff(preview.production_diff),
            "is_current": checkpoint.revision == agent.staging.revision,
            "errors": errors or [],
            "confirm_question": f"Restore Staging to checkpoint {checkpoint.revision}?",
            "confirm_detail": confirmations.staging_effect(preview.staging_diff),
        }
    )
    return render(request, "publishing/checkpoint.html", context, status=status)


@page
@require_GET
def checkpoint(request: HttpRequest, agent_id: int, history_id: int) -> HttpResponse:
    agent, role = get_agent_for(request.user, agent_id, Role.EDITOR)
    return _checkpoint_page(request, agent, role, history_id)


@page(back=_checkpoint_url)
@require_POST
def restore_checkpoint(request: HttpRequest, agent_id: int, history_id: int) -> HttpResponse:
    agent, role = get_agent_for(request.user, agent_id, Role.PUBLISHER)
    if not is_confirmed(request):
        # Restored only from its preview (the history's buttons land there): Staging's new
        # state and Production's next publish are shown before anything is written.
        checkpoint = selectors.get_checkpoint(agent=agent, history_id=history_id)
        messages.info(request, "Check what the restore would do, then confirm it below.")
        url = reverse("publishing:checkpoint", args=[agent.pk, checkpoint.history_id])
        return redirect(f"{url}#restore")
    try:
        revision = services.restore_checkpoint(
            agent=agent, acting_user=request.user, history_id=history_id
        )
    except ValidationError as exc:
        return _checkpoint_page(request, agent, role, history_id, errors=exc.messages, status=400)
    messages.success(request, f"Staging restored to checkpoint {revision}. {NOT_LIVE_YET}")
    return redirect("publishing:review", agent_id=agent.pk)
