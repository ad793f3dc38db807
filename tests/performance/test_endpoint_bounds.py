"""The API endpoints and pages cost the same number of queries for a small and a large agent.

Requests go through the test client as the agent's owner (token or session login). A path
that is not routed yet is skipped, naming it, rather than passing silently.
"""

from __future__ import annotations

import pytest
from django.urls import Resolver404, resolve
from rest_framework.test import APIClient

from tests import factories
from tests.performance.conftest import scenarios_built_once

pytestmark = [pytest.mark.urls("tests.performance.urls"), pytest.mark.django_db]
scenarios = scenarios_built_once()

# (path template, pinned bound). Bounds include authentication: one token lookup for the
# API, the session and the user for the pages.
API = {
    # 11: the items' versions come in one more query (a UNION over the five kinds of rows).
    "agent": ("/api/v2/agents/{id}", 11),
    "agent-production": ("/api/v2/agents/{id}?environment=production", 4),
    # 17: each change's authors, one query per Staging model's history (``publishing.authors``).
    "staging-diff": ("/api/v2/agents/{id}/staging-diff", 17),
    "publishes": ("/api/v2/agents/{id}/publishes", 6),
    "publish": ("/api/v2/agents/{id}/publishes/{first}", 5),
    # 16, 17: what would be restored takes today's catalogue definitions (one query a kind).
    "publish-diff": ("/api/v2/agents/{id}/publishes/{first}/diff", 16),
    "publish-revert-diff": ("/api/v2/agents/{id}/publishes/{second}/diff?mode=revert", 17),
    "history": ("/api/v2/agents/{id}/history", 6),
    "status": ("/api/v2/agents/{id}/status", 4),
    # A publish's snapshot, Staging's six queries, the agent and the token.
    "compare": ("/api/v2/agents/{id}/compare?from={first}&to=staging", 11),
    "compare-production": ("/api/v2/agents/{id}/compare?from=production&to={second}", 6),
    "schedules": ("/api/v2/agents/{id}/schedules", 5),
    "live": ("/api/v2/agents/{id}/production", 1),
    # The agent and the role, the configuration (Staging's six queries; Production's or the
    # publish's one row) and the catalogue objects it names (four, whatever their number).
    "export": ("/api/v2/agents/{id}/export", 14),
    "export-production": ("/api/v2/agents/{id}/export?source=production", 9),
    "export-publish": ("/api/v2/agents/{id}/export?source={first}", 9),
}
PAGES = {
    # 9: the owner is a member of the organization (roles count for members only), so the
    # page also offers the new-agent form and its project choices.
    "agent-list": ("/agents/", 9),
    "editor": ("/agents/{id}/", 16),
    # 13: the Scheduled card reads the agent's pending and latest schedules. 18: the Publish
    # policy card asks ``reviews.selectors.readiness`` (the policy with the last publish, the
    # authors since, the verdicts, the check results: four, whatever their number; one more
    # when approvals were given on this state) and reads the open review request. 24: the
    # authors of each change, one query per Staging model's history.
    "review": ("/agents/{id}/review/", 24),
    "publishes": ("/agents/{id}/publishes/", 8),
    "publish": ("/agents/{id}/publishes/{first}/", 6),
    "restore": ("/agents/{id}/publishes/{first}/restore/", 17),
    # 8: the person filter lists who has edited the agent (one query, as on the publishes page).
    "history": ("/agents/{id}/history/", 8),
    # Two publishes' snapshots, and the picker's recent publishes and checkpoints.
    "compare": ("/agents/{id}/compare/?from={first}&to={second}", 9),
    "policy": ("/agents/{id}/policy/", 7),
    # With requests, their verdicts too: one query for the open one's, one for the page's.
    "reviews": ("/agents/{id}/reviews/", 7),
    # The agent, its role, and the organization's other agents with their roles in one query.
    "copy-from": ("/agents/{id}/copy-from/", 6),
}


def path_for(template: str, scenario) -> str:
    path = template.format(
        id=scenario.agent.pk,
        first=scenario.first.change_track_id,
        second=scenario.second.change_track_id,
    )
    try:
        resolve(path.split("?")[0])
    except Resolver404:
        pytest.skip(f"{path} is not routed yet")
    return path


def api_client(user) -> APIClient:
    client = APIClient()
    token = factories.api_token(user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def page_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def check(scenarios, same_bound, make_client, template: str, bound: int) -> None:
    clients = {s.agent.pk: make_client(s.user) for s in scenarios.values()}
    paths = {s.agent.pk: path_for(template, s) for s in scenarios.values()}

    def get(s):
        response = clients[s.agent.pk].get(paths[s.agent.pk])
        assert response.status_code == 200, (paths[s.agent.pk], response.status_code)

    same_bound(bound, get, scenarios)


@pytest.mark.parametrize("name", list(API))
def test_api(name, scenarios, same_bound):
    check(scenarios, same_bound, api_client, *API[name])


@pytest.mark.parametrize("name", list(PAGES))
def test_page(name, scenarios, same_bound):
    check(scenarios, same_bound, page_client, *PAGES[name])
