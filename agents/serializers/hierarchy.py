"""Shapes of the hierarchy: organizations and their projects."""

from __future__ import annotations

from rest_framework import serializers

from agents.serializers.common import OrganizationOwnedSerializer
from agents.serializers.fields import IdField, name_field


class OrganizationCreateSerializer(serializers.Serializer):
    name = name_field()


class OrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField(
        allow_null=True, help_text="The caller's role in the organization (admin or member)."
    )
    created_at = serializers.DateTimeField()


class ProjectCreateSerializer(serializers.Serializer):
    organization_id = IdField()
    name = name_field()


class ProjectSerializer(OrganizationOwnedSerializer):
    created_at = serializers.DateTimeField()
