"""Permissions on an agent: who holds which role (owners manage them)."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from agents import services
from agents.api.base import JSONView, PaginatedView, load_agent, path_id, validated
from agents.api.schema import AGENT_ID, PERMISSION_ID, READ_ERRORS, WRITE_ERRORS, operation_schema
from agents.models import Agent, AgentPermission
from agents.permissions import Role
from agents.serializers.permissions import (
    PermissionCreateSerializer,
    PermissionSerializer,
    PermissionUpdateSerializer,
)


def _permission_body(permission: AgentPermission) -> dict[str, Any]:
    return PermissionSerializer(permission).data


class PermissionsView(PaginatedView):
    serializer_class = PermissionCreateSerializer

    @operation_schema(
        "permissions",
        "Who holds which role on the agent (owners)",
        parameters=[AGENT_ID],
        ok={200: PermissionSerializer(many=True)},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.OWNER)
        permissions = (
            AgentPermission.objects.filter(agent_id=agent.pk)
            .select_related("user", "granted_by")
            .order_by("id")
        )
        return self.paginated(permissions, lambda page: PermissionSerializer(page, many=True).data)

    @operation_schema(
        "permissions",
        "Give a user a role on the agent (owners)",
        parameters=[AGENT_ID],
        request=PermissionCreateSerializer,
        ok={201: PermissionSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.OWNER)
        data = validated(PermissionCreateSerializer, request)
        permission = services.grant_permission(
            agent=agent, acting_user=request.user, target_user_id=data["user_id"], role=data["role"]
        )
        return Response(_permission_body(permission), status=status.HTTP_201_CREATED)


class PermissionDetailView(JSONView):
    def _permission(self, agent: Agent, permission_id: str) -> AgentPermission:
        pk = path_id(permission_id, "No such permission on this agent.")
        permission = (
            AgentPermission.objects.select_related("user", "granted_by")
            .filter(pk=pk, agent_id=agent.pk)
            .first()
        )
        if permission is None:
            raise NotFound("No such permission on this agent.")
        # The agent just loaded carries the caller's role, so the service's own check of it
        # costs no query.
        permission.agent = agent
        return permission

    @operation_schema(
        "permissions",
        "Change a user's role on the agent (owners)",
        parameters=[AGENT_ID, PERMISSION_ID],
        request=PermissionUpdateSerializer,
        ok={200: PermissionSerializer},
        errors=WRITE_ERRORS,
    )
    def put(self, request: Request, agent_id: str, permission_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.OWNER)
        data = validated(PermissionUpdateSerializer, request)
        permission = self._permission(agent, permission_id)
        permission = services.change_permission(
            permission=permission, acting_user=request.user, role=data["role"]
        )
        return Response(_permission_body(permission))

    @operation_schema(
        "permissions",
        "Take a user's role on the agent away (owners)",
        parameters=[AGENT_ID, PERMISSION_ID],
        ok={204: None},
        errors=(400, 401, 403, 404),
    )
    def delete(self, request: Request, agent_id: str, permission_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.OWNER)
        permission = self._permission(agent, permission_id)
        services.revoke_permission(permission=permission, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
