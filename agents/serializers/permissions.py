"""Shapes of the permissions on an agent."""

from __future__ import annotations

from rest_framework import serializers

from agents.models import AgentPermission
from agents.serializers.common import UserRefSerializer
from agents.serializers.fields import IdField


class PermissionCreateSerializer(serializers.Serializer):
    user_id = IdField()
    role = serializers.ChoiceField(choices=AgentPermission.Role.choices)


class PermissionUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=AgentPermission.Role.choices)


class PermissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    user = UserRefSerializer()
    role = serializers.CharField()
    granted_by = UserRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
