"""``GET /webhook-event-types``: what an endpoint can subscribe to, and what each means."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from agents.api.base import JSONView
from webhooks.api.schema import webhook_operation
from webhooks.api.shapes import EventTypeSerializer
from webhooks.events import EVENT_TYPES, SUBSCRIBABLE


class EventTypeListView(JSONView):
    @webhook_operation(
        "The webhook event types",
        description="Every body is `{type, version, timestamp, data}`; see docs/webhooks.md.",
        parameters=(),
        ok={200: EventTypeSerializer(many=True)},
        errors=(401,),
    )
    def get(self, request: Request) -> Response:
        types = [
            {"type": name, "description": text, "subscribable": name in SUBSCRIBABLE}
            for name, text in EVENT_TYPES.items()
        ]
        return Response(EventTypeSerializer(types, many=True).data)
