"""Authentication and users: API tokens (log in, list, revoke), creating users, who am I."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, NotFound, Throttled, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services as token_services
from accounts.authentication import ApiTokenAuthentication
from accounts.models import ApiToken
from agents import services
from agents.api.base import JSONView, PaginatedView, path_id, query_id, validated
from agents.api.hierarchy import visible_organization
from agents.api.schema import (
    DELETE_ERRORS,
    READ_ERRORS,
    create_schema,
    id_filter,
    id_param,
    operation_schema,
)
from agents.models import OrganizationMembership
from agents.serializers.auth import (
    ApiTokenSerializer,
    LoginSerializer,
    MeSerializer,
    TokenSerializer,
    UserCreateSerializer,
)
from agents.serializers.common import UserRefSerializer
from ejento_staging.throttles import AccountLoginThrottle, LoginRateThrottle, login_username


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

    @operation_schema(
        "auth",
        "Get a new API token",
        description="Each call issues a new token (one per integration, named); earlier ones "
        "stay valid until they expire or are revoked. The secret is in this answer only.",
        request=LoginSerializer,
        ok={200: TokenSerializer},
        errors=(400, 413, 415, 429),
        auth=[],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The address throttle ran already (throttle_classes); now the account's.
        account = AccountLoginThrottle(login_username(request.data))
        wait = account.blocked()
        if wait is not None:
            raise Throttled(wait=wait)
        serializer = LoginSerializer(data=request.data, context={"request": request})
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
        return Response(TokenSerializer(body).data)

    @operation_schema(
        "auth",
        "Revoke the API token of this request (log out)",
        request=None,
        ok={204: None},
        errors=(401, 404),
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not isinstance(request.auth, ApiToken):  # only token authentication is tried here
            raise NotAuthenticated()
        token_services.revoke_token(acting_user=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenListView(PaginatedView):
    serializer_class = ApiTokenSerializer

    @operation_schema(
        "auth",
        "The caller's API tokens (never their secrets)",
        description="Newest first, revoked and expired ones included. Superusers may name "
        "another user with `user_id`.",
        parameters=[id_filter("user_id", "Superusers: list this user's tokens instead.")],
        ok={200: ApiTokenSerializer(many=True)},
        errors=READ_ERRORS,
    )
    def get(self, request: Request) -> Response:
        tokens = token_services.tokens_of(request.user, query_id(request, "user_id"))
        return self.paginated(tokens, lambda page: ApiTokenSerializer(page, many=True).data)


class ApiTokenDetailView(JSONView):
    @operation_schema(
        "auth",
        "Revoke an API token (your own; superusers: anyone's)",
        parameters=[id_param("token_id", "A token from `GET /auth/tokens`.")],
        request=None,
        ok={204: None},
        errors=DELETE_ERRORS,
    )
    def delete(self, request: Request, token_id: str) -> Response:
        pk = path_id(token_id, "Token not found.")
        token = token_services.visible_tokens(request.user).filter(pk=pk).first()
        if token is None:
            raise NotFound("Token not found.")
        token_services.revoke_token(acting_user=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserCreateView(JSONView):
    @create_schema(
        "auth",
        "Create a user (superusers; organization admins into their organization)",
        UserCreateSerializer,
        UserRefSerializer,
        description=(
            "Superusers may create any user; with `organization_id` the user also joins that "
            "organization as a member. Organization admins must name an organization they "
            "administer, and the new user joins it."
        ),
    )
    def post(self, request: Request) -> Response:
        services.require_may_create_users(request.user)  # 403 before 400
        data = validated(UserCreateSerializer, request)
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
            UserRefSerializer({"id": made.pk, "username": made.username}).data,
            status=status.HTTP_201_CREATED,
        )


class MeView(JSONView):
    @operation_schema(
        "auth",
        "The signed-in user and their organizations",
        ok={200: MeSerializer},
        errors=(401,),
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
        return Response(MeSerializer(body).data)
