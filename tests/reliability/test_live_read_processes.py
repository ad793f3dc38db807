"""After a change commits, every app process answers the live read with the new state.

gunicorn with several worker processes and production settings, once with the default
per-process cache and once with Redis. After each of 50 publishes (with rollbacks between
some), a permission revocation, a token deletion, a token revocation and an archive, 40
reads spread over the workers must all see the new state, and an If-None-Match with an
older ETag must never get 304. DESIGN invariant 9.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from accounts.models import ApiToken
from agents import services
from agents.models import AgentPermission
from tests import factories
from tests.reliability import helpers, servers
from tests.reliability.servers import exchange, request

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WORKERS = 4
PUBLISHES = 50
READS = 40
READERS = 8  # concurrent connections, so the reads land on different workers


def read_many(url: str, *, token: str, headers: dict[str, str] | None = None) -> list[Any]:
    """``READS`` GETs of ``url`` from ``READERS`` threads at once: each (status, body)."""
    answers: list[Any] = [None] * READS

    def reader(first: int) -> None:
        for index in range(first, READS, READERS):
            try:
                answers[index] = request(url, token=token, headers=headers)
            except Exception as exc:  # shown by the caller's assertion
                answers[index] = exc

    threads = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(servers.REQUEST_TIMEOUT * 2)
    assert not any(thread.is_alive() for thread in threads), "reads still hanging"
    assert all(isinstance(answer, tuple) for answer in answers), answers
    return answers


def statuses(answers: list[Any]) -> list[int]:
    return [status for status, _ in answers]


@pytest.fixture
def live_agent(deployment):
    """A published agent, its owner's token, and the live-read URL, every worker warm."""
    owner = factories.UserFactory(username="live-owner")
    agent = helpers.make_rich_agent(owner)
    token = factories.api_token(owner)
    deployment.wait_until_serving(f"/api/v2/agents/{agent.pk}/status", token)
    status, text = request(
        f"{deployment.base}/api/v2/agents/{agent.pk}/publish", token=token, method="POST", body={}
    )
    assert status == 201, text
    production = f"{deployment.base}/api/v2/agents/{agent.pk}/production"
    assert statuses(read_many(production, token=token)) == [200] * READS
    return agent, owner, token, production, json.loads(text)


def test_every_worker_serves_each_new_publish_once_committed(deployment, live_agent):
    agent, _owner, token, production, first = live_agent

    def api(method: str, path: str, body: dict | None = None) -> dict:
        url = f"{deployment.base}/api/v2/agents/{agent.pk}{path}"
        status, text = request(url, token=token, method=method, body=body)
        assert status in (200, 201), (method, path, status, text, deployment.output())
        return json.loads(text)

    def every_read_serves(change_track_id: str, *, stale_etag: str | None = None) -> None:
        headers = {"If-None-Match": stale_etag} if stale_etag else None
        answers = read_many(production, token=token, headers=headers)
        assert statuses(answers) == [200] * READS, answers
        assert {json.loads(body)["change_track_id"] for _, body in answers} == {change_track_id}

    current = first
    for number in range(1, PUBLISHES + 1):
        status, _, headers = exchange(production, token=token)
        assert status == 200
        old_etag = headers["ETag"]
        if number % 10 == 0:
            # A rollback writes Staging only: every worker keeps serving the same Production.
            api("PUT", "/rollback", {"change_track_id": first["change_track_id"]})
            every_read_serves(current["change_track_id"])
        api("PATCH", "", {"description": f"state {number}"})
        current = api("POST", "/publish", {"notes": f"publish {number}"})
        every_read_serves(current["change_track_id"], stale_etag=old_etag)

    assert len(deployment.worker_pids("/production")) == WORKERS, "not every worker answered"


def test_every_worker_refuses_a_revoked_caller_once_committed(deployment, live_agent):
    agent, owner, owner_token, production, _ = live_agent

    # A role granted, then revoked over the API.
    viewer = factories.UserFactory(username="live-viewer")
    factories.join(agent.project.organization, viewer)  # roles go to members only
    viewer_token = factories.api_token(viewer)
    grant = services.grant_permission(
        agent=agent, acting_user=owner, target_user_id=viewer.pk, role="viewer"
    )
    assert statuses(read_many(production, token=viewer_token)) == [200] * READS
    status, _ = request(
        f"{deployment.base}/api/v2/agents/{agent.pk}/permissions/{grant.pk}",
        token=owner_token,
        method="DELETE",
    )
    assert status == 204
    assert not AgentPermission.objects.filter(pk=grant.pk).exists()
    assert statuses(read_many(production, token=viewer_token)) == [404] * READS

    # A token deleted (by this process, as an administrator's command would).
    integration_user = factories.UserFactory(username="live-integration")
    factories.join(agent.project.organization, integration_user)
    integration = factories.api_token(integration_user)
    services.grant_permission(
        agent=agent, acting_user=owner, target_user_id=integration_user.pk, role="viewer"
    )
    assert statuses(read_many(production, token=integration)) == [200] * READS
    ApiToken.objects.get(user=integration_user).delete()
    assert statuses(read_many(production, token=integration)) == [401] * READS

    # A token revoked over the API by its holder (an integration's logout).
    second = factories.api_token(integration_user)
    assert statuses(read_many(production, token=second)) == [200] * READS
    status, _ = request(f"{deployment.base}/api/v2/auth/token", token=second, method="DELETE")
    assert status == 204
    assert statuses(read_many(production, token=second)) == [401] * READS

    # The agent archived over the API: gone for everybody, its owner included.
    status, _ = request(
        f"{deployment.base}/api/v2/agents/{agent.pk}", token=owner_token, method="DELETE"
    )
    assert status == 204
    assert statuses(read_many(production, token=owner_token)) == [404] * READS
    assert len(deployment.worker_pids("/production")) == WORKERS, "not every worker answered"
