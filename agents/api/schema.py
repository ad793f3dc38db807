"""OpenAPI helpers every view of the agents API shares: error answers, id parameters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers

from agents.serializers.agents import ENVIRONMENTS, AgentSerializer
from agents.serializers.common import DetailSerializer, EditConflictSerializer
from agents.serializers.fields import ID_MAX

ERRORS: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Invalid input: messages per field (`{field: [message, ...]}`), "
        'or `{"detail"}` for a body that is not JSON.',
    ),
    401: OpenApiResponse(DetailSerializer, description="Not signed in."),
    403: OpenApiResponse(
        DetailSerializer, description="Signed in, but not allowed to do this here."
    ),
    404: OpenApiResponse(
        DetailSerializer, description="No such object, or one the caller may not see."
    ),
    413: OpenApiResponse(DetailSerializer, description="Request body too large."),
    409: OpenApiResponse(DetailSerializer, description="Refused in the current state."),
    415: OpenApiResponse(DetailSerializer, description="The body must be JSON."),
    429: OpenApiResponse(DetailSerializer, description="Too many attempts; retry later."),
}
READ_ERRORS = (400, 401, 403, 404)
WRITE_ERRORS = (400, 401, 403, 404, 413, 415)
DELETE_ERRORS = (401, 403, 404)
LIST_ERRORS = (400, 401, 404)
CREATE_ERRORS = (400, 401, 403, 413, 415)


def responses(ok: dict[int, Any], *codes: int) -> dict[int, Any]:
    return {**ok, **{code: ERRORS[code] for code in codes}}


# Ids as the server takes them: a positive integer the databases can store.
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": ID_MAX}


def id_param(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, ID_SCHEMA, OpenApiParameter.PATH, description=description)


AGENT_ID = id_param("agent_id", "The agent's id.")
INSTRUCTION_ID = id_param("instruction_id", "An instruction of this agent.")
CORPUS_ID = id_param("corpus_id", "A corpus of the agent's organization.")
TOOL_ID = id_param("tool_id", "A tool of the agent's organization.")
ACTION_ID = id_param("action_id", "An action of that tool.")
PERMISSION_ID = id_param("permission_id", "A permission on this agent.")


def choice_filter(name: str, choices: Sequence[str], description: str) -> OpenApiParameter:
    """A query parameter that takes one of ``choices``."""
    return OpenApiParameter(
        name, OpenApiTypes.STR, OpenApiParameter.QUERY, enum=list(choices), description=description
    )


ENVIRONMENT = choice_filter(
    "environment",
    ENVIRONMENTS,
    "`production` for the published configuration (viewers and up); Staging "
    "(editors and up) otherwise.",
)


def id_filter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, ID_SCHEMA, OpenApiParameter.QUERY, description=description)


# Factories for the `extend_schema` decorators: each kind of operation (a Staging edit, a
# catalogue list or create) documents the same error answers and path parameters, so they are
# spelt once here and a view only names what is its own.
def operation_schema(
    tag: str,
    summary: str,
    *,
    ok: dict[int, Any],
    errors: Sequence[int],
    parameters: Sequence[OpenApiParameter] | None = None,
    **extra: Any,
) -> Any:
    if parameters is not None:
        extra["parameters"] = list(parameters)
    return extend_schema(tags=[tag], summary=summary, responses=responses(ok, *errors), **extra)


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The Staging revision the edit is based on, as the ETag gave it (`"12"`). '
    "Without it the last write wins; with it, changes saved since are kept (merged field by "
    "field) or the edit is refused with 409 `edit_conflict`.",
)
EDIT_CONFLICT = OpenApiResponse(
    EditConflictSerializer,
    description="`edit_conflict`: a field this edit changes was changed since its If-Match "
    "revision; nothing written. Other codes: refused in the current state (`detail`).",
)


def staging_edit_schema(
    summary: str,
    *,
    ok: dict[int, Any],
    errors: Sequence[int] = WRITE_ERRORS,
    parameters: Sequence[OpenApiParameter] = (AGENT_ID,),
    **extra: Any,
) -> Any:
    """A write to the agent's Staging (editors), its body described by `request=`.

    Every one takes ``If-Match`` and may answer 409 ``edit_conflict``; a malformed
    ``If-Match`` is a 400.
    """
    codes = tuple(code for code in {*errors, 400} if code != 409)
    return extend_schema(
        tags=["staging"],
        summary=summary,
        parameters=[*parameters, IF_MATCH],
        responses={**responses(ok, *sorted(codes)), 409: EDIT_CONFLICT},
        **extra,
    )


def agent_edit_schema(summary: str, request: Any) -> Any:
    """A Staging write answered with the whole agent as it now stands."""
    return staging_edit_schema(summary, request=request, ok={200: AgentSerializer})


def staging_delete_schema(summary: str, *parameters: OpenApiParameter, **extra: Any) -> Any:
    """Removing something from the agent's Staging: 204 and no body either way."""
    return staging_edit_schema(
        summary,
        ok={204: None},
        errors=DELETE_ERRORS,
        parameters=(AGENT_ID, *parameters),
        **extra,
    )


def list_schema(tag: str, summary: str, item: Any, **extra: Any) -> Any:
    """A list of what the caller's organizations hold, `item` one entry of it."""
    return operation_schema(tag, summary, ok={200: item(many=True)}, errors=LIST_ERRORS, **extra)


def create_schema(tag: str, summary: str, request: Any, created: Any, **extra: Any) -> Any:
    """Creating a top-level object from a JSON body; 201 with the new object."""
    return operation_schema(
        tag, summary, ok={201: created}, errors=CREATE_ERRORS, request=request, **extra
    )


def list_create_schema(tag: str, *, listed: str, created: str) -> Callable[[type], type]:
    """Documents a ``base.ListCreateView``: its list and create, from its serializers."""

    def decorate(view: type) -> type:
        return extend_schema_view(
            get=list_schema(tag, listed, view.item_serializer, parameters=[view.parent]),
            post=create_schema(tag, created, view.serializer_class, view.item_serializer),
        )(view)

    return decorate


def field_errors_serializer(name: str, fields: Sequence[str]) -> type[serializers.Serializer]:
    """The documented shape of a 400 (schema component ``name``): a list of messages for each
    of ``fields`` that can be refused, and ``detail`` for a body that is not JSON."""
    declared: dict[str, Any] = {
        field: serializers.ListField(child=serializers.CharField(), required=False)
        for field in fields
    }
    declared["detail"] = serializers.CharField(required=False)
    return type(name, (serializers.Serializer,), {"__module__": __name__, **declared})
