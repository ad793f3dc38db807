"""Bodies every part of the agents API shares: the error detail, a reference to a user, the
first fields of what an organization owns."""

from __future__ import annotations

from rest_framework import serializers


class DetailSerializer(serializers.Serializer):
    """The body of every error that is not about a field: 401, 403, 404, 409, 413, 429."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


# The fields every row an organization owns starts with (a project, a tool, a guardrail);
# each shape adds its own after them. A comment, not a docstring: the schema would show a
# docstring as the description of every shape built on it.
class OrganizationOwnedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization_id = serializers.IntegerField()
    name = serializers.CharField()
