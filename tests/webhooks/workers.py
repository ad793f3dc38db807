"""Real ``manage.py run_worker`` processes on the test database, for the worker tests.

Each worker is its own process with production settings (no test flag), as deployed; the
short lease, sweep and retry delays below let a test see a crash handed on within seconds.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from tests.reliability.servers import production_environment, start_python, wait_stopped

START_TIMEOUT = 60.0
LEASE_SECONDS = 3
SWEEP_SECONDS = 1
RETRY_DELAYS = "0.5,0.5,1"
# What ``run_worker`` logs (django-tasks-db's worker) once it polls the queue.
READY_LINE = "Starting worker"

T = TypeVar("T")


def worker_environment(overrides: dict[str, str] | None = None) -> dict[str, str]:
    environment = production_environment(
        DJANGO_SECRET_KEY="worker-processes-" + "k" * 50,
        BACKGROUND_SWEEP_SECONDS=str(SWEEP_SECONDS),
        BACKGROUND_LEASE_SECONDS=str(LEASE_SECONDS),
        WEBHOOK_RETRY_DELAYS=RETRY_DELAYS,
        # The receiver is on 127.0.0.1 (plain http), which production never allows.
        WEBHOOK_ALLOW_LOOPBACK="1",
    )
    environment.update(overrides or {})
    return environment


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text()

    def ready(self) -> bool:
        if self.process.poll() is not None:
            code = self.process.returncode
            pytest.fail(f"worker {self.name} exited with {code}:\n{self.output()}")
        return READY_LINE in self.output()

    def kill(self) -> None:
        """SIGKILL: no clean-up at all, as when a host is lost."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()

    def wait_stopped(self) -> None:
        wait_stopped(self.process)


@contextmanager
def run_workers(
    tmp_path: Path, count: int = 1, *, name: str = "worker", env: dict[str, str] | None = None
) -> Iterator[list[Worker]]:
    """``count`` worker processes, started together and polling the queue when this yields;
    ``env`` overrides the settings above."""
    environment = worker_environment(env)
    workers: list[Worker] = []
    try:
        for index in range(count):
            log = tmp_path / f"{name}-{index}.log"
            process = start_python(
                [
                    "manage.py",
                    "run_worker",
                    "--interval",
                    "0.1",
                    "--no-startup-delay",
                    "--no-reload",
                    "--worker-id",
                    f"{name}-{index}",
                ],
                environment,
                log,
            )
            workers.append(Worker(f"{name}-{index}", process, log))
        wait_until(lambda: all(worker.ready() for worker in workers), START_TIMEOUT, "workers up")
        yield workers
    finally:
        # The workers hold connections to the test database; they must be gone before
        # pytest-django flushes it.
        for worker in workers:
            worker.stop()
        for worker in workers:
            worker.wait_stopped()


def wait_until(check: Callable[[], T], timeout: float, what: str) -> T:
    """Poll ``check`` until it returns something true; that value, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for: {what}")
        time.sleep(0.05)
