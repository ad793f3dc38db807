"""The hierarchy: the caller's organizations and their projects."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from agents import services
from agents.api.base import JSONView, ListCreateView, PaginatedView, path_id, validated
from agents.api.schema import (
    create_schema,
    id_filter,
    id_param,
    list_create_schema,
    list_schema,
    operation_schema,
)
from agents.models import Organization, OrganizationMembership, Project
from agents.permissions import (
    in_organizations_of,
    organizations_for,
    require_organization_admin,
)
from agents.serializers.hierarchy import (
    OrganizationCreateSerializer,
    OrganizationSerializer,
    ProjectCreateSerializer,
    ProjectSerializer,
)


def visible_organization(request: Request, organization_id: int) -> Organization:
    """An organization the caller belongs to; any other id is as unknown as a made-up one."""
    organization = organizations_for(request.user).filter(pk=organization_id).first()
    if organization is None:
        raise DjangoValidationError({"organization_id": ["Unknown organization."]})
    return organization


def visible_projects(request: Request) -> QuerySet[Project]:
    return in_organizations_of(request.user, Project.objects.all())


def visible_project(request: Request, project_id: int) -> Project:
    project = visible_projects(request).select_related("organization").filter(pk=project_id)
    found = project.first()
    if found is None:
        raise DjangoValidationError({"project_id": ["Unknown project."]})
    return found


def organization_body(org: Organization, role: str | None) -> dict[str, Any]:
    return {"id": org.pk, "name": org.name, "role": role, "created_at": org.created_at}


class OrganizationListView(PaginatedView):
    serializer_class = OrganizationCreateSerializer

    @list_schema("hierarchy", "The caller's organizations", OrganizationSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        role = Subquery(
            OrganizationMembership.objects.filter(
                organization_id=OuterRef("pk"), user_id=user.pk
            ).values("role")[:1]
        )
        organizations = organizations_for(user).annotate(_role=role).order_by("name", "id")
        fallback = "admin" if user.is_superuser else None
        return self.paginated(
            organizations,
            lambda page: (
                OrganizationSerializer(
                    [organization_body(o, o._role or fallback) for o in page], many=True
                ).data
            ),
        )

    @create_schema(
        "hierarchy",
        "Create an organization (superusers; the caller becomes its admin)",
        OrganizationCreateSerializer,
        OrganizationSerializer,
        description=(
            "Superusers only, unless the deployment sets "
            "`DJANGO_ALLOW_SELF_SERVICE_ORGANIZATIONS`; then any signed-in user may."
        ),
    )
    def post(self, request: Request) -> Response:
        services.require_may_create_organizations(request.user)  # 403 before 400
        data = validated(OrganizationCreateSerializer, request)
        organization = services.create_organization(name=data["name"], acting_user=request.user)
        return Response(
            OrganizationSerializer(organization_body(organization, "admin")).data,
            status=status.HTTP_201_CREATED,
        )


@list_create_schema(
    "hierarchy",
    listed="Projects of the caller's organizations",
    created="Create a project (organization admins)",
)
class ProjectListView(ListCreateView):
    serializer_class = ProjectCreateSerializer
    item_serializer = ProjectSerializer
    parent = id_filter("organization_id", "Only this organization's projects.")

    def visible(self, request: Request) -> QuerySet[Project]:
        return visible_projects(request).order_by("organization__name", "name", "id")

    def create(self, request: Request, data: dict[str, Any]) -> Project:
        organization = visible_organization(request, data["organization_id"])
        require_organization_admin(request.user, organization.pk, "create projects")
        return services.create_project(organization=organization, name=data["name"])


class ProjectDetailView(JSONView):
    @operation_schema(
        "hierarchy",
        "One project",
        parameters=[id_param("project_id", "The project's id.")],
        ok={200: ProjectSerializer},
        errors=(401, 404),
    )
    def get(self, request: Request, project_id: str) -> Response:
        project = visible_projects(request).filter(pk=path_id(project_id)).first()
        if project is None:
            raise NotFound("Project not found.")
        return Response(ProjectSerializer(project).data)
