"""The one permission layer: who may see and do what on an agent.

Roles on an agent, each including the ones before it:
``viewer`` (Production only) < ``editor`` (Staging, diffs, histories, edits)
< ``publisher`` (publish, rollback, restore) < ``owner`` (permissions, delete).
Superusers and organization admins hold ``owner`` on every agent of their organizations.

Every role but a superuser's needs current membership of the agent's organization: a grant
(or a project membership) outlives its holder leaving the organization in the database, but
it stops counting the moment the membership is deleted, and counts again only if they rejoin.

Besides explicit grants, Production's access level lets people *view* a published agent:
``public`` - every signed-in user; ``organization`` - the organization's members;
``project`` - the project's members. ``private`` grants nothing beyond explicit roles.

An agent the user may not see at all answers 404 (``Http404``), never 403, so its
existence does not leak; a visible agent the user may not act on answers 403.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce
from django.http import Http404

from agents.models import (
    AccessLevel,
    Agent,
    AgentPermission,
    Organization,
    OrganizationMembership,
)
from ejento_staging.ids import parse_id


class Role(IntEnum):
    VIEWER = 1
    EDITOR = 2
    PUBLISHER = 3
    OWNER = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> Role:
        return cls[label.upper()]


ROLE_VERBS = {
    Role.VIEWER: "view this agent",
    Role.EDITOR: "edit Staging",
    Role.PUBLISHER: "publish or roll back",
    Role.OWNER: "manage permissions or delete",
}


def is_org_admin(user: Any, organization_id: int) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return OrganizationMembership.objects.filter(
        user_id=user.pk,
        organization_id=organization_id,
        role=OrganizationMembership.Role.ADMIN,
    ).exists()


def require_organization_admin(user: Any, organization_id: int, to: str) -> None:
    """Refuse (``PermissionDenied``, 403) anyone but the organization's admins to do ``to``."""
    if not is_org_admin(user, organization_id):
        raise PermissionDenied(f"Only the organization's admins can {to}.")


def organizations_for(user: Any) -> QuerySet[Organization]:
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(memberships__user_id=user.pk).distinct()


def in_organizations_of(
    user: Any, queryset: QuerySet, organization_path: str = "organization"
) -> QuerySet:
    """The rows of ``queryset`` that belong to one of the user's organizations (all, for
    superusers): projects and the catalogue are visible to the organization's members.

    ``organization_path`` leads from a row to its organization (``project__organization``
    for a corpus).
    """
    if user.is_superuser:
        return queryset
    return queryset.filter(**{f"{organization_path}__memberships__user_id": user.pk})


def admin_organization_ids(user: Any) -> set[int]:
    return set(
        OrganizationMembership.objects.filter(
            user_id=user.pk, role=OrganizationMembership.Role.ADMIN
        ).values_list("organization_id", flat=True)
    )


def counted_grants(user: Any) -> QuerySet[AgentPermission]:
    """The user's explicit grants that count: those on agents of organizations they belong to.

    The SQL form of the membership rule, for list queries (``.filter(agent_id=OuterRef(...))``);
    ``role_for`` is the same rule for one agent and ``role_from_facts`` (the live read) over
    one joined row.
    """
    return AgentPermission.objects.filter(
        user_id=user.pk,
        agent__project__organization_id__in=OrganizationMembership.objects.filter(
            user_id=user.pk
        ).values("organization_id"),
    )


def role_for(user: Any, agent: Agent) -> Role | None:
    """The user's effective role on the agent, or None when they may not see it at all.

    Costs at most two queries; ``agent.project`` and ``agent.production`` should be loaded
    (``select_related``) by the caller.
    """
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    if agent.deleted_at is not None:
        return None
    if user.is_superuser:
        return Role.OWNER
    organization_id = agent.project.organization_id
    membership_role = (
        OrganizationMembership.objects.filter(user_id=user.pk, organization_id=organization_id)
        .values_list("role", flat=True)
        .first()
    )
    if membership_role == OrganizationMembership.Role.ADMIN:
        return Role.OWNER
    if membership_role is None:
        # Not (or no longer) a member: no grant counts, only a public Production is visible.
        return Role.VIEWER if _published_level(agent) == AccessLevel.PUBLIC else None
    granted = (
        AgentPermission.objects.filter(agent_id=agent.pk, user_id=user.pk)
        .values_list("role", flat=True)
        .first()
    )
    if granted is not None:
        return Role.from_label(granted)
    level = _published_level(agent)
    if level in (AccessLevel.PUBLIC, AccessLevel.ORGANIZATION):
        return Role.VIEWER
    if level == AccessLevel.PROJECT and agent.project.members.filter(pk=user.pk).exists():
        return Role.VIEWER
    return None


def _published_level(agent: Agent) -> str | None:
    """Production's access level, or None when the agent was never published."""
    production = agent.production_or_none()
    if production is None:
        return None
    return getattr(agent, "production_access_level", None) or production.snapshot.get(
        "settings", {}
    ).get("access_level")


def visible_agents(user: Any) -> QuerySet[Agent]:
    """Every agent the user may see (any role), for lists. One query, no N+1."""
    agents = Agent.objects.filter(deleted_at__isnull=True).select_related(
        "staging", "production", "project__organization"
    )
    if not user.is_authenticated:
        return agents.none()
    if user.is_superuser:
        return agents
    memberships = OrganizationMembership.objects.filter(
        user_id=user.pk, organization_id=OuterRef("project__organization_id")
    )
    admin = memberships.filter(role=OrganizationMembership.Role.ADMIN)
    granted = counted_grants(user).filter(agent_id=OuterRef("pk"))
    project_member = Q(project__members__id=user.pk) & Q(_member=True)
    level = "production__snapshot__settings__access_level"
    return (
        agents.annotate(_admin=Exists(admin), _member=Exists(memberships), _granted=Exists(granted))
        .filter(
            Q(_admin=True)
            | Q(_granted=True)
            | Q(**{level: AccessLevel.PUBLIC})
            | (Q(_member=True) & Q(**{level: AccessLevel.ORGANIZATION}))
            | (project_member & Q(**{level: AccessLevel.PROJECT}))
        )
        .distinct()
    )


def edit_filter(user: Any) -> Q:
    """ "The user's role on this agent is editor or more", as a filter on ``Agent`` rows.

    For lists that show editors Staging and everyone else Production: combine it with
    ``visible_agents(user)`` (or negate it) inside one query. The same rule as ``role_for``:
    superusers and the organization's admins edit every agent; anyone else needs a counted
    grant of editor or more (a test holds the two together over every role).
    """
    if user.is_superuser:
        return Q(pk__isnull=False)
    administers = OrganizationMembership.objects.filter(
        user_id=user.pk,
        organization_id=OuterRef("project__organization_id"),
        role=OrganizationMembership.Role.ADMIN,
    )
    edits = counted_grants(user).filter(
        agent_id=OuterRef("pk"), role__in=[role.label for role in Role if role >= Role.EDITOR]
    )
    return Q(Exists(administers)) | Q(Exists(edits))


def editable_agents(user: Any) -> QuerySet[Agent]:
    """Every agent the user may edit (editor and up), so may see Staging of. One query."""
    return visible_agents(user).filter(edit_filter(user))


def visible_agents_with_roles(user: Any) -> QuerySet[Agent]:
    """``visible_agents(user)``, each row carrying what ``listed_role`` reads the role from.

    For lists read in one query whatever their length (``roles_for`` costs two more).
    """
    agents = visible_agents(user)
    if user.is_superuser:
        return agents.annotate(_admin=Value(True), _role=Value(""))
    granted = counted_grants(user).filter(agent_id=OuterRef("pk"))
    # "" without a counted grant: the agent is then visible through its access level only.
    return agents.annotate(_role=Coalesce(Subquery(granted.values("role")[:1]), Value("")))


def listed_role(agent: Agent) -> Role:
    """The user's role on an agent from ``visible_agents_with_roles``, read without a query."""
    if agent._admin:
        return Role.OWNER
    if agent._role:
        return Role.from_label(agent._role)
    return Role.VIEWER


def roles_for(user: Any, agents: list[Agent]) -> dict[int, Role]:
    """The user's role on each of these agents, in two queries (for list pages).

    The agents must come from ``visible_agents(user)``: each is visible already, so one
    without an admin or explicit role is seen through its access level - a viewer.
    """
    if user.is_superuser:
        return {agent.pk: Role.OWNER for agent in agents}
    admin_of = admin_organization_ids(user)
    granted = dict(
        counted_grants(user)
        .filter(agent_id__in=[agent.pk for agent in agents])
        .values_list("agent_id", "role")
    )
    return {
        agent.pk: Role.OWNER
        if agent.project.organization_id in admin_of
        else Role.from_label(granted[agent.pk])
        if agent.pk in granted
        else Role.VIEWER
        for agent in agents
    }


def get_agent_for(
    user: Any, agent_id: Any, required: Role, *, with_production_snapshot: bool = False
) -> tuple[Agent, Role]:
    """Load an agent the user may act on with ``required``; 404 if unseen, 403 if too weak.

    Production's snapshot is left unloaded unless asked for (``with_production_snapshot``).
    """
    pk = parse_id(agent_id)
    if pk is None:
        raise Http404("Agent not found.")
    agents = Agent.objects.select_related("staging", "production", "project__organization")
    if not with_production_snapshot:
        # The snapshot can be hundreds of KB and most requests never read it; the one value
        # the role needs comes from the database instead.
        agents = agents.defer("production__snapshot")
    agent = (
        agents.annotate(
            production_access_level=KeyTextTransform(
                "access_level", KeyTransform("settings", "production__snapshot")
            )
        )
        .filter(pk=pk)
        .first()
    )
    if agent is None:
        raise Http404("Agent not found.")
    role = role_for(user, agent)
    if role is None:
        raise Http404("Agent not found.")
    remember_role(agent, user, role)
    if role < required:
        raise PermissionDenied(f"You need the {required.label} role to {ROLE_VERBS[required]}.")
    return agent, role


def remember_role(agent: Agent, user: Any, role: Role) -> None:
    """Keep the role just computed on this agent instance, for ``require_role`` to reuse.

    A request checks the role once to choose its answer (404, 403 or go on), then calls a
    service that checks it again; the memo keeps that second check free of queries. It lives
    only as long as this instance, which lives only as long as the request.
    """
    agent._acting_role = (user.pk, role)


def require_role(acting_user: Any, agent: Agent, required: Role) -> Role:
    """The acting user's role on the agent, refused unless it is at least ``required``.

    The check every service that changes an agent, its Staging, its permissions or its
    Production makes itself, so every caller (API, page, admin, command, background task)
    is held to the same rule. Raises ``Agent.DoesNotExist`` when the agent is not theirs to
    see (answered as 404) and ``PermissionDenied`` when the role is too weak (403).
    """
    remembered = getattr(agent, "_acting_role", None)
    user_pk = getattr(acting_user, "pk", None)
    if remembered is not None and user_pk is not None and remembered[0] == user_pk:
        role = remembered[1]
    else:
        role = role_for(acting_user, agent)
        if role is None:
            raise Agent.DoesNotExist("Agent not found.")
        remember_role(agent, acting_user, role)
    if role < required:
        raise PermissionDenied(f"You need the {required.label} role to {ROLE_VERBS[required]}.")
    return role


def users_holding(agent: Agent, user_ids: set[int], required: Role) -> set[int]:
    """Those of ``user_ids`` who are active and hold at least ``required`` on the agent, in
    one query however many are asked about (reviewers whose approvals count, for one).

    The same rule as ``role_for`` for roles above viewer (a test holds them together):
    superusers, the organization's admins, and members with a grant at that level. Viewing
    through the access level never reaches ``editor``, so it plays no part here.
    """
    if not user_ids or agent.deleted_at is not None:
        return set()
    if required <= Role.VIEWER:
        raise ValueError("users_holding answers for editor and above.")
    organization_id = agent.project.organization_id
    members = OrganizationMembership.objects.filter(organization_id=organization_id)
    granted = AgentPermission.objects.filter(
        agent_id=agent.pk, role__in=[role.label for role in Role if role >= required]
    )
    return set(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(pk__in=members.filter(role=OrganizationMembership.Role.ADMIN).values("user_id"))
            | (Q(pk__in=members.values("user_id")) & Q(pk__in=granted.values("user_id")))
        )
        .values_list("pk", flat=True)
    )


def lock_agent(agent: Agent, acting_user: Any, role: Role) -> Agent:
    """The agent's row, locked; an agent archived meanwhile is as gone as an unknown one.

    The locked instance carries the role already checked, so the staging services it is
    handed to check it again without a query.
    """
    locked = Agent.objects.select_for_update().select_related("project").get(pk=agent.pk)
    if locked.deleted_at is not None:
        raise Agent.DoesNotExist("Agent not found.")
    remember_role(locked, acting_user, role)
    return locked


def require_catalogue_admin(user: Any, organization_id: int, not_found: type[Exception]) -> None:
    """Refuse anyone but superusers and the organization's admins a change to its catalogue:
    ``not_found`` (404) for someone outside the organization, ``PermissionDenied`` (403) for
    a member. A catalogue edit reaches the Staging of every agent that uses the item, so it
    is an admin's call."""
    if not user.is_authenticated or not (
        user.is_superuser or organizations_for(user).filter(pk=organization_id).exists()
    ):
        raise not_found("Not found.")
    require_organization_admin(user, organization_id, "change its catalogue")
