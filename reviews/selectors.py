"""Reads: the policy, the state under review, and how it stands (``Readiness``).

``readiness`` costs a fixed number of queries whatever the number of verdicts, checks,
authors or the size of the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from agents.models import Agent, StagingConfiguration
from agents.permissions import Role, users_holding
from agents.snapshot import staging_snapshot
from configuration.checks import run_builtin_checks
from configuration.diff import diff_snapshots
from configuration.snapshot import Snapshot, combine_fingerprints
from reviews.models import CheckRun, PolicyChange, PublishPolicy, ReviewRequest, Verdict
from reviews.policy import Policy
from reviews.readiness import (
    AUTHOR,
    MISSING,
    NOT_A_PUBLISHER,
    BuiltinState,
    CheckState,
    Person,
    Readiness,
    ReviewerVerdict,
)


def policy_for(agent: Agent) -> Policy:
    return Policy.from_row(PublishPolicy.objects.filter(agent_id=agent.pk).first())


def policy_changes(agent: Agent) -> QuerySet[PolicyChange]:
    return PolicyChange.objects.filter(agent_id=agent.pk).order_by("-changed_at", "-id")


@dataclass(frozen=True)
class ReviewState:
    """Staging against Production as it stands: the snapshot, its revision and the review
    fingerprint that names the pair - the ``staging-diff``'s, made the same way as
    ``publishing.selectors.review_staging`` makes it, from the stored fingerprints."""

    staging: Snapshot
    production: Snapshot | None
    fingerprint: str
    staging_revision: int

    @property
    def has_changes(self) -> bool:
        return diff_snapshots(self.production, self.staging).has_changes


def review_state(agent: Agent) -> ReviewState:
    """The current state under review, in seven queries whatever the agent's size."""
    staging_row = StagingConfiguration.objects.get(agent_id=agent.pk)
    production = (
        Agent.objects.filter(pk=agent.pk)
        .values_list("production__snapshot", "production__fingerprint")
        .first()
    )
    snapshot, production_fingerprint = production if production else (None, None)
    return ReviewState(
        staging=staging_snapshot(agent, staging=staging_row),
        production=snapshot,
        # Every staging edit keeps the stored fingerprint current: no hash of the snapshot.
        fingerprint=combine_fingerprints(production_fingerprint, staging_row.fingerprint),
        staging_revision=staging_row.revision,
    )


def _last_publish(agent: Agent) -> tuple[int | None, datetime | None]:
    """The Staging revision and the time of the last publish ((None, None) before any)."""
    row = (
        Agent.objects.filter(pk=agent.pk)
        .values_list("production__staging_revision", "production__published_at")
        .first()
    )
    return row if row is not None else (None, None)


POLICY_FIELDS = (
    "required_approvals",
    "authors_may_approve",
    "required_checks",
    "blocking_builtin_checks",
)


def _policy_and_last_publish(agent: Agent) -> tuple[Policy, tuple[int | None, datetime | None]]:
    """``policy_for`` and ``_last_publish`` in one query: both hang off the agent's row."""
    row = (
        Agent.objects.filter(pk=agent.pk)
        .values_list(
            "production__staging_revision",
            "production__published_at",
            *(f"publish_policy__{name}" for name in POLICY_FIELDS),
        )
        .first()
    )
    if row is None:
        return Policy(), (None, None)
    last_publish, values = (row[0], row[1]), row[2:]
    if values[0] is None:  # no policy row: the default
        return Policy(), last_publish
    policy = Policy(
        required_approvals=values[0],
        authors_may_approve=values[1],
        required_checks=tuple(values[2]),
        blocking_builtin_checks=tuple(values[3]),
    )
    return policy, last_publish


def authors_since_publish(
    agent: Agent, *, last_publish: tuple[int | None, datetime | None] | None = None
) -> tuple[Person, ...]:
    """Everyone who changed Staging since the last publish (since creation before any).

    Publishes before the published revision was kept fall back to the publish time; both
    are taken under the agent's row lock, as every staging edit is. ``last_publish`` is
    ``_last_publish(agent)`` when the caller has it already.
    """
    published_revision, published_at = last_publish or _last_publish(agent)
    records = StagingConfiguration.history.filter(agent_id=agent.pk)
    if published_revision is not None:
        records = records.filter(staging_revision__gt=published_revision)
    elif published_at is not None:
        records = records.filter(history_date__gt=published_at)
    # No ordering: the history's default one would join the DISTINCT and make it return a
    # row per edit instead of one per author.
    seen = records.order_by().values_list("history_user_id", "history_username").distinct()
    return tuple(sorted({Person(pk, name) for pk, name in seen}, key=lambda p: p.username))


def readiness(
    agent: Agent, *, fingerprint: str, staging: Snapshot, with_authors: bool = True
) -> Readiness:
    """How the state ``fingerprint`` (whose Staging is ``staging``) stands against the policy.

    ``with_authors=False`` (a publish) reads the authors only when the decision needs them:
    when someone approved this state and the policy lets no author approve. Four queries
    then when nobody approved, whatever the history holds.
    """
    policy, last_publish = _policy_and_last_publish(agent)
    published_at = last_publish[1]

    verdict_rows = Verdict.objects.filter(agent_id=agent.pk)
    if published_at is not None:
        verdict_rows = verdict_rows.filter(created_at__gt=published_at)
    newest: dict[Any, Verdict] = {}
    for row in verdict_rows.order_by("created_at", "id"):
        # Keyed by the reviewer; a deleted reviewer's verdicts stay apart by username.
        newest[row.reviewer_id or f"deleted:{row.reviewer_username}"] = row
    fresh = [v for v in newest.values() if v.fingerprint == fingerprint]
    may_approve = users_holding(
        agent, {v.reviewer_id for v in fresh if v.reviewer_id is not None}, Role.PUBLISHER
    )
    approved = any(v.kind == Verdict.Kind.APPROVED for v in fresh)
    authors: tuple[Person, ...] = ()
    if with_authors or (approved and not policy.authors_may_approve):
        authors = authors_since_publish(agent, last_publish=last_publish)
    author_ids = {a.id for a in authors}

    verdicts = []
    for row in sorted(newest.values(), key=lambda v: (v.created_at, v.pk), reverse=True):
        fresh = row.fingerprint == fingerprint
        not_counted = ""
        if fresh:
            if row.reviewer_id not in may_approve:
                not_counted = NOT_A_PUBLISHER
            elif (
                row.kind == Verdict.Kind.APPROVED
                and row.reviewer_id in author_ids
                and not policy.authors_may_approve
            ):
                # Authors may not vouch for their own change; they may still object to it.
                not_counted = AUTHOR
        verdicts.append(
            ReviewerVerdict(
                id=row.pk,
                reviewer=Person(row.reviewer_id, row.reviewer_username),
                kind=row.kind,
                comment=row.comment,
                given_at=row.created_at,
                fingerprint=row.fingerprint,
                staging_revision=row.staging_revision,
                fresh=fresh,
                not_counted=not_counted,
            )
        )

    latest_checks: dict[str, CheckRun] = {}
    for run in CheckRun.objects.filter(agent_id=agent.pk, fingerprint=fingerprint).order_by(
        "created_at", "id"
    ):
        latest_checks[run.name] = run
    names = sorted(set(latest_checks) | set(policy.required_checks))
    checks = tuple(
        CheckState(
            name=name,
            state=latest_checks[name].state if name in latest_checks else MISSING,
            required=name in policy.required_checks,
            description=latest_checks[name].description if name in latest_checks else "",
            target_url=latest_checks[name].target_url if name in latest_checks else "",
            reported_at=latest_checks[name].created_at if name in latest_checks else None,
            reported_by=(
                Person(latest_checks[name].created_by_id, latest_checks[name].created_by_username)
                if name in latest_checks
                else None
            ),
        )
        for name in names
    )
    builtin = tuple(
        BuiltinState(result=result, blocking=result.name in policy.blocking_builtin_checks)
        for result in run_builtin_checks(staging)
    )
    return Readiness(
        fingerprint=fingerprint,
        policy=policy,
        verdicts=tuple(verdicts),
        checks=checks,
        builtin=builtin,
        authors=authors,
    )


def open_review_request(agent: Agent) -> ReviewRequest | None:
    return ReviewRequest.objects.filter(agent_id=agent.pk, status=ReviewRequest.Status.OPEN).first()


def review_requests(agent: Agent) -> QuerySet[ReviewRequest]:
    return ReviewRequest.objects.filter(agent_id=agent.pk).order_by("-created_at", "-id")


def agents_awaiting_review(agent_ids: list[int]) -> set[int]:
    """Which of these agents have an open review request: one query, for the agent list."""
    return set(
        ReviewRequest.objects.filter(
            agent_id__in=agent_ids, status=ReviewRequest.Status.OPEN
        ).values_list("agent_id", flat=True)
    )


def known_fingerprint(agent: Agent, value: str, current: str) -> bool:
    """Whether check results may be posted for ``value``: the state under review now, or
    one the agent was asked to be reviewed in (an evaluation may finish after Staging moved;
    its result is kept, and counts again only if that state comes back)."""
    if value == current:
        return True
    return ReviewRequest.objects.filter(agent_id=agent.pk, fingerprint=value).exists()


def check_runs(agent: Agent, *, fingerprint: str | None = None) -> QuerySet[CheckRun]:
    runs = CheckRun.objects.filter(agent_id=agent.pk)
    if fingerprint:
        runs = runs.filter(fingerprint=fingerprint)
    return runs.order_by("-created_at", "-id")
