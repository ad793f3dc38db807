"""OpenAPI helpers every view of the agents API shares: error answers, id parameters."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from agents.serializers.agents import ENVIRONMENTS
from agents.serializers.common import DetailSerializer
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
ENVIRONMENT = OpenApiParameter(
    "environment",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=list(ENVIRONMENTS),
    description="`production` for the published configuration (viewers and up); Staging "
    "(editors and up) otherwise.",
)


def id_filter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, ID_SCHEMA, OpenApiParameter.QUERY, description=description)
