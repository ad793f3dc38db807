"""How the publishing API's operations are documented in ``/api/schema/``.

Every operation is tagged the same, takes the agent id first, and refuses the same way
(401/403/404, and 413/415 when it reads a body); only what differs is passed in.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.fields import empty

from publishing.api.paths import AGENT_ID, TAG
from publishing.api.refusals import BODY_REFUSALS, refusals


def publishing_operation(
    operation_id: str,
    summary: str,
    *,
    ok: Any,
    ok_status: int = 200,
    invalid: Any = None,
    not_found: str | None = None,
    conflict: Any = None,
    parameters: tuple = (),
    description: str | None = None,
    request: Any = empty,
):
    """``extend_schema`` for one operation; responses keep the order 2xx, 400, 401-404, 409."""
    responses = {ok_status: ok}
    if invalid is not None:
        responses[400] = invalid
    responses.update(refusals(not_found) if not_found else refusals())
    if conflict is not None:
        responses[409] = conflict
    # ``request=None`` means "no body"; a serializer means the operation parses one.
    if request is not empty and request is not None:
        responses.update(BODY_REFUSALS)
    return extend_schema(
        tags=[TAG],
        operation_id=operation_id,
        summary=summary,
        description=description,
        parameters=[AGENT_ID, *parameters],
        request=request,
        responses=responses,
    )
