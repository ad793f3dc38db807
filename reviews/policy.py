"""An agent's publish policy as a value, and the one parser of what people send for it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from configuration.checks import BUILTIN_CHECKS
from reviews.models import CHECK_NAME_MAX_LENGTH, MAX_REQUIRED_APPROVALS, MAX_REQUIRED_CHECKS

# A check's name as CI systems spell them: "regression-eval", "redteam/jailbreak", "ci:unit".
CHECK_NAME_PATTERN = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._:/-]{{0,{CHECK_NAME_MAX_LENGTH - 1}}}")
CHECK_NAME_INVALID = (
    f"A check name has 1 to {CHECK_NAME_MAX_LENGTH} characters: letters, digits and . _ : / -, "
    "starting with a letter or digit."
)
FIELDS = ("required_approvals", "authors_may_approve", "required_checks", "blocking_builtin_checks")


@dataclass(frozen=True)
class Policy:
    """What must hold before a publish. The default (no row) asks for nothing."""

    required_approvals: int = 0
    authors_may_approve: bool = False
    required_checks: tuple[str, ...] = ()
    blocking_builtin_checks: tuple[str, ...] = ()

    @property
    def is_default(self) -> bool:
        return self == Policy()

    def as_dict(self) -> dict[str, Any]:
        return {
            "required_approvals": self.required_approvals,
            "authors_may_approve": self.authors_may_approve,
            "required_checks": list(self.required_checks),
            "blocking_builtin_checks": list(self.blocking_builtin_checks),
        }

    @classmethod
    def from_row(cls, row: Any) -> Policy:
        if row is None:
            return cls()
        return cls(
            required_approvals=row.required_approvals,
            authors_may_approve=row.authors_may_approve,
            required_checks=tuple(row.required_checks),
            blocking_builtin_checks=tuple(row.blocking_builtin_checks),
        )


def clean_check_name(value: Any, field: str = "name") -> str:
    if not isinstance(value, str) or not CHECK_NAME_PATTERN.fullmatch(value):
        raise ValidationError({field: [CHECK_NAME_INVALID]})
    return value


def clean_policy(values: dict[str, Any], current: Policy) -> Policy:
    """``current`` with the fields given in ``values`` replaced; every bad field is named.

    Fields left out keep their value, so a client may send only what it changes.
    """
    if not isinstance(values, dict):
        raise ValidationError({"non_field_errors": ["Send the policy as a JSON object."]})
    errors: dict[str, list[str]] = {}
    # Named as text: a caller other than the API may use keys that are not strings.
    unknown = sorted(str(key) for key in values if key not in FIELDS)
    if unknown:
        errors["non_field_errors"] = [f"Unknown field(s): {', '.join(unknown)}."]
    cleaned = current.as_dict()

    if "required_approvals" in values:
        value = values["required_approvals"]
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 0 <= value <= MAX_REQUIRED_APPROVALS
        ):
            errors["required_approvals"] = [
                f"Must be a whole number from 0 to {MAX_REQUIRED_APPROVALS}."
            ]
        else:
            cleaned["required_approvals"] = value

    if "authors_may_approve" in values:
        value = values["authors_may_approve"]
        if not isinstance(value, bool):
            errors["authors_may_approve"] = ["Must be true or false."]
        else:
            cleaned["authors_may_approve"] = value

    if "required_checks" in values:
        value = values["required_checks"]
        if not isinstance(value, list) or len(value) > MAX_REQUIRED_CHECKS:
            errors["required_checks"] = [
                f"Must be a list of at most {MAX_REQUIRED_CHECKS} check names."
            ]
        else:
            bad = [
                v for v in value if not isinstance(v, str) or not CHECK_NAME_PATTERN.fullmatch(v)
            ]
            if bad:
                errors["required_checks"] = [CHECK_NAME_INVALID]
            else:
                cleaned["required_checks"] = sorted(set(value))

    if "blocking_builtin_checks" in values:
        value = values["blocking_builtin_checks"]
        # A list or an object inside the list is no name, and must not reach the dict lookup
        # (unhashable: a 500 instead of a 400).
        if not isinstance(value, list) or not all(
            isinstance(v, str) and v in BUILTIN_CHECKS for v in value
        ):
            errors["blocking_builtin_checks"] = [
                f"Must be a list of built-in check names: {', '.join(BUILTIN_CHECKS)}."
            ]
        else:
            # Kept in the built-in checks' display order, whatever order they came in.
            cleaned["blocking_builtin_checks"] = [name for name in BUILTIN_CHECKS if name in value]

    if errors:
        raise ValidationError(errors)
    return Policy(
        required_approvals=cleaned["required_approvals"],
        authors_may_approve=cleaned["authors_may_approve"],
        required_checks=tuple(cleaned["required_checks"]),
        blocking_builtin_checks=tuple(cleaned["blocking_builtin_checks"]),
    )
