"""The review page's scheduling: schedule the reviewed state for later, cancel a schedule.

A publisher schedules what they reviewed (its fingerprint) for a moment in a time zone they
choose; a worker publishes it then, or records why not. The review page itself, with its
"Scheduled" card, is ``publishing.views.review_page``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from agents.permissions import Role, get_agent_for
from ejento_staging.pages import page
from publishing import scheduling, selectors
from publishing.exceptions import ScheduleExists, StaleReview
from publishing.forms import ScheduleForm
from publishing.selectors_schedules import get_schedule
from publishing.views import review_page


def _review_url(request: HttpRequest, kwargs: dict[str, Any]) -> str:
    return reverse("publishing:review", args=[kwargs["agent_id"]])


@page(back=_review_url)
@require_POST
def schedule(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent, role = get_agent_for(request.user, agent_id, Role.PUBLISHER)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return review_page(request, agent, role, schedule_form=form, status=400)
    data = form.cleaned_data
    try:
        scheduled = scheduling.schedule_publish(
            agent=agent,
            acting_user=request.user,
            publish_at=data["publish_at"],
            expected_fingerprint=data["fingerprint"],
            notes=data["notes"],
        )
    except StaleReview as exc:
        # As a refused publish does: show what Staging is now, keeping what was typed.
        messages.error(request, exc.detail)
        fresh = selectors.review_staging(agent, with_authors=True)
        form = ScheduleForm(initial={**_typed(form), "fingerprint": fresh.fingerprint})
        return review_page(request, agent, role, review=fresh, schedule_form=form, status=409)
    except ScheduleExists as exc:
        form.add_error(None, exc.detail)
        return review_page(request, agent, role, schedule_form=form, status=409)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return review_page(request, agent, role, schedule_form=form, status=400)
    when = date_format(timezone.localtime(scheduled.publish_at), "j M Y, H:i T")
    messages.success(
        request,
        f"Publish scheduled for {when}. "
        "Production changes then, if Staging is still what you reviewed.",
    )
    return redirect("publishing:review", agent_id=agent.pk)


def _typed(form: ScheduleForm) -> dict[str, Any]:
    return {name: form.data.get(form.add_prefix(name), "") for name in form.fields}


@page(back=_review_url)
@require_POST
def cancel(request: HttpRequest, agent_id: int, schedule_id: int) -> HttpResponse:
    agent, _role = get_agent_for(request.user, agent_id, Role.PUBLISHER)
    scheduled = get_schedule(agent=agent, schedule_id=schedule_id)
    scheduling.cancel_schedule(schedule=scheduled, acting_user=request.user)
    messages.success(request, "Scheduled publish cancelled: nothing will be published then.")
    return redirect("publishing:review", agent_id=agent.pk)
