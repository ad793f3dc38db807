"""The page framework both apps' pages share: sign-in, error mapping, the agent frame.

``page`` maps what the services raise the same way on every page; ``agent_context`` is what
every agent page shows around its content; ``paginate`` reads the page number from the query.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from agents.models import Agent
from agents.permissions import Role
from ejento_staging.exceptions import DomainError

NOT_LIVE_YET = "Production is not affected until you publish."


def editor_url(agent_id: Any, anchor: str = "") -> str:
    url = reverse("agents:editor", args=[agent_id])
    return f"{url}#{anchor}" if anchor else url


def _default_back(request: HttpRequest, kwargs: dict[str, Any]) -> str:
    if "agent_id" in kwargs:
        return editor_url(kwargs["agent_id"])
    return reverse("agents:list")


def page(
    view: Callable[..., HttpResponse] | None = None,
    *,
    back: Callable[[HttpRequest, dict[str, Any]], str] = _default_back,
) -> Any:
    """Sign-in required, and the services' exceptions mapped the same way on every page.

    ``Http404`` and ``PermissionDenied`` go on to Django (404.html, 403.html); an unknown
    object (``ObjectDoesNotExist``) is a 404; a refused action (``DomainError``) becomes an
    error message and a redirect to ``back``. ``ValidationError`` is shown inline by each
    form view; one that escapes a view still answers 400, never 500.
    """

    def decorate(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return func(request, *args, **kwargs)
            except Http404:
                raise
            except ObjectDoesNotExist as exc:
                raise Http404(str(exc) or "Not found.") from exc
            except DomainError as exc:
                messages.error(request, exc.detail)
                return redirect(back(request, kwargs))
            except ValidationError as exc:
                return render(request, "400.html", {"errors": exc.messages}, status=400)

        return wrapper

    return decorate(view) if view is not None else decorate


def agent_context(agent: Agent, role: Role, *, tab: str, environment: str) -> dict[str, Any]:
    """What every agent page shows around its content: name, role, environment, tabs."""
    return {
        "nav": "agents",
        "agent": agent,
        "agent_name": display_name(agent, role),
        "role": role,
        "role_label": role.label.capitalize(),
        "can_edit": role >= Role.EDITOR,
        "can_publish": role >= Role.PUBLISHER,
        "tab": tab,
        "environment": environment,
        "published": agent.production_or_none() is not None,
        # Pages that tell an editor when a colleague saved Staging (staging_watch.js).
        "watched_tabs": WATCHED_TABS,
    }


WATCHED_TABS = frozenset({"editor", "review"})


def display_name(agent: Agent, role: Role) -> str:
    """Editors see Staging's name; viewers only ever see what is published."""
    if role >= Role.EDITOR:
        return agent.staging.name
    production = agent.production_or_none()
    if production is None:
        return f"Agent {agent.pk}"
    return production.snapshot.get("settings", {}).get("name") or f"Agent {agent.pk}"


def paginate(
    request: HttpRequest, items: Any, per_page: int, paginator: type[Paginator] = Paginator
) -> Any:
    return paginator(items, per_page).get_page(request.GET.get("page"))


# --- confirming a risky action -----------------------------------------------------------------

# The field a confirmed form carries. ``static/js/confirm.js`` adds it when its dialog is
# accepted; without JavaScript the view answers an unconfirmed POST with ``confirm_page``,
# whose form carries it: one extra click either way, and nothing written before it.
CONFIRMED = "confirmed"


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRMED) == "1"


def confirm_page(
    request: HttpRequest,
    context: dict[str, Any],
    *,
    question: str,
    detail: str,
    confirm_label: str,
    cancel_url: str,
    danger: bool = True,
) -> HttpResponse:
    """Ask ``question`` before doing what the POST asked; confirming sends the same fields
    again to the same URL, so the view's own checks (a stale review, a role) still apply."""
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", CONFIRMED)
        for value in values
    ]
    context = {
        **context,
        "question": question,
        "detail": detail,
        "confirm_label": confirm_label,
        "cancel_url": cancel_url,
        "danger": danger,
        "action": request.path,
        "fields": fields,
    }
    return render(request, "confirm.html", context)
