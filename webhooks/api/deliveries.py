"""An endpoint's delivery log: the deliveries, one with its attempts, and redelivering one."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from agents.api.base import JSONView, PaginatedView
from webhooks import selectors, services
from webhooks.api.paths import (
    DELIVERY_ID,
    STATUS_FILTER,
    delivery_or_404,
    endpoint_or_404,
    status_filter,
)
from webhooks.api.schema import ON_AN_ENDPOINT, READ, queues_a_delivery, webhook_operation
from webhooks.api.shapes import DeliveryDetailSerializer, DeliverySerializer
from webhooks.models import Delivery

ON_A_DELIVERY = (*ON_AN_ENDPOINT, DELIVERY_ID)


def accepted(delivery: Delivery) -> Response:
    """The answer to queueing a delivery: 202, as it is sent later, by the worker."""
    return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class DeliveryListView(PaginatedView):
    serializer_class = DeliverySerializer

    @webhook_operation(
        "The endpoint's deliveries, newest first",
        parameters=(*ON_AN_ENDPOINT, STATUS_FILTER),
        ok={200: DeliverySerializer(many=True)},
        errors=(400, *READ),
    )
    def get(self, request: Request, organization_id: str, endpoint_id: str) -> Response:
        endpoint = endpoint_or_404(request, organization_id, endpoint_id)
        deliveries = selectors.deliveries_of(endpoint, status_filter(request))
        return self.paginated(deliveries, lambda page: DeliverySerializer(page, many=True).data)


class DeliveryDetailView(JSONView):
    @webhook_operation(
        "One delivery: the body sent and every attempt (newest first)",
        parameters=ON_A_DELIVERY,
        ok={200: DeliveryDetailSerializer},
        errors=READ,
    )
    def get(
        self, request: Request, organization_id: str, endpoint_id: str, delivery_id: str
    ) -> Response:
        endpoint = endpoint_or_404(request, organization_id, endpoint_id)
        delivery = delivery_or_404(endpoint, delivery_id)
        return Response(DeliveryDetailSerializer(delivery).data)


class RedeliverView(JSONView):
    @queues_a_delivery(
        "Send a delivery again now (same webhook-id, a fresh retry budget)", ON_A_DELIVERY
    )
    def post(
        self, request: Request, organization_id: str, endpoint_id: str, delivery_id: str
    ) -> Response:
        endpoint = endpoint_or_404(request, organization_id, endpoint_id)
        delivery = delivery_or_404(endpoint, delivery_id)
        return accepted(services.redeliver(acting_user=request.user, delivery=delivery))
