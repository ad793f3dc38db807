"""A real multi-process server for the reliability tests: gunicorn with production settings
on the test database, so what one worker process did can be checked from the others."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 60.0
# The worker's pid first on every access-log line, so a test can tell which process answered.
ACCESS_LOG_FORMAT = "%(p)s %(m)s %(U)s %(s)s"


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


def production_environment(**overrides: str) -> dict[str, str]:
    """The environment of a process run as deployed, on the test database: this one's, less
    what makes the test settings, then ``overrides``."""
    environment = {
        key: value
        for key, value in os.environ.items()
        # Production settings, not the test ones: no test flag, no test cache or Redis.
        if key not in {"DJANGO_TESTING", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(DATABASE_URL=database_url(), DJANGO_DEBUG="0", PYTHONUNBUFFERED="1")
    environment.update(overrides)
    return environment


def start_python(arguments: list[str], environment: dict[str, str], log: Path) -> subprocess.Popen:
    """``python <arguments>`` in the project's folder with ``environment``, all its output to
    ``log``."""
    with log.open("w") as log_file:
        return subprocess.Popen(
            [sys.executable, *arguments],
            cwd=Path(settings.BASE_DIR),
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )


def wait_stopped(process: subprocess.Popen) -> None:
    """Wait for a process told to stop; kill it if it has not within 30 s."""
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


def request(url: str, **options: Any) -> tuple[int, str]:
    """``exchange`` (same options) for a caller that needs no response headers: the status
    and the body."""
    status, text, _headers = exchange(url, **options)
    return status, text


def exchange(
    url: str,
    *,
    token: str,
    method: str = "GET",
    body: dict | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str, dict[str, str]]:
    """One request: the status, the body and the response headers."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Token {token}")
    req.add_header("Accept", "application/json")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


@dataclass
class Running:
    base: str
    process: subprocess.Popen
    log: Path
    access_log: Path
    # Where this test's requests begin in the access log, for a server several tests share.
    access_log_start: int = 0

    def start_test(self) -> None:
        """Count only the requests from here on in ``worker_pids``."""
        self.access_log_start = self.access_log.stat().st_size if self.access_log.exists() else 0

    def wait_until_serving(self, path: str, token: str, *, expect: int = 200) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited with {self.process.returncode}:\n{self.output()}")
            try:
                status, _ = request(self.base + path, token=token)
                if status == expect:
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not answer within {START_TIMEOUT}s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text()

    def worker_pids(self, path_part: str) -> set[str]:
        """The worker processes that answered requests whose path contains ``path_part``."""
        pids = set()
        with self.access_log.open() as log:
            log.seek(self.access_log_start)
            lines = log.read().splitlines()
        for line in lines:
            pid, _method, path, _status = line.split(" ", 3)
            if path_part in path:
                pids.add(pid)
        return pids


@contextmanager
def gunicorn(
    tmp_path: Path, *, workers: int, env: dict[str, str] | None = None
) -> Iterator[Running]:
    """Serve the app under gunicorn with production settings; ``env`` adds to them."""
    port = free_port()
    environment = production_environment(
        DJANGO_SECRET_KEY="gunicorn-race-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
    )
    environment.update(env or {})
    log = tmp_path / "gunicorn.log"
    access_log = tmp_path / "access.log"
    process = start_python(
        [
            "-m",
            "gunicorn",
            "ejento_staging.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            ACCESS_LOG_FORMAT,
        ],
        environment,
        log,
    )
    try:
        yield Running(f"http://127.0.0.1:{port}", process, log, access_log)
    finally:
        # The workers hold connections to the test database; they must be gone before
        # pytest-django flushes and drops it.
        process.terminate()
        wait_stopped(process)
