"""The review page's publish policy: its card, and what changed since an earlier verdict.

The card shows how the state under review stands against the agent's policy (approvals,
requests for changes, external and built-in checks, the authors) with the review forms,
whose POSTs live in ``reviews.views``. A verdict given on an earlier state links to a page
of its own that rebuilds Staging as it stood then: doing that inline would cost a
checkpoint's queries for every stale verdict on the review page.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agents.models import Agent
from agents.permissions import Role, get_agent_for
from configuration.diff import diff_snapshots
from ejento_staging.pages import agent_context, page
from publishing import selectors
from publishing.presenters import present_diff
from reviews import selectors as review_selectors
from reviews.forms import ReviewRequestForm, VerdictForm
from reviews.models import CheckRun, Verdict
from reviews.presenters import describe_policy
from reviews.readiness import MISSING, NOT_COUNTED_REASONS, Readiness, ReviewerVerdict

# How each external check state is shown: (badge modifier, words).
CHECK_BADGES = {
    CheckRun.State.SUCCESS: ("live", "Passed"),
    CheckRun.State.FAILURE: ("removed", "Failed"),
    CheckRun.State.ERROR: ("removed", "Error"),
    CheckRun.State.PENDING: ("pending", "Running"),
    MISSING: ("neutral", "Waiting for a result"),
}


def _verdict_row(verdict: ReviewerVerdict, state: Readiness) -> dict[str, Any]:
    holds_back = verdict in state.changes_requested and state.policy.required_approvals > 0
    return {
        "verdict": verdict,
        "counts": verdict.counts,
        "not_counted": NOT_COUNTED_REASONS.get(verdict.not_counted, ""),
        "holds_back": holds_back,
    }


def _check_row(check: Any) -> dict[str, Any]:
    badge, words = CHECK_BADGES.get(check.state, ("neutral", check.state))
    return {"check": check, "badge": badge, "words": words}


def policy_card(
    agent: Agent, role: Role, user: Any, *, fingerprint: str, staging: Any, has_changes: bool
) -> dict[str, Any]:
    """The review page's "Publish policy" card: what the policy asks, how the state under
    review (``fingerprint``) stands against it, and the review forms the user may use.

    With nothing to publish only the policy is shown: there is no state to review.
    """
    if not has_changes:
        return {
            "policy_text": describe_policy(review_selectors.policy_for(agent)),
            "gate": None,
        }
    state = review_selectors.readiness(agent, fingerprint=fingerprint, staging=staging)
    open_request = review_selectors.open_review_request(agent)
    author_ids = {person.id for person in state.authors}
    mine = next((v for v in state.verdicts if v.reviewer.id == user.pk), None)
    verdicts = [_verdict_row(v, state) for v in state.verdicts]
    approved, changes = Verdict.Kind.APPROVED, Verdict.Kind.CHANGES_REQUESTED
    return {
        "policy_text": describe_policy(state.policy),
        "gate": state,
        "approvals": [row for row in verdicts if row["verdict"].kind == approved],
        "change_requests": [row for row in verdicts if row["verdict"].kind == changes],
        "external_checks": [_check_row(check) for check in state.checks],
        "open_request": open_request,
        "open_request_stale": open_request is not None and open_request.fingerprint != fingerprint,
        "can_withdraw_request": open_request is not None
        and (role >= Role.PUBLISHER or open_request.requested_by_id == user.pk),
        # Only a verdict on this very state can be withdrawn: an earlier one counts no more.
        "my_verdict": mine
        if mine is not None and mine.fresh and mine.kind != Verdict.Kind.WITHDRAWN
        else None,
        "user_is_author": user.pk in author_ids,
        "may_approve": role >= Role.PUBLISHER
        and (state.policy.authors_may_approve or user.pk not in author_ids),
        "can_break_glass": not state.met and role >= Role.OWNER,
        "request_form": ReviewRequestForm(initial={"fingerprint": fingerprint}),
        "verdict_form": VerdictForm(initial={"fingerprint": fingerprint}),
    }


@page
@require_GET
def verdict_changes(request: HttpRequest, agent_id: int, verdict_id: int) -> HttpResponse:
    """What changed in Staging since one verdict: the state it was given on (Staging at the
    revision it names) against Staging now."""
    agent, role = get_agent_for(request.user, agent_id, Role.EDITOR)
    verdict = Verdict.objects.get(agent_id=agent.pk, pk=verdict_id)
    review = selectors.review_staging(agent)
    then = selectors.checkpoint_snapshot(agent_id=agent.pk, revision=verdict.staging_revision)
    diff = diff_snapshots(then, review.staging)
    context = agent_context(agent, role, tab="review", environment="review")
    context.update(
        {
            "verdict": verdict,
            "fresh": verdict.fingerprint == review.fingerprint,
            "then_title": "Approved then"
            if verdict.kind == Verdict.Kind.APPROVED
            else "Reviewed then",
            "sections": present_diff(diff),
            "total": len(diff.changes),
        }
    )
    return render(request, "publishing/verdict_changes.html", context)
