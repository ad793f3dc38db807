"""Whether one reviewed state may go live under its agent's policy: a pure evaluation.

The selectors gather the facts (the policy, the verdicts since the last publish, the check
results on the fingerprint, the authors, who may approve); this module decides, the same
way for the review page, the API and ``publish_agent``, which asks it under the agent's row
lock so the decision and the publish see the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from configuration.checks import BuiltinCheckResult
from reviews.exceptions import ApprovalRequired, ChecksNotPassed, PolicyNotMet
from reviews.models import CheckRun, Verdict
from reviews.policy import Policy

MISSING = "missing"  # a required check with no result on this fingerprint yet

# Why a fresh approval does not count.
NOT_A_PUBLISHER = "not_a_publisher"
AUTHOR = "author"
NOT_COUNTED_REASONS = {
    NOT_A_PUBLISHER: "no longer holds the publisher role",
    AUTHOR: "changed Staging since the last publish, and this policy lets no author approve",
}


@dataclass(frozen=True)
class Person:
    id: int | None
    username: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "username": self.username}


@dataclass(frozen=True)
class ReviewerVerdict:
    """A reviewer's newest verdict since the last publish."""

    id: int
    reviewer: Person
    kind: str
    comment: str
    given_at: datetime
    fingerprint: str
    staging_revision: int
    fresh: bool  # given on the state under review now
    not_counted: str = ""  # for a fresh approval that does not count: a NOT_COUNTED_REASONS key

    @property
    def counts(self) -> bool:
        return self.fresh and self.kind == Verdict.Kind.APPROVED and not self.not_counted

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "reviewer": self.reviewer.as_dict(),
            "verdict": self.kind,
            "comment": self.comment,
            "given_at": self.given_at.isoformat(),
            "fingerprint": self.fingerprint,
            "staging_revision": self.staging_revision,
            "stale": not self.fresh,
            "counted": self.counts,
            "not_counted_reason": NOT_COUNTED_REASONS.get(self.not_counted, ""),
        }


@dataclass(frozen=True)
class CheckState:
    """The newest result of one external check on the state under review."""

    name: str
    state: str
    required: bool
    description: str = ""
    target_url: str = ""
    reported_at: datetime | None = None
    reported_by: Person | None = None

    @property
    def passed(self) -> bool:
        return self.state == CheckRun.State.SUCCESS

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "required": self.required,
            "description": self.description,
            "target_url": self.target_url,
            "reported_at": self.reported_at.isoformat() if self.reported_at else None,
            "reported_by": self.reported_by.as_dict() if self.reported_by else None,
        }


@dataclass(frozen=True)
class BuiltinState:
    result: BuiltinCheckResult
    blocking: bool

    def as_dict(self) -> dict[str, Any]:
        return {**self.result.as_dict(), "blocking": self.blocking}


@dataclass(frozen=True)
class Readiness:
    """The policy, and how the state named by ``fingerprint`` stands against it."""

    fingerprint: str
    policy: Policy
    verdicts: tuple[ReviewerVerdict, ...]
    checks: tuple[CheckState, ...]
    builtin: tuple[BuiltinState, ...]
    authors: tuple[Person, ...]
    blockers: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "blockers", tuple(self._blockers()))

    # -- approvals -------------------------------------------------------------------------
    @property
    def counted_approvals(self) -> tuple[ReviewerVerdict, ...]:
        return tuple(v for v in self.verdicts if v.counts)

    @property
    def changes_requested(self) -> tuple[ReviewerVerdict, ...]:
        """Fresh requests for changes from people who may approve: they hold a publish back."""
        return tuple(
            v
            for v in self.verdicts
            if v.fresh and v.kind == Verdict.Kind.CHANGES_REQUESTED and not v.not_counted
        )

    @property
    def approvals_met(self) -> bool:
        if self.policy.required_approvals == 0:
            return True
        return (
            len(self.counted_approvals) >= self.policy.required_approvals
            and not self.changes_requested
        )

    # -- checks ----------------------------------------------------------------------------
    @property
    def failing_checks(self) -> tuple[CheckState, ...]:
        return tuple(c for c in self.checks if c.required and not c.passed)

    @property
    def failing_builtin(self) -> tuple[BuiltinState, ...]:
        return tuple(b for b in self.builtin if b.blocking and not b.result.passed)

    @property
    def checks_met(self) -> bool:
        return not self.failing_checks and not self.failing_builtin

    @property
    def met(self) -> bool:
        return self.approvals_met and self.checks_met

    def _blockers(self) -> list[str]:
        reasons: list[str] = []
        needed = self.policy.required_approvals
        if needed and len(self.counted_approvals) < needed:
            have = len(self.counted_approvals)
            reasons.append(
                f"{needed} approval{'s' if needed != 1 else ''} needed, {have} given on this state."
            )
        if needed and self.changes_requested:
            names = ", ".join(v.reviewer.username for v in self.changes_requested)
            reasons.append(f"Changes requested by {names}.")
        for check in self.failing_checks:
            state = "no result yet" if check.state == MISSING else check.state
            reasons.append(f"Required check '{check.name}': {state}.")
        for builtin in self.failing_builtin:
            reasons.append(f"{builtin.result.label}: {builtin.result.detail}")
        return reasons

    # -- answers ---------------------------------------------------------------------------
    def as_dict(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "policy": self.policy.as_dict(),
            "met": self.met,
            "approvals_met": self.approvals_met,
            "checks_met": self.checks_met,
            "blockers": list(self.blockers),
            "approvals": {
                "required": self.policy.required_approvals,
                "counted": len(self.counted_approvals),
                "verdicts": [v.as_dict() for v in self.verdicts],
            },
            "checks": [c.as_dict() for c in self.checks],
            "builtin_checks": [b.as_dict() for b in self.builtin],
            "authors": [a.as_dict() for a in self.authors],
        }

    def refusal(self) -> PolicyNotMet | None:
        """The 409 a publish of this state gets, or None when the policy is met.

        Approvals are named first: a check can be re-run by a machine, an approval needs
        a person, so that is the longer wait to tell about.
        """
        if self.met:
            return None
        details = {
            "fingerprint": self.fingerprint,
            "blockers": list(self.blockers),
            "required_approvals": self.policy.required_approvals,
            "approvals": [v.as_dict() for v in self.verdicts],
            "checks": [c.as_dict() for c in self.checks if c.required]
            + [b.as_dict() for b in self.builtin if b.blocking],
        }
        if not self.approvals_met:
            return ApprovalRequired(" ".join(self.blockers), **details)
        return ChecksNotPassed(" ".join(self.blockers), **details)

    def record(self, *, break_glass_reason: str = "") -> dict[str, Any]:
        """What the publish record keeps of this (inside its hash): empty when there was
        neither a policy nor any review or check result, so such records look as before."""
        approvals = [v for v in self.verdicts if v.fresh and v.kind != Verdict.Kind.WITHDRAWN]
        external = [c for c in self.checks if c.state != MISSING or c.required]
        if self.policy.is_default and not approvals and not external and not break_glass_reason:
            return {}
        return {
            "fingerprint": self.fingerprint,
            "policy": self.policy.as_dict(),
            "met": self.met,
            "approvals": [
                {
                    "reviewer": v.reviewer.as_dict(),
                    "verdict": v.kind,
                    "given_at": v.given_at.isoformat(),
                    "counted": v.counts,
                }
                for v in approvals
            ],
            "checks": [
                {
                    "name": c.name,
                    "state": c.state,
                    "required": c.required,
                    "target_url": c.target_url,
                }
                for c in external
            ],
            "builtin_checks": [
                {"name": b.result.name, "passed": b.result.passed, "blocking": b.blocking}
                for b in self.builtin
                if b.blocking
            ],
            "break_glass": (
                {"reason": break_glass_reason, "blockers": list(self.blockers)}
                if break_glass_reason
                else None
            ),
        }
