"""The catalogue: corpora, tools and guardrails of the caller's organizations."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from agents import services
from agents.api.base import PaginatedView, validated
from agents.api.hierarchy import visible_organization, visible_project
from agents.api.schema import create_schema, id_filter, list_schema
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


class CorpusListView(PaginatedView):
    serializer_class = CorpusCreateSerializer

    @list_schema(
        "catalogue",
        "Corpora of the caller's organizations",
        CorpusSerializer,
        parameters=[id_filter("project_id", "Only this project's corpora.")],
    )
    def get(self, request: Request) -> Response:
        corpora = in_organizations_of(
            request.user, Corpus.objects.select_related("project"), "project__organization"
        )
        return self.filtered_page(
            request, corpora.order_by("name", "id"), CorpusSerializer, "project_id"
        )

    @create_schema(
        "catalogue",
        "Create a corpus (members of the project's organization)",
        CorpusCreateSerializer,
        CorpusSerializer,
    )
    def post(self, request: Request) -> Response:
        data = validated(CorpusCreateSerializer, request)
        project = visible_project(request, data["project_id"])
        corpus = services.create_corpus(
            project=project, name=data["name"], description=data.get("description", "")
        )
        return Response(CorpusSerializer(corpus).data, status=status.HTTP_201_CREATED)


class ToolListView(PaginatedView):
    serializer_class = ToolCreateSerializer

    @list_schema(
        "catalogue",
        "Tools (with their actions) of the caller's organizations",
        ToolSerializer,
        parameters=[id_filter("organization_id", "Only this organization's tools.")],
    )
    def get(self, request: Request) -> Response:
        tools = in_organizations_of(request.user, Tool.objects.prefetch_related("actions"))
        return self.filtered_page(
            request, tools.order_by("name", "id"), ToolSerializer, "organization_id"
        )

    @create_schema(
        "catalogue",
        "Create a tool with its actions (members of the organization)",
        ToolCreateSerializer,
        ToolSerializer,
    )
    def post(self, request: Request) -> Response:
        data = validated(ToolCreateSerializer, request)
        organization = visible_organization(request, data["organization_id"])
        tool = services.create_tool(
            organization=organization,
            name=data["name"],
            kind=data["kind"],
            actions=[dict(a) for a in data.get("actions", [])],
            description=data.get("description", ""),
        )
        return Response(ToolSerializer(tool).data, status=status.HTTP_201_CREATED)


class GuardrailListView(PaginatedView):
    serializer_class = GuardrailCreateSerializer

    @list_schema(
        "catalogue",
        "Guardrails of the caller's organizations",
        GuardrailSerializer,
        parameters=[id_filter("organization_id", "Only this organization's guardrails.")],
    )
    def get(self, request: Request) -> Response:
        guardrails = in_organizations_of(request.user, Guardrail.objects.all())
        return self.filtered_page(
            request, guardrails.order_by("name", "id"), GuardrailSerializer, "organization_id"
        )

    @create_schema(
        "catalogue",
        "Create a guardrail (members of the organization)",
        GuardrailCreateSerializer,
        GuardrailSerializer,
    )
    def post(self, request: Request) -> Response:
        data = validated(GuardrailCreateSerializer, request)
        organization = visible_organization(request, data["organization_id"])
        guardrail = services.create_guardrail(
            organization=organization,
            name=data["name"],
            type=data["type"],
            config=data.get("config"),
        )
        return Response(GuardrailSerializer(guardrail).data, status=status.HTTP_201_CREATED)
