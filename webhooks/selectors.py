"""Reading webhook endpoints and their delivery logs, as the person asking may see them.

Endpoints are seen by those who manage them (``webhooks.permissions.manageable_endpoints``):
one another may not manage is as unknown as one that never existed. Deliveries and their
attempts are seen through their endpoint.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from agents.models import Agent, AgentPermission, Organization
from agents.permissions import (
    admin_organization_ids,
    counted_grants,
    is_org_admin,
    organizations_for,
)
from ejento_staging.ids import parse_id
from webhooks.models import Delivery, DeliveryAttempt, Endpoint
from webhooks.permissions import manageable_endpoints

DELIVERY_STATUSES = tuple(Delivery.Status.values)


def visible_organization(user: Any, organization_id: int) -> Organization | None:
    """The organization if ``user`` belongs to it (superusers: any), else None."""
    return organizations_for(user).filter(pk=organization_id).first()


def may_manage_some_endpoint(user: Any, organization_id: int) -> bool:
    """Whether ``user`` could manage any endpoint here: an admin, or an owner of an agent.

    Asked before reading a new endpoint's body, so that someone who can manage none is
    refused (403) before being told what is wrong with what they sent.
    """
    if is_org_admin(user, organization_id):
        return True
    return AgentPermission.objects.filter(
        user_id=user.pk,
        role=AgentPermission.Role.OWNER,
        agent__project__organization_id=organization_id,
        agent__deleted_at__isnull=True,
    ).exists()


def endpoints_of(user: Any, organization_id: int) -> QuerySet[Endpoint]:
    """The organization's endpoints ``user`` manages, oldest first (a stable page order)."""
    return (
        manageable_endpoints(user)
        .filter(organization_id=organization_id)
        .select_related("created_by")
        .order_by("id")
    )


def endpoint_for(user: Any, organization_id: int, endpoint_id: int) -> Endpoint | None:
    """One endpoint of the organization that ``user`` manages, or None."""
    return (
        endpoints_of(user, organization_id)
        .select_related("agent__project")
        .filter(pk=endpoint_id)
        .first()
    )


def deliveries_of(endpoint: Endpoint, status: str | None = None) -> QuerySet[Delivery]:
    """The endpoint's delivery log, newest first; only those in ``status`` when given."""
    deliveries = (
        Delivery.objects.filter(endpoint_id=endpoint.pk)
        .select_related("event")
        .defer("event__payload")
        .order_by("-created_at", "-id")
    )
    if status is not None:
        deliveries = deliveries.filter(status=status)
    return deliveries


def delivery_for(endpoint: Endpoint, delivery_id: uuid.UUID) -> Delivery | None:
    """One delivery to this endpoint, with its event and every attempt, newest first."""
    attempts = DeliveryAttempt.objects.order_by("-number", "-started_at")
    delivery = (
        Delivery.objects.filter(endpoint_id=endpoint.pk, pk=delivery_id)
        .select_related("event")
        .prefetch_related(Prefetch("log", queryset=attempts))
        .first()
    )
    if delivery is not None:
        delivery.endpoint = endpoint
    return delivery


# --- for the pages: every endpoint a user manages, across their organizations ----------------


def managed_endpoints(user: Any) -> QuerySet[Endpoint]:
    """Every endpoint ``user`` manages, by organization (name, then id), oldest first within."""
    return (
        manageable_endpoints(user)
        .select_related("organization", "agent__staging")
        .order_by("organization__name", "organization_id", "id")
    )


def managed_endpoint(user: Any, endpoint_id: Any) -> Endpoint | None:
    """One endpoint ``user`` manages, or None (unknown, or not theirs: the same answer)."""
    pk = parse_id(endpoint_id)
    if pk is None:
        return None
    return (
        manageable_endpoints(user)
        .select_related("organization", "agent__staging", "agent__project")
        .filter(pk=pk)
        .first()
    )


def endpoint_organizations(user: Any) -> QuerySet[Organization]:
    """The organizations where ``user`` could manage some endpoint: they administer it, or
    they own one of its agents (``may_manage_some_endpoint`` for each, in one query)."""
    organizations = organizations_for(user).order_by("name", "id")
    if user.is_superuser:
        return organizations
    owned = counted_grants(user).filter(
        role=AgentPermission.Role.OWNER, agent__deleted_at__isnull=True
    )
    return organizations.filter(
        Q(pk__in=admin_organization_ids(user))
        | Q(pk__in=owned.values("agent__project__organization_id"))
    )


def endpoint_scope_agents(user: Any, organization_ids: list[int]) -> QuerySet[Agent]:
    """The agents of these organizations ``user`` owns (an admin owns every one): those an
    endpoint for one agent may be created for."""
    agents = (
        Agent.objects.filter(deleted_at__isnull=True, project__organization_id__in=organization_ids)
        .select_related("staging", "project")
        .order_by("project__organization_id", "staging__name", "id")
    )
    if user.is_superuser:
        return agents
    owned = counted_grants(user).filter(role=AgentPermission.Role.OWNER)
    return agents.filter(
        Q(project__organization_id__in=admin_organization_ids(user))
        | Q(pk__in=owned.values("agent_id"))
    )
