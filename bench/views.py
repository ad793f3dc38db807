"""Views the live read is measured against. Bench only: never routed by the project.

* ``bare_production`` - the floor: one raw SQL query, the row's JSON text as the body, no
  authentication at all. The live read must reach 0.8x its throughput.
* ``DrfProductionView`` - the straightforward implementation (before): DRF's stack, token
  lookup, ``get_agent_for`` (agent, membership, permission), the body built per request.
* ``DrfCachedBodyView`` - the first step: the same, with the body and ETag from the cache.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from rest_framework.views import APIView

from agents.permissions import Role, get_agent_for
from publishing.live import cache as live
from publishing.models import ProductionConfiguration


def bare_production(request: Any, agent_id: int) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT snapshot FROM agents_productionconfiguration WHERE agent_id = %s", [agent_id]
        )
        row = cursor.fetchone()
    if row is None:
        return HttpResponse(status=404)
    return HttpResponse(row[0], content_type="application/json")


def _response(payload: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(payload["body"], content_type="application/json")
    response["ETag"] = payload["etag"]
    response["Cache-Control"] = "private, no-cache"
    return response


class DrfProductionView(APIView):
    def get(self, request: Any, agent_id: int) -> HttpResponse:
        agent, _ = get_agent_for(request.user, agent_id, Role.VIEWER)
        row = (
            ProductionConfiguration.objects.filter(agent_id=agent.pk)
            .values("snapshot", "change_track_id", "published_at", "fingerprint")
            .first()
        )
        return _response(live.live_payload(agent.pk, row))


class DrfCachedBodyView(APIView):
    def get(self, request: Any, agent_id: int) -> HttpResponse:
        agent, _ = get_agent_for(request.user, agent_id, Role.VIEWER)
        key = f"bench:{live.cache_key(agent.pk)}"
        payload = cache.get(key)
        if payload is None:
            row = (
                ProductionConfiguration.objects.filter(agent_id=agent.pk)
                .values("snapshot", "change_track_id", "published_at", "fingerprint")
                .first()
            )
            payload = live.live_payload(agent.pk, row)
            cache.set(key, payload, 60)
        return _response(payload)
