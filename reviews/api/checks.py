"""External check results: ``/agents/{id}/checks`` - how the checks stand on one reviewed
state (editors), and posting a result for one (editors: a CI job's token)."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from agents.api.base import JSONView, validated
from agents.permissions import Role, get_agent_for
from reviews import selectors, services
from reviews.api import examples
from reviews.api.inputs import CheckRunCreateSerializer
from reviews.api.schema import CheckRunErrorSerializer, conflict_of, review_operation
from reviews.api.shapes import CheckRunSerializer, CheckStatesSerializer
from reviews.api.verdicts import fingerprint_filter, query_fingerprint


class CheckListView(JSONView):
    @review_operation(
        "agents_checks_retrieve",
        "How the external checks stand on one reviewed state",
        description=(
            "`checks`: the newest result per check name, and each check the policy requires "
            "that has none yet (`missing`); `runs`: every result on that state, newest first."
        ),
        parameters=(
            fingerprint_filter(
                "The reviewed state (a staging-diff's `fingerprint`); by default the "
                "state under review now."
            ),
        ),
        ok=CheckStatesSerializer,
        invalid=CheckRunErrorSerializer,
        examples=examples.CHECKS,
    )
    def get(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        asked = query_fingerprint(request)
        state = selectors.review_state(agent)
        fingerprint = asked or state.fingerprint
        # The readiness of that state is where the gate reads its checks from, so this
        # answer and a publish's refusal agree; Staging is only used by the built-in checks,
        # which this answer leaves out.
        found = selectors.readiness(agent, fingerprint=fingerprint, staging=state.staging)
        runs = selectors.check_runs(agent, fingerprint=fingerprint)
        return Response(
            {
                "fingerprint": fingerprint,
                "current": fingerprint == state.fingerprint,
                "checks": [check.as_dict() for check in found.checks],
                "runs": CheckRunSerializer(runs, many=True).data,
            }
        )

    @review_operation(
        "agents_checks_create",
        "Report an external check's result on one reviewed state",
        description=(
            "Like a commit status: the newest result per name and state counts. "
            "`fingerprint` must be the state under review now or one the agent was asked "
            "to be reviewed in (an evaluation may finish after Staging moved on); any other "
            "is 409 `unknown_fingerprint`, with the current one."
        ),
        request=CheckRunCreateSerializer,
        ok=CheckRunSerializer,
        ok_status=201,
        invalid=CheckRunErrorSerializer,
        conflict=conflict_of("unknown_fingerprint."),
        examples=[*examples.CHECK_BODY, *examples.CHECK_CREATED],
    )
    def post(self, request: Request, agent_id: str) -> Response:
        agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
        data = validated(CheckRunCreateSerializer, request)
        run = services.post_check(agent=agent, acting_user=request.user, **data)
        return Response(CheckRunSerializer(run).data, status=status.HTTP_201_CREATED)
