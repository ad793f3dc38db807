"""``GET /agents/{id}/compare?from=…&to=…``: any two states of one agent, diffed."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.permissions import Role, get_agent_for
from ejento_staging.api_fields import ParsedField
from publishing import compare
from publishing.api.operations import publishing_operation
from publishing.api.refusals import error_list
from publishing.api.shapes import (
    DiffEntrySerializer,
    QuerySerializer,
    SectionCountsSerializer,
    validated_query,
)


@extend_schema_field({"type": "string", "pattern": compare.SIDE_PATTERN})
class SideField(ParsedField):
    """One side of a comparison (``publishing.compare.parse_side``)."""

    def parse(self, data: Any) -> compare.Side:
        return compare.parse_side(data, self.field_name)

    def to_representation(self, value: compare.Side) -> str:
        return value.name


class CompareQuerySerializer(QuerySerializer):
    # ``from`` is a Python keyword: the fields are declared by name here.
    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "from": SideField(help_text="The side shown as before. " + compare.SIDE_HELP),
            "to": SideField(help_text="The side shown as after. " + compare.SIDE_HELP),
        }


class CompareErrorSerializer(serializers.Serializer):
    """400: one list of messages per offending parameter."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {"from": error_list(), "to": error_list()}


class ComparisonSerializer(serializers.Serializer):
    """The staging-diff's shape, with ``before`` and ``after`` naming the two sides."""

    has_changes = serializers.BooleanField()
    fingerprint = serializers.CharField(help_text="Names exactly this pair of states.")
    before = serializers.CharField(help_text="The `from` side, as given (a UUID in lower case).")
    after = serializers.CharField(help_text="The `to` side, as given (a UUID in lower case).")
    counts = SectionCountsSerializer()
    summary = serializers.CharField()
    changes = DiffEntrySerializer(many=True)


class CompareView(APIView):
    @publishing_operation(
        "agents_compare",
        "Any two states of the agent compared",
        description=(
            "Each side is `staging`, `production`, a publish's `change_track_id` or "
            "`checkpoint:{history_id}`. 400 names a malformed side; 404 answers a side that "
            "names nothing of this agent (Production before the first publish, another "
            "agent's publish or checkpoint). Editors and above."
        ),
        parameters=(CompareQuerySerializer,),
        ok=ComparisonSerializer,
        invalid=CompareErrorSerializer,
        not_found="No such agent, or a side that names nothing of this agent.",
    )
    def get(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        sides = validated_query(CompareQuerySerializer, request)
        return Response(compare.compare(agent, sides["from"], sides["to"]).as_dict())
