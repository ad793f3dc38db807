"""The forms of the review workflow's pages: the policy, a review request, a verdict.

Like every page form they check the shape of what a browser sends and leave the rules to
``reviews.services``, whose ``ValidationError`` lands beside the field it names.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms

from agents.forms import PageForm
from configuration.checks import BUILTIN_CHECKS
from reviews.models import COMMENT_MAX_LENGTH, MAX_REQUIRED_APPROVALS, Verdict
from reviews.policy import CHECK_NAME_PATTERN, Policy

# Check names as people paste them: one a line, or separated by commas.
_SEPARATORS = re.compile(r"[,\n\r]+")


def split_check_names(text: str) -> list[str]:
    return [name.strip() for name in _SEPARATORS.split(text or "") if name.strip()]


def fingerprint_field() -> forms.CharField:
    """The review fingerprint of the state the page showed, sent back hidden: the service
    refuses the action if Staging or Production moved since."""
    return forms.CharField(widget=forms.HiddenInput, max_length=64)


class PolicyForm(PageForm):
    required_approvals = forms.IntegerField(
        label="Required approvals",
        help_text=f"From 0 (none) to {MAX_REQUIRED_APPROVALS}, by publishers of this agent.",
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_REQUIRED_APPROVALS}),
    )
    authors_may_approve = forms.BooleanField(
        label="Authors may approve their own change", required=False
    )
    required_checks = forms.CharField(
        label="Required checks",
        required=False,
        help_text=(
            "The names external checks report their results under, one a line or separated "
            "by commas (for example regression-eval, redteam/jailbreak). Leave empty for none."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    blocking_builtin_checks = forms.MultipleChoiceField(
        label="Built-in checks that block a publish",
        required=False,
        choices=list(BUILTIN_CHECKS.items()),
        help_text="The others still run and show as warnings on the review page.",
        widget=forms.CheckboxSelectMultiple,
    )

    @classmethod
    def for_policy(cls, policy: Policy) -> PolicyForm:
        return cls(
            initial={
                "required_approvals": policy.required_approvals,
                "authors_may_approve": policy.authors_may_approve,
                "required_checks": "\n".join(policy.required_checks),
                "blocking_builtin_checks": list(policy.blocking_builtin_checks),
            }
        )

    def values(self) -> dict[str, Any]:
        """What ``reviews.services.set_policy`` takes."""
        data = self.cleaned_data
        return {
            "required_approvals": data["required_approvals"],
            "authors_may_approve": data["authors_may_approve"],
            "required_checks": split_check_names(data["required_checks"]),
            "blocking_builtin_checks": data["blocking_builtin_checks"],
        }

    def name_bad_checks(self) -> None:
        """The service says a name is malformed; say which, so a long list is easy to fix."""
        bad = [
            name
            # As typed: the service's error took the field out of ``cleaned_data``.
            for name in split_check_names(self.data.get(self.add_prefix("required_checks"), ""))
            if not CHECK_NAME_PATTERN.fullmatch(name)
        ]
        if bad:
            self.add_error(
                "required_checks", f"Not a valid name: {', '.join(repr(n) for n in bad)}."
            )


def comment_field(label: str, placeholder: str) -> forms.CharField:
    """The optional comment a review step carries, as long as the service keeps."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": placeholder}),
    )


# Both forms sit on the review page: each has its own prefix, so their fields never clash.
# Their fields are the arguments of the service they call (``reviews.views._form_step``).


class ReviewRequestForm(PageForm):
    prefix = "request"

    description = comment_field("What should reviewers look at?", "Optional")
    fingerprint = fingerprint_field()


class VerdictForm(PageForm):
    """Approve or request changes (the button pressed says which), or withdraw one's own."""

    prefix = "verdict"

    verdict = forms.ChoiceField(choices=Verdict.Kind.choices, widget=forms.HiddenInput)
    comment = comment_field("Comment", "Optional when approving")
    fingerprint = fingerprint_field()
