"""``GET /api/v2/agents/{id}/production``: the live configuration, at the cost of a cache hit.

What end-users and integrations poll, so it is the hottest read of the system. It answers
exactly like the rest of the API (401 without or with bad credentials, 404 for an agent the
caller may not see or that was never published, ETag and 304) but does not run Django REST
framework's request cycle for GET/HEAD:

* a repeated read costs one cache round trip and **no SQL**, authentication included: the
  caller's decision on the agent is cached by a hash of its token or session key
  (``publishing.live``), and dropped on commit of any change to permissions, memberships,
  tokens or users;
* a first read costs **one SQL query** with a token: the token, the user, the agent, its
  project, the caller's organization membership, agent permission and project membership,
  and the Production row, joined in a single statement. With a session, Django's own session
  and user lookups come first (two more queries), then the same single statement.

Other methods go through DRF (405, OPTIONS). The role rules are those of
``agents.permissions.role_for``; ``role_from_facts`` restates them over the joined row, and a
test holds the two to the same answers.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from accounts.authentication import ApiTokenAuthentication
from accounts.services import token_digest
from agents.models import AccessLevel, Agent, AgentPermission, OrganizationMembership, Project
from agents.permissions import Role
from ejento_staging.ids import MAX_ID, parse_id
from publishing import live
from publishing.models import ProductionConfiguration

CACHE_CONTROL = "private, no-cache"
VARY = "Authorization, Cookie"

NOT_PROVIDED = "Authentication credentials were not provided."
NOT_FOUND = "Agent not found."
NOT_PUBLISHED = "This agent has not been published yet."
TOKEN_MAX_LENGTH = 40  # accounts.services issues 40 hex digits


class Unauthorized(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


# --- who is asking ------------------------------------------------------------------------------


def token_from_header(request: HttpRequest) -> str | None:
    """The token of ``Authorization: Token <key>``, parsed as DRF's TokenAuthentication does.

    None when the header is absent or names another scheme (the session is tried next).
    """
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    parts = header.split()
    if not parts or parts[0].lower() != "token":
        return None
    if len(parts) == 1:
        raise Unauthorized("Invalid token header. No credentials provided.")
    if len(parts) > 2:
        raise Unauthorized("Invalid token header. Token string should not contain spaces.")
    token = parts[1]
    try:
        # Header values arrive as latin-1; DRF refuses what is not valid UTF-8 bytes.
        token = token.encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise Unauthorized(
            "Invalid token header. Token string should not contain invalid characters."
        ) from None
    if len(token) > TOKEN_MAX_LENGTH or not token.isascii() or not token.isalnum():
        # No stored token looks like this (keys are 40 hex digits), and some such strings
        # (a NUL) would make PostgreSQL raise: answer without asking the database.
        raise Unauthorized("Invalid token.")
    return token


# --- the single statement -----------------------------------------------------------------------


@cache
def _statement(vendor: str, by: str, with_snapshot: bool) -> str:
    """One SELECT: caller, agent, every fact the role depends on, and Production.

    An archived agent (``deleted_at`` set) is joined as absent: nobody may see it.

    ``by`` is "token" (the first table is the token, so a wrong token finds no row) or
    "user" (a session or a test client already named the user).
    """
    from django.contrib.auth import get_user_model

    from accounts.models import ApiToken

    q = connection.ops.quote_name
    user_model = get_user_model()
    tables = {
        "token": q(ApiToken._meta.db_table),
        "user": q(user_model._meta.db_table),
        "agent": q(Agent._meta.db_table),
        "project": q(Project._meta.db_table),
        "members": q(Project.members.through._meta.db_table),
        "membership": q(OrganizationMembership._meta.db_table),
        "permission": q(AgentPermission._meta.db_table),
        "production": q(ProductionConfiguration._meta.db_table),
    }
    if vendor == "postgresql":
        level = "pc.snapshot -> 'settings' ->> 'access_level'"
    elif vendor == "sqlite":
        level = "json_extract(pc.snapshot, '$.settings.access_level')"
    else:
        level = "NULL"  # read from the snapshot instead (always fetched then)
    snapshot = "pc.snapshot" if with_snapshot or level == "NULL" else "NULL"
    if by == "token":
        source = f"FROM {tables['token']} t JOIN {tables['user']} u ON u.id = t.user_id"
        # Only a live token finds a row: unknown, revoked and expired all read as unknown.
        where = "t.digest = %s AND t.revoked_at IS NULL AND t.expires_at > %s"
        expires = "t.expires_at"
    else:
        source = f"FROM {tables['user']} u"
        where = "u.id = %s"
        expires = "NULL"
    return f"""
        SELECT u.id, u.is_active, u.is_superuser, a.id, om.role, ap.role,
               EXISTS (SELECT 1 FROM {tables["members"]} pm
                       WHERE pm.project_id = a.project_id AND pm.user_id = u.id),
               pc.agent_id, pc.change_track_id, pc.published_at, pc.fingerprint,
               {expires}, {level}, {snapshot}
        {source}
        LEFT JOIN {tables["agent"]} a ON a.id = %s AND a.deleted_at IS NULL
        LEFT JOIN {tables["project"]} p ON p.id = a.project_id
        LEFT JOIN {tables["membership"]} om
               ON om.organization_id = p.organization_id AND om.user_id = u.id
        LEFT JOIN {tables["permission"]} ap ON ap.agent_id = a.id AND ap.user_id = u.id
        LEFT JOIN {tables["production"]} pc ON pc.agent_id = a.id
        WHERE {where}
    """


def _fetch(by: str, who: Any, agent_id: int, *, with_snapshot: bool) -> dict[str, Any] | None:
    sql = _statement(connection.vendor, by, with_snapshot)
    with connection.cursor() as cursor:
        cursor.execute(sql, [agent_id, *_who(by, who)])
        row = cursor.fetchone()
    if row is None:
        return None
    (
        user_id,
        is_active,
        is_superuser,
        found_agent,
        org_role,
        granted,
        project_member,
        published,
        change_track_id,
        published_at,
        fingerprint,
        expires_at,
        level,
        snapshot,
    ) = row
    if isinstance(snapshot, str | bytes):
        snapshot = json.loads(snapshot)
    if published is not None and level is None and snapshot is not None:
        level = snapshot.get("settings", {}).get("access_level")
    return {
        "user_id": user_id,
        "is_active": bool(is_active),
        "is_superuser": bool(is_superuser),
        "agent_exists": found_agent is not None,
        "org_role": org_role,
        "granted": granted,
        "project_member": bool(project_member),
        "published": published is not None,
        "access_level": level,
        "change_track_id": _uuid(change_track_id),
        "published_at": _datetime(published_at),
        "fingerprint": fingerprint,
        "snapshot": snapshot,
        "expires_at": _datetime(expires_at),
    }


def _who(by: str, who: Any) -> list[Any]:
    if by != "token":
        return [who]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    return [token_digest(who), now]


def _uuid(value: Any) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def _datetime(value: Any) -> datetime | None:
    # The raw cursor skips the ORM's converters: SQLite gives text, naive in UTC.
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def role_from_facts(
    *,
    agent_exists: bool,
    is_superuser: bool,
    org_role: str | None,
    granted: str | None,
    published: bool,
    access_level: str | None,
    project_member: bool,
    **_: Any,
) -> Role | None:
    """``agents.permissions.role_for`` over the facts the single statement returns."""
    if not agent_exists:
        return None
    if is_superuser or org_role == OrganizationMembership.Role.ADMIN:
        return Role.OWNER
    if org_role is None:
        # Not (or no longer) a member: a grant or project membership left behind does not count.
        return Role.VIEWER if published and access_level == AccessLevel.PUBLIC else None
    if granted is not None:
        return Role.from_label(granted)
    if not published:
        return None
    if access_level in (AccessLevel.PUBLIC, AccessLevel.ORGANIZATION):
        return Role.VIEWER
    if access_level == AccessLevel.PROJECT and project_member:
        return Role.VIEWER
    return None


# --- answers --------------------------------------------------------------------------------------


def _json_error(status: int, detail: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps({"detail": detail}), content_type="application/json", status=status
    )
    if status == 401:
        response["WWW-Authenticate"] = "Token"
    response["Vary"] = VARY
    return response


def _matches(request: HttpRequest, etag: str) -> bool:
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    tags = parse_etags(header)
    if "*" in tags:
        return True
    # Weak comparison (RFC 9110 13.1.2): W/"x" matches "x".
    bare = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == bare for tag in tags)


def _answer(request: HttpRequest, payload: dict[str, Any]) -> HttpResponse:
    if _matches(request, payload["etag"]):
        response: HttpResponse = HttpResponseNotModified()
    else:
        body = payload["body"] if request.method != "HEAD" else b""
        response = HttpResponse(body, content_type="application/json")
        if request.method == "HEAD":
            response["Content-Length"] = str(len(payload["body"]))
    response["ETag"] = payload["etag"]
    response["Cache-Control"] = CACHE_CONTROL
    response["Vary"] = VARY
    return response


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
    forced = getattr(request, "_force_auth_user", None)  # DRF's test client
    try:
        token = None if forced is not None else token_from_header(request)
    except Unauthorized as exc:
        return _json_error(401, exc.detail)
    session_key = None
    if forced is None and token is None:
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        # Django's session keys are lower-case letters and digits; anything else is no session.
        if not session_key or not session_key.isascii() or not session_key.isalnum():
            return _json_error(401, NOT_PROVIDED)

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
                return _json_error(404, NOT_FOUND)
            if seen.payload is not None:
                return _answer(request, seen.payload)
    if not shared:
        held = live.local_payloads.get(agent_id)

    # The snapshot is skipped when a body is at hand that may still be current.
    need_snapshot = seen.payload is None if seen is not None else held is None
    access_timeout = None
    if token is not None:
        facts = _fetch("token", token, agent_id, with_snapshot=need_snapshot)
        if facts is None:
            return _json_error(401, "Invalid token.")
        if not facts["is_active"]:
            return _json_error(401, "User inactive or deleted.")
        # A cached decision must not outlive the token itself.
        access_timeout = int((facts["expires_at"] - timezone.now()).total_seconds())
    else:
        user = forced if forced is not None else request.user
        if not user.is_authenticated or not user.is_active:
            return _json_error(401, NOT_PROVIDED)
        if session_key is not None:
            # A cached session must not outlive the session itself.
            access_timeout = request.session.get_expiry_age()
        facts = _fetch("user", user.pk, agent_id, with_snapshot=need_snapshot)
        if facts is None:
            return _json_error(401, NOT_PROVIDED)

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
        return _json_error(404, NOT_FOUND)
    if payload is None:
        return _json_error(404, NOT_PUBLISHED)
    return _answer(request, payload)


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


# --- the view, and what /api/schema/ says about it -----------------------------------------------

from publishing.schema import ConfigurationField  # noqa: E402  (the schema part's own import)

_CONFIGURATION = inline_serializer(
    name="LiveProduction",
    fields={
        "agent_id": serializers.IntegerField(),
        "environment": serializers.CharField(help_text="Always `production`."),
        "change_track_id": serializers.UUIDField(
            help_text="The publish record this configuration came from."
        ),
        "published_at": serializers.DateTimeField(),
        "configuration": ConfigurationField(
            help_text="The published snapshot: settings, instructions, knowledge_sources, "
            "tools (with actions) and guardrails."
        ),
    },
)
_DETAIL = inline_serializer(name="LiveDetail", fields={"detail": serializers.CharField()})
_HEADERS = [
    OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="Names this exact configuration; send it back in If-None-Match.",
    ),
    OpenApiParameter(
        "Cache-Control",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description=f"`{CACHE_CONTROL}`: private data; revalidate with the ETag each time.",
    ),
]


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

    @extend_schema(
        operation_id="agents_production_retrieve",
        summary="The live (Production) configuration of an agent",
        description=(
            "What end-users and integrations get: the snapshot of the agent's newest publish, "
            "with the `change_track_id` of that publish. Needs at least the viewer role. "
            "Answers `304 Not Modified` when `If-None-Match` carries the current ETag. "
            "A revoked permission or deleted token stops working as soon as that change "
            "commits."
        ),
        tags=["agents"],
        parameters=[
            OpenApiParameter(
                "agent_id",
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                OpenApiParameter.PATH,
            ),
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=False,
                description="An ETag from an earlier answer.",
            ),
            *_HEADERS,
        ],
        responses={
            200: OpenApiResponse(_CONFIGURATION, description="The live configuration."),
            304: OpenApiResponse(description="Unchanged since the ETag in If-None-Match."),
            401: OpenApiResponse(_DETAIL, description="No credentials, or bad ones."),
            404: OpenApiResponse(
                _DETAIL,
                description="No such agent, one the caller may not see, or never published.",
            ),
        },
        examples=[
            OpenApiExample(
                "Live configuration",
                response_only=True,
                status_codes=["200"],
                value={
                    "agent_id": 7,
                    "environment": "production",
                    "change_track_id": "3f2c0e8a-5a8e-4d3c-9a53-0b8c1f3b6d21",
                    "published_at": "2025-01-31T09:30:00Z",
                    "configuration": {"settings": {"name": "Support bot"}, "instructions": []},
                },
            )
        ],
    )
    def get(self, request: Any, agent_id: str) -> HttpResponse:
        return serve_production(getattr(request, "_request", request), agent_id)
