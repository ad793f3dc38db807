"""Managing webhook endpoints and their deliveries: the one way in for these writes.

Each service checks the acting user's right itself (``webhooks.permissions``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agents.models import Agent
from agents.validation import clean_text
from webhooks import delivery as deliveries
from webhooks.events import SUBSCRIBABLE, record_test_event
from webhooks.exceptions import DeliveryInProgress, EndpointDisabled
from webhooks.models import DESCRIPTION_MAX_LENGTH, Delivery, Endpoint
from webhooks.permissions import require_manager
from webhooks.signing import new_secret
from webhooks.targets import clean_url

UNSET: Any = object()


def create_endpoint(
    *,
    acting_user: Any,
    organization_id: int,
    agent: Agent | None = None,
    url: Any,
    event_types: Any,
    description: Any = "",
    enabled: bool = True,
) -> tuple[Endpoint, str]:
    """A new endpoint and its signing secret (returned here once, never shown again)."""
    if agent is not None and agent.project.organization_id != organization_id:
        raise ValidationError({"agent_id": ["That agent belongs to another organization."]})
    require_manager(acting_user, organization_id=organization_id, agent=agent)
    secret = new_secret()
    endpoint = Endpoint.objects.create(
        organization_id=organization_id,
        agent=agent,
        url=clean_url(url),
        description=_clean_description(description),
        event_types=clean_event_types(event_types),
        enabled=bool(enabled),
        secret=secret,
        created_by=acting_user,
    )
    return endpoint, secret


def update_endpoint(
    *,
    acting_user: Any,
    endpoint: Endpoint,
    url: Any = UNSET,
    event_types: Any = UNSET,
    description: Any = UNSET,
    enabled: Any = UNSET,
) -> Endpoint:
    """Change what is given; enabling an endpoint again forgets why it was disabled."""
    _require(acting_user, endpoint)
    changes: dict[str, Any] = {}
    if url is not UNSET:
        changes["url"] = clean_url(url)
    if event_types is not UNSET:
        changes["event_types"] = clean_event_types(event_types)
    if description is not UNSET:
        changes["description"] = _clean_description(description)
    if enabled is not UNSET:
        changes["enabled"] = bool(enabled)
        if enabled:
            changes.update(failing_since=None, disabled_reason="")
    for field, value in changes.items():
        setattr(endpoint, field, value)
    endpoint.updated_at = timezone.now()
    endpoint.save(update_fields=[*changes, "updated_at"])
    return endpoint


def rotate_secret(*, acting_user: Any, endpoint: Endpoint) -> str:
    """A new secret (returned once); the old one still signs for the grace period."""
    _require(acting_user, endpoint)
    now = timezone.now()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + timedelta(
        seconds=settings.WEBHOOK_SECRET_GRACE_SECONDS
    )
    endpoint.secret = new_secret()
    endpoint.updated_at = now
    endpoint.save(
        update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
    )
    return endpoint.secret


def delete_endpoint(*, acting_user: Any, endpoint: Endpoint) -> None:
    """Delete the endpoint with its delivery log; queued deliveries to it are dropped."""
    _require(acting_user, endpoint)
    endpoint.delete()


def send_test_event(*, acting_user: Any, endpoint: Endpoint) -> Delivery:
    """Queue a ``webhook.test`` event to this (enabled) endpoint, whatever it subscribes to."""
    _require(acting_user, endpoint)
    if not endpoint.enabled:
        raise EndpointDisabled("Enable the endpoint before sending it a test.")
    with transaction.atomic():
        return record_test_event(
            endpoint=endpoint,
            data={
                "endpoint_id": endpoint.pk,
                "sent_by": {"id": acting_user.pk, "username": acting_user.username},
            },
        )


def redeliver(*, acting_user: Any, delivery: Delivery) -> Delivery:
    """Send a delivery again now, same ``webhook-id``, with a fresh retry budget."""
    _require(acting_user, delivery.endpoint)
    if not delivery.endpoint.enabled:
        raise EndpointDisabled("Enable the endpoint before redelivering to it.")
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.status == Delivery.Status.SENDING:
            raise DeliveryInProgress()
        deliveries.restart(locked)
    return locked


def clean_event_types(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValidationError({"event_types": ["Choose at least one event type."]})
    unknown = [item for item in value if item not in SUBSCRIBABLE]
    if unknown:
        raise ValidationError(
            {"event_types": [f"Unknown event type(s); choose from: {', '.join(SUBSCRIBABLE)}."]}
        )
    return [name for name in SUBSCRIBABLE if name in value]


def _clean_description(value: Any) -> str:
    return clean_text(
        value, "description", max_length=DESCRIPTION_MAX_LENGTH, required=False
    ).strip()


def _require(acting_user: Any, endpoint: Endpoint) -> None:
    require_manager(acting_user, organization_id=endpoint.organization_id, agent=endpoint.agent)
