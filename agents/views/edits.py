"""The Staging editor's edits: one POST URL per edit, each calling one service.

Parse with ``agents.forms``, call the service, redirect back with a message (POST,
redirect, GET); a refused form re-renders the editor with its errors inline (400).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from agents import forms, services
from agents.concurrency import EditConflict
from agents.edit_base import BASE_FIELD, based_on
from agents.models import Agent, CorpusConnection, Instruction
from agents.permissions import Role, get_agent_for
from agents.views.conflicts import CONFLICT_MESSAGE, conflict_context
from agents.views.editor import editor_context
from ejento_staging.ids import parse_id
from ejento_staging.pages import (
    NOT_LIVE_YET,
    agent_context,
    confirm_page,
    editor_url,
    is_confirmed,
    page,
)


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
    conflict = None
    if form.is_valid():
        revision = agent.staging.revision
        try:
            # The revision the page was rendered at: an edit on an older Staging is merged
            # with what others saved since, or refused as a conflict (agents.concurrency).
            with based_on(request.POST.get(BASE_FIELD) or None, BASE_FIELD):
                perform(agent, form)
        except EditConflict as exc:
            conflict = exc
            form.add_error(None, CONFLICT_MESSAGE)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            # Tagged with the section the page returns to, which shows it in view there.
            if agent.staging.revision == revision:
                messages.info(request, "Nothing changed: Staging already had these values.", anchor)
            else:
                messages.success(request, f"{done} Saved to Staging. {NOT_LIVE_YET}", anchor)
            return redirect(editor_url(agent.pk, anchor))
    if conflict is not None:
        agent.staging.refresh_from_db()  # the forms are re-rendered on the current revision
    context = editor_context(agent, role, bound={key: form})
    if conflict is not None:
        context["conflict"] = conflict_context(request, context["snapshot"], conflict)
    return render(
        request, "agents/editor.html", context, status=409 if conflict is not None else 400
    )


# What a form gives its service: (agent, form, **the URL's ids) -> keyword arguments.
Arguments = Callable[..., dict[str, Any]]


def _edit(
    key: str,
    form_class: type[forms.PageForm],
    done: str,
    anchor: str,
    service: Callable[..., Any],
    arguments: Arguments | None = None,
    form_kwargs: Callable[[Agent], dict[str, Any]] | None = None,
) -> Callable[..., HttpResponse]:
    """A POST-only staging edit view calling ``service`` as the API's views do.

    The service gets the agent, the acting user, the URL's ids (other than agent_id) by
    name, and what ``arguments`` makes of the form; without ``arguments`` the form's fields
    are the service's arguments, as named. ``key``, the form's prefix, may name URL ids
    (``"corpus-{corpus_id}"``).
    """

    @page
    @require_POST
    def view(request: HttpRequest, agent_id: int, **ids: Any) -> HttpResponse:
        def perform(agent: Agent, form: forms.PageForm) -> Any:
            values = arguments(agent, form, **ids) if arguments else form.cleaned_data
            return service(agent=agent, acting_user=request.user, **ids, **values)

        return staging_edit_view(
            request,
            agent_id,
            key=key.format(**ids),
            form_class=form_class,
            perform=perform,
            done=done,
            anchor=anchor,
            form_kwargs=form_kwargs,
        )

    return view


def _button(
    key: str, done: str, anchor: str, service: Callable[..., Any], **fixed: Any
) -> Callable[..., HttpResponse]:
    """An edit made by a button: no input but the URL, and the ``fixed`` arguments."""
    return _edit(key, forms.ActionForm, done, anchor, service, lambda agent, form, **ids: fixed)


def _asks_first(
    view: Callable[..., HttpResponse],
    anchor: str,
    verb: str,
    describe: Callable[..., tuple[str, str] | None],
) -> Callable[..., HttpResponse]:
    """``view``, once confirmed: unconfirmed (no JavaScript, so no dialog), it asks on a page.

    ``describe(agent, **ids)`` gives the name of what goes and what that means, or None when
    there is nothing to take away: then ``view`` refuses it as it always has. The editor's
    ``includes/remove_button.html`` puts the same words in its dialog.
    """

    @page
    @require_POST
    def asking(request: HttpRequest, agent_id: int, **ids: Any) -> HttpResponse:
        if is_confirmed(request):
            return view(request, agent_id, **ids)
        agent, role = get_agent_for(request.user, agent_id, Role.EDITOR)
        described = describe(agent, **ids)
        if described is None:
            return view(request, agent_id, **ids)
        name, detail = described
        return confirm_page(
            request,
            agent_context(agent, role, tab="editor", environment="staging"),
            question=f"{verb} “{name}”?",
            detail=detail,
            confirm_label=verb,
            cancel_url=editor_url(agent.pk, anchor),
        )

    return asking


DELETE_INSTRUCTION_DETAIL = (
    "The instruction leaves Staging. Production keeps it until the next publish, and the "
    "edit history can bring it back."
)
DISCONNECT_CORPUS_DETAIL = (
    "The agent stops searching this knowledge source in Staging, and loses its settings "
    "here. Production keeps it until the next publish."
)


def _described(rows: QuerySet, name_field: str, detail: str) -> tuple[str, str] | None:
    """What ``_asks_first`` asks about: the name of the row that goes, with ``detail``; None
    when the agent has no such row."""
    name = rows.values_list(name_field, flat=True).first()
    return None if name is None else (name, detail)


def _instruction_to_delete(agent: Agent, instruction_id: Any) -> tuple[str, str] | None:
    rows = Instruction.objects.filter(agent_id=agent.pk, pk=parse_id(instruction_id))
    return _described(rows, "title", DELETE_INSTRUCTION_DETAIL)


def _corpus_to_disconnect(agent: Agent, corpus_id: Any) -> tuple[str, str] | None:
    rows = CorpusConnection.objects.filter(agent_id=agent.pk, corpus_id=parse_id(corpus_id))
    return _described(rows, "corpus__name", DISCONNECT_CORPUS_DETAIL)


def _settings(agent: Agent, form: forms.SettingsForm) -> dict[str, Any]:
    return {
        "name": form.cleaned_data["name"],
        "description": form.cleaned_data["description"],
        "model_config": form.model_config(agent.staging.model_config or {}),
    }


def _connect_form_kwargs(agent: Agent) -> dict[str, Any]:
    # The form offers only the organization's corpora that are not connected yet.
    return {
        "organization_id": agent.project.organization_id,
        "connected": set(agent.corpus_connections.values_list("corpus_id", flat=True)),
    }


def _corpus_settings(
    agent: Agent, form: forms.CorpusSettingsForm, corpus_id: int
) -> dict[str, Any]:
    current = (
        agent.corpus_connections.filter(corpus_id=corpus_id)
        .values_list("settings", flat=True)
        .first()
    )
    return {"enabled": form.cleaned_data["enabled"], "settings": form.settings(current or {})}


def _disconnect_corpus(*, agent: Agent, acting_user: Any, corpus_id: int) -> int:
    return services.disconnect_corpora(agent=agent, acting_user=acting_user, corpus_ids=[corpus_id])


update_settings = _edit(
    "settings",
    forms.SettingsForm,
    "Settings updated.",
    "settings",
    services.update_agent_settings,
    _settings,
)

add_instruction = _edit(
    "instruction-new",
    forms.InstructionForm,
    "Instruction added.",
    "instructions",
    services.add_instruction,
)
edit_instruction = _edit(
    "instruction-{instruction_id}",
    forms.InstructionForm,
    "Instruction updated.",
    "instructions",
    services.update_instruction,
)
move_instruction = _edit(
    "instruction-{instruction_id}-action",
    forms.MoveForm,
    "Instruction moved.",
    "instructions",
    services.update_instruction,
)
delete_instruction = _asks_first(
    _button(
        "instruction-{instruction_id}-action",
        "Instruction deleted.",
        "instructions",
        services.delete_instruction,
    ),
    "instructions",
    "Delete",
    _instruction_to_delete,
)

connect_corpora = _edit(
    "connect",
    forms.CorpusConnectForm,
    "Knowledge sources connected.",
    "knowledge",
    services.connect_corpora,
    lambda agent, form: {"corpus_ids": form.corpus_ids(), "settings": form.settings()},
    form_kwargs=_connect_form_kwargs,
)
update_corpus = _edit(
    "corpus-{corpus_id}",
    forms.CorpusSettingsForm,
    "Knowledge source settings updated.",
    "knowledge",
    services.set_corpus_connection,
    _corpus_settings,
)
disconnect_corpus = _asks_first(
    _button(
        "corpus-{corpus_id}-action",
        "Knowledge source disconnected.",
        "knowledge",
        _disconnect_corpus,
    ),
    "knowledge",
    "Disconnect",
    _corpus_to_disconnect,
)
set_sharepoint = _edit(
    "sharepoint",
    forms.SharePointForm,
    "SharePoint folder set.",
    "knowledge",
    services.set_sharepoint_folder,
)
clear_sharepoint = _button(
    "sharepoint-clear", "SharePoint folder removed.", "knowledge", services.clear_sharepoint_folder
)

enable_tool = _button("tool-{tool_id}", "Tool enabled.", "tools", services.enable_tool)
disable_tool = _button("tool-{tool_id}", "Tool disabled.", "tools", services.disable_tool)
enable_action = _button(
    "action-{action_id}-action", "Action enabled.", "tools", services.update_action, enabled=True
)
disable_action = _button(
    "action-{action_id}-action", "Action disabled.", "tools", services.update_action, enabled=False
)
update_action_config = _edit(
    "action-{action_id}",
    forms.ActionConfigForm,
    "Action config updated.",
    "tools",
    services.update_action,
    lambda agent, form, **ids: {"config": form.value()},
)

update_guardrail = _edit(
    "guardrail-{guardrail_id}",
    forms.GuardrailForm,
    "Guardrail updated.",
    "guardrails",
    services.set_guardrail,
    lambda agent, form, **ids: {"enabled": form.cleaned_data["enabled"], "settings": form.value()},
)
set_access = _edit(
    "access", forms.AccessForm, "Access level updated.", "access", services.set_access_level
)
set_tags = _edit(
    "tags",
    forms.TagsForm,
    "Tags updated.",
    "access",
    services.set_tags,
    lambda agent, form: {"tags": form.tag_list()},
)
