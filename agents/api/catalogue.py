"""The catalogue: corpora, tools and guardrails of the caller's organizations."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request

from agents import services
from agents.api.base import ListCreateView
from agents.api.hierarchy import visible_organization, visible_project
from agents.api.schema import id_filter, list_create_schema
from agents.models import Corpus, Guardrail, Tool
from agents.permissions import in_organizations_of
from agents.serializers.catalogue import (
    CorpusCreateSerializer,
    CorpusSerializer,
    GuardrailCreateSerializer,
    GuardrailSerializer,
    ToolCreateSerializer,
    ToolSerializer,
)


@list_create_schema(
    "catalogue",
    listed="Corpora of the caller's organizations",
    created="Create a corpus (members of the project's organization)",
)
class CorpusListView(ListCreateView):
    serializer_class = CorpusCreateSerializer
    item_serializer = CorpusSerializer
    parent = id_filter("project_id", "Only this project's corpora.")

    def visible(self, request: Request) -> QuerySet[Corpus]:
        corpora = Corpus.objects.select_related("project")
        return in_organizations_of(request.user, corpora, "project__organization").order_by(
            "name", "id"
        )

    def create(self, request: Request, data: dict[str, Any]) -> Corpus:
        project = visible_project(request, data["project_id"])
        return services.create_corpus(
            project=project, name=data["name"], description=data.get("description", "")
        )


@list_create_schema(
    "catalogue",
    listed="Tools (with their actions) of the caller's organizations",
    created="Create a tool with its actions (members of the organization)",
)
class ToolListView(ListCreateView):
    serializer_class = ToolCreateSerializer
    item_serializer = ToolSerializer
    parent = id_filter("organization_id", "Only this organization's tools.")

    def visible(self, request: Request) -> QuerySet[Tool]:
        tools = in_organizations_of(request.user, Tool.objects.prefetch_related("actions"))
        return tools.order_by("name", "id")

    def create(self, request: Request, data: dict[str, Any]) -> Tool:
        return services.create_tool(
            organization=visible_organization(request, data["organization_id"]),
            name=data["name"],
            kind=data["kind"],
            actions=[dict(a) for a in data.get("actions", [])],
            description=data.get("description", ""),
        )


@list_create_schema(
    "catalogue",
    listed="Guardrails of the caller's organizations",
    created="Create a guardrail (members of the organization)",
)
class GuardrailListView(ListCreateView):
    serializer_class = GuardrailCreateSerializer
    item_serializer = GuardrailSerializer
    parent = id_filter("organization_id", "Only this organization's guardrails.")

    def visible(self, request: Request) -> QuerySet[Guardrail]:
        return in_organizations_of(request.user, Guardrail.objects.all()).order_by("name", "id")

    def create(self, request: Request, data: dict[str, Any]) -> Guardrail:
        return services.create_guardrail(
            organization=visible_organization(request, data["organization_id"]),
            name=data["name"],
            type=data["type"],
            config=data.get("config"),
        )
