"""The editor's pages: the agent list, the Staging editor with its edit forms, Production.

Views are thin. Each checks the role with ``agents.permissions.get_agent_for``, parses the
input with ``agents.forms``, calls one service and redirects back with a message (POST,
redirect, GET), or re-renders the page with the refused form's errors inline (400). Nothing
here saves a model. ``page`` maps what the services raise, for every page of both apps.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, When
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agents import forms, services
from agents.models import Agent, AgentPermission, Guardrail, OrganizationMembership, Tool
from agents.permissions import (
    Role,
    counted_grants,
    get_agent_for,
    roles_for,
    visible_agents,
)
from agents.selectors import has_unpublished_changes
from agents.snapshot import staging_snapshot
from ejento_staging.exceptions import DomainError

AGENTS_PER_PAGE = 25
NOT_LIVE_YET = "Production is not affected until you publish."


# --- the page decorator ----------------------------------------------------------------------


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
    }


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


# --- list ------------------------------------------------------------------------------------


def _publish_state(agent: Agent) -> str:
    """The list badge: "unpublished" (never published), "changed" (Staging differs), "live"."""
    if agent.production_or_none() is None:
        return "unpublished"
    return "changed" if has_unpublished_changes(agent) else "live"


def _edits(user: Any) -> Q:
    """Agents the user may edit (so may see Staging), as a filter on visible agents."""
    if user.is_superuser:
        return Q(pk__isnull=False)
    administers = OrganizationMembership.objects.filter(
        user_id=user.pk,
        organization_id=OuterRef("project__organization_id"),
        role=OrganizationMembership.Role.ADMIN,
    )
    return Q(Exists(administers)) | Q(
        Exists(
            counted_grants(user).filter(
                agent_id=OuterRef("pk"),
                role__in=[label for label in AgentPermission.Role.values if label != "viewer"],
            )
        )
    )


def _with_shown_name(agents: Any, user: Any) -> Any:
    """Annotate the name the user may see: Staging's for editors, Production's for viewers,
    so neither the search nor the order reveals a Staging name to a viewer."""
    production_name = KeyTextTransform("name", KeyTransform("settings", "production__snapshot"))
    return agents.annotate(
        shown_name=Case(
            When(_edits(user), then=F("staging__name")),
            default=production_name,
            output_field=CharField(),
        )
    )


def _list_context(request: HttpRequest, new_form: forms.NewAgentForm) -> dict[str, Any]:
    search = forms.AgentSearchForm(request.GET)
    agents = _with_shown_name(
        visible_agents(request.user).select_related("production__published_by"), request.user
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
                # Viewers never learn whether Staging differs.
                "state": _publish_state(agent) if role >= Role.EDITOR else "live",
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


# --- Production (what viewers see) -----------------------------------------------------------


@page
@require_GET
def production(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent, role = get_agent_for(request.user, agent_id, Role.VIEWER, with_production_snapshot=True)
    context = agent_context(agent, role, tab="production", environment="production")
    live = agent.production_or_none()
    context["snapshot"] = live.snapshot if live is not None else None
    context["live"] = live
    return render(request, "agents/production.html", context)


# --- the Staging editor ----------------------------------------------------------------------


def _catalogue(agent: Agent) -> dict[str, Any]:
    organization_id = agent.project.organization_id
    return {
        "tools": list(
            Tool.objects.filter(organization_id=organization_id).prefetch_related("actions")
        ),
        "guardrails": list(Guardrail.objects.filter(organization_id=organization_id)),
    }


def editor_context(
    agent: Agent, role: Role, bound: dict[str, forms.PageForm] | None = None
) -> dict[str, Any]:
    """The editor page: Staging as one snapshot, a form per part, ``bound`` for a refused one."""
    bound = bound or {}
    snapshot = staging_snapshot(agent)
    settings = snapshot["settings"]
    catalogue = _catalogue(agent)

    def form(key: str, cls: type[forms.PageForm], **kwargs: Any) -> forms.PageForm:
        return bound.get(key) or cls(prefix=key, **kwargs)

    instructions = snapshot["instructions"]
    instruction_rows = [
        {
            "item": item,
            "form": form(
                f"instruction-{item['id']}",
                forms.InstructionForm,
                initial={"title": item["title"], "content": item["content"]},
            ),
            "errors": bound.get(f"instruction-{item['id']}-action"),
            "up": index - 1 if index > 0 else None,
            "down": index + 1 if index < len(instructions) - 1 else None,
        }
        for index, item in enumerate(instructions)
    ]
    corpora = snapshot["knowledge_sources"]["corpora"]
    corpus_rows = [
        {
            "item": item,
            "form": form(
                f"corpus-{item['corpus_id']}",
                forms.CorpusSettingsForm,
                initial=forms.CorpusSettingsForm.initial_from(item),
            ),
            "errors": bound.get(f"corpus-{item['corpus_id']}-action"),
        }
        for item in corpora
    ]
    sharepoint = snapshot["knowledge_sources"]["sharepoint"]
    bound_tools = {tool["tool_id"]: tool for tool in snapshot["tools"]}
    tool_rows = []
    for tool in catalogue["tools"]:
        state = bound_tools.get(tool.pk)
        settings_by_action = {a["action_id"]: a for a in (state or {}).get("actions", [])}
        tool_rows.append(
            {
                "tool": tool,
                "state": state,
                "errors": bound.get(f"tool-{tool.pk}"),
                "actions": [
                    {
                        "action": action,
                        "state": settings_by_action.get(action.pk),
                        "errors": bound.get(f"action-{action.pk}-action"),
                        "form": form(
                            f"action-{action.pk}",
                            forms.ActionConfigForm,
                            initial={
                                "config": (settings_by_action.get(action.pk) or {}).get(
                                    "config", {}
                                )
                            },
                        ),
                    }
                    for action in tool.actions.all()
                ],
            }
        )
    guardrail_state = {g["guardrail_id"]: g for g in snapshot["guardrails"]}
    guardrail_rows = [
        {
            "guardrail": guardrail,
            "state": guardrail_state.get(guardrail.pk),
            "form": form(
                f"guardrail-{guardrail.pk}",
                forms.GuardrailForm,
                initial={
                    "enabled": (guardrail_state.get(guardrail.pk) or {}).get("enabled", False),
                    "settings": (guardrail_state.get(guardrail.pk) or {}).get("settings", {}),
                },
            ),
        }
        for guardrail in catalogue["guardrails"]
    ]
    context = agent_context(agent, role, tab="editor", environment="staging")
    context.update(
        {
            "snapshot": snapshot,
            "settings_form": form(
                "settings", forms.SettingsForm, initial=forms.SettingsForm.initial_from(settings)
            ),
            "instruction_rows": instruction_rows,
            "new_instruction_form": form("instruction-new", forms.InstructionForm),
            "corpus_rows": corpus_rows,
            "connect_form": form(
                "connect",
                forms.CorpusConnectForm,
                organization_id=agent.project.organization_id,
                connected={c["corpus_id"] for c in corpora},
            ),
            "sharepoint": sharepoint,
            "sharepoint_form": form("sharepoint", forms.SharePointForm, initial=sharepoint or {}),
            "sharepoint_errors": bound.get("sharepoint-clear"),
            "tool_rows": tool_rows,
            "guardrail_rows": guardrail_rows,
            "access_form": form(
                "access", forms.AccessForm, initial={"access_level": settings["access_level"]}
            ),
            "tags_form": form(
                "tags", forms.TagsForm, initial={"tags": ", ".join(settings["tags"])}
            ),
            "refused": next(iter(bound.values()), None),
        }
    )
    return context


@page
@require_http_methods(["GET", "HEAD"])
def editor(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent, role = get_agent_for(request.user, agent_id, Role.VIEWER)
    if role < Role.EDITOR or request.GET.get("environment") == "production":
        # Viewers see Production only, never Staging.
        return redirect("agents:production", agent_id=agent.pk)
    return render(request, "agents/editor.html", editor_context(agent, role))


def staging_edit_view(
    request: HttpRequest,
    agent_id: Any,
    *,
    key: str,
    form_class: type[forms.PageForm],
    perform: Callable[[Agent, forms.PageForm], Any],
    done: str,
    anchor: str,
    form_kwargs: Callable[[Agent], dict[str, Any]] | None = None,
) -> HttpResponse:
    """One staging edit: parse, call one service, redirect with a message or show errors."""
    agent, role = get_agent_for(request.user, agent_id, Role.EDITOR)
    extra = form_kwargs(agent) if form_kwargs else {}
    form = form_class(request.POST, prefix=key, **extra)
    if form.is_valid():
        revision = agent.staging.revision
        try:
            perform(agent, form)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if agent.staging.revision == revision:
                messages.info(request, "Nothing changed: Staging already had these values.")
            else:
                messages.success(request, f"{done} Saved to Staging. {NOT_LIVE_YET}")
            return redirect(editor_url(agent.pk, anchor))
    return render(
        request, "agents/editor.html", editor_context(agent, role, bound={key: form}), status=400
    )


def _edit(
    key: str | Callable[..., str],
    form_class: type[forms.PageForm],
    done: str,
    anchor: str,
    perform: Callable[..., Any],
    form_kwargs: Callable[[Agent], dict[str, Any]] | None = None,
) -> Callable[..., HttpResponse]:
    """A POST-only staging edit view; URL arguments other than agent_id go to ``perform``."""

    @page
    @require_POST
    def view(request: HttpRequest, agent_id: int, **ids: Any) -> HttpResponse:
        return staging_edit_view(
            request,
            agent_id,
            key=key(**ids) if callable(key) else key,
            form_class=form_class,
            perform=lambda agent, form: perform(request.user, agent, form, **ids),
            done=done,
            anchor=anchor,
            form_kwargs=form_kwargs,
        )

    return view


def _settings(user: Any, agent: Agent, form: forms.SettingsForm) -> None:
    services.update_agent_settings(
        agent=agent,
        acting_user=user,
        name=form.cleaned_data["name"],
        description=form.cleaned_data["description"],
        model_config=form.model_config(agent.staging.model_config or {}),
    )


update_settings = _edit("settings", forms.SettingsForm, "Settings updated.", "settings", _settings)

add_instruction = _edit(
    "instruction-new",
    forms.InstructionForm,
    "Instruction added.",
    "instructions",
    lambda user, agent, form: services.add_instruction(
        agent=agent, acting_user=user, **form.cleaned_data
    ),
)

edit_instruction = _edit(
    lambda instruction_id: f"instruction-{instruction_id}",
    forms.InstructionForm,
    "Instruction updated.",
    "instructions",
    lambda user, agent, form, instruction_id: services.update_instruction(
        agent=agent, acting_user=user, instruction_id=instruction_id, **form.cleaned_data
    ),
)

move_instruction = _edit(
    lambda instruction_id: f"instruction-{instruction_id}-action",
    forms.MoveForm,
    "Instruction moved.",
    "instructions",
    lambda user, agent, form, instruction_id: services.update_instruction(
        agent=agent,
        acting_user=user,
        instruction_id=instruction_id,
        position=form.cleaned_data["position"],
    ),
)

delete_instruction = _edit(
    lambda instruction_id: f"instruction-{instruction_id}-action",
    forms.ActionForm,
    "Instruction deleted.",
    "instructions",
    lambda user, agent, form, instruction_id: services.delete_instruction(
        agent=agent, acting_user=user, instruction_id=instruction_id
    ),
)

connect_corpora = _edit(
    "connect",
    forms.CorpusConnectForm,
    "Knowledge sources connected.",
    "knowledge",
    lambda user, agent, form: services.connect_corpora(
        agent=agent, acting_user=user, corpus_ids=form.corpus_ids(), settings=form.settings()
    ),
    form_kwargs=lambda agent: {
        "organization_id": agent.project.organization_id,
        "connected": set(agent.corpus_connections.values_list("corpus_id", flat=True)),
    },
)


def _corpus_settings(user: Any, agent: Agent, form: forms.CorpusSettingsForm, corpus_id: int):
    current = (
        agent.corpus_connections.filter(corpus_id=corpus_id)
        .values_list("settings", flat=True)
        .first()
    )
    services.set_corpus_connection(
        agent=agent,
        acting_user=user,
        corpus_id=corpus_id,
        enabled=form.cleaned_data["enabled"],
        settings=form.settings(current or {}),
    )


update_corpus = _edit(
    lambda corpus_id: f"corpus-{corpus_id}",
    forms.CorpusSettingsForm,
    "Knowledge source settings updated.",
    "knowledge",
    _corpus_settings,
)

disconnect_corpus = _edit(
    lambda corpus_id: f"corpus-{corpus_id}-action",
    forms.ActionForm,
    "Knowledge source disconnected.",
    "knowledge",
    lambda user, agent, form, corpus_id: services.disconnect_corpora(
        agent=agent, acting_user=user, corpus_ids=[corpus_id]
    ),
)

set_sharepoint = _edit(
    "sharepoint",
    forms.SharePointForm,
    "SharePoint folder set.",
    "knowledge",
    lambda user, agent, form: services.set_sharepoint_folder(
        agent=agent, acting_user=user, **form.cleaned_data
    ),
)

clear_sharepoint = _edit(
    "sharepoint-clear",
    forms.ActionForm,
    "SharePoint folder removed.",
    "knowledge",
    lambda user, agent, form: services.clear_sharepoint_folder(agent=agent, acting_user=user),
)

enable_tool = _edit(
    lambda tool_id: f"tool-{tool_id}",
    forms.ActionForm,
    "Tool enabled.",
    "tools",
    lambda user, agent, form, tool_id: services.enable_tool(
        agent=agent, acting_user=user, tool_id=tool_id
    ),
)

disable_tool = _edit(
    lambda tool_id: f"tool-{tool_id}",
    forms.ActionForm,
    "Tool disabled.",
    "tools",
    lambda user, agent, form, tool_id: services.disable_tool(
        agent=agent, acting_user=user, tool_id=tool_id
    ),
)


def _action_toggle(enabled: bool) -> Callable[..., HttpResponse]:
    return _edit(
        lambda tool_id, action_id: f"action-{action_id}-action",
        forms.ActionForm,
        "Action enabled." if enabled else "Action disabled.",
        "tools",
        lambda user, agent, form, tool_id, action_id: services.update_action(
            agent=agent, acting_user=user, tool_id=tool_id, action_id=action_id, enabled=enabled
        ),
    )


enable_action = _action_toggle(True)
disable_action = _action_toggle(False)

update_action_config = _edit(
    lambda tool_id, action_id: f"action-{action_id}",
    forms.ActionConfigForm,
    "Action config updated.",
    "tools",
    lambda user, agent, form, tool_id, action_id: services.update_action(
        agent=agent, acting_user=user, tool_id=tool_id, action_id=action_id, config=form.value()
    ),
)

update_guardrail = _edit(
    lambda guardrail_id: f"guardrail-{guardrail_id}",
    forms.GuardrailForm,
    "Guardrail updated.",
    "guardrails",
    lambda user, agent, form, guardrail_id: services.set_guardrail(
        agent=agent,
        acting_user=user,
        guardrail_id=guardrail_id,
        enabled=form.cleaned_data["enabled"],
        settings=form.value(),
    ),
)

set_access = _edit(
    "access",
    forms.AccessForm,
    "Access level updated.",
    "access",
    lambda user, agent, form: services.set_access_level(
        agent=agent, acting_user=user, access_level=form.cleaned_data["access_level"]
    ),
)

set_tags = _edit(
    "tags",
    forms.TagsForm,
    "Tags updated.",
    "access",
    lambda user, agent, form: services.set_tags(
        agent=agent, acting_user=user, tags=form.tag_list()
    ),
)
