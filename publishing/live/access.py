"""The live read's access decision: one SQL statement, and ``role_from_facts`` over its row.

A first read (or any read with a per-process cache) asks the database once: the caller,
the agent, every fact the role depends on, and Production, joined in a single statement.
``role_from_facts`` is ``agents.permissions.role_for`` restated over that row; a test runs
both over every kind of caller and agent and holds them to the same answers.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.services import token_digest
from agents.models import AccessLevel, Agent, AgentPermission, OrganizationMembership, Project
from agents.permissions import Role
from publishing.models import ProductionConfiguration


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


def fetch_facts(by: str, who: Any, agent_id: int, *, with_snapshot: bool) -> dict[str, Any] | None:
    """The statement's row as named facts; None when the caller is unknown.

    ``who`` is the token (``by="token"``) or the user's id (``by="user"``).
    """
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
