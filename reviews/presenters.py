"""The publish policy, its changes and a publish record's gate, in words for the pages.

The pages of both apps say the same thing the same way: the review page, the policy page
and a publish's page all describe a policy with ``describe_policy``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.dateparse import parse_datetime

from configuration.checks import BUILTIN_CHECKS
from reviews.policy import FIELDS, Policy


def approvals_in_words(policy: Policy) -> str:
    needed = policy.required_approvals
    if not needed:
        return "no approval needed"
    plural = "s" if needed != 1 else ""
    if policy.authors_may_approve:
        return f"{needed} approval{plural} (authors may approve their own change)"
    return f"{needed} approval{plural} from people other than the authors"


def builtin_labels(names: Any) -> list[str]:
    # A name the built-in checks no longer know is still shown, as stored.
    return [BUILTIN_CHECKS.get(name, name) for name in names]


def describe_policy(policy: Policy) -> str:
    """One line: "2 approvals from people other than the authors; required checks: x"."""
    if policy.is_default:
        return "Nothing required: any publisher may publish at any time."
    parts = [approvals_in_words(policy)]
    if policy.required_checks:
        parts.append(f"required checks: {', '.join(policy.required_checks)}")
    if policy.blocking_builtin_checks:
        parts.append(f"blocking: {', '.join(builtin_labels(policy.blocking_builtin_checks))}")
    text = "; ".join(parts)
    return text[0].upper() + text[1:]


def policy_from_dict(values: dict[str, Any] | None) -> Policy:
    values = values or {}
    return Policy(
        required_approvals=values.get("required_approvals", 0),
        authors_may_approve=values.get("authors_may_approve", False),
        required_checks=tuple(values.get("required_checks", ())),
        blocking_builtin_checks=tuple(values.get("blocking_builtin_checks", ())),
    )


FIELD_TITLES = {
    "required_approvals": "Required approvals",
    "authors_may_approve": "Authors may approve",
    "required_checks": "Required checks",
    "blocking_builtin_checks": "Blocking built-in checks",
}


def _value_in_words(field: str, value: Any) -> str:
    if field == "authors_may_approve":
        return "yes" if value else "no"
    if field == "required_checks":
        return ", ".join(value) if value else "none"
    if field == "blocking_builtin_checks":
        return ", ".join(builtin_labels(value)) if value else "none"
    return str(value)


@dataclass(frozen=True)
class FieldChange:
    title: str
    before: str
    after: str


def policy_change_in_words(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """What one ``PolicyChange`` changed, field by field, each side in words."""
    old, new = policy_from_dict(before).as_dict(), policy_from_dict(after).as_dict()
    return [
        FieldChange(
            FIELD_TITLES[field],
            _value_in_words(field, old[field]),
            _value_in_words(field, new[field]),
        )
        for field in FIELDS
        if old[field] != new[field]
    ]


def present_gate(gate: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a publish record's ``gate`` says, ready for a template; None when it is empty
    (no policy and no review at the time, as for every record before policies)."""
    if not gate:
        return None
    approvals = [
        {**approval, "given_at": parse_datetime(approval.get("given_at") or "")}
        for approval in gate.get("approvals", [])
    ]
    builtin = [
        {**check, "label": BUILTIN_CHECKS.get(check.get("name"), check.get("name"))}
        for check in gate.get("builtin_checks", [])
    ]
    return {
        "policy": describe_policy(policy_from_dict(gate.get("policy"))),
        "met": gate.get("met", True),
        "fingerprint": gate.get("fingerprint", ""),
        "approvals": approvals,
        "checks": gate.get("checks", []),
        "builtin_checks": builtin,
        "break_glass": gate.get("break_glass") or None,
    }
