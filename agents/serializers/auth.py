"""Shapes of authentication and users: API tokens, account creation, the signed-in user."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from agents.serializers.common import UserRefSerializer
from agents.serializers.fields import IdField, StrictCharField, StrictIntegerField

TOKEN_MAX_DAYS = 365


class LoginSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=128, trim_whitespace=False)
    name = StrictCharField(
        max_length=100,
        required=False,
        help_text="What the token is for (one token per integration); `default` if absent.",
    )
    expires_in_days = StrictIntegerField(
        min_value=1,
        max_value=TOKEN_MAX_DAYS,
        required=False,
        help_text="Lifetime in days; the server's default (90 unless configured) if absent.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from django.contrib.auth import authenticate

        user = authenticate(
            request=self.context.get("request"),
            username=attrs["username"],
            password=attrs["password"],
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to log in with the username and password given."]}
            )
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The secret: shown this once, never again.")
    id = serializers.IntegerField()
    name = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ApiTokenSerializer(serializers.Serializer):
    """A token as listed: never its secret, nor the digest."""

    id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The secret's first 8 characters, to tell apart.")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    revoked = serializers.SerializerMethodField()
    revoked_at = serializers.DateTimeField(allow_null=True)

    def get_revoked(self, token: Any) -> bool:
        return token.revoked_at is not None


class UserCreateSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=128, trim_whitespace=False)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    organization_id = IdField(
        required=False,
        help_text="The organization the new user joins as a member; required for "
        "organization admins (one they administer), optional for superusers.",
    )


class MembershipRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()


# The signed-in user: the reference every other body gives, and more.
class MeSerializer(UserRefSerializer):
    email = serializers.CharField()
    is_superuser = serializers.BooleanField()
    organizations = MembershipRefSerializer(many=True)
