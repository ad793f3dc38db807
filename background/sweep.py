"""The sweep: hand on work whose worker died, from every live worker, every few seconds.

Apps register a sweeper (a function of no arguments that returns how many pieces of work it
handed on) in their ``AppConfig.ready``; ``manage.py run_worker`` runs them all every
``BACKGROUND_SWEEP_SECONDS``. Sweepers take their rows with ``SKIP LOCKED`` and re-check
state under the lock, so N workers sweeping at once hand each piece on once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections

logger = logging.getLogger(__name__)

Sweeper = Callable[[], int]
_sweepers: dict[str, Sweeper] = {}


def register(name: str, sweeper: Sweeper) -> None:
    _sweepers[name] = sweeper


def run_sweep() -> dict[str, int]:
    """Run every sweeper once; a failing one is logged and does not stop the others."""
    handed_on: dict[str, int] = {}
    for name, sweeper in _sweepers.items():
        try:
            handed_on[name] = sweeper()
        except Exception:
            logger.exception("Sweeper %s failed", name)
    return handed_on


def start_sweeping(interval: float) -> threading.Thread:
    """Sweep in a daemon thread of this worker process until it exits."""

    def loop() -> None:
        stop = threading.Event()
        while not stop.wait(interval):
            close_old_connections()
            counts = run_sweep()
            if any(counts.values()):
                logger.warning("Handed on work whose worker stopped: %s", counts)
            close_old_connections()

    thread = threading.Thread(target=loop, name="background-sweep", daemon=True)
    thread.start()
    return thread
