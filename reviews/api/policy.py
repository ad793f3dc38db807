"""``/agents/{id}/publish-policy``: read it (editors), set it (owners); and its change log."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from agents.api.base import JSONView, PaginatedView, validated
from agents.permissions import Role, get_agent_for
from reviews import selectors, services
from reviews.api import examples
from reviews.api.inputs import PublishPolicySerializer
from reviews.api.schema import (
    NOT_FOUND_OR_PAGE,
    PageErrorSerializer,
    PolicyErrorSerializer,
    review_operation,
)
from reviews.api.shapes import PolicyChangeSerializer, builtin_check_refs
from reviews.policy import Policy


def policy_response(policy: Policy) -> Response:
    return Response({**policy.as_dict(), "builtin_checks": builtin_check_refs()})


def _setter(operation_id: str, summary: str, description: str, request_examples: list):
    return review_operation(
        operation_id,
        summary,
        description=description,
        request=PublishPolicySerializer,
        ok=PublishPolicySerializer,
        invalid=PolicyErrorSerializer,
        examples=[*request_examples, *examples.POLICY_ANSWER],
    )


class PublishPolicyView(JSONView):
    @review_operation(
        "agents_publish_policy_retrieve",
        "The agent's publish policy",
        description="What must hold before Staging may go live. An agent that never had a "
        "policy set answers the default: no approvals, no checks - publish as before.",
        ok=PublishPolicySerializer,
        examples=examples.POLICY_ANSWER,
    )
    def get(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        return policy_response(selectors.policy_for(agent))

    @_setter(
        "agents_publish_policy_update",
        "Set the whole publish policy (owners)",
        "Every field is required. The change is recorded (see `publish-policy/changes`) "
        "unless nothing changed. It applies at once, to every publish and scheduled publish "
        "from now on. A field this API does not know is refused.",
        examples.POLICY_BODY,
    )
    def put(self, request: Request, agent_id: str) -> Response:
        return self._set(request, agent_id, partial=False)

    @_setter(
        "agents_publish_policy_partial_update",
        "Change some of the publish policy (owners)",
        "The fields left out keep their value. Recorded like a PUT.",
        examples.POLICY_PATCH,
    )
    def patch(self, request: Request, agent_id: str) -> Response:
        return self._set(request, agent_id, partial=True)

    def _set(self, request: Request, agent_id: str, *, partial: bool) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.OWNER)
        values = validated(PublishPolicySerializer, request, partial=partial)
        policy = services.set_policy(agent=agent, acting_user=request.user, values=dict(values))
        return policy_response(policy)


class PolicyChangeListView(PaginatedView):
    serializer_class = PolicyChangeSerializer

    @review_operation(
        "agents_publish_policy_changes_list",
        "Changes of the publish policy, newest first",
        ok=PolicyChangeSerializer(many=True),
        invalid=PageErrorSerializer,
        not_found=NOT_FOUND_OR_PAGE,
        examples=examples.POLICY_CHANGES,
    )
    def get(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        return self.paginated(
            selectors.policy_changes(agent),
            lambda page: PolicyChangeSerializer(page, many=True).data,
        )
