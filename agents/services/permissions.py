"""Roles on an agent: grant, change, revoke (owners; the rule is ``agents.permissions``).

A role is granted only to a member of the agent's organization, and an agent always keeps
at least one explicit owner.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agents.models import Agent, AgentPermission
from agents.permissions import Role, require_role
from agents.services.common import User, require_id

# One answer for an id that names nobody and for one that names someone outside the
# organization, so the grant form cannot be used to list the users of other organizations.
NOT_A_MEMBER = "No member of this agent's organization has this id."


def _clean_role(role: Any) -> str:
    if role not in AgentPermission.Role.values:
        raise ValidationError(
            {"role": [f"Must be one of: {', '.join(AgentPermission.Role.values)}."]}
        )
    return role


def grant_permission(
    *, agent: Agent, acting_user: Any, target_user_id: Any, role: str
) -> AgentPermission:
    """Give a current member of the agent's organization a role on the agent.

    Roles count only while their holder belongs to the agent's organization
    (``agents.permissions``), so a grant to anyone else is refused rather than stored.
    """
    require_role(acting_user, agent, Role.OWNER)
    role = _clean_role(role)
    target = User.objects.filter(
        pk=require_id(target_user_id, "user_id"),
        org_memberships__organization_id=agent.project.organization_id,
    ).first()
    if target is None:
        raise ValidationError({"user_id": [NOT_A_MEMBER]})
    try:
        with transaction.atomic():
            permission = AgentPermission(
                agent=agent, user=target, role=role, granted_by=acting_user
            )
            permission._history_user = acting_user
            permission.save()
    except IntegrityError:
        raise ValidationError(
            {"user_id": ["This user already has a role on this agent."]}
        ) from None
    return permission


def _refuse_losing_last_owner(permission: AgentPermission, field: str) -> None:
    """An agent keeps at least one explicit owner, or only admins could manage it."""
    if permission.role != AgentPermission.Role.OWNER:
        return
    others = AgentPermission.objects.filter(
        agent_id=permission.agent_id, role=AgentPermission.Role.OWNER
    ).exclude(pk=permission.pk)
    if not others.exists():
        raise ValidationError(
            {field: ["This is the agent's last owner: make someone else owner first."]}
        )


def _lock_agent_of(permission: AgentPermission) -> None:
    """Lock the permission's agent and re-read its role, so two owners demoting or removing
    each other at once cannot both succeed."""
    Agent.objects.select_for_update().filter(pk=permission.agent_id).first()
    permission.refresh_from_db(fields=["role"])


def change_permission(
    *, permission: AgentPermission, acting_user: Any, role: str
) -> AgentPermission:
    """Change a user's role; the agent's last owner cannot be demoted."""
    require_role(acting_user, permission.agent, Role.OWNER)
    role = _clean_role(role)
    with transaction.atomic():
        _lock_agent_of(permission)
        if role != AgentPermission.Role.OWNER:
            _refuse_losing_last_owner(permission, "role")
        permission.role = role
        permission.granted_by = acting_user
        permission._history_user = acting_user
        permission.save(update_fields=["role", "granted_by"])
    return permission


def revoke_permission(*, permission: AgentPermission, acting_user: Any) -> None:
    """Take a role away; the agent's last owner cannot be removed."""
    require_role(acting_user, permission.agent, Role.OWNER)
    with transaction.atomic():
        _lock_agent_of(permission)
        _refuse_losing_last_owner(permission, "permission_id")
        permission._history_user = acting_user
        permission.delete()
