"""The publish race across processes: the app under gunicorn with several workers.

In-process threads share one Python interpreter; real deployments run several worker
processes, each with its own connections. Only the database's row lock can order their
publishes, so this starts gunicorn against the (committed) test database and fires 30
simultaneous ``POST /api/v2/agents/{id}/publish`` requests at it: exactly one publishes
(201), the other 29 are told there is nothing to publish (409), and none is a 500.
"""

from __future__ import annotations

import json
import threading

import pytest

from publishing.integrity import verify_chain
from publishing.models import ProductionConfiguration, PublishRecord
from tests import factories
from tests.reliability import helpers, servers
from tests.reliability.servers import request

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WORKERS = 4
REQUESTS = 30
START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 60.0


@pytest.fixture
def gunicorn(postgres, tmp_path):
    """A gunicorn serving the app with production settings on the test database."""
    with servers.gunicorn(tmp_path, workers=WORKERS) as running:
        yield running


def test_thirty_simultaneous_publishes_across_worker_processes(gunicorn):
    base, log = gunicorn.base, gunicorn.log
    owner = factories.UserFactory(username="gunicorn-owner")
    agent = helpers.make_rich_agent(owner)
    token = factories.api_token(owner)
    gunicorn.wait_until_serving(f"/api/v2/agents/{agent.pk}/status", token)

    barrier = threading.Barrier(REQUESTS)
    answers: list[tuple[int, str] | BaseException | None] = [None] * REQUESTS

    def fire(index: int) -> None:
        try:
            barrier.wait(timeout=START_TIMEOUT)
            answers[index] = request(
                f"{base}/api/v2/agents/{agent.pk}/publish",
                token=token,
                method="POST",
                body={"notes": f"request {index}"},
            )
        except BaseException as exc:
            answers[index] = exc

    threads = [threading.Thread(target=fire, args=(i,), daemon=True) for i in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT + START_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "requests still hanging (deadlock?)"

    failures = [a for a in answers if not isinstance(a, tuple)]
    assert failures == [], failures
    statuses = sorted(status for status, _ in answers)
    assert 500 not in statuses, log.read_text()
    assert statuses == [201] + [409] * (REQUESTS - 1), (statuses, log.read_text())
    for status, body in answers:
        if status == 409:
            payload = json.loads(body)
            assert payload["code"] == "nothing_to_publish"
            assert payload["has_changes"] is False
    created = json.loads(next(body for status, body in answers if status == 201))

    records = list(PublishRecord.objects.filter(agent_id=agent.pk).order_by("sequence"))
    assert len(records) == 1
    assert str(records[0].change_track_id) == created["change_track_id"]
    assert verify_chain(records) is None
    assert ProductionConfiguration.objects.get(agent_id=agent.pk).snapshot == records[0].snapshot
