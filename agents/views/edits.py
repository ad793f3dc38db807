"""The Staging editor's edits: one POST URL per edit, each calling one service.

Parse with ``agents.forms``, call the service, redirect back with a message (POST,
redirect, GET); a refused form re-renders the editor with its errors inline (400).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from agents import forms, services
from agents.models import Agent
from agents.permissions import Role, get_agent_for
from agents.views.editor import editor_context
from ejento_staging.pages import NOT_LIVE_YET, editor_url, page


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


def _button(
    key: str | Callable[..., str],
    done: str,
    anchor: str,
    service: Callable[..., Any],
    **fixed: Any,
) -> Callable[..., HttpResponse]:
    """An edit made by a button: no input but the URL, whose ids go to ``service`` as named."""
    return _edit(
        key,
        forms.ActionForm,
        done,
        anchor,
        lambda user, agent, form, **ids: service(agent=agent, acting_user=user, **ids, **fixed),
    )


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

delete_instruction = _button(
    lambda instruction_id: f"instruction-{instruction_id}-action",
    "Instruction deleted.",
    "instructions",
    services.delete_instruction,
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

clear_sharepoint = _button(
    "sharepoint-clear", "SharePoint folder removed.", "knowledge", services.clear_sharepoint_folder
)


def _tool_key(tool_id: int) -> str:
    return f"tool-{tool_id}"


def _action_key(tool_id: int, action_id: int) -> str:
    return f"action-{action_id}-action"


enable_tool = _button(_tool_key, "Tool enabled.", "tools", services.enable_tool)
disable_tool = _button(_tool_key, "Tool disabled.", "tools", services.disable_tool)
enable_action = _button(
    _action_key, "Action enabled.", "tools", services.update_action, enabled=True
)
disable_action = _button(
    _action_key, "Action disabled.", "tools", services.update_action, enabled=False
)

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
