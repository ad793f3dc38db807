"""The one way in for the review workflow's writes; each checks the acting user's role.

Every write locks the agent's row first, like a staging edit and a publish do, so a verdict,
a check result or a policy change lands either wholly before a publish or wholly after it:
the publish decides on exactly the facts its record keeps.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from agents.models import Agent
from agents.permissions import Role, lock_agent, require_role
from agents.validation import clean_fingerprint, clean_text
from reviews import events
from reviews.exceptions import NothingToReview, ReviewRequestClosed, StaleState, UnknownFingerprint
from reviews.models import (
    CHECK_DESCRIPTION_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    URL_MAX_LENGTH,
    CheckRun,
    PolicyChange,
    PublishPolicy,
    ReviewRequest,
    Verdict,
)
from reviews.policy import Policy, clean_check_name, clean_policy
from reviews.readiness import Readiness
from reviews.selectors import (
    authors_since_publish,
    known_fingerprint,
    policy_for,
    readiness,
    review_state,
)

BREAK_GLASS_REASON_MAX_LENGTH = 1000
NAME_THE_STATE = "Required: the fingerprint of the staging-diff this is about."


def _username(user: Any) -> str:
    return user.get_username() if getattr(user, "is_authenticated", False) else ""


def set_policy(*, agent: Agent, acting_user: Any, values: dict[str, Any]) -> Policy:
    """Change the agent's publish policy (an owner's call); the change is recorded with the
    policy before and after. Fields left out of ``values`` keep their value."""
    role = require_role(acting_user, agent, Role.OWNER)
    with transaction.atomic():
        locked = lock_agent(agent, acting_user, role)
        before = policy_for(locked)
        after = clean_policy(values, before)
        if after == before:
            return before
        now = timezone.now()
        PublishPolicy.objects.update_or_create(
            agent_id=locked.pk,
            defaults={
                **after.as_dict(),
                "updated_at": now,
                "updated_by": acting_user,
            },
        )
        PolicyChange.objects.create(
            agent=locked,
            changed_by=acting_user,
            changed_by_username=_username(acting_user),
            changed_at=now,
            before=before.as_dict(),
            after=after.as_dict(),
        )
    return after


def request_review(
    *,
    agent: Agent,
    acting_user: Any,
    description: str = "",
    expected_fingerprint: str | None = None,
) -> ReviewRequest:
    """Ask publishers to review Staging as it stands (an editor's call).

    Bound to the current review fingerprint; refused with ``StaleState`` when
    ``expected_fingerprint`` names another. An open request is replaced (``superseded``).
    Records ``review.requested``, and ``checks.requested`` the first time this state is
    put up for review, so evaluators start without polling.
    """
    role = require_role(acting_user, agent, Role.EDITOR)
    description = clean_text(
        description, "description", max_length=COMMENT_MAX_LENGTH, required=False
    ).strip()
    expected = clean_fingerprint(expected_fingerprint, "expected_fingerprint")
    with transaction.atomic():
        locked = lock_agent(agent, acting_user, role)
        state = review_state(locked)
        if expected and expected != state.fingerprint:
            raise StaleState(fingerprint=state.fingerprint)
        if not state.has_changes:
            raise NothingToReview()
        now = timezone.now()
        announced = ReviewRequest.objects.filter(
            agent_id=locked.pk, fingerprint=state.fingerprint
        ).exists()
        _close_open(locked, ReviewRequest.Status.SUPERSEDED, acting_user, now)
        request = ReviewRequest.objects.create(
            agent=locked,
            fingerprint=state.fingerprint,
            staging_revision=state.staging_revision,
            description=description,
            requested_by=acting_user,
            requested_by_username=_username(acting_user),
            created_at=now,
        )
        events.review_requested(request, agent=locked)
        if not announced:
            events.checks_requested(
                agent=locked, fingerprint=state.fingerprint, policy=policy_for(locked)
            )
    return request


def withdraw_review_request(*, request: ReviewRequest, acting_user: Any) -> ReviewRequest:
    """Withdraw an open request: its author (an editor still), or any publisher."""
    agent = request.agent
    role = require_role(acting_user, agent, Role.EDITOR)
    if role < Role.PUBLISHER and request.requested_by_id != getattr(acting_user, "pk", None):
        raise PermissionDenied("Only its author or a publisher can withdraw a review request.")
    with transaction.atomic():
        lock_agent(agent, acting_user, role)
        locked = ReviewRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != ReviewRequest.Status.OPEN:
            raise ReviewRequestClosed(status=locked.status)
        _set_closed(locked, ReviewRequest.Status.WITHDRAWN, acting_user, timezone.now())
    return locked


def _set_closed(request: ReviewRequest, status: str, acting_user: Any, when: Any) -> None:
    request.status = status
    request.closed_at = when
    request.closed_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    request.closed_by_username = _username(acting_user)
    request.save(update_fields=["status", "closed_at", "closed_by", "closed_by_username"])


def _close_open(agent: Agent, status: str, acting_user: Any, when: Any) -> None:
    # One UPDATE whether or not a request is open: a publish pays for it every time.
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    ReviewRequest.objects.filter(agent_id=agent.pk, status=ReviewRequest.Status.OPEN).update(
        status=status, closed_at=when, closed_by=user, closed_by_username=_username(acting_user)
    )


def give_verdict(
    *,
    agent: Agent,
    acting_user: Any,
    verdict: str,
    expected_fingerprint: Any,
    comment: str = "",
) -> Verdict:
    """Approve, request changes on, or withdraw one's verdict on the state under review.

    A publisher's call, given on ``expected_fingerprint`` - the state the reviewer saw; if
    Staging or Production moved since, ``StaleState`` and nothing is written. An author of
    the pending change may not approve it unless the policy says authors may.
    """
    role = require_role(acting_user, agent, Role.PUBLISHER)
    if verdict not in Verdict.Kind.values:
        raise ValidationError({"verdict": [f"Must be one of: {', '.join(Verdict.Kind.values)}."]})
    comment = clean_text(comment, "comment", max_length=COMMENT_MAX_LENGTH, required=False).strip()
    expected = clean_fingerprint(expected_fingerprint, "expected_fingerprint")
    if expected is None:
        raise ValidationError({"expected_fingerprint": [NAME_THE_STATE]})
    with transaction.atomic():
        locked = lock_agent(agent, acting_user, role)
        state = review_state(locked)
        if expected != state.fingerprint:
            raise StaleState(fingerprint=state.fingerprint)
        if not state.has_changes:
            raise NothingToReview()
        if verdict == Verdict.Kind.APPROVED and not policy_for(locked).authors_may_approve:
            authors = {person.id for person in authors_since_publish(locked)}
            if acting_user.pk in authors:
                raise PermissionDenied(
                    "You changed Staging since the last publish, and this agent's policy lets "
                    "no author approve their own change. Ask another publisher."
                )
        request = ReviewRequest.objects.filter(
            agent_id=locked.pk, status=ReviewRequest.Status.OPEN, fingerprint=state.fingerprint
        ).first()
        return Verdict.objects.create(
            agent=locked,
            review_request=request,
            fingerprint=state.fingerprint,
            staging_revision=state.staging_revision,
            kind=verdict,
            comment=comment,
            reviewer=acting_user,
            reviewer_username=_username(acting_user),
            created_at=timezone.now(),
        )


def _clean_url(value: Any) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > URL_MAX_LENGTH:
        raise ValidationError({"target_url": [f"A URL of at most {URL_MAX_LENGTH} characters."]})
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValidationError({"target_url": ["Must be an http(s) URL."]}) from None
    return value


def post_check(
    *,
    agent: Agent,
    acting_user: Any,
    fingerprint: Any,
    name: Any,
    state: Any,
    description: Any = "",
    target_url: Any = "",
) -> CheckRun:
    """Record an external check's result for one reviewed state (an editor's call, like a
    CI job's token with write access). The newest result per name and fingerprint counts.

    ``UnknownFingerprint`` unless ``fingerprint`` is the agent's state under review now or
    one it was asked to be reviewed in.
    """
    role = require_role(acting_user, agent, Role.EDITOR)
    given = {
        "fingerprint": fingerprint,
        "name": name,
        "state": state,
        "description": description,
        "target_url": target_url,
    }
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for field, clean in (
        ("fingerprint", lambda v: clean_fingerprint(v, "fingerprint")),
        ("name", clean_check_name),
        ("state", _clean_state),
        (
            "description",
            lambda v: clean_text(
                v, "description", max_length=CHECK_DESCRIPTION_MAX_LENGTH, required=False
            ).strip(),
        ),
        ("target_url", _clean_url),
    ):
        try:
            cleaned[field] = clean(given[field])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    # Named beside the other fields' errors, not after them: one answer lists every fix.
    if "fingerprint" not in errors and cleaned["fingerprint"] is None:
        errors["fingerprint"] = [NAME_THE_STATE]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = lock_agent(agent, acting_user, role)
        current = review_state(locked).fingerprint
        if not known_fingerprint(locked, cleaned["fingerprint"], current):
            raise UnknownFingerprint(fingerprint=current)
        return CheckRun.objects.create(
            agent=locked,
            created_by=acting_user,
            created_by_username=_username(acting_user),
            created_at=timezone.now(),
            **cleaned,
        )


def _clean_state(value: Any) -> str:
    if value not in CheckRun.State.values:
        raise ValidationError({"state": [f"Must be one of: {', '.join(CheckRun.State.values)}."]})
    return value


def clean_break_glass_reason(value: Any) -> str:
    return clean_text(
        value, "break_glass_reason", max_length=BREAK_GLASS_REASON_MAX_LENGTH, required=False
    ).strip()


def hold_publish(
    *,
    agent: Agent,
    acting_user: Any,
    role: Role,
    fingerprint: str,
    staging: dict[str, Any],
    break_glass_reason: str = "",
) -> dict[str, Any]:
    """The policy's word on publishing ``fingerprint`` now, for ``publish_agent``.

    Called with the agent's row locked. Raises ``ApprovalRequired`` or ``ChecksNotPassed``
    unless the policy is met; an owner may publish anyway by giving ``break_glass_reason``
    (a publisher giving one is refused with ``PermissionDenied``). Returns what the publish
    record keeps of the decision, and closes the open review request as published.
    """
    # Refused whether or not the policy happens to be met: the same publisher's request must
    # not pass or fail by the timing of the reviews, nor have its reason silently dropped.
    if break_glass_reason and role < Role.OWNER:
        raise PermissionDenied("Only an owner can publish without meeting the publish policy.")
    state: Readiness = readiness(
        agent, fingerprint=fingerprint, staging=staging, with_authors=False
    )
    refusal = state.refusal()
    used_glass = ""
    if refusal is not None:
        if not break_glass_reason:
            raise refusal
        used_glass = break_glass_reason
    _close_open(agent, ReviewRequest.Status.PUBLISHED, acting_user, timezone.now())
    return state.record(break_glass_reason=used_glass)
