"""The Staging editor page (a form per part of the configuration) and Production's page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from agents import forms
from agents.models import Agent, Guardrail, StagingConfiguration, Tool
from agents.permissions import Role, get_agent_for
from agents.snapshot import staging_snapshot
from configuration.changes import ACTION, SETTINGS, SHAREPOINT
from configuration.diff import diff_snapshots
from ejento_staging.ids import parse_id
from ejento_staging.pages import agent_context, page


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


# The editor's sections, as its side menu lists them; access and tags are settings in a diff.
EDITOR_SECTIONS = ("settings", "instructions", "knowledge", "tools", "guardrails", "access")
_DIFF_SECTION = {"knowledge_sources": "knowledge"}
_ACCESS_FIELDS = frozenset({"access_level", "tags"})


def changed_marks(production: dict[str, Any] | None, staging: dict[str, Any]) -> dict[str, Any]:
    """What differs from Production, as the editor marks it: changes per section of the
    side menu, the items changed (by diff key) and the fields changed (by form prefix).

    Before the first publish there is nothing to differ from; marking every field "changed"
    would say nothing, so nothing is marked.
    """
    counts = dict.fromkeys(EDITOR_SECTIONS, 0)
    items: set[str] = set()
    fields: dict[str, set[str]] = {}
    if production is None:
        return {"counts": counts, "items": items, "fields": fields, "total": 0}
    for change in diff_snapshots(production, staging).changes:
        path = change.path
        section = _DIFF_SECTION.get(path.section, path.section)
        if path.kind == SETTINGS:
            field = path.field_key if path.field == "model_config" else path.field
            if path.field in _ACCESS_FIELDS:
                section = "access"
            fields.setdefault(path.field if section == "access" else "settings", set()).add(
                field or ""
            )
        elif path.kind == SHAREPOINT:
            fields.setdefault("sharepoint", set()).update(
                [path.field] if path.field else ["site_url", "folder_path"]
            )
        else:
            items.add(path.key)
            if path.kind == ACTION:
                items.add(path.parent().key)
            if path.field in ("title", "content"):
                fields.setdefault(f"instruction-{path.item_id}", set()).add(path.field)
        counts[section] += 1
    return {"counts": counts, "items": items, "fields": fields, "total": sum(counts.values())}


def editor_context(
    agent: Agent, role: Role, bound: dict[str, forms.PageForm] | None = None
) -> dict[str, Any]:
    """The editor page: Staging as one snapshot, a form per part, ``bound`` for a refused one."""
    bound = bound or {}
    snapshot = staging_snapshot(agent)
    live = agent.production_or_none()
    marks = changed_marks(live.snapshot if live is not None else None, snapshot)
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
            "changed": f"instruction:{item['id']}" in marks["items"],
            "changed_fields": marks["fields"].get(f"instruction-{item['id']}", set()),
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
            "changed": f"corpus:{item['corpus_id']}" in marks["items"],
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
                "changed": f"tool:{tool.pk}" in marks["items"],
                "actions": [
                    {
                        "action": action,
                        "state": settings_by_action.get(action.pk),
                        "errors": bound.get(f"action-{action.pk}-action"),
                        "changed": f"tool:{tool.pk}/action:{action.pk}" in marks["items"],
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
            "changed": f"guardrail:{guardrail.pk}" in marks["items"],
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
            "marks": marks,
            # Fields changed from Production, by form: {"settings": {"temperature", ...}, ...}.
            "changed_fields": marks["fields"],
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
            # Every form sends the revision it was rendered at (agents.concurrency).
            "base_revision": agent.staging.revision,
        }
    )
    return context


@page
@require_http_methods(["GET", "HEAD"])
def editor(request: HttpRequest, agent_id: int) -> HttpResponse:
    # Production's snapshot comes in the same query as the agent: the "changed" marks need it.
    agent, role = get_agent_for(request.user, agent_id, Role.VIEWER, with_production_snapshot=True)
    if role < Role.EDITOR or request.GET.get("environment") == "production":
        # Viewers see Production only, never Staging.
        return redirect("agents:production", agent_id=agent.pk)
    return render(request, "agents/editor.html", editor_context(agent, role))


@page
@require_http_methods(["GET", "HEAD"])
def staging_revision(request: HttpRequest, agent_id: int) -> JsonResponse:
    """Where Staging stands, for the open editor and review pages to notice a colleague's
    save (``static/js/staging_watch.js``): its revision and who saved it when."""
    agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
    staging = agent.staging
    since = parse_id(request.GET.get("since"))
    changes_url = None
    if since is not None and since < staging.revision:
        # What changed since the page's revision: its checkpoint compared with Staging now.
        seen = (
            StagingConfiguration.history.filter(agent_id=agent.pk, revision=since)
            .order_by("-history_id")
            .values_list("history_id", flat=True)
            .first()
        )
        if seen is not None:
            compare = reverse("publishing:compare", args=[agent.pk])
            changes_url = f"{compare}?from=checkpoint:{seen}&to=staging"
    return JsonResponse(
        {
            "revision": staging.revision,
            "updated_by": staging.updated_by_username or None,
            "updated_at": staging.updated_at.isoformat() if staging.updated_at else None,
            "changes_url": changes_url,
        },
        headers={"Cache-Control": "no-store"},
    )
