"""Timing helpers shared by the HTTP and in-process measurements."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def elapsed_ms(call: Callable[[], Any]) -> tuple[float, Any]:
    """How long one call took, in milliseconds, and what it returned."""
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000, result


def median_ms(call: Callable[[], Any], repeat: int) -> float:
    return statistics.median(elapsed_ms(call)[0] for _ in range(repeat))


def interleaved_median_ms(calls: dict[str, Callable[[], Any]], rounds: int) -> dict[str, float]:
    """The median time of each call, the calls taking turns round after round.

    Taking turns means a burst of load from elsewhere on the machine slows every call alike,
    so the ratios between them stay meaningful even when the absolute times do not.
    """
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            samples[name].append(elapsed_ms(call)[0])
    return {name: statistics.median(values) for name, values in samples.items()}
