"""An organization's webhook endpoints: list, create, one, change, delete, rotate, test."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from agents.api.base import JSONView, PaginatedView, validated
from agents.models import Agent
from agents.permissions import visible_agents
from webhooks import selectors, services
from webhooks.api.deliveries import accepted
from webhooks.api.paths import ORGANIZATION_ID, endpoint_or_404, organization_or_404
from webhooks.api.schema import BODY, READ, queues_a_delivery, webhook_operation
from webhooks.api.shapes import (
    CreatedEndpointSerializer,
    EndpointCreateSerializer,
    EndpointSerializer,
    EndpointUpdateSerializer,
    RotatedSecretSerializer,
)


def _agent_in_body(request: Request, agent_id: int | None) -> Agent | None:
    """The agent a new endpoint is for; one the caller cannot see is as unknown as none."""
    if agent_id is None:
        return None
    agent = visible_agents(request.user).filter(pk=agent_id).first()
    if agent is None:
        raise DjangoValidationError({"agent_id": ["Unknown agent."]})
    return agent


class EndpointListView(PaginatedView):
    serializer_class = EndpointCreateSerializer

    @webhook_operation(
        "The organization's webhook endpoints the caller manages",
        description="Organization admins see every endpoint; agent owners those of their "
        "agents. No secrets.",
        parameters=(ORGANIZATION_ID,),
        ok={200: EndpointSerializer(many=True)},
        errors=(400, 401, 404),
    )
    def get(self, request: Request, organization_id: str) -> Response:
        organization = organization_or_404(request, organization_id)
        endpoints = selectors.endpoints_of(request.user, organization.pk)
        return self.paginated(endpoints, lambda page: EndpointSerializer(page, many=True).data)

    @webhook_operation(
        "Create a webhook endpoint; the answer holds its secret, shown this once",
        description="For every agent of the organization (`agent_id` null or left out): "
        "organization admins. For one agent: its owners too.",
        parameters=(ORGANIZATION_ID,),
        request=EndpointCreateSerializer,
        ok={201: CreatedEndpointSerializer},
        errors=BODY,
    )
    def post(self, request: Request, organization_id: str) -> Response:
        organization = organization_or_404(request, organization_id)
        if not selectors.may_manage_some_endpoint(request.user, organization.pk):
            raise PermissionDenied(
                "Only the organization's admins and its agents' owners can manage webhooks."
            )
        data = validated(EndpointCreateSerializer, request)
        endpoint, secret = services.create_endpoint(
            acting_user=request.user,
            organization_id=organization.pk,
            agent=_agent_in_body(request, data.get("agent_id")),
            url=data["url"],
            event_types=data["event_types"],
            description=data.get("description", ""),
            enabled=data["enabled"],
        )
        # The secret is added here, to this one answer; no serializer of an endpoint reads it.
        body = {**EndpointSerializer(endpoint).data, "secret": secret}
        return Response(body, status=status.HTTP_201_CREATED)


class EndpointDetailView(JSONView):
    @webhook_operation(
        "One webhook endpoint (no secret)", ok={200: EndpointSerializer}, errors=READ
    )
    def get(self, request: Request, organization_id: str, endpoint_id: str) -> Response:
        endpoint = endpoint_or_404(request, organization_id, endpoint_id)
        return Response(EndpointSerializer(endpoint).data)

    @webhook_operation(
        "Change a webhook endpoint (what is left out stays)",
        request=EndpointUpdateSerializer,
        ok={200: EndpointSerializer},
        errors=BODY,
    )
    def patch(self, request: Request, organization_id: str, endpoint_id: str) -> Response:
        endpoint = endpoint_or_404(request, organization_id, endpoint_id)
        data = validated(EndpointUpdateSerializer, request)
        endpoint = services.update_endpoint(acting_user=request.user, endpoint=endpoint, **data)
        return Response(EndpointSerializer(endpoint).data)

    @webhook_operation(
        "Delete a webhook endpoint with its delivery log", ok={204: None}, errors=READ
    )
    def delete(self, request: Request, organization_id: str, endpoint_id: str) -> Response:
        endpoint = endpoint_or_404(request, organization_id, endpoint_id)
        services.delete_endpoint(acting_user=request.user, endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RotateSecretView(JSONView):
    @webhook_operation(
        "A new signing secret; the previous one still signs for a grace period",
        request=None,
        ok={200: RotatedSecretSerializer},
        errors=READ,
    )
    def post(self, request: Request, organization_id: str, endpoint_id: str) -> Response:
        endpoint = endpoint_or_404(request, organization_id, endpoint_id)
        secret = services.rotate_secret(acting_user=request.user, endpoint=endpoint)
        body = {"secret": secret, "previous_secret_expires_at": endpoint.previous_secret_expires_at}
        return Response(RotatedSecretSerializer(body).data)


class TestEventView(JSONView):
    @queues_a_delivery("Send the endpoint a webhook.test event (queued; see its delivery)")
    def post(self, request: Request, organization_id: str, endpoint_id: str) -> Response:
        endpoint = endpoint_or_404(request, organization_id, endpoint_id)
        return accepted(services.send_test_event(acting_user=request.user, endpoint=endpoint))
