"""The agents REST API under ``/api/v2/``: auth, users, hierarchy, catalogue, agents, Staging.

Views are thin: they load what the path names through the permission layer
(``agents.permissions``), check the request's shape with a serializer
(``agents.serializers``), call one service (``agents.services``) and render the answer. None
of them saves a model; every write, and every rule about what may be written, is a service's.

What a Staging edit answers, so clients can rely on it:

* settings edits (``PUT/PATCH /agents/{id}``, ``/access``, ``/annotates``,
  ``POST/PUT /sharepoint/folder``) -> ``200`` the agent's Staging representation;
* edits of one item -> that item, in the same shape as inside the agent representation:
  ``201`` when a new item is made (an instruction, corpus connections), ``200`` otherwise
  (tool and action toggles, action config, guardrail toggle, instruction edit);
* removals (an instruction, corpus connections, the SharePoint folder, a permission, the
  agent) -> ``204`` and no body.

The agent representation is built from the canonical snapshot (``configuration.snapshot``):
``staging_snapshot`` for Staging, ``agent.production.snapshot`` for Production, so both
share one shape and the number of queries does not grow with the configuration's size.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, NotFound, Throttled, ValidationError
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services as token_services
from accounts.authentication import ApiTokenAuthentication
from accounts.models import ApiToken
from agents import serializers as s
from agents import services
from agents.exceptions import NotPublished
from agents.models import (
    Agent,
    AgentPermission,
    Corpus,
    CorpusConnection,
    Guardrail,
    Organization,
    OrganizationMembership,
    Project,
    Tool,
)
from agents.permissions import (
    Role,
    counted_grants,
    get_agent_for,
    is_org_admin,
    organizations_for,
    visible_agents,
)
from agents.selectors import has_unpublished_changes
from agents.snapshot import staging_snapshot
from configuration.snapshot import Snapshot
from ejento_staging.ids import parse_id
from ejento_staging.throttles import AccountLoginThrottle, LoginRateThrottle, login_username

User = get_user_model()

STAGING = "staging"
PRODUCTION = "production"
EDIT_ROLES = tuple(r.label for r in Role if r >= Role.EDITOR)
SEARCH_MAX_LENGTH = 200


# --- plumbing --------------------------------------------------------------------------------


class DeleteWithBodySchema(AutoSchema):
    """Documents the request body of a DELETE that has one (``DELETE .../corpora``).

    drf-spectacular documents bodies for POST, PUT and PATCH only; the contract's bulk
    disconnect carries ``{"corpus_ids": [...]}`` on a DELETE.
    """

    def _get_request_body(self, direction: str = "request") -> Any:
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


class WholeBodyPatchSchema(AutoSchema):
    """Documents a PATCH whose body is validated whole (every required field required).

    drf-spectacular documents every PATCH body as partial (``Patched...``, nothing
    required), as for a model's partial update; these PATCHes change one thing and need
    the fields that name it, so a generated client must not let them be left out.
    """

    def _get_request_for_media_type(self, serializer: Any, direction: str = "request") -> Any:
        if self.method != "PATCH":
            return super()._get_request_for_media_type(serializer, direction)
        self.method = "POST"
        try:
            return super()._get_request_for_media_type(serializer, direction)
        finally:
            self.method = "PATCH"


class JSONView(APIView):
    """A view of this API (JSON in, JSON out; see SafeJSONParser in the settings)."""


class PaginatedView(GenericAPIView):
    """A view with a paginated GET (the page-number pagination of the settings).

    Subclasses name their POST body as ``serializer_class``: DRF's OPTIONS answer describes
    it (and without one, OPTIONS would fail with a 500).
    """

    def paginated(self, queryset: QuerySet, render: Any) -> Response:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(render(page))


def path_id(value: Any, what: str = "Not found.") -> int:
    """An id from the URL; anything but a storable positive integer is simply not found."""
    number = parse_id(value)
    if number is None:
        raise NotFound(what)
    return number


def query_value(request: Request, name: str) -> str | None:
    """One query parameter's value; given twice is a 400 rather than "the last one wins"."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise DjangoValidationError({name: ["Give this parameter once."]})
    return values[0] if values else None


def query_id(request: Request, name: str) -> int | None:
    # Empty is refused too: "?project_id=" filtering nothing would hide a client's bug.
    raw = query_value(request, name)
    if raw is None:
        return None
    number = parse_id(raw)
    if number is None:
        raise DjangoValidationError({name: ["Must be an id (a positive integer)."]})
    return number


def query_environment(request: Request) -> str | None:
    value = query_value(request, "environment")
    if value is None:
        return None
    if value not in s.ENVIRONMENTS:
        raise DjangoValidationError(
            {"environment": [f"Must be one of: {', '.join(s.ENVIRONMENTS)}."]}
        )
    return value


def query_search(request: Request) -> str:
    value = (query_value(request, "search") or "").strip()
    if "\x00" in value:
        raise DjangoValidationError({"search": ["Must not contain NUL characters."]})
    if len(value) > SEARCH_MAX_LENGTH:
        raise DjangoValidationError({"search": [f"At most {SEARCH_MAX_LENGTH} characters."]})
    return value


def validated(serializer_class: type, request: Request, *, partial: bool = False) -> dict:
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def load_agent(
    request: Request, agent_id: Any, required: Role, *, with_production_snapshot: bool = False
) -> tuple[Agent, Role]:
    return get_agent_for(
        request.user,
        path_id(agent_id, "Agent not found."),
        required,
        with_production_snapshot=with_production_snapshot,
    )


def user_ref(request: Request, user_id: int | None) -> dict[str, Any] | None:
    if user_id is None:
        return None
    if user_id == request.user.pk:
        # The author of an edit response is the caller: no query needed.
        return {"id": request.user.pk, "username": request.user.get_username()}
    return User.objects.filter(pk=user_id).values("id", "username").first()


def _settings_fields(snapshot: Snapshot) -> dict[str, Any]:
    settings = snapshot["settings"]
    return {
        "name": settings["name"],
        "description": settings["description"],
        "access_level": settings["access_level"],
        "tags": list(settings["tags"]),
    }


def _publish_fields(production: Any) -> dict[str, Any]:
    """Status fields from ``agent.production`` (None before the first publish)."""
    return {
        "published": production is not None,
        "last_published_at": production.published_at if production else None,
        "last_change_track_id": production.change_track_id if production else None,
    }


def agent_body(
    request: Request, agent: Agent, role: Role, environment: str = STAGING
) -> dict[str, Any]:
    """The agent's representation in one environment, from that environment's snapshot."""
    production = agent.production_or_none()
    if environment == STAGING:
        snapshot = staging_snapshot(agent)
        staging = agent.staging
        revision, updated_at = staging.revision, staging.updated_at
        updated_by = user_ref(request, staging.updated_by_id)
        has_changes: bool | None = has_unpublished_changes(agent)
    else:
        if production is None:
            raise NotPublished()
        snapshot = production.snapshot
        revision, updated_at = None, production.published_at
        updated_by = user_ref(request, production.published_by_id)
        # Viewers see Production only: whether Staging differs is not theirs to know.
        has_changes = has_unpublished_changes(agent) if role >= Role.EDITOR else None
    body = {
        "id": agent.pk,
        "project_id": agent.project_id,
        "organization_id": agent.project.organization_id,
        "environment": environment,
        "role": role.label,
        **_settings_fields(snapshot),
        "model_config": snapshot["settings"]["model_config"],
        "sharepoint": snapshot["knowledge_sources"]["sharepoint"],
        "instructions": snapshot["instructions"],
        "knowledge_sources": {"corpora": snapshot["knowledge_sources"]["corpora"]},
        "tools": snapshot["tools"],
        "guardrails": snapshot["guardrails"],
        "revision": revision,
        "updated_at": updated_at,
        "updated_by": updated_by,
        "has_unpublished_changes": has_changes,
        **_publish_fields(production),
    }
    return s.AgentSerializer(body).data


SECTIONS: dict[str, tuple[str, type]] = {
    "instructions": ("id", s.InstructionSerializer),
    "corpora": ("corpus_id", s.CorpusConnectionSerializer),
    "tools": ("tool_id", s.ToolBindingSerializer),
    "guardrails": ("guardrail_id", s.GuardrailStateSerializer),
}


def staging_items(agent: Agent, section: str, ids: list[int]) -> list[dict[str, Any]]:
    """Items of the agent's Staging snapshot, in the shape the representation uses."""
    snapshot = staging_snapshot(agent)
    items = {
        "instructions": snapshot["instructions"],
        "corpora": snapshot["knowledge_sources"]["corpora"],
        "tools": snapshot["tools"],
        "guardrails": snapshot["guardrails"],
    }[section]
    key, serializer = SECTIONS[section]
    by_id = {item[key]: item for item in items}
    return serializer([by_id[pk] for pk in ids], many=True).data


def staging_item(agent: Agent, section: str, pk: int) -> dict[str, Any]:
    return staging_items(agent, section, [pk])[0]


# --- schema helpers --------------------------------------------------------------------------

ERRORS: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Invalid input: messages per field (`{field: [message, ...]}`), "
        'or `{"detail"}` for a body that is not JSON.',
    ),
    401: OpenApiResponse(s.DetailSerializer, description="Not signed in."),
    403: OpenApiResponse(
        s.DetailSerializer, description="Signed in, but not allowed to do this here."
    ),
    404: OpenApiResponse(
        s.DetailSerializer, description="No such object, or one the caller may not see."
    ),
    413: OpenApiResponse(s.DetailSerializer, description="Request body too large."),
    409: OpenApiResponse(s.DetailSerializer, description="Refused in the current state."),
    415: OpenApiResponse(s.DetailSerializer, description="The body must be JSON."),
    429: OpenApiResponse(s.DetailSerializer, description="Too many attempts; retry later."),
}
READ_ERRORS = (400, 401, 403, 404)
WRITE_ERRORS = (400, 401, 403, 404, 413, 415)
DELETE_ERRORS = (401, 403, 404)


def responses(ok: dict[int, Any], *codes: int) -> dict[int, Any]:
    return {**ok, **{code: ERRORS[code] for code in codes}}


# Ids as the server takes them: a positive integer the databases can store.
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": s.ID_MAX}


def id_param(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, ID_SCHEMA, OpenApiParameter.PATH, description=description)


AGENT_ID = id_param("agent_id", "The agent's id.")
INSTRUCTION_ID = id_param("instruction_id", "An instruction of this agent.")
CORPUS_ID = id_param("corpus_id", "A corpus of the agent's organization.")
TOOL_ID = id_param("tool_id", "A tool of the agent's organization.")
ACTION_ID = id_param("action_id", "An action of that tool.")
PERMISSION_ID = id_param("permission_id", "A permission on this agent.")
ENVIRONMENT = OpenApiParameter(
    "environment",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=list(s.ENVIRONMENTS),
    description="`production` for the published configuration (viewers and up); Staging "
    "(editors and up) otherwise.",
)


def id_filter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, ID_SCHEMA, OpenApiParameter.QUERY, description=description)


# --- authentication and users ----------------------------------------------------------------


class AuthTokenView(JSONView):
    """``POST``: exchange a username and password for a new API token (throttled per client).

    ``DELETE``: revoke the token this request was made with (an integration's logout).
    """

    # No session authentication: a signed-in browser must not need a CSRF token to log in,
    # and logging out a token needs that token.
    authentication_classes = [ApiTokenAuthentication]
    permission_classes: list = []
    throttle_classes = [LoginRateThrottle]

    def get_authenticators(self) -> list:
        # Logging in reads no credentials: a stale ``Authorization`` header on the login
        # request must not turn it into a 401.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    def get_throttles(self) -> list:
        # Only guessing passwords is throttled.
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(
        tags=["auth"],
        summary="Get a new API token",
        description="Each call issues a new token (one per integration, named); earlier ones "
        "stay valid until they expire or are revoked. The secret is in this answer only.",
        request=s.LoginSerializer,
        responses=responses({200: s.TokenSerializer}, 400, 413, 415, 429),
        auth=[],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The address throttle ran already (throttle_classes); now the account's.
        account = AccountLoginThrottle(login_username(request.data))
        wait = account.blocked()
        if wait is not None:
            raise Throttled(wait=wait)
        serializer = s.LoginSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            account.failed()
            raise ValidationError(serializer.errors)
        data = serializer.validated_data
        days = data.get("expires_in_days")
        token, secret = token_services.issue_token(
            user=data["user"],
            name=data.get("name", "default"),
            expires_in=timedelta(days=days) if days is not None else None,
        )
        body = {"token": secret, "id": token.pk, "name": token.name, "expires_at": token.expires_at}
        return Response(s.TokenSerializer(body).data)

    @extend_schema(
        tags=["auth"],
        summary="Revoke the API token of this request (log out)",
        request=None,
        responses=responses({204: None}, 401, 404),
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not isinstance(request.auth, ApiToken):  # only token authentication is tried here
            raise NotAuthenticated()
        token_services.revoke_token(acting_user=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


def visible_tokens(user: Any) -> QuerySet[ApiToken]:
    """The tokens ``user`` may list and revoke: their own, or every one for a superuser."""
    tokens = ApiToken.objects.all()
    return tokens if user.is_superuser else tokens.filter(user_id=user.pk)


class ApiTokenListView(PaginatedView):
    serializer_class = s.ApiTokenSerializer

    @extend_schema(
        tags=["auth"],
        summary="The caller's API tokens (never their secrets)",
        description="Newest first, revoked and expired ones included. Superusers may name "
        "another user with `user_id`.",
        parameters=[id_filter("user_id", "Superusers: list this user's tokens instead.")],
        responses=responses({200: s.ApiTokenSerializer(many=True)}, *READ_ERRORS),
    )
    def get(self, request: Request) -> Response:
        user = request.user
        user_id = query_id(request, "user_id")
        if user_id is not None and user_id != user.pk and not user.is_superuser:
            raise ApiPermissionDenied("Only superusers may list another user's tokens.")
        tokens = ApiToken.objects.filter(user_id=user_id if user_id is not None else user.pk)
        return self.paginated(
            tokens.order_by("-created_at", "-id"),
            lambda page: s.ApiTokenSerializer(page, many=True).data,
        )


class ApiTokenDetailView(JSONView):
    @extend_schema(
        tags=["auth"],
        summary="Revoke an API token (your own; superusers: anyone's)",
        parameters=[id_param("token_id", "A token from `GET /auth/tokens`.")],
        request=None,
        responses=responses({204: None}, *DELETE_ERRORS),
    )
    def delete(self, request: Request, token_id: str) -> Response:
        pk = path_id(token_id, "Token not found.")
        token = visible_tokens(request.user).filter(pk=pk).first()
        if token is None:
            raise NotFound("Token not found.")
        token_services.revoke_token(acting_user=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserCreateView(JSONView):
    @extend_schema(
        tags=["auth"],
        summary="Create a user (superusers; organization admins into their organization)",
        description=(
            "Superusers may create any user; with `organization_id` the user also joins that "
            "organization as a member. Organization admins must name an organization they "
            "administer, and the new user joins it."
        ),
        request=s.UserCreateSerializer,
        responses=responses({201: s.UserRefSerializer}, 400, 401, 403, 413, 415),
    )
    def post(self, request: Request) -> Response:
        services.require_may_create_users(request.user)  # 403 before 400
        data = validated(s.UserCreateSerializer, request)
        organization_id = data.get("organization_id")
        made = services.create_user(
            username=data["username"],
            password=data["password"],
            email=data.get("email", ""),
            acting_user=request.user,
            organization=None
            if organization_id is None
            else visible_organization(request, organization_id),
        )
        return Response(
            s.UserRefSerializer({"id": made.pk, "username": made.username}).data,
            status=status.HTTP_201_CREATED,
        )


class MeView(JSONView):
    @extend_schema(
        tags=["auth"],
        summary="The signed-in user and their organizations",
        responses=responses({200: s.MeSerializer}, 401),
    )
    def get(self, request: Request) -> Response:
        user = request.user
        memberships = OrganizationMembership.objects.filter(user_id=user.pk).select_related(
            "organization"
        )
        body = {
            "id": user.pk,
            "username": user.get_username(),
            "email": user.email,
            "is_superuser": user.is_superuser,
            "organizations": [
                {"id": m.organization_id, "name": m.organization.name, "role": m.role}
                for m in sorted(memberships, key=lambda m: m.organization.name)
            ],
        }
        return Response(s.MeSerializer(body).data)


# --- hierarchy -------------------------------------------------------------------------------


def visible_organization(request: Request, organization_id: int) -> Organization:
    """An organization the caller belongs to; any other id is as unknown as a made-up one."""
    organization = organizations_for(request.user).filter(pk=organization_id).first()
    if organization is None:
        raise DjangoValidationError({"organization_id": ["Unknown organization."]})
    return organization


def visible_projects(request: Request) -> QuerySet[Project]:
    user = request.user
    projects = Project.objects.all()
    if not user.is_superuser:
        projects = projects.filter(organization__memberships__user_id=user.pk)
    return projects


def visible_project(request: Request, project_id: int) -> Project:
    project = visible_projects(request).select_related("organization").filter(pk=project_id)
    found = project.first()
    if found is None:
        raise DjangoValidationError({"project_id": ["Unknown project."]})
    return found


def organization_body(org: Organization, role: str | None) -> dict[str, Any]:
    return {"id": org.pk, "name": org.name, "role": role, "created_at": org.created_at}


class OrganizationListView(PaginatedView):
    serializer_class = s.OrganizationCreateSerializer

    @extend_schema(
        tags=["hierarchy"],
        summary="The caller's organizations",
        responses=responses({200: s.OrganizationSerializer(many=True)}, 400, 401, 404),
    )
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
                s.OrganizationSerializer(
                    [organization_body(o, o._role or fallback) for o in page], many=True
                ).data
            ),
        )

    @extend_schema(
        tags=["hierarchy"],
        summary="Create an organization (superusers; the caller becomes its admin)",
        description=(
            "Superusers only, unless the deployment sets "
            "`DJANGO_ALLOW_SELF_SERVICE_ORGANIZATIONS`; then any signed-in user may."
        ),
        request=s.OrganizationCreateSerializer,
        responses=responses({201: s.OrganizationSerializer}, 400, 401, 403, 413, 415),
    )
    def post(self, request: Request) -> Response:
        services.require_may_create_organizations(request.user)  # 403 before 400
        data = validated(s.OrganizationCreateSerializer, request)
        organization = services.create_organization(name=data["name"], acting_user=request.user)
        return Response(
            s.OrganizationSerializer(organization_body(organization, "admin")).data,
            status=status.HTTP_201_CREATED,
        )


class ProjectListView(PaginatedView):
    serializer_class = s.ProjectCreateSerializer

    @extend_schema(
        tags=["hierarchy"],
        summary="Projects of the caller's organizations",
        parameters=[id_filter("organization_id", "Only this organization's projects.")],
        responses=responses({200: s.ProjectSerializer(many=True)}, 400, 401, 404),
    )
    def get(self, request: Request) -> Response:
        projects = visible_projects(request).order_by("organization__name", "name", "id")
        organization_id = query_id(request, "organization_id")
        if organization_id is not None:
            projects = projects.filter(organization_id=organization_id)
        return self.paginated(projects, lambda page: s.ProjectSerializer(page, many=True).data)

    @extend_schema(
        tags=["hierarchy"],
        summary="Create a project (organization admins)",
        request=s.ProjectCreateSerializer,
        responses=responses({201: s.ProjectSerializer}, 400, 401, 403, 413, 415),
    )
    def post(self, request: Request) -> Response:
        data = validated(s.ProjectCreateSerializer, request)
        organization = visible_organization(request, data["organization_id"])
        if not is_org_admin(request.user, organization.pk):
            raise ApiPermissionDenied("Only the organization's admins can create projects.")
        project = services.create_project(organization=organization, name=data["name"])
        return Response(s.ProjectSerializer(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailView(JSONView):
    @extend_schema(
        tags=["hierarchy"],
        summary="One project",
        parameters=[id_param("project_id", "The project's id.")],
        responses=responses({200: s.ProjectSerializer}, 401, 404),
    )
    def get(self, request: Request, project_id: str) -> Response:
        project = visible_projects(request).filter(pk=path_id(project_id)).first()
        if project is None:
            raise NotFound("Project not found.")
        return Response(s.ProjectSerializer(project).data)


# --- catalogue -------------------------------------------------------------------------------


def _catalogue_of(request: Request, queryset: QuerySet, organization_path: str) -> QuerySet:
    user = request.user
    if user.is_superuser:
        return queryset
    return queryset.filter(**{f"{organization_path}__memberships__user_id": user.pk})


class CorpusListView(PaginatedView):
    serializer_class = s.CorpusCreateSerializer

    @extend_schema(
        tags=["catalogue"],
        summary="Corpora of the caller's organizations",
        parameters=[id_filter("project_id", "Only this project's corpora.")],
        responses=responses({200: s.CorpusSerializer(many=True)}, 400, 401, 404),
    )
    def get(self, request: Request) -> Response:
        corpora = _catalogue_of(
            request, Corpus.objects.select_related("project"), "project__organization"
        ).order_by("name", "id")
        project_id = query_id(request, "project_id")
        if project_id is not None:
            corpora = corpora.filter(project_id=project_id)
        return self.paginated(corpora, lambda page: s.CorpusSerializer(page, many=True).data)

    @extend_schema(
        tags=["catalogue"],
        summary="Create a corpus (members of the project's organization)",
        request=s.CorpusCreateSerializer,
        responses=responses({201: s.CorpusSerializer}, 400, 401, 403, 413, 415),
    )
    def post(self, request: Request) -> Response:
        data = validated(s.CorpusCreateSerializer, request)
        project = visible_project(request, data["project_id"])
        corpus = services.create_corpus(
            project=project, name=data["name"], description=data.get("description", "")
        )
        return Response(s.CorpusSerializer(corpus).data, status=status.HTTP_201_CREATED)


class ToolListView(PaginatedView):
    serializer_class = s.ToolCreateSerializer

    @extend_schema(
        tags=["catalogue"],
        summary="Tools (with their actions) of the caller's organizations",
        parameters=[id_filter("organization_id", "Only this organization's tools.")],
        responses=responses({200: s.ToolSerializer(many=True)}, 400, 401, 404),
    )
    def get(self, request: Request) -> Response:
        tools = _catalogue_of(
            request, Tool.objects.prefetch_related("actions"), "organization"
        ).order_by("name", "id")
        organization_id = query_id(request, "organization_id")
        if organization_id is not None:
            tools = tools.filter(organization_id=organization_id)
        return self.paginated(tools, lambda page: s.ToolSerializer(page, many=True).data)

    @extend_schema(
        tags=["catalogue"],
        summary="Create a tool with its actions (members of the organization)",
        request=s.ToolCreateSerializer,
        responses=responses({201: s.ToolSerializer}, 400, 401, 403, 413, 415),
    )
    def post(self, request: Request) -> Response:
        data = validated(s.ToolCreateSerializer, request)
        organization = visible_organization(request, data["organization_id"])
        tool = services.create_tool(
            organization=organization,
            name=data["name"],
            kind=data["kind"],
            actions=[dict(a) for a in data.get("actions", [])],
            description=data.get("description", ""),
        )
        return Response(s.ToolSerializer(tool).data, status=status.HTTP_201_CREATED)


class GuardrailListView(PaginatedView):
    serializer_class = s.GuardrailCreateSerializer

    @extend_schema(
        tags=["catalogue"],
        summary="Guardrails of the caller's organizations",
        parameters=[id_filter("organization_id", "Only this organization's guardrails.")],
        responses=responses({200: s.GuardrailSerializer(many=True)}, 400, 401, 404),
    )
    def get(self, request: Request) -> Response:
        guardrails = _catalogue_of(request, Guardrail.objects.all(), "organization").order_by(
            "name", "id"
        )
        organization_id = query_id(request, "organization_id")
        if organization_id is not None:
            guardrails = guardrails.filter(organization_id=organization_id)
        return self.paginated(guardrails, lambda page: s.GuardrailSerializer(page, many=True).data)

    @extend_schema(
        tags=["catalogue"],
        summary="Create a guardrail (members of the organization)",
        request=s.GuardrailCreateSerializer,
        responses=responses({201: s.GuardrailSerializer}, 400, 401, 403, 413, 415),
    )
    def post(self, request: Request) -> Response:
        data = validated(s.GuardrailCreateSerializer, request)
        organization = visible_organization(request, data["organization_id"])
        guardrail = services.create_guardrail(
            organization=organization,
            name=data["name"],
            type=data["type"],
            config=data.get("config"),
        )
        return Response(s.GuardrailSerializer(guardrail).data, status=status.HTTP_201_CREATED)


# --- agents ----------------------------------------------------------------------------------


def _listed_agents(request: Request) -> tuple[QuerySet[Agent], str | None]:
    """The caller's visible agents, annotated with what each list item needs.

    One query per page whatever the number of agents: the role comes from annotations
    rather than one ``role_for`` per agent.
    """
    user = request.user
    environment = query_environment(request)
    search = query_search(request)
    project_id = query_id(request, "project_id")
    agents = visible_agents(user)
    if user.is_superuser:
        agents = agents.annotate(_admin=Value(True), _role=Value(""))
        can_edit = Q(pk__isnull=False)
    else:
        granted = counted_grants(user).filter(agent_id=OuterRef("pk"))
        # Coalesced so the negation below is plain boolean logic, never SQL NULL.
        agents = agents.annotate(_role=Coalesce(Subquery(granted.values("role")[:1]), Value("")))
        can_edit = Q(_admin=True) | Q(_role__in=EDIT_ROLES)
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
    if agent._admin:
        role = Role.OWNER
    elif agent._role:
        role = Role.from_label(agent._role)
    else:
        role = Role.VIEWER
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
        settings = _settings_fields(production.snapshot)
    return {
        "id": agent.pk,
        "project_id": agent.project_id,
        "organization_id": agent.project.organization_id,
        "environment": environment,
        "role": role.label,
        **settings,
        **_publish_fields(production),
    }


class AgentListView(PaginatedView):
    serializer_class = s.AgentCreateSerializer

    @extend_schema(
        tags=["agents"],
        summary="The agents the caller may see",
        description="Editors and up see each agent's Staging, viewers its Production. "
        "`environment=production` lists published agents as published; "
        "`environment=staging` lists only the agents the caller may edit.",
        parameters=[
            ENVIRONMENT,
            OpenApiParameter(
                "search",
                {"type": "string", "maxLength": SEARCH_MAX_LENGTH, "pattern": s.NO_NUL_PATTERN},
                OpenApiParameter.QUERY,
                description="Name contains.",
            ),
            id_filter("project_id", "Only this project's agents."),
        ],
        responses=responses({200: s.AgentListItemSerializer(many=True)}, 400, 401, 404),
    )
    def get(self, request: Request) -> Response:
        agents, environment = _listed_agents(request)
        return self.paginated(
            agents,
            lambda page: (
                s.AgentListItemSerializer(
                    [_list_item(a, environment) for a in page], many=True
                ).data
            ),
        )

    @extend_schema(
        tags=["agents"],
        summary="Create an agent (members of the project's organization)",
        description="The caller becomes the agent's owner. The agent has no Production "
        "until its first publish.",
        request=s.AgentCreateSerializer,
        responses=responses({201: s.AgentSerializer}, 400, 401, 403, 413, 415),
    )
    def post(self, request: Request) -> Response:
        data = validated(s.AgentCreateSerializer, request)
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
    @extend_schema(
        tags=["agents"],
        summary="An agent's Staging (editors) or Production (viewers and up)",
        parameters=[AGENT_ID, ENVIRONMENT],
        responses=responses({200: s.AgentSerializer}, *READ_ERRORS),
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
        return Response(agent_body(request, agent, role, environment))

    def _update(self, request: Request, agent_id: str, *, partial: bool) -> Response:
        agent, role = load_agent(request, agent_id, Role.EDITOR)
        data = validated(s.AgentUpdateSerializer, request, partial=partial)
        services.update_agent_settings(agent=agent, acting_user=request.user, **data)
        return Response(agent_body(request, agent, role))

    @extend_schema(
        tags=["staging"],
        summary="Change name, description, model configuration (name required)",
        parameters=[AGENT_ID],
        request=s.AgentUpdateSerializer,
        responses=responses({200: s.AgentSerializer}, *WRITE_ERRORS),
    )
    def put(self, request: Request, agent_id: str) -> Response:
        return self._update(request, agent_id, partial=False)

    @extend_schema(
        tags=["staging"],
        summary="Change some of name, description, model configuration",
        parameters=[AGENT_ID],
        request=s.AgentUpdateSerializer,
        responses=responses({200: s.AgentSerializer}, *WRITE_ERRORS),
    )
    def patch(self, request: Request, agent_id: str) -> Response:
        return self._update(request, agent_id, partial=True)

    @extend_schema(
        tags=["agents"],
        summary="Delete (archive) the agent (owners); its publish history is kept for audit",
        parameters=[AGENT_ID],
        responses=responses({204: None}, *DELETE_ERRORS),
    )
    def delete(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.OWNER)
        services.delete_agent(agent=agent, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Staging edits: instructions -------------------------------------------------------------


class InstructionsView(JSONView):
    @extend_schema(
        tags=["staging"],
        summary="Add an instruction",
        parameters=[AGENT_ID],
        request=s.InstructionCreateSerializer,
        responses=responses({201: s.InstructionSerializer}, *WRITE_ERRORS),
    )
    def post(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        data = validated(s.InstructionCreateSerializer, request)
        instruction = services.add_instruction(agent=agent, acting_user=request.user, **data)
        return Response(
            staging_item(agent, "instructions", instruction.pk),
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        tags=["staging"],
        summary="Edit or move an instruction (its id in the body)",
        parameters=[AGENT_ID],
        request=s.InstructionUpdateSerializer,
        responses=responses({200: s.InstructionSerializer}, *WRITE_ERRORS),
    )
    def put(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        data = dict(validated(s.InstructionUpdateSerializer, request))
        instruction_id = data.pop("id")
        services.update_instruction(
            agent=agent, acting_user=request.user, instruction_id=instruction_id, **data
        )
        return Response(staging_item(agent, "instructions", instruction_id))


class InstructionDetailView(JSONView):
    @extend_schema(
        tags=["staging"],
        summary="Delete an instruction",
        parameters=[AGENT_ID, INSTRUCTION_ID],
        responses=responses({204: None}, *DELETE_ERRORS),
    )
    def delete(self, request: Request, agent_id: str, instruction_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        services.delete_instruction(
            agent=agent,
            acting_user=request.user,
            instruction_id=path_id(instruction_id, "No such instruction on this agent."),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Staging edits: knowledge sources --------------------------------------------------------


class CorporaView(JSONView):
    schema = DeleteWithBodySchema()

    @extend_schema(
        tags=["staging"],
        summary="Connect several corpora at once",
        operation_id="v2_agents_corpora_connect",
        description="Refused whole (400) if any corpus is unknown to the agent's organization "
        "or already connected.",
        parameters=[AGENT_ID],
        request=s.CorpusConnectSerializer,
        responses=responses({201: s.CorpusConnectionSerializer(many=True)}, *WRITE_ERRORS),
    )
    def post(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        data = validated(s.CorpusConnectSerializer, request)
        ids = list(data["corpus_ids"])
        settings = dict(data["settings"]) if "settings" in data else None
        services.connect_corpora(
            agent=agent, acting_user=request.user, corpus_ids=ids, settings=settings
        )
        return Response(staging_items(agent, "corpora", ids), status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["staging"],
        summary="Disconnect several corpora at once",
        operation_id="v2_agents_corpora_disconnect",
        description="Refused whole (400) if any of them is not connected.",
        parameters=[AGENT_ID],
        request=s.CorpusIdsSerializer,
        responses=responses({204: None}, *WRITE_ERRORS),
    )
    def delete(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        data = validated(s.CorpusIdsSerializer, request)
        services.disconnect_corpora(
            agent=agent, acting_user=request.user, corpus_ids=list(data["corpus_ids"])
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CorpusConnectionView(JSONView):
    def _corpus(self, agent: Agent, corpus_id: str) -> int:
        """The corpus in the path, which must belong to the agent's organization (else 404)."""
        pk = path_id(corpus_id, "No such corpus in this agent's organization.")
        if not Corpus.objects.filter(
            pk=pk, project__organization_id=agent.project.organization_id
        ).exists():
            raise NotFound("No such corpus in this agent's organization.")
        return pk

    def _set(self, request: Request, agent_id: str, corpus_id: str, *, create: bool) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        # The body first, then the id in the path: the refusal order of docs/api.md.
        serializer = s.CorpusConnectionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pk = self._corpus(agent, corpus_id)
        existed = CorpusConnection.objects.filter(agent_id=agent.pk, corpus_id=pk).exists()
        services.set_corpus_connection(
            agent=agent,
            acting_user=request.user,
            corpus_id=pk,
            enabled=serializer.validated_data.get("enabled"),
            settings=serializer.settings_given(),
            create=create,
        )
        code = status.HTTP_201_CREATED if create and not existed else status.HTTP_200_OK
        return Response(staging_item(agent, "corpora", pk), status=code)

    @extend_schema(
        tags=["staging"],
        summary="Connect one corpus, or change its connection if already connected",
        operation_id="v2_agents_corpus_connect",
        description="201 when the corpus was not connected yet, 200 otherwise.",
        parameters=[AGENT_ID, CORPUS_ID],
        request=s.CorpusConnectionUpdateSerializer,
        responses=responses(
            {201: s.CorpusConnectionSerializer, 200: s.CorpusConnectionSerializer},
            *WRITE_ERRORS,
        ),
    )
    def post(self, request: Request, agent_id: str, corpus_id: str) -> Response:
        return self._set(request, agent_id, corpus_id, create=True)

    @extend_schema(
        tags=["staging"],
        summary="Change a connected corpus's settings or enabled state",
        description="Giving any retrieval setting replaces the connection's settings with "
        "exactly those given; giving none leaves them unchanged.",
        parameters=[AGENT_ID, CORPUS_ID],
        request=s.CorpusConnectionUpdateSerializer,
        responses=responses({200: s.CorpusConnectionSerializer}, *WRITE_ERRORS),
    )
    def put(self, request: Request, agent_id: str, corpus_id: str) -> Response:
        return self._set(request, agent_id, corpus_id, create=False)

    @extend_schema(
        tags=["staging"],
        summary="Disconnect one corpus",
        operation_id="v2_agents_corpus_disconnect",
        parameters=[AGENT_ID, CORPUS_ID],
        responses=responses({204: None}, *DELETE_ERRORS),
    )
    def delete(self, request: Request, agent_id: str, corpus_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        pk = self._corpus(agent, corpus_id)
        if not CorpusConnection.objects.filter(agent_id=agent.pk, corpus_id=pk).exists():
            raise NotFound("This corpus is not connected to the agent.")
        services.disconnect_corpora(agent=agent, acting_user=request.user, corpus_ids=[pk])
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Staging edits: tools and actions --------------------------------------------------------


class ToolEnableView(JSONView):
    @extend_schema(
        tags=["staging"],
        summary="Enable a tool (its actions start enabled on first use)",
        parameters=[AGENT_ID, TOOL_ID],
        request=None,
        responses=responses({200: s.ToolBindingSerializer}, 401, 403, 404),
    )
    def post(self, request: Request, agent_id: str, tool_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        pk = path_id(tool_id, "No such tool in this agent's organization.")
        services.enable_tool(agent=agent, acting_user=request.user, tool_id=pk)
        return Response(staging_item(agent, "tools", pk))


class ToolDisableView(JSONView):
    @extend_schema(
        tags=["staging"],
        summary="Disable a tool (its action states are kept)",
        parameters=[AGENT_ID, TOOL_ID],
        responses=responses({200: s.ToolBindingSerializer}, *DELETE_ERRORS),
    )
    def delete(self, request: Request, agent_id: str, tool_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        pk = path_id(tool_id, "No such tool in this agent's organization.")
        services.disable_tool(agent=agent, acting_user=request.user, tool_id=pk)
        return Response(staging_item(agent, "tools", pk))


def _action_answer(agent: Agent, tool_id: int, action_id: int) -> Response:
    tool = staging_item(agent, "tools", tool_id)
    return Response(next(a for a in tool["actions"] if a["action_id"] == action_id))


def _action_ids(tool_id: str, action_id: str) -> tuple[int, int]:
    return (
        path_id(tool_id, "No such tool in this agent's organization."),
        path_id(action_id, "No such action on this tool."),
    )


class ActionView(JSONView):
    schema = WholeBodyPatchSchema()

    @extend_schema(
        tags=["staging"],
        summary="Replace an action's config (the tool must be enabled on the agent)",
        parameters=[AGENT_ID, TOOL_ID, ACTION_ID],
        request=s.ActionConfigSerializer,
        responses=responses({200: s.ActionStateSerializer}, *WRITE_ERRORS),
    )
    def patch(self, request: Request, agent_id: str, tool_id: str, action_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        tool_pk, action_pk = _action_ids(tool_id, action_id)
        data = validated(s.ActionConfigSerializer, request)
        services.update_action(
            agent=agent,
            acting_user=request.user,
            tool_id=tool_pk,
            action_id=action_pk,
            config=data["config"],
        )
        return _action_answer(agent, tool_pk, action_pk)


class _ActionToggleView(JSONView):
    enabled: bool

    def post(self, request: Request, agent_id: str, tool_id: str, action_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        tool_pk, action_pk = _action_ids(tool_id, action_id)
        services.update_action(
            agent=agent,
            acting_user=request.user,
            tool_id=tool_pk,
            action_id=action_pk,
            enabled=self.enabled,
        )
        return _action_answer(agent, tool_pk, action_pk)


_TOGGLE_ERRORS = (400, 401, 403, 404)


class ActionEnableView(_ActionToggleView):
    enabled = True

    @extend_schema(
        tags=["staging"],
        summary="Enable one action of an enabled tool",
        parameters=[AGENT_ID, TOOL_ID, ACTION_ID],
        request=None,
        responses=responses({200: s.ActionStateSerializer}, *_TOGGLE_ERRORS),
    )
    def post(self, request: Request, agent_id: str, tool_id: str, action_id: str) -> Response:
        return super().post(request, agent_id, tool_id, action_id)


class ActionDisableView(_ActionToggleView):
    enabled = False

    @extend_schema(
        tags=["staging"],
        summary="Disable one action of an enabled tool",
        parameters=[AGENT_ID, TOOL_ID, ACTION_ID],
        request=None,
        responses=responses({200: s.ActionStateSerializer}, *_TOGGLE_ERRORS),
    )
    def post(self, request: Request, agent_id: str, tool_id: str, action_id: str) -> Response:
        return super().post(request, agent_id, tool_id, action_id)


# --- Staging edits: guardrails and settings --------------------------------------------------


class GuardrailsView(JSONView):
    schema = WholeBodyPatchSchema()

    @extend_schema(
        tags=["staging"],
        summary="Enable or disable a guardrail of the organization (and set its settings)",
        parameters=[AGENT_ID],
        request=s.GuardrailToggleSerializer,
        responses=responses({200: s.GuardrailStateSerializer}, *WRITE_ERRORS),
    )
    def patch(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        data = validated(s.GuardrailToggleSerializer, request)
        services.set_guardrail(
            agent=agent,
            acting_user=request.user,
            guardrail_id=data["guardrail_id"],
            enabled=data["enabled"],
            settings=data.get("settings"),
        )
        return Response(staging_item(agent, "guardrails", data["guardrail_id"]))


class AccessView(JSONView):
    @extend_schema(
        tags=["staging"],
        summary="Set who may view the agent once published",
        parameters=[AGENT_ID],
        request=s.AccessLevelSerializer,
        responses=responses({200: s.AgentSerializer}, *WRITE_ERRORS),
    )
    def put(self, request: Request, agent_id: str) -> Response:
        agent, role = load_agent(request, agent_id, Role.EDITOR)
        data = validated(s.AccessLevelSerializer, request)
        services.set_access_level(
            agent=agent, acting_user=request.user, access_level=data["access_level"]
        )
        return Response(agent_body(request, agent, role))


class AnnotatesView(JSONView):
    @extend_schema(
        tags=["staging"],
        summary="Replace the agent's tags",
        parameters=[AGENT_ID],
        request=s.TagsSerializer,
        responses=responses({200: s.AgentSerializer}, *WRITE_ERRORS),
    )
    def post(self, request: Request, agent_id: str) -> Response:
        agent, role = load_agent(request, agent_id, Role.EDITOR)
        data = validated(s.TagsSerializer, request)
        services.set_tags(agent=agent, acting_user=request.user, tags=list(data["tags"]))
        return Response(agent_body(request, agent, role))


class SharePointFolderView(JSONView):
    def _set(self, request: Request, agent_id: str) -> Response:
        agent, role = load_agent(request, agent_id, Role.EDITOR)
        data = validated(s.SharePointFolderSerializer, request)
        services.set_sharepoint_folder(
            agent=agent,
            acting_user=request.user,
            site_url=data["site_url"],
            folder_path=data["folder_path"],
        )
        return Response(agent_body(request, agent, role))

    @extend_schema(
        tags=["staging"],
        summary="Set the agent's SharePoint folder",
        parameters=[AGENT_ID],
        request=s.SharePointFolderSerializer,
        responses=responses({200: s.AgentSerializer}, *WRITE_ERRORS),
    )
    def post(self, request: Request, agent_id: str) -> Response:
        return self._set(request, agent_id)

    @extend_schema(
        tags=["staging"],
        summary="Change the agent's SharePoint folder",
        parameters=[AGENT_ID],
        request=s.SharePointFolderSerializer,
        responses=responses({200: s.AgentSerializer}, *WRITE_ERRORS),
    )
    def put(self, request: Request, agent_id: str) -> Response:
        return self._set(request, agent_id)

    @extend_schema(
        tags=["staging"],
        summary="Remove the agent's SharePoint folder",
        parameters=[AGENT_ID],
        responses=responses({204: None}, *DELETE_ERRORS),
    )
    def delete(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        services.clear_sharepoint_folder(agent=agent, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- permissions -----------------------------------------------------------------------------


def _permission_body(permission: AgentPermission) -> dict[str, Any]:
    return s.PermissionSerializer(permission).data


class PermissionsView(PaginatedView):
    serializer_class = s.PermissionCreateSerializer

    @extend_schema(
        tags=["permissions"],
        summary="Who holds which role on the agent (owners)",
        parameters=[AGENT_ID],
        responses=responses({200: s.PermissionSerializer(many=True)}, 400, 401, 403, 404),
    )
    def get(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.OWNER)
        permissions = (
            AgentPermission.objects.filter(agent_id=agent.pk)
            .select_related("user", "granted_by")
            .order_by("id")
        )
        return self.paginated(
            permissions, lambda page: s.PermissionSerializer(page, many=True).data
        )

    @extend_schema(
        tags=["permissions"],
        summary="Give a user a role on the agent (owners)",
        parameters=[AGENT_ID],
        request=s.PermissionCreateSerializer,
        responses=responses({201: s.PermissionSerializer}, *WRITE_ERRORS),
    )
    def post(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.OWNER)
        data = validated(s.PermissionCreateSerializer, request)
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
        return permission

    @extend_schema(
        tags=["permissions"],
        summary="Change a user's role on the agent (owners)",
        parameters=[AGENT_ID, PERMISSION_ID],
        request=s.PermissionUpdateSerializer,
        responses=responses({200: s.PermissionSerializer}, *WRITE_ERRORS),
    )
    def put(self, request: Request, agent_id: str, permission_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.OWNER)
        data = validated(s.PermissionUpdateSerializer, request)
        permission = self._permission(agent, permission_id)
        permission = services.change_permission(
            permission=permission, acting_user=request.user, role=data["role"]
        )
        return Response(_permission_body(permission))

    @extend_schema(
        tags=["permissions"],
        summary="Take a user's role on the agent away (owners)",
        parameters=[AGENT_ID, PERMISSION_ID],
        responses=responses({204: None}, 400, 401, 403, 404),
    )
    def delete(self, request: Request, agent_id: str, permission_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.OWNER)
        permission = self._permission(agent, permission_id)
        services.revoke_permission(permission=permission, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
