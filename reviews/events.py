"""The webhook events of the review workflow, recorded in the transaction of what they report.

Like every event, no Staging content: evaluators read the state under review from the
``staging-diff`` (``data.staging_diff_url``) with their own token, and post their result for
``data.fingerprint`` to ``data.checks_url``.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from agents.models import Agent
from reviews.models import ReviewRequest
from reviews.policy import Policy
from webhooks import events as webhook_events


def _links(agent: Agent) -> dict[str, str]:
    base = settings.PUBLIC_BASE_URL
    return {
        "staging_diff_url": base + reverse("api-staging-diff", args=[agent.pk]),
        "checks_url": base + reverse("api-checks", args=[agent.pk]),
        "review_url": base + reverse("publishing:review", args=[agent.pk]),
    }


def review_requested(request: ReviewRequest, *, agent: Agent) -> None:
    webhook_events.record_event(
        agent=agent,
        event_type=webhook_events.REVIEW_REQUESTED,
        data={
            "agent": webhook_events.agent_reference(agent),
            "review_request": {
                "id": request.pk,
                "fingerprint": request.fingerprint,
                "staging_revision": request.staging_revision,
                "description": request.description,
                "requested_by": {
                    "id": request.requested_by_id,
                    "username": request.requested_by_username,
                },
                "requested_at": request.created_at.isoformat(),
            },
            **_links(agent),
        },
    )


def checks_requested(*, agent: Agent, fingerprint: str, policy: Policy) -> None:
    webhook_events.record_event(
        agent=agent,
        event_type=webhook_events.CHECKS_REQUESTED,
        data={
            "agent": webhook_events.agent_reference(agent),
            "fingerprint": fingerprint,
            "required_checks": list(policy.required_checks),
            **_links(agent),
        },
    )
