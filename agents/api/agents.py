"""Agents: the list, one agent's Staging or Production, creating, changing and deleting one."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from agents import services
from agents.api.base import (
    PRODUCTION,
    SEARCH_MAX_LENGTH,
    STAGING,
    JSONView,
    PaginatedView,
    load_agent,
    query_environment,
    query_id,
    query_search,
    staging_etag,
    validated,
)
from agents.api.edits import agent_response, edit_staging
from agents.api.hierarchy import visible_project
from agents.api.representation import agent_body, publish_fields, settings_fields
from agents.api.schema import (
    AGENT_ID,
    DELETE_ERRORS,
    ENVIRONMENT,
    READ_ERRORS,
    agent_edit_schema,
    create_schema,
    id_filter,
    list_schema,
    operation_schema,
)
from agents.models import Agent
from agents.permissions import Role, edit_filter, listed_role, visible_agents_with_roles
from agents.serializers.agents import (
    AgentCreateSerializer,
    AgentListItemSerializer,
    AgentSerializer,
    AgentUpdateSerializer,
)
from agents.serializers.fields import NO_NUL_PATTERN


def _listed_agents(request: Request) -> tuple[QuerySet[Agent], str | None]:
    """The caller's visible agents, annotated with what each list item needs.

    One query per page whatever the number of agents: the role comes from annotations
    (``listed_role``) rather than one ``role_for`` per agent.
    """
    user = request.user
    environment = query_environment(request)
    search = query_search(request)
    project_id = query_id(request, "project_id")
    agents = visible_agents_with_roles(user)
    can_edit = edit_filter(user)
    if environment == PRODUCTION:
        agents = agents.filter(production__isnull=False)
    elif environment == STAGING:
        agents = agents.filter(can_edit)
    else:
        # A viewer sees Production only: an agent never published has nothing to show them.
        agents = agents.filter(can_edit | Q(production__isnull=False))
    if project_id is not None:
        agents = agents.filter(project_id=project_id)
    if search:
        staging_name = Q(staging__name__icontains=search)
        production_name = Q(production__snapshot__settings__name__icontains=search)
        if environment == PRODUCTION:
            agents = agents.filter(production_name)
        elif environment == STAGING:
            agents = agents.filter(staging_name)
        else:
            agents = agents.filter((can_edit & staging_name) | (~can_edit & production_name))
    return agents.order_by("id"), environment


def _list_item(agent: Agent, environment: str | None) -> dict[str, Any]:
    role = listed_role(agent)
    if environment is None:
        environment = STAGING if role >= Role.EDITOR else PRODUCTION
    production = agent.production_or_none()
    if environment == STAGING:
        staging = agent.staging
        settings = {
            "name": staging.name,
            "description": staging.description,
            "access_level": staging.access_level,
            "tags": list(staging.tags or []),
        }
    else:
        settings = settings_fields(production.snapshot)
    return {
        "id": agent.pk,
        "project_id": agent.project_id,
        "organization_id": agent.project.organization_id,
        "environment": environment,
        "role": role.label,
        **settings,
        **publish_fields(production),
    }


class AgentListView(PaginatedView):
    serializer_class = AgentCreateSerializer

    @list_schema(
        "agents",
        "The agents the caller may see",
        AgentListItemSerializer,
        description="Editors and up see each agent's Staging, viewers its Production. "
        "`environment=production` lists published agents as published; "
        "`environment=staging` lists only the agents the caller may edit.",
        parameters=[
            ENVIRONMENT,
            OpenApiParameter(
                "search",
                {"type": "string", "maxLength": SEARCH_MAX_LENGTH, "pattern": NO_NUL_PATTERN},
                OpenApiParameter.QUERY,
                description="Name contains.",
            ),
            id_filter("project_id", "Only this project's agents."),
        ],
    )
    def get(self, request: Request) -> Response:
        agents, environment = _listed_agents(request)
        return self.paginated(
            agents,
            lambda page: (
                AgentListItemSerializer([_list_item(a, environment) for a in page], many=True).data
            ),
        )

    @create_schema(
        "agents",
        "Create an agent (members of the project's organization)",
        AgentCreateSerializer,
        AgentSerializer,
        description="The caller becomes the agent's owner. The agent has no Production "
        "until its first publish.",
    )
    def post(self, request: Request) -> Response:
        data = validated(AgentCreateSerializer, request)
        project = visible_project(request, data["project_id"])
        agent = services.create_agent(
            project=project,
            acting_user=request.user,
            name=data["name"],
            description=data.get("description", ""),
            model_config=data.get("model_config"),
        )
        return Response(agent_body(request, agent, Role.OWNER), status=status.HTTP_201_CREATED)


class AgentDetailView(JSONView):
    @operation_schema(
        "agents",
        "An agent's Staging (editors) or Production (viewers and up)",
        parameters=[AGENT_ID, ENVIRONMENT],
        ok={200: AgentSerializer},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, agent_id: str) -> Response:
        environment = query_environment(request) or STAGING
        agent, role = load_agent(
            request, agent_id, Role.VIEWER, with_production_snapshot=environment == PRODUCTION
        )
        if environment == STAGING and role < Role.EDITOR:
            raise ApiPermissionDenied(
                "Viewers see Production only: ask for ?environment=production."
            )
        response = Response(agent_body(request, agent, role, environment))
        if environment == STAGING:
            response["ETag"] = staging_etag(agent.staging.revision)
        return response

    def _update(self, request: Request, agent_id: str, *, partial: bool) -> Response:
        edit = edit_staging(
            request,
            agent_id,
            AgentUpdateSerializer,
            services.update_agent_settings,
            partial=partial,
        )
        return agent_response(request, edit)

    @agent_edit_schema(
        "Change name, description, model configuration (name required)", AgentUpdateSerializer
    )
    def put(self, request: Request, agent_id: str) -> Response:
        return self._update(request, agent_id, partial=False)

    @agent_edit_schema(
        "Change some of name, description, model configuration", AgentUpdateSerializer
    )
    def patch(self, request: Request, agent_id: str) -> Response:
        return self._update(request, agent_id, partial=True)

    @operation_schema(
        "agents",
        "Delete (archive) the agent (owners); its publish history is kept for audit",
        parameters=[AGENT_ID],
        ok={204: None},
        errors=DELETE_ERRORS,
    )
    def delete(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.OWNER)
        services.delete_agent(agent=agent, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
