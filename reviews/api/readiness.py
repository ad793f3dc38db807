"""``GET /agents/{id}/readiness``: whether Staging as it stands may be published, and why not."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from agents.api.base import JSONView
from agents.models import Agent
from agents.permissions import Role, get_agent_for
from reviews import selectors
from reviews.api import examples
from reviews.api.schema import review_operation
from reviews.api.shapes import ReadinessSerializer, ReviewRequestSerializer


def readiness_body(agent: Agent) -> dict[str, Any]:
    """The same decision ``publish_agent`` takes, on the same facts, without the lock."""
    state = selectors.review_state(agent)
    found = selectors.readiness(agent, fingerprint=state.fingerprint, staging=state.staging)
    open_request = selectors.open_review_request(agent)
    return {
        **found.as_dict(),
        "has_changes": state.has_changes,
        "review_request": ReviewRequestSerializer(open_request).data if open_request else None,
    }


class ReadinessView(JSONView):
    @review_operation(
        "agents_readiness_retrieve",
        "Whether Staging may be published now under the agent's policy",
        description=(
            "The policy, each reviewer's newest verdict since the last publish (`stale` when "
            "given on an earlier state, `counted` when it is one of the approvals required), "
            "the external and built-in checks, and `blockers`: what a publish now would be "
            "refused for (`approval_required`, `checks_not_passed`). `met` is true when "
            "nothing blocks. The open review request, if any, comes along."
        ),
        ok=ReadinessSerializer,
        examples=examples.READINESS,
    )
    def get(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        return Response(readiness_body(agent))
