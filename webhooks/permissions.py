"""Who manages which webhook endpoints: one rule, used by the services and the selectors.

An endpoint for every agent of an organization is the organization admins' to manage; an
endpoint for one agent is also its owners' (an organization admin is an owner of every
agent, see ``agents.permissions.role_for``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from agents.models import Agent, AgentPermission
from agents.permissions import Role, admin_organization_ids, is_org_admin, role_for
from webhooks.models import Endpoint

REFUSAL = "Only the agent's owners and the organization's admins can manage its webhooks."


def require_manager(acting_user: Any, *, organization_id: int, agent: Agent | None) -> None:
    """Refuse (``PermissionDenied``) anyone who may not manage endpoints of this scope.

    An agent the user may not see at all raises ``Agent.DoesNotExist`` (answered as 404).
    """
    if agent is None:
        if not is_org_admin(acting_user, organization_id):
            raise PermissionDenied(
                "Only the organization's admins can manage webhooks for all its agents."
            )
        return
    role = role_for(acting_user, agent)
    if role is None:
        raise Agent.DoesNotExist("Agent not found.")
    if role < Role.OWNER:
        raise PermissionDenied(REFUSAL)


def manageable_endpoints(user: Any) -> QuerySet[Endpoint]:
    """The endpoints ``user`` may see and manage (the same set: endpoints hold secrets)."""
    endpoints = Endpoint.objects.filter(Q(agent__isnull=True) | Q(agent__deleted_at__isnull=True))
    if not user.is_authenticated:
        return endpoints.none()
    if user.is_superuser:
        return endpoints
    owned = AgentPermission.objects.filter(user_id=user.pk, role=AgentPermission.Role.OWNER)
    return endpoints.filter(
        Q(organization_id__in=admin_organization_ids(user))
        | Q(
            agent_id__in=owned.values("agent_id"),
            organization__memberships__user_id=user.pk,
        )
    ).distinct()
