"""The app served as in production (gunicorn, sync workers) on loopback, and a client for it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.environment import ENV, PORT, REDIS_URL, ROOT, WORKERS


@contextmanager
def gunicorn(redis: bool):
    env = {**os.environ, **ENV, "REDIS_URL": REDIS_URL if redis else ""}
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "ejento_staging.wsgi:application",
        "--bind",
        f"127.0.0.1:{PORT}",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
    ]
    # A session of its own, so stopping it takes the workers down with the master.
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", PORT), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def clear_redis() -> None:
    """Remove the bench's keys (and only those) from the shared Redis database."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter("bench:*"))
    if keys:
        client.delete(*keys)


def url(path: str) -> str:
    return f"http://127.0.0.1:{PORT}{path}"


def fetch(path: str, token: str, method: str = "GET", body: Any = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url(path), data=data, method=method)
    request.add_header("Authorization", f"Token {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
