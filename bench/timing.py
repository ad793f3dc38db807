"""Timing helpers shared by the HTTP and in-process measurements."""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Hashable
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


class QuerySamples:
    """Milliseconds and query counts of in-process calls, kept per case (any key)."""

    def __init__(self) -> None:
        self.times: dict[Hashable, list[float]] = defaultdict(list)
        self.queries: dict[Hashable, set[int]] = defaultdict(set)

    def measure(self, case: Hashable, call: Callable[[], Any]) -> Any:
        """Run ``call`` once, timed and with its queries counted under ``case``; what it
        returned is returned."""
        # Imported here: this module is loaded before Django is set up.
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            took, result = elapsed_ms(call)
        self.times[case].append(took)
        self.queries[case].add(len(captured))
        return result

    def median(self, case: Hashable) -> float:
        return statistics.median(self.times[case])

    def query_counts(self, case: Hashable) -> str:
        """Every query count seen, ``12`` or ``12/13`` when they varied."""
        return "/".join(str(q) for q in sorted(self.queries[case]))
