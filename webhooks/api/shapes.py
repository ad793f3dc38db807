"""What the webhooks API takes and answers. The signing secret is in no shape but
``CreatedEndpointSerializer`` and ``RotatedSecretSerializer``."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.api.schema import field_errors_serializer
from agents.serializers.common import UserRefSerializer
from agents.serializers.fields import (
    NOT_BLANK,
    FlatListField,
    IdField,
    StrictBooleanField,
    StrictCharField,
    free_text_field,
)
from webhooks.events import SUBSCRIBABLE
from webhooks.models import DESCRIPTION_MAX_LENGTH, URL_MAX_LENGTH, Delivery, Endpoint
from webhooks.selectors import DELIVERY_STATUSES


# Who created an endpoint: the agents API's reference to a user, under this API's own
# component name.
class WebhookUserRefSerializer(UserRefSerializer):
    pass


def user_ref(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "username": user.username}


class StateField(serializers.CharField):
    """A state among ``states``, documented by a pattern: a ``status`` enum would be a schema
    component whose name collides with every other ``status`` of other states."""

    def __init__(self, states: tuple[str, ...], **kwargs: Any) -> None:
        self.states = states
        super().__init__(**kwargs)
        # What extend_schema_field would set; per instance, as the states differ (set in
        # __init__ so that it survives the copy DRF makes of every declared field).
        self._spectacular_annotation = {
            "field": {"type": "string", "pattern": f"^({'|'.join(states)})$"}
        }


def event_types_field(**kwargs: Any) -> serializers.ListField:
    return FlatListField(
        child=serializers.ChoiceField(choices=SUBSCRIBABLE),
        allow_empty=False,
        max_length=len(SUBSCRIBABLE),
        help_text="The events to receive (see GET /api/v2/webhook-event-types).",
        **kwargs,
    )


def url_field(**kwargs: Any) -> StrictCharField:
    return StrictCharField(
        max_length=URL_MAX_LENGTH,
        validators=[NOT_BLANK],
        help_text="Where events are POSTed: https, to a public address (checked again at "
        "every send).",
        **kwargs,
    )


class EndpointCreateSerializer(serializers.Serializer):
    url = url_field()
    event_types = event_types_field()
    description = free_text_field(DESCRIPTION_MAX_LENGTH)
    enabled = StrictBooleanField(required=False, default=True)
    agent_id = IdField(
        required=False,
        allow_null=True,
        help_text="Only this agent's events (its owners may manage the endpoint too); "
        "null or left out: every agent of the organization (admins only).",
    )


class EndpointUpdateSerializer(serializers.Serializer):
    """What a PATCH may change; what is left out stays. The scope (agent) is fixed."""

    url = url_field(required=False)
    event_types = event_types_field(required=False)
    description = free_text_field(DESCRIPTION_MAX_LENGTH)
    enabled = StrictBooleanField(
        required=False, help_text="true again also clears `disabled_reason` and `failing_since`."
    )


class EndpointSerializer(serializers.Serializer):
    """An endpoint as its managers see it; never its secret."""

    id = serializers.IntegerField()
    organization_id = serializers.IntegerField()
    agent_id = serializers.IntegerField(
        allow_null=True, help_text="Null: the events of every agent of the organization."
    )
    url = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=SUBSCRIBABLE))
    enabled = serializers.BooleanField()
    disabled_reason = serializers.CharField(
        allow_blank=True, help_text="Why it was disabled automatically; empty otherwise."
    )
    failing_since = serializers.DateTimeField(
        allow_null=True, help_text="Since when every attempt has failed; null after a success."
    )
    created_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    previous_secret_expires_at = serializers.SerializerMethodField()

    @extend_schema_field(WebhookUserRefSerializer(allow_null=True))
    def get_created_by(self, endpoint: Endpoint) -> dict[str, Any] | None:
        return user_ref(endpoint.created_by)

    @extend_schema_field(
        serializers.DateTimeField(
            allow_null=True,
            help_text="After a rotation: until when the previous secret signs too; null "
            "when only the current secret signs.",
        )
    )
    def get_previous_secret_expires_at(self, endpoint: Endpoint) -> str | None:
        expires = endpoint.previous_secret_expires_at
        if not endpoint.previous_secret or expires is None or expires <= timezone.now():
            return None
        return serializers.DateTimeField().to_representation(expires)


class CreatedEndpointSerializer(EndpointSerializer):
    secret = serializers.CharField(
        help_text="The signing secret (`whsec_...`). Shown in this answer only: keep it."
    )


class RotatedSecretSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="The new signing secret, shown this once.")
    previous_secret_expires_at = serializers.DateTimeField(
        help_text="Until then every delivery is signed with both secrets."
    )


class DeliverySerializer(serializers.Serializer):
    """One event to one endpoint: its state and how many attempts it took so far."""

    id = serializers.UUIDField()
    webhook_id = serializers.CharField(
        help_text="The `webhook-id` header of every attempt; receivers deduplicate on it."
    )
    event_id = serializers.UUIDField()
    event_type = serializers.CharField(source="event.type")
    status = StateField(
        DELIVERY_STATUSES,
        help_text="pending (a retry is due at next_attempt_at), "
        "sending, succeeded or failed (retries ran out).",
    )
    attempt_count = serializers.IntegerField(source="attempts")
    next_attempt_at = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)

    @extend_schema_field(
        serializers.DateTimeField(allow_null=True, help_text="Null once it has settled.")
    )
    def get_next_attempt_at(self, delivery: Delivery) -> str | None:
        if delivery.status != Delivery.Status.PENDING:
            return None
        return serializers.DateTimeField().to_representation(delivery.next_attempt_at)


class AttemptSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    duration_ms = serializers.IntegerField()
    status_code = serializers.IntegerField(
        allow_null=True, help_text="Null when no answer came (timeout, refused, unsafe)."
    )
    succeeded = serializers.BooleanField()
    error = serializers.CharField(allow_blank=True)
    response_excerpt = serializers.CharField(allow_blank=True)


class DeliveryDetailSerializer(DeliverySerializer):
    payload = serializers.JSONField(
        source="event.payload", help_text="The exact body sent: {type, version, timestamp, data}."
    )
    attempts = AttemptSerializer(source="log", many=True, help_text="Newest first.")


class DeliveryFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DELIVERY_STATUSES, required=False)


class EventTypeSerializer(serializers.Serializer):
    type = serializers.CharField()
    description = serializers.CharField()
    subscribable = serializers.BooleanField(
        help_text="False for webhook.test, which goes only to the endpoint it is sent to."
    )


EndpointErrorSerializer = field_errors_serializer(
    "EndpointErrorSerializer", ["url", "event_types", "description", "enabled", "agent_id"]
)


class WebhookConflictSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["endpoint_disabled", "delivery_in_progress"])
    detail = serializers.CharField()
