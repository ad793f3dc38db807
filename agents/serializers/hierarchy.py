"""Shapes of the hierarchy: organizations, their projects, and the fields every row an
organization owns starts with."""

from __future__ import annotations

from rest_framework import serializers

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


# The fields every row an organization owns starts with (a project, a tool, a guardrail);
# each shape adds its own after them. A comment, not a docstring: the schema would show a
# docstring as the description of every shape built on it.
class OrganizationOwnedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization_id = serializers.IntegerField()
    name = serializers.CharField()


class ProjectCreateSerializer(serializers.Serializer):
    organization_id = IdField()
    name = name_field()


class ProjectSerializer(OrganizationOwnedSerializer):
    created_at = serializers.DateTimeField()
