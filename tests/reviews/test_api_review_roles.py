"""Who may do what in the reviews API, per endpoint: anonymous 401, an agent the caller may
not see 404, too weak a role 403 with nothing written, the roles allowed a 2xx.

The world: an agent with unpublished changes by its editor, who asked for their review.
Each caller meets it afresh (one test per caller and operation).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from agents import services as agent_services
from reviews import services
from reviews.models import CheckRun, PolicyChange, PublishPolicy, ReviewRequest, Verdict
from reviews.selectors import review_state
from tests import factories
from tests.publishing.conftest import user_with_role
from tests.reviews.api_client import checked


@pytest.fixture
def viewer(agent):
    return user_with_role(agent, "viewer")


stranger = factories.user_fixture("stranger", "Signed in, with no tie to the agent.")


VIEWER, EDITOR, PUBLISHER, OWNER = "viewer", "editor", "publisher", "owner"
RANK = {VIEWER: 1, EDITOR: 2, PUBLISHER: 3, OWNER: 4}
A = "/api/v2/agents/{agent}"
R = A + "/review-requests/{request}"

# (method, path, body, the weakest role allowed, the status it answers)
OPERATIONS = [
    ("GET", A + "/publish-policy", None, EDITOR, 200),
    ("PUT", A + "/publish-policy", "policy", OWNER, 200),
    ("PATCH", A + "/publish-policy", {"required_approvals": 1}, OWNER, 200),
    ("GET", A + "/publish-policy/changes", None, EDITOR, 200),
    ("GET", A + "/readiness", None, EDITOR, 200),
    ("GET", A + "/review-requests", None, EDITOR, 200),
    ("POST", A + "/review-requests", {"description": "Again"}, EDITOR, 201),
    ("GET", R, None, EDITOR, 200),
    ("POST", R + "/withdraw", None, EDITOR, 200),
    ("GET", A + "/verdicts", None, EDITOR, 200),
    ("POST", A + "/verdicts", "verdict", PUBLISHER, 201),
    ("GET", A + "/checks", None, EDITOR, 200),
    ("POST", A + "/checks", "check", EDITOR, 201),
]
IDS = [f"{method} {path.removeprefix(A)}" for method, path, *_ in OPERATIONS]


@pytest.fixture
def world(agent, owner, viewer, editor, publisher, stranger):
    agent_services.update_agent_settings(agent=agent, acting_user=editor, name="Edited")
    asked = services.request_review(agent=agent, acting_user=editor)
    fingerprint = review_state(agent).fingerprint
    return SimpleNamespace(
        agent=agent,
        request=asked,
        users={VIEWER: viewer, EDITOR: editor, PUBLISHER: publisher, OWNER: owner},
        stranger=stranger,
        bodies={
            "policy": {
                "required_approvals": 1,
                "authors_may_approve": True,
                "required_checks": ["ci"],
                "blocking_builtin_checks": [],
            },
            # Changes requested, not an approval: the owner made the agent, so is an author.
            "verdict": {"verdict": "changes_requested", "expected_fingerprint": fingerprint},
            "check": {"fingerprint": fingerprint, "name": "ci", "state": "success"},
        },
    )


def written() -> tuple:
    return (
        list(PublishPolicy.objects.values_list("required_approvals", "authors_may_approve")),
        PolicyChange.objects.count(),
        list(ReviewRequest.objects.order_by("id").values_list("status", flat=True)),
        Verdict.objects.count(),
        CheckRun.objects.count(),
    )


def call(client, world, method, path, body):
    url = path.format(agent=world.agent.pk, request=world.request.pk)
    data = world.bodies[body] if isinstance(body, str) else body
    return getattr(client, method.lower())(url, data, format="json")


@pytest.mark.parametrize(("method", "path", "body", "least", "ok"), OPERATIONS, ids=IDS)
@pytest.mark.parametrize("role", [VIEWER, EDITOR, PUBLISHER, OWNER])
def test_each_role(world, method, path, body, least, ok, role):
    before = written()
    response = call(checked(world.users[role]), world, method, path, body)
    if RANK[role] >= RANK[least]:
        assert response.status_code == ok, response.content
        if method != "GET":
            assert written() != before
    else:
        assert response.status_code == 403, response.content
        assert "detail" in response.json()
        assert written() == before


@pytest.mark.parametrize(("method", "path", "body", "least", "ok"), OPERATIONS, ids=IDS)
def test_an_agent_the_caller_may_not_see_is_404(world, method, path, body, least, ok):
    before = written()
    response = call(checked(world.stranger), world, method, path, body)
    assert response.status_code == 404
    assert written() == before


@pytest.mark.parametrize(("method", "path", "body", "least", "ok"), OPERATIONS, ids=IDS)
def test_anonymous_is_401(world, method, path, body, least, ok):
    before = written()
    response = call(APIClient(), world, method, path, body)
    assert response.status_code == 401
    assert written() == before


@pytest.mark.parametrize(("method", "path", "body", "least", "ok"), OPERATIONS, ids=IDS)
def test_an_unknown_agent_is_404(world, method, path, body, least, ok):
    response = call(checked(world.users[OWNER]), world, method, path.replace("{agent}", "0"), body)
    assert response.status_code == 404
