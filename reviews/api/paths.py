"""The ids in the reviews API's paths: how they are documented, read and looked up.

A malformed id answers 404 like an unknown one, and a review request of another agent is
as unknown as one that never was.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound

from agents.api.base import path_id
from agents.api.schema import id_param
from agents.models import Agent
from reviews.models import ReviewRequest

TAG = "reviews"

AGENT_ID = id_param("agent_id", "The agent's id.")
REQUEST_ID = id_param("request_id", "A review request of this agent.")

REQUEST_NOT_FOUND = "No such review request for this agent."


def review_request_or_404(agent: Agent, request_id: Any) -> ReviewRequest:
    number = path_id(request_id, REQUEST_NOT_FOUND)
    found = ReviewRequest.objects.filter(agent_id=agent.pk, pk=number).first()
    if found is None:
        raise NotFound(REQUEST_NOT_FOUND)
    # The agent as loaded for this request carries the caller's role already checked, so
    # the service's own check of it costs no query.
    found.agent = agent
    return found
