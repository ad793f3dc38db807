"""How an agent's API operation is documented in ``/api/schema/``.

The publishing and the reviews APIs document each operation alike: tagged with its API, the
agent id first among its parameters, and its answers in one order (2xx, 400, 401-404, 409,
then 413/415 when it reads a body). Only the shapes of their refusals differ, so each API
passes its own and this puts the operation together once for both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.fields import empty


def agent_operation(
    operation_id: str,
    summary: str,
    *,
    tag: str,
    agent_id: OpenApiParameter,
    refused: Mapping[int, Any],
    body_refused: Mapping[int, Any],
    ok: Any,
    ok_status: int = 200,
    invalid: Any = None,
    conflict: Any = None,
    parameters: Sequence[Any] = (),
    description: str | None = None,
    request: Any = empty,
    examples: Sequence[OpenApiExample] = (),
) -> Any:
    """``extend_schema`` for one operation on an agent.

    ``refused`` holds the API's 401, 403 and 404 answers; ``body_refused`` its 413 and 415,
    added only for an operation that reads a body (``request`` a serializer: ``None`` means
    no body, and ``empty``, extend_schema's own default, leaves the body undescribed).
    """
    responses: dict[int, Any] = {ok_status: ok}
    if invalid is not None:
        responses[400] = invalid
    responses.update(refused)
    if conflict is not None:
        responses[409] = conflict
    if request is not empty and request is not None:
        responses.update(body_refused)
    return extend_schema(
        tags=[tag],
        operation_id=operation_id,
        summary=summary,
        description=description,
        parameters=[agent_id, *parameters],
        request=request,
        responses=responses,
        examples=list(examples),
    )
