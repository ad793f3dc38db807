"""Changing shared catalogue items: tools, their actions, guardrails and corpora (organization
admins).

``PATCH`` changes the item and brings it into the Staging of every agent that uses it (one
recorded edit each), never their Production (``agents.services.change_catalogue_item``).
``?dry_run=1`` writes nothing and answers the impact preview: the agents that use the item,
50 a page (``?page=``), which of them are live, and the diff the change would add to each.
Someone outside the item's organization gets 404, a member who is not its admin 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema_view,
)
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from agents import services
from agents.api.base import JSONView, path_id, query_value, validated
from agents.api.schema import WRITE_ERRORS, id_param, operation_schema
from agents.models import ToolAction
from agents.serializers.catalogue import (
    ActionChangePreviewSerializer,
    ActionChangeSerializer,
    CatalogueActionSerializer,
    CorpusChangePreviewSerializer,
    CorpusChangeSerializer,
    CorpusSerializer,
    CorpusUpdateSerializer,
    GuardrailChangePreviewSerializer,
    GuardrailChangeSerializer,
    GuardrailSerializer,
    GuardrailUpdateSerializer,
    ToolActionUpdateSerializer,
    ToolChangePreviewSerializer,
    ToolChangeSerializer,
    ToolSerializer,
    ToolUpdateSerializer,
)
from ejento_staging.ids import parse_id

TOOL_ID = id_param("tool_id", "A tool of the caller's organizations.")
ACTION_ID = id_param("action_id", "An action of that tool.")
GUARDRAIL_ID = id_param("guardrail_id", "A guardrail of the caller's organizations.")
CORPUS_ID = id_param("corpus_id", "A corpus of the projects of the caller's organizations.")
DRY_RUN = OpenApiParameter(
    "dry_run",
    {"type": "string", "enum": ["0", "1", "false", "true"]},
    OpenApiParameter.QUERY,
    description="`1`: write nothing; answer the impact preview instead.",
)
# Far past any organization's agents, and small enough that the page's offset is a number
# every database stores (a larger page is a 400, not an overflow).
PAGE_MAX = 100_000
PAGE = OpenApiParameter(
    "page",
    {"type": "integer", "minimum": 1, "maximum": PAGE_MAX},
    OpenApiParameter.QUERY,
    description="The preview's page of agents (50 a page, by agent id).",
)
TRUE, FALSE = ("1", "true"), ("0", "false")


def _dry_run(request: Request) -> bool:
    value = query_value(request, "dry_run")
    if value is None or value in FALSE:
        return False
    if value in TRUE:
        return True
    raise ValidationError({"dry_run": ["Must be 1 or 0."]})


def _page(request: Request) -> int:
    value = query_value(request, "page")
    if value is None:
        return 1
    number = parse_id(value)
    if number is None or number > PAGE_MAX:
        raise ValidationError({"page": [f"Must be a whole number from 1 to {PAGE_MAX:,}."]})
    return number


def _answer(request: Request, component: str, item_id: int, body: type, item: type) -> Response:
    dry_run, page = _dry_run(request), _page(request)
    data = dict(validated(body, request))
    reason = data.pop("reason", "")
    if dry_run:
        preview = services.preview_catalogue_change(
            acting_user=request.user, component=component, item_id=item_id, page=page, **data
        )
        url = request.build_absolute_uri()
        return Response(
            {
                "dry_run": True,
                "item": item(preview.item).data,
                "changed": list(preview.changed),
                "count": preview.count,
                "live_count": preview.live_count,
                "next": replace_query_param(url, "page", page + 1) if preview.has_next else None,
                "previous": None
                if page == 1
                else remove_query_param(url, "page")
                if page == 2
                else replace_query_param(url, "page", page - 1),
                "results": [use.as_dict() for use in preview.uses],
            }
        )
    made = services.change_catalogue_item(
        acting_user=request.user, component=component, item_id=item_id, reason=reason, **data
    )
    return Response(
        {
            "item": item(made.item).data,
            "changed": list(made.changed),
            "count": made.count,
            "live_count": made.live_count,
            "edited_agents": list(made.edited_agents),
        }
    )


def _schema(summary: str, request: type, ok: type, preview: type, *parameters: Any) -> Any:
    name = ok.__name__.removesuffix("Serializer")
    answer = PolymorphicProxySerializer(
        component_name=f"{name}Answer",
        serializers=[ok, preview],
        resource_type_field_name=None,
    )
    return operation_schema(
        "catalogue",
        summary,
        ok={200: answer},
        errors=WRITE_ERRORS,
        parameters=[*parameters, DRY_RUN, PAGE],
        request=request,
        description=(
            "Changes the item and brings it into the Staging of every agent that uses it, as "
            "one recorded edit each; Production and the live read are untouched until each "
            "agent's next publish. With `?dry_run=1` nothing is written and the answer is the "
            f"impact preview (`{preview.__name__.removesuffix('Serializer')}`): the agents "
            "that use the item, which of them are live, and the diff it would add to each."
        ),
    )


class _ItemChangeView(JSONView):
    """The PATCH of a tool, a guardrail or a corpus: the same but for the kind, as each is
    found by its own id in the path (an action, found under its tool, has its own view)."""

    component: str  # the kind, as the services name it
    item_id: OpenApiParameter  # the path's id of the item
    body: type  # the request's serializer
    item: type  # the serializer of the item in either answer
    answer: type  # the answer's documented shape after a change
    preview: type  # the answer's documented shape on a dry run

    def patch(self, request: Request, **ids: str) -> Response:
        pk = path_id(ids[self.item_id.name], f"No such {self.component}.")
        return _answer(request, self.component, pk, self.body, self.item)


def _item_change_schema(summary: str) -> Callable[[type], type]:
    """Documents an ``_ItemChangeView``'s PATCH from its path id and serializers."""

    def decorate(view: type) -> type:
        schema = _schema(summary, view.body, view.answer, view.preview, view.item_id)
        return extend_schema_view(patch=schema)(view)

    return decorate


@_item_change_schema("Change a tool of the catalogue (organization admins)")
class ToolChangeView(_ItemChangeView):
    component, item_id = "tool", TOOL_ID
    body, item = ToolUpdateSerializer, ToolSerializer
    answer, preview = ToolChangeSerializer, ToolChangePreviewSerializer


class ToolActionChangeView(JSONView):
    @_schema(
        "Change an action of a catalogue tool (organization admins)",
        ToolActionUpdateSerializer,
        ActionChangeSerializer,
        ActionChangePreviewSerializer,
        TOOL_ID,
        ACTION_ID,
    )
    def patch(self, request: Request, tool_id: str, action_id: str) -> Response:
        tool_pk = path_id(tool_id, "No such tool.")
        action_pk = path_id(action_id, "No such action on this tool.")
        if not ToolAction.objects.filter(pk=action_pk, tool_id=tool_pk).exists():
            raise NotFound("No such action on this tool.")
        return _answer(
            request, "action", action_pk, ToolActionUpdateSerializer, CatalogueActionSerializer
        )


@_item_change_schema("Change a guardrail of the catalogue (organization admins)")
class GuardrailChangeView(_ItemChangeView):
    component, item_id = "guardrail", GUARDRAIL_ID
    body, item = GuardrailUpdateSerializer, GuardrailSerializer
    answer, preview = GuardrailChangeSerializer, GuardrailChangePreviewSerializer


@_item_change_schema("Change a corpus (knowledge source) of the catalogue (organization admins)")
class CorpusChangeView(_ItemChangeView):
    component, item_id = "corpus", CORPUS_ID
    body, item = CorpusUpdateSerializer, CorpusSerializer
    answer, preview = CorpusChangeSerializer, CorpusChangePreviewSerializer
