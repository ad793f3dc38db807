"""Plumbing of the agents API: the view classes, the schema hooks, the path and query parsers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.edit_base import based_on, edited_revision
from agents.models import Agent
from agents.permissions import Role, get_agent_for
from agents.serializers.agents import ENVIRONMENTS
from ejento_staging.ids import parse_id

STAGING = "staging"
PRODUCTION = "production"
SEARCH_MAX_LENGTH = 200


class DeleteWithBodySchema(AutoSchema):
    """Documents the request body of a DELETE that has one (``DELETE .../corpora``).

    drf-spectacular documents bodies for POST, PUT and PATCH only; the contract's bulk
    disconnect carries ``{"corpus_ids": [...]}`` on a DELETE.
    """

    def _get_request_body(self, direction: str = "request") -> Any:
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


class WholeBodyPatchSchema(AutoSchema):
    """Documents a PATCH whose body is validated whole (every required field required).

    drf-spectacular documents every PATCH body as partial (``Patched...``, nothing
    required), as for a model's partial update; these PATCHes change one thing and need
    the fields that name it, so a generated client must not let them be left out.
    """

    def _get_request_for_media_type(self, serializer: Any, direction: str = "request") -> Any:
        if self.method != "PATCH":
            return super()._get_request_for_media_type(serializer, direction)
        self.method = "POST"
        try:
            return super()._get_request_for_media_type(serializer, direction)
        finally:
            self.method = "PATCH"


class JSONView(APIView):
    """A view of this API (JSON in, JSON out; see SafeJSONParser in the settings).

    Staging edits made by a request are based on its ``If-Match`` (``agents.concurrency``):
    merged with what others changed since, or refused with 409 ``edit_conflict``; without
    it, the last write wins. An answer to an edit carries the new revision as its ``ETag``.
    """

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        with based_on(request.headers.get("If-Match"), "If-Match"):
            return super().dispatch(request, *args, **kwargs)

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        revision = edited_revision()
        if revision is not None and 200 <= response.status_code < 300:
            response["ETag"] = staging_etag(revision)
        return super().finalize_response(request, response, *args, **kwargs)


def staging_etag(revision: int) -> str:
    """Staging's revision as an entity tag: what ``If-Match`` sends back."""
    return f'"{revision}"'


class PaginatedView(GenericAPIView):
    """A view with a paginated GET (the page-number pagination of the settings).

    Subclasses name their POST body as ``serializer_class``: DRF's OPTIONS answer describes
    it (and without one, OPTIONS would fail with a 500).
    """

    def paginated(self, queryset: QuerySet, render: Any) -> Response:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(render(page))

    def filtered_page(
        self, request: Request, queryset: QuerySet, serializer_class: type, filter_by: str
    ) -> Response:
        """One page of ``queryset``, narrowed to one parent's rows by ``?<filter_by>=<id>``."""
        parent_id = query_id(request, filter_by)
        if parent_id is not None:
            queryset = queryset.filter(**{filter_by: parent_id})
        return self.paginated(queryset, lambda page: serializer_class(page, many=True).data)


# What the caller's organizations hold of one kind: a page of them, and creating one.
# GET lists ``visible`` (in list order), narrowed to one parent's by the ``parent`` filter;
# POST validates ``serializer_class``, hands the data to ``create`` and answers 201. Both
# answer with ``item_serializer``; ``schema.list_create_schema`` documents the pair.
# (A comment, not a docstring: the schema takes a view's docstring, inherited, as the
# description of its operations, and these document PaginatedView's.)
class ListCreateView(PaginatedView):
    item_serializer: type
    parent: OpenApiParameter

    def visible(self, request: Request) -> QuerySet:
        raise NotImplementedError

    def create(self, request: Request, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def get(self, request: Request) -> Response:
        return self.filtered_page(
            request, self.visible(request), self.item_serializer, self.parent.name
        )

    def post(self, request: Request) -> Response:
        created = self.create(request, validated(self.serializer_class, request))
        return Response(self.item_serializer(created).data, status=status.HTTP_201_CREATED)


def path_id(value: Any, what: str = "Not found.") -> int:
    """An id from the URL; anything but a storable positive integer is simply not found."""
    number = parse_id(value)
    if number is None:
        raise NotFound(what)
    return number


def query_value(request: Request, name: str) -> str | None:
    """One query parameter's value; given twice is a 400 rather than "the last one wins"."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise DjangoValidationError({name: ["Give this parameter once."]})
    return values[0] if values else None


def query_id(request: Request, name: str) -> int | None:
    # Empty is refused too: "?project_id=" filtering nothing would hide a client's bug.
    raw = query_value(request, name)
    if raw is None:
        return None
    number = parse_id(raw)
    if number is None:
        raise DjangoValidationError({name: ["Must be an id (a positive integer)."]})
    return number


def query_environment(request: Request) -> str | None:
    value = query_value(request, "environment")
    if value is None:
        return None
    if value not in ENVIRONMENTS:
        raise DjangoValidationError(
            {"environment": [f"Must be one of: {', '.join(ENVIRONMENTS)}."]}
        )
    return value


def query_search(request: Request) -> str:
    value = (query_value(request, "search") or "").strip()
    if "\x00" in value:
        raise DjangoValidationError({"search": ["Must not contain NUL characters."]})
    if len(value) > SEARCH_MAX_LENGTH:
        raise DjangoValidationError({"search": [f"At most {SEARCH_MAX_LENGTH} characters."]})
    return value


def validated(serializer_class: type, request: Request, *, partial: bool = False) -> dict:
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def load_agent(
    request: Request, agent_id: Any, required: Role, *, with_production_snapshot: bool = False
) -> tuple[Agent, Role]:
    return get_agent_for(
        request.user,
        path_id(agent_id, "Agent not found."),
        required,
        with_production_snapshot=with_production_snapshot,
    )
