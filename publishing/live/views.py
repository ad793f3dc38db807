"""The live read's view: authenticate, decide, answer - from the cache when it can.

GET and HEAD are answered by ``serve_production`` without DRF's request cycle; other
methods go through DRF (405, OPTIONS). The parts it puts together are described in
``publishing.live``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from accounts.authentication import ApiTokenAuthentication
from ejento_staging.ids import parse_id
from publishing.live import cache as live
from publishing.live.access import fetch_facts, role_from_facts
from publishing.live.authentication import (
    NOT_PROVIDED,
    Unauthorized,
    forced_user,
    session_key_from_cookie,
    token_from_header,
)
from publishing.live.http_cache import answer, json_error
from publishing.live.schema import production_schema
from publishing.models import ProductionConfiguration

NOT_FOUND = "Agent not found."
NOT_PUBLISHED = "This agent has not been published yet."


def parse_agent_id(value: Any) -> int:
    """The agent id from the path; 0 (no such agent, so 404) when it is not one."""
    return parse_id(value) or 0


def serve_production(request: HttpRequest, raw_agent_id: Any) -> HttpResponse:
    """The whole GET: authenticate, authorize, answer - from the cache when it can.

    Credentials are checked before the id, as DRF would: a bad token is 401 on any path.

    Which cache answers depends on where the cache lives (``live.shared_cache``):

    * shared by every process (Redis): the decision and the body are served from it with no
      SQL, since every invalidation reaches every process at once;
    * local to each process: nothing another process could make stale is trusted. The
      single statement runs on every read (the access decision is always today's), and
      the body this process holds is served only when it belongs to the Production row
      the statement just read; otherwise that row's snapshot is loaded.
    """
    agent_id = parse_agent_id(raw_agent_id)
    forced = forced_user(request)
    try:
        token = None if forced is not None else token_from_header(request)
    except Unauthorized as exc:
        return json_error(401, exc.detail)
    session_key = None
    if forced is None and token is None:
        session_key = session_key_from_cookie(request)
        if session_key is None:
            return json_error(401, NOT_PROVIDED)

    shared = live.shared_cache()
    credential = None
    seen = None
    held = None
    if token is not None:
        credential = live.credential_hash("token", token)
    elif session_key is not None:
        credential = live.credential_hash("session", session_key)
    if shared and credential is not None:
        seen = live.lookup(agent_id, credential)
        if seen.access is not None:
            if not seen.access["r"]:
                return json_error(404, NOT_FOUND)
            if seen.payload is not None:
                return answer(request, seen.payload)
    if not shared:
        held = live.local_payloads.get(agent_id)

    # The snapshot is skipped when a body is at hand that may still be current.
    need_snapshot = seen.payload is None if seen is not None else held is None
    access_timeout = None
    if token is not None:
        facts = fetch_facts("token", token, agent_id, with_snapshot=need_snapshot)
        if facts is None:
            return json_error(401, "Invalid token.")
        if not facts["is_active"]:
            return json_error(401, "User inactive or deleted.")
        # A cached decision must not outlive the token itself.
        access_timeout = int((facts["expires_at"] - timezone.now()).total_seconds())
    else:
        user = forced if forced is not None else request.user
        if not user.is_authenticated or not user.is_active:
            return json_error(401, NOT_PROVIDED)
        if session_key is not None:
            # A cached session must not outlive the session itself.
            access_timeout = request.session.get_expiry_age()
        facts = fetch_facts("user", user.pk, agent_id, with_snapshot=need_snapshot)
        if facts is None:
            return json_error(401, NOT_PROVIDED)

    role = role_from_facts(**facts)
    payload = None
    if role is not None and facts["published"]:
        payload = _current_payload(agent_id, facts, seen=seen, held=held, shared=shared)
    if credential is not None and seen is not None:
        live.remember(
            agent_id,
            credential,
            seen,
            payload=payload if seen.payload is None else None,
            access={"u": facts["user_id"], "r": int(role) if role is not None else 0},
            access_timeout=access_timeout,
        )
    if role is None:
        return json_error(404, NOT_FOUND)
    if payload is None:
        return json_error(404, NOT_PUBLISHED)
    return answer(request, payload)


def _current_payload(
    agent_id: int,
    facts: dict[str, Any],
    *,
    seen: live.Cached | None,
    held: dict[str, Any] | None,
    shared: bool,
) -> dict[str, Any] | None:
    """The body and ETag of the Production the statement just read.

    ``seen.payload`` is current by the shared version stamp; ``held`` (a process-local
    cache) only when it was built from the very row read now, which the change_track_id
    names: every publish makes a new one.
    """
    if seen is not None and seen.payload is not None:
        return seen.payload
    if held is not None and held.get("v") == str(facts["change_track_id"]):
        return held
    row = facts
    if row["snapshot"] is None:
        # The statement skipped the snapshot for a held body that turned out to be older: a
        # publish committed since this process built it. Load the row as it is now.
        row = _production_row(agent_id)
        if row is None:
            return None
    payload = live.live_payload(agent_id, row)
    payload["body"] = payload["body"].encode()
    if seen is None and not shared:
        payload["v"] = str(row["change_track_id"])
        live.local_payloads.put(agent_id, payload)
    return payload


def _production_row(agent_id: int) -> dict[str, Any] | None:
    return (
        ProductionConfiguration.objects.filter(agent_id=agent_id, agent__deleted_at__isnull=True)
        .values("snapshot", "change_track_id", "published_at", "fingerprint")
        .first()
    )


class LiveProductionView(APIView):
    """The live configuration of an agent. GET and HEAD never enter DRF's request cycle."""

    # Listed so the schema names the accepted credentials; GET and HEAD apply the same rules
    # in ``serve_production``, other methods go through these.
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.method in ("GET", "HEAD"):
            return serve_production(request, kwargs["agent_id"])
        return super().dispatch(request, *args, **kwargs)

    @production_schema
    def get(self, request: Any, agent_id: str) -> HttpResponse:
        return serve_production(getattr(request, "_request", request), agent_id)
