"""Bodies every part of the agents API shares: the error detail, a reference to a user."""

from __future__ import annotations

from rest_framework import serializers


class DetailSerializer(serializers.Serializer):
    """The body of every error that is not about a field: 401, 403, 404, 409, 413, 429."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
