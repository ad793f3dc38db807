"""The examples ``/api/schema/`` shows for the reviews API: one agent, two publishers
reviewing a change an editor made, and a CI job reporting an evaluation."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample

from reviews.api.shapes import builtin_check_refs

FINGERPRINT = "9f2c4a1e0b7d3c5a8e6f1b2d4c7a9e0f3b5d8c1a2e4f6b7c9d0e1f2a3b4c5d6e"
EARLIER = "1b3d5f7a9c0e2a4c6e8a0b2d4f6a8c0e2b4d6f8a0c2e4a6c8e0a2c4e6a8c0e2b"
WHEN = "2030-01-31T09:30:00Z"
EDITOR = {"id": 12, "username": "dana"}
PUBLISHER = {"id": 7, "username": "sam"}
OWNER = {"id": 3, "username": "alex"}
CI = {"id": 21, "username": "ci-bot"}

POLICY = {
    "required_approvals": 2,
    "authors_may_approve": False,
    "required_checks": ["regression-eval"],
    "blocking_builtin_checks": ["instructions", "no_secrets"],
}
DEFAULT_POLICY = {
    "required_approvals": 0,
    "authors_may_approve": False,
    "required_checks": [],
    "blocking_builtin_checks": [],
}


def _answer(name: str, value: Any, status: int = 200) -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True, status_codes=[str(status)])


def _body(name: str, value: Any) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=True)


REVIEW_REQUEST = {
    "id": 41,
    "fingerprint": FINGERPRINT,
    "staging_revision": 18,
    "description": "New refund instructions; please check the tone.",
    "status": "open",
    "requested_by": EDITOR,
    "requested_at": WHEN,
    "closed_at": None,
    "closed_by": None,
}
VERDICT = {
    "id": 90,
    "verdict": "approved",
    "comment": "Reads well.",
    "reviewer": PUBLISHER,
    "given_at": WHEN,
    "fingerprint": FINGERPRINT,
    "staging_revision": 18,
    "review_request_id": 41,
}
CHECK_RUN = {
    "id": 300,
    "fingerprint": FINGERPRINT,
    "name": "regression-eval",
    "state": "success",
    "description": "412/412 cases passed",
    "target_url": "https://ci.example.com/runs/300",
    "reported_at": WHEN,
    "reported_by": CI,
}
CHECK_STATE = {
    "name": "regression-eval",
    "state": "success",
    "required": True,
    "description": "412/412 cases passed",
    "target_url": "https://ci.example.com/runs/300",
    "reported_at": WHEN,
    "reported_by": CI,
}
MISSING_CHECK = {
    "name": "redteam/jailbreak",
    "state": "missing",
    "required": True,
    "description": "",
    "target_url": "",
    "reported_at": None,
    "reported_by": None,
}
BUILTIN = {
    "name": "instructions",
    "label": "Instructions present and within limits",
    "passed": True,
    "detail": "ok",
    "findings": [],
    "blocking": True,
}

POLICY_ANSWER = [_answer("The policy", {**POLICY, "builtin_checks": builtin_check_refs()})]
POLICY_BODY = [_body("Two approvals and an evaluation", POLICY)]
POLICY_PATCH = [_body("Let authors approve", {"authors_may_approve": True})]
# A list's example is one item: drf-spectacular wraps it in the page.
POLICY_CHANGES = [
    _answer(
        "A change of the policy",
        {
            "id": 5,
            "changed_by": OWNER,
            "changed_at": WHEN,
            "before": DEFAULT_POLICY,
            "after": POLICY,
        },
    )
]
READINESS = [
    _answer(
        "One approval short",
        {
            "fingerprint": FINGERPRINT,
            "has_changes": True,
            "policy": POLICY,
            "met": False,
            "approvals_met": False,
            "checks_met": True,
            "blockers": ["2 approvals needed, 1 given on this state."],
            "approvals": {
                "required": 2,
                "counted": 1,
                "verdicts": [
                    {
                        "id": 90,
                        "reviewer": PUBLISHER,
                        "verdict": "approved",
                        "comment": "Reads well.",
                        "given_at": WHEN,
                        "fingerprint": FINGERPRINT,
                        "staging_revision": 18,
                        "stale": False,
                        "counted": True,
                        "not_counted_reason": "",
                    }
                ],
            },
            "checks": [CHECK_STATE],
            "builtin_checks": [BUILTIN],
            "authors": [EDITOR],
            "review_request": REVIEW_REQUEST,
        },
    )
]
REVIEW_REQUESTS = [_answer("The open request", REVIEW_REQUEST)]
REVIEW_REQUEST_BODY = [
    _body(
        "Ask for a review of what you saw",
        {"description": REVIEW_REQUEST["description"], "expected_fingerprint": FINGERPRINT},
    )
]
REVIEW_REQUEST_CREATED = [_answer("Asked", REVIEW_REQUEST, 201)]
REVIEW_REQUEST_DETAIL = [
    _answer("With its verdicts", {**REVIEW_REQUEST, "stale": False, "verdicts": [VERDICT]})
]
WITHDRAWN = [
    _answer(
        "Withdrawn",
        {
            **REVIEW_REQUEST,
            "status": "withdrawn",
            "closed_at": WHEN,
            "closed_by": EDITOR,
            "stale": False,
            "verdicts": [],
        },
    )
]
VERDICTS = [_answer("An approval", VERDICT)]
VERDICT_BODY = [
    _body(
        "Approve what you reviewed",
        {"verdict": "approved", "comment": "Reads well.", "expected_fingerprint": FINGERPRINT},
    )
]
CHECKS = [
    _answer(
        "One passed, one not reported yet",
        {
            "fingerprint": FINGERPRINT,
            "current": True,
            "checks": [MISSING_CHECK, CHECK_STATE],
            "runs": [CHECK_RUN, {**CHECK_RUN, "id": 299, "state": "pending", "description": ""}],
        },
    )
]
CHECK_BODY = [
    _body(
        "An evaluation passed",
        {
            "fingerprint": FINGERPRINT,
            "name": "regression-eval",
            "state": "success",
            "description": "412/412 cases passed",
            "target_url": "https://ci.example.com/runs/300",
        },
    )
]
CHECK_CREATED = [_answer("Recorded", CHECK_RUN, 201)]
STALE = {
    "code": "stale_review",
    "detail": "Staging changed since you reviewed it. Review the new changes, then try again.",
    "fingerprint": FINGERPRINT,
}
VERDICT_CREATED = [_answer("Approved", VERDICT, 201), _answer("Staging moved", STALE, 409)]
