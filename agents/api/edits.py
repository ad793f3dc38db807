"""How the API's Staging edits run: the agent (editors and up), the body, one service.

The order is the contract's refusal order (docs/api.md): the agent is looked up and the
caller's role checked (404, 403) before the body is read (400).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from agents.api.base import load_agent, validated
from agents.api.representation import agent_body
from agents.edit_base import BASE_FIELD, base_from
from agents.models import Agent
from agents.permissions import Role


@dataclass(frozen=True)
class StagingEdit:
    agent: Agent
    role: Role
    data: dict[str, Any]
    result: Any  # what the service returned


def edit_staging(
    request: Request,
    agent_id: Any,
    body: type,
    service: Callable[..., Any],
    *,
    partial: bool = False,
) -> StagingEdit:
    """Validates ``body`` and calls ``service`` with the agent, the caller and its fields."""
    agent, role = load_agent(request, agent_id, Role.EDITOR)
    data = validated(body, request, partial=partial)
    if "If-Match" not in request.headers and isinstance(request.data, dict):
        # The body's ``base_revision`` stands in for If-Match (clients that cannot set headers).
        base_from(request.data.get(BASE_FIELD), BASE_FIELD)
    result = service(agent=agent, acting_user=request.user, **data)
    return StagingEdit(agent, role, data, result)


def agent_response(request: Request, edit: StagingEdit) -> Response:
    """The whole agent as the edit left it: what settings edits answer (``agent_edit_schema``)."""
    return Response(agent_body(request, edit.agent, edit.role))
