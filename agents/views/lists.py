"""The agent list: search, one row per visible agent, and the new-agent form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Count, F, Min, Q, When
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from agents import forms, services
from agents.models import Agent
from agents.permissions import Role, edit_filter, roles_for, visible_agents
from agents.selectors import has_unpublished_changes
from ejento_staging.pages import display_name, editor_url, page, paginate

AGENTS_PER_PAGE = 25
NOT_A_CREATOR = (
    "Only members of an organization can create agents, in its projects. "
    "Ask an organization admin to add you."
)


def _publish_state(agent: Agent, role: Role) -> str:
    """The list badge: "unpublished" (never published), "changed" (Staging differs), "live".

    Below the editor role only Production counts: whether Staging differs is Staging's to
    tell, and a viewer may not see Staging. A never-published agent is still "unpublished"
    to them (an explicit grant shows it to them), never "live": nothing of it is.
    """
    if agent.production_or_none() is None:
        return "unpublished"
    if role < Role.EDITOR:
        return "live"
    return "changed" if has_unpublished_changes(agent) else "live"


def _with_shown_name(agents: Any, user: Any) -> Any:
    """Annotate the name the user may see: Staging's for editors, Production's for viewers,
    so neither the search nor the order reveals a Staging name to a viewer."""
    production_name = KeyTextTransform("name", KeyTransform("settings", "production__snapshot"))
    return agents.annotate(
        shown_name=Case(
            When(edit_filter(user), then=F("staging__name")),
            default=production_name,
            output_field=CharField(),
        )
    )


def _with_next_schedule(agents: Any) -> Any:
    """Annotate when the agent's pending scheduled publish (if any) goes live, in the list's
    one query. Through the reverse relation ``publishing`` declares: ``agents`` never
    imports ``publishing``."""
    return agents.annotate(
        next_scheduled_publish=Min(
            "scheduled_publishes__publish_at",
            filter=Q(scheduled_publishes__status="pending"),
        )
    )


def _with_open_review(agents: Any) -> Any:
    """Annotate whether a review is requested, in the list's one query: through the reverse
    relation ``reviews`` declares, as the schedule's (``agents`` never imports ``reviews``).
    Counted distinct, as the schedules' join repeats each request once per schedule."""
    return agents.annotate(
        open_review_requests=Count(
            "review_requests", filter=Q(review_requests__status="open"), distinct=True
        )
    )


def _list_context(request: HttpRequest, new_form: forms.NewAgentForm) -> dict[str, Any]:
    search = forms.AgentSearchForm(request.GET)
    agents = _with_shown_name(
        _with_open_review(
            _with_next_schedule(
                visible_agents(request.user).select_related("production__published_by")
            )
        ),
        request.user,
    )
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    if query:
        agents = agents.filter(shown_name__icontains=query)
    page_obj = paginate(request, agents.order_by("shown_name", "id"), AGENTS_PER_PAGE)
    roles = roles_for(request.user, list(page_obj))
    rows = []
    for agent in page_obj:
        role = roles[agent.pk]
        production = agent.production_or_none()
        rows.append(
            {
                "agent": agent,
                "name": display_name(agent, role),
                "role_label": role.label.capitalize(),
                "can_edit": role >= Role.EDITOR,
                "production": production,
                "state": _publish_state(agent, role),
                # Viewers never learn whether a publish is scheduled: that says Staging differs.
                "scheduled_at": agent.next_scheduled_publish if role >= Role.EDITOR else None,
                # Nor whether a review is requested, for the same reason.
                "review_requested": role >= Role.EDITOR and agent.open_review_requests > 0,
            }
        )
    return {
        "nav": "agents",
        "search": search,
        "query": query,
        "page_obj": page_obj,
        "rows": rows,
        "new_form": new_form,
        "can_create": new_form.fields["project"].queryset.exists(),
    }


@page
@require_GET
def agent_list(request: HttpRequest) -> HttpResponse:
    context = _list_context(request, forms.NewAgentForm(user=request.user, prefix="new"))
    return render(request, "agents/list.html", context)


@page
@require_POST
def agent_create(request: HttpRequest) -> HttpResponse:
    form = forms.NewAgentForm(request.POST, user=request.user, prefix="new")
    if not form.fields["project"].queryset.exists():
        # The list hides the form from them, so an inline "not a valid choice" would be
        # shown nowhere: say why on the list instead.
        messages.error(request, NOT_A_CREATOR)
        return redirect("agents:list")
    if form.is_valid():
        try:
            agent = services.create_agent(
                project=form.cleaned_data["project"],
                acting_user=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                f"Agent “{agent.staging.name}” created. It goes live when you first publish it.",
            )
            return redirect(editor_url(agent.pk))
    context = _list_context(request, form)
    context["show_new"] = True
    return render(request, "agents/list.html", context, status=400)
