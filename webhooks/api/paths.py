"""The ids in the webhooks API's paths: how they are documented, read and looked up.

Anything that is not an id answers 404 like an unknown one (as in the agents API); an
endpoint the caller does not manage, or of another organization, answers 404 as well.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from agents.api.base import path_id, query_value
from agents.api.schema import choice_filter, id_param
from agents.models import Organization
from webhooks import selectors
from webhooks.models import Delivery, Endpoint

TAG = "webhooks"

ORGANIZATION_ID = id_param("organization_id", "An organization the caller belongs to.")
ENDPOINT_ID = id_param("endpoint_id", "A webhook endpoint of that organization.")
DELIVERY_ID = OpenApiParameter(
    "delivery_id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="A delivery to that endpoint.",
)
STATUS_FILTER = choice_filter(
    "status", selectors.DELIVERY_STATUSES, "Only the deliveries in this state."
)


def organization_or_404(request: Request, organization_id: Any) -> Organization:
    number = path_id(organization_id, "Organization not found.")
    organization = selectors.visible_organization(request.user, number)
    if organization is None:
        raise NotFound("Organization not found.")
    return organization


def endpoint_or_404(request: Request, organization_id: Any, endpoint_id: Any) -> Endpoint:
    organization = organization_or_404(request, organization_id)
    number = path_id(endpoint_id, "Webhook endpoint not found.")
    endpoint = selectors.endpoint_for(request.user, organization.pk, number)
    if endpoint is None:
        raise NotFound("Webhook endpoint not found.")
    return endpoint


def delivery_or_404(endpoint: Endpoint, delivery_id: Any) -> Delivery:
    try:
        key = uuid.UUID(str(delivery_id))
    except ValueError:
        raise NotFound("Delivery not found.") from None
    delivery = selectors.delivery_for(endpoint, key)
    if delivery is None:
        raise NotFound("Delivery not found.")
    return delivery


def status_filter(request: Request) -> str | None:
    value = query_value(request, "status")
    if value is not None and value not in selectors.DELIVERY_STATUSES:
        raise DjangoValidationError(
            {"status": [f"Must be one of: {', '.join(selectors.DELIVERY_STATUSES)}."]}
        )
    return value
