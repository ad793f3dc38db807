"""The catalogue pages (organization admins): the list, and one edit page per tool, action,
guardrail and corpus that shows the impact preview before saving and the item's history.

Saving is two steps and a confirmation: the form is first sent to preview (which agents use
the item, which are live, the diff each would get - nothing written), then the preview's
form is confirmed (``static/js/confirm.js``, or the confirmation page without JavaScript)
and the change goes through ``agents.services.change_catalogue_item``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from agents import services
from agents.models import Corpus, Guardrail, Organization, Tool, ToolAction
from agents.permissions import admin_organization_ids, require_catalogue_admin
from agents.services.catalogue_impact import KINDS
from ejento_staging.pages import confirm_page, is_confirmed, page

HISTORY_LENGTH = 50
PREVIEWED = "previewed"
NOT_LIVE = "Production is not affected: each agent takes the change live with its next publish."


class _CatalogueForm(forms.Form):
    reason = forms.CharField(
        max_length=100,
        required=True,
        help_text="Why: kept in the item's history and in the edit history of every agent "
        "the change reaches.",
    )

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "reason"}


class _JSONObjectField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 6, "spellcheck": "false"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
        return value

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        try:
            parsed = json.loads(text or "{}")
        except ValueError as exc:
            raise ValidationError("Must be a JSON object.") from exc
        if not isinstance(parsed, dict):
            raise ValidationError("Must be a JSON object.")
        return parsed


class ToolForm(_CatalogueForm):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Tool.Kind.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    field_order = ["name", "kind", "description", "reason"]


class ActionForm(_CatalogueForm):
    name = forms.CharField(max_length=200)
    config = _JSONObjectField(required=False, help_text="A JSON object.")
    field_order = ["name", "config", "reason"]


class GuardrailForm(_CatalogueForm):
    name = forms.CharField(max_length=200)
    type = forms.CharField(max_length=64)
    config = _JSONObjectField(required=False, help_text="A JSON object.")
    field_order = ["name", "type", "config", "reason"]


class CorpusForm(_CatalogueForm):
    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    field_order = ["name", "description", "reason"]


# Each kind's edit form, by the name the services give the kind.
FORMS: dict[str, type[_CatalogueForm]] = {
    "tool": ToolForm,
    "action": ActionForm,
    "guardrail": GuardrailForm,
    "corpus": CorpusForm,
}


@page
@require_http_methods(["GET"])
def catalogue_list(request: HttpRequest) -> HttpResponse:
    """The tools (with their actions), guardrails and corpora of the organizations the user
    administers (every organization, for superusers)."""
    organizations = Organization.objects.order_by("name")
    if not request.user.is_superuser:
        organizations = organizations.filter(pk__in=admin_organization_ids(request.user))
    organizations = list(organizations)
    ids = [o.pk for o in organizations]
    tools = Tool.objects.filter(organization_id__in=ids).prefetch_related("actions")
    guardrails = Guardrail.objects.filter(organization_id__in=ids)
    # A corpus belongs to a project; its organization is the project's.
    corpora = Corpus.objects.filter(project__organization_id__in=ids).select_related("project")
    by_org = {
        o.pk: {"organization": o, "tools": [], "guardrails": [], "corpora": []}
        for o in organizations
    }
    for tool in tools.order_by("name", "id"):
        by_org[tool.organization_id]["tools"].append(tool)
    for guardrail in guardrails.order_by("name", "id"):
        by_org[guardrail.organization_id]["guardrails"].append(guardrail)
    for corpus in corpora.order_by("name", "id"):
        by_org[corpus.project.organization_id]["corpora"].append(corpus)
    return render(
        request, "catalogue/list.html", {"nav": "catalogue", "groups": list(by_org.values())}
    )


def _edit_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An item's edit page: shown on GET, previewed and saved on POST; a refused change goes
    back to the catalogue."""
    view = require_http_methods(["GET", "POST"])(view)
    return page(back=lambda request, kwargs: reverse("agents:catalogue"))(view)


def _edit(request: HttpRequest, component: str, item: Any, title: str, url: str) -> HttpResponse:
    """The edit page of ``item``, a catalogue item of the kind ``component``."""
    form_class = FORMS[component]
    organization_id = KINDS[component].organization_id(item)
    require_catalogue_admin(request.user, organization_id, type(item).DoesNotExist)
    initial = {name: getattr(item, name) for name in form_class.base_fields if name != "reason"}
    context: dict[str, Any] = {"nav": "catalogue", "title": title, "item": item, "url": url}
    context["history"] = list(
        type(item)
        .history.filter(id=item.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:HISTORY_LENGTH]
    )
    if request.method == "GET":
        context["form"] = form_class(initial=initial)
        return render(request, "catalogue/edit.html", context)
    form = form_class(request.POST, initial=initial)
    context["form"] = form
    if not form.is_valid():
        return render(request, "catalogue/edit.html", context, status=400)
    try:
        if request.POST.get(PREVIEWED) != "1":
            preview = services.preview_catalogue_change(
                acting_user=request.user, component=component, item_id=item.pk, **form.values()
            )
            context["preview"] = preview
            context["question"] = _question(title, preview)
            context["detail"] = NOT_LIVE
            return render(request, "catalogue/edit.html", context)
        if not is_confirmed(request):
            return confirm_page(
                request,
                context,
                question=f"Save the change to {title}?",
                detail=NOT_LIVE,
                confirm_label="Save change",
                cancel_url=url,
                danger=False,
            )
        made = services.change_catalogue_item(
            acting_user=request.user,
            component=component,
            item_id=item.pk,
            reason=form.cleaned_data["reason"],
            **form.values(),
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return render(request, "catalogue/edit.html", context, status=400)
    edited = len(made.edited_agents)
    messages.success(
        request,
        f"Saved. {edited} agent{'s' if edited != 1 else ''} got the change in Staging. {NOT_LIVE}",
    )
    return redirect(url)


def _question(title: str, preview: Any) -> str:
    count = preview.count
    agents = f"{count} agent{'s' if count != 1 else ''}"
    return f"Save the change to {title}? It reaches the Staging of {agents} that use it."


def _edit_named(request: HttpRequest, component: str, item: Any) -> HttpResponse:
    """The edit page of a tool, guardrail or corpus, which are titled alike by their kind and
    name and have their page at ``agents:catalogue-<component>`` under their own id (an action
    is not: its title and its page name its tool)."""
    url = reverse(f"agents:catalogue-{component}", args=[item.pk])
    return _edit(request, component, item, f"{component} \u201c{item.name}\u201d", url)


@_edit_page
def edit_tool(request: HttpRequest, tool_id: int) -> HttpResponse:
    return _edit_named(request, "tool", Tool.objects.get(pk=tool_id))


@_edit_page
def edit_action(request: HttpRequest, tool_id: int, action_id: int) -> HttpResponse:
    action = ToolAction.objects.select_related("tool").get(pk=action_id, tool_id=tool_id)
    title = f"action \u201c{action.name}\u201d of tool \u201c{action.tool.name}\u201d"
    url = reverse("agents:catalogue-action", args=[tool_id, action.pk])
    return _edit(request, "action", action, title, url)


@_edit_page
def edit_guardrail(request: HttpRequest, guardrail_id: int) -> HttpResponse:
    return _edit_named(request, "guardrail", Guardrail.objects.get(pk=guardrail_id))


@_edit_page
def edit_corpus(request: HttpRequest, corpus_id: int) -> HttpResponse:
    corpus = Corpus.objects.select_related("project").get(pk=corpus_id)
    return _edit_named(request, "corpus", corpus)
