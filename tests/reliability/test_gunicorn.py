"""The publish race across processes: the app under gunicorn with several workers.

In-process threads share one Python interpreter; real deployments run several worker
processes, each with its own connections. Only the database's row lock can order their
publishes, so this starts gunicorn against the (committed) test database and fires 30
simultaneous ``POST /api/v2/agents/{id}/publish`` requests at it: exactly one publishes
(201), the other 29 are told there is nothing to publish (409), and none is a 500.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from agents.models import ProductionConfiguration
from publishing.integrity import verify_chain
from publishing.models import PublishRecord
from tests import factories
from tests.reliability import helpers

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WORKERS = 4
REQUESTS = 30
START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The URL of the database this test runs on (the test database, committed data)."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or "5432"
    return f"postgres://{auth}@{host}:{port}/{quote(db['NAME'])}"


def request(url: str, *, token: str, method: str = "GET", body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Token {token}")
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def gunicorn(postgres, tmp_path):
    """A gunicorn serving the app with production settings on the test database."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        # Production settings, not the test ones: no test flag, no test cache or Redis.
        if key not in {"DJANGO_TESTING", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DATABASE_URL=database_url(),
        DJANGO_SECRET_KEY="gunicorn-race-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_DEBUG="0",
        DJANGO_SECURE_SSL_REDIRECT="0",
        PYTHONUNBUFFERED="1",
    )
    log = tmp_path / "gunicorn.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "ejento_staging.wsgi",
                "-w",
                str(WORKERS),
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
            ],
            cwd=Path(settings.BASE_DIR),
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}", process, log
    finally:
        # The workers hold connections to the test database; they must be gone before
        # pytest-django flushes and drops it.
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def wait_until_serving(base: str, process, log: Path, path: str, token: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            status, _ = request(base + path, token=token)
            if status == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within {START_TIMEOUT}s:\n{log.read_text()}")


def test_thirty_simultaneous_publishes_across_worker_processes(gunicorn):
    base, process, log = gunicorn
    owner = factories.UserFactory(username="gunicorn-owner")
    agent = helpers.make_rich_agent(owner)
    token = factories.api_token(owner)
    wait_until_serving(base, process, log, f"/api/v2/agents/{agent.pk}/status", token)

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
