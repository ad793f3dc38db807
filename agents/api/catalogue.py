"""The catalogue: corpora, tools and guardrails of the caller's organizations."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from agents import services
from agents.api.base import PaginatedView, query_id, validated
from agents.api.hierarchy import visible_organization, visible_project
from agents.api.schema import id_filter, responses
from agents.models import Corpus, Guardrail, Tool
from agents.serializers.catalogue import (
    CorpusCreateSerializer,
    CorpusSerializer,
    GuardrailCreateSerializer,
    GuardrailSerializer,
    ToolCreateSerializer,
    ToolSerializer,
)


def _catalogue_of(request: Request, queryset: QuerySet, organization_path: str) -> QuerySet:
    user = request.user
    if user.is_superuser:
        return queryset
    return queryset.filter(**{f"{organization_path}__memberships__user_id": user.pk})


class CorpusListView(PaginatedView):
    serializer_class = CorpusCreateSerializer

    @extend_schema(
        tags=["catalogue"],
        summary="Corpora of the caller's organizations",
        parameters=[id_filter("project_id", "Only this project's corpora.")],
        responses=responses({200: CorpusSerializer(many=True)}, 400, 401, 404),
    )
    def get(self, request: Request) -> Response:
        corpora = _catalogue_of(
            request, Corpus.objects.select_related("project"), "project__organization"
        ).order_by("name", "id")
        project_id = query_id(request, "project_id")
        if project_id is not None:
            corpora = corpora.filter(project_id=project_id)
        return self.paginated(corpora, lambda page: CorpusSerializer(page, many=True).data)

    @extend_schema(
        tags=["catalogue"],
        summary="Create a corpus (members of the project's organization)",
        request=CorpusCreateSerializer,
        responses=responses({201: CorpusSerializer}, 400, 401, 403, 413, 415),
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

    @extend_schema(
        tags=["catalogue"],
        summary="Tools (with their actions) of the caller's organizations",
        parameters=[id_filter("organization_id", "Only this organization's tools.")],
        responses=responses({200: ToolSerializer(many=True)}, 400, 401, 404),
    )
    def get(self, request: Request) -> Response:
        tools = _catalogue_of(
            request, Tool.objects.prefetch_related("actions"), "organization"
        ).order_by("name", "id")
        organization_id = query_id(request, "organization_id")
        if organization_id is not None:
            tools = tools.filter(organization_id=organization_id)
        return self.paginated(tools, lambda page: ToolSerializer(page, many=True).data)

    @extend_schema(
        tags=["catalogue"],
        summary="Create a tool with its actions (members of the organization)",
        request=ToolCreateSerializer,
        responses=responses({201: ToolSerializer}, 400, 401, 403, 413, 415),
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

    @extend_schema(
        tags=["catalogue"],
        summary="Guardrails of the caller's organizations",
        parameters=[id_filter("organization_id", "Only this organization's guardrails.")],
        responses=responses({200: GuardrailSerializer(many=True)}, 400, 401, 404),
    )
    def get(self, request: Request) -> Response:
        guardrails = _catalogue_of(request, Guardrail.objects.all(), "organization").order_by(
            "name", "id"
        )
        organization_id = query_id(request, "organization_id")
        if organization_id is not None:
            guardrails = guardrails.filter(organization_id=organization_id)
        return self.paginated(guardrails, lambda page: GuardrailSerializer(page, many=True).data)

    @extend_schema(
        tags=["catalogue"],
        summary="Create a guardrail (members of the organization)",
        request=GuardrailCreateSerializer,
        responses=responses({201: GuardrailSerializer}, 400, 401, 403, 413, 415),
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
