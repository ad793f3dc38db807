"""How the webhooks API's operations are documented in ``/api/schema/``.

The same error answers as the rest of the API (``agents.api.schema``), with the 400, 404
and 409 shapes of this resource.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.fields import empty

from agents.api.schema import ERRORS
from agents.serializers.common import DetailSerializer
from webhooks.api.paths import ENDPOINT_ID, ORGANIZATION_ID, TAG
from webhooks.api.shapes import (
    DeliverySerializer,
    EndpointErrorSerializer,
    WebhookConflictSerializer,
)

ON_AN_ENDPOINT = (ORGANIZATION_ID, ENDPOINT_ID)
SPECIFIC = {
    400: OpenApiResponse(EndpointErrorSerializer, description="Messages per field."),
    404: OpenApiResponse(
        DetailSerializer,
        description="No such organization among the caller's, or nothing of it they manage "
        "by that id.",
    ),
    409: OpenApiResponse(
        WebhookConflictSerializer,
        description="`endpoint_disabled` (enable it first) or `delivery_in_progress`.",
    ),
}
READ = (401, 403, 404)
BODY = (400, 401, 403, 404, 413, 415)


def webhook_operation(
    summary: str,
    *,
    ok: dict[int, Any],
    errors: Sequence[int],
    parameters: Sequence[OpenApiParameter] = ON_AN_ENDPOINT,
    request: Any = empty,
    description: str | None = None,
) -> Any:
    responses = {**ok, **{code: SPECIFIC.get(code, ERRORS[code]) for code in errors}}
    # ``request`` left ``empty`` is extend_schema's own default: the body is not described.
    return extend_schema(
        tags=[TAG],
        summary=summary,
        description=description,
        parameters=list(parameters),
        request=request,
        responses=responses,
    )


def queues_a_delivery(summary: str, parameters: Sequence[OpenApiParameter] = ON_AN_ENDPOINT) -> Any:
    """A POST without a body that queues a delivery (a test event, a redelivery): 202 with
    the delivery, 409 when the endpoint is disabled or the delivery is being sent."""
    return webhook_operation(
        summary,
        parameters=parameters,
        request=None,
        ok={202: DeliverySerializer},
        errors=(*READ, 409),
    )
