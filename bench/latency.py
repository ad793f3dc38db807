"""Request latency through the served app: staging diff and publish, large agent against
small, and the publish history's last page against its first.

Each target is a ratio of calls taken in turns, so load from elsewhere on the machine falls on
both sides alike.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from functools import partial

from bench.database import Data
from bench.environment import last_page
from bench.report import Report
from bench.server import fetch
from bench.timing import elapsed_ms, interleaved_median_ms

SIZES = ("small", "large")
# The targets of docs/performance.md: a large agent's edits and publishes cost at most 5 times
# a small one's, and the last page of a long history at most 1.5 times the first.
LARGE_OVER_SMALL_CEILING = 5
LAST_OVER_FIRST_PAGE_CEILING = 1.5


def latencies(report: Report, data: Data) -> None:
    staging_diff(report, data)
    publish(report, data)


def staging_diff(report: Report, data: Data) -> None:
    def diff_of(size: str) -> Callable[[], None]:
        path = f"/api/v2/agents/{getattr(data, size)}/staging-diff"
        token = data.owner_tokens[size]

        def call() -> None:
            status, body = fetch(path, token)
            assert status == 200, (status, body[:200])

        return call

    calls = {size: diff_of(size) for size in SIZES}
    for call in calls.values():  # first calls warm each worker
        call()
    diff = interleaved_median_ms(calls, 25)
    report.info("staging-diff, small agent", f"{diff['small']:.1f} ms")
    report.info("staging-diff, large agent", f"{diff['large']:.1f} ms")
    report.at_most(
        "staging-diff large / small", diff["large"] / diff["small"], LARGE_OVER_SMALL_CEILING
    )


def publish(report: Report, data: Data) -> None:
    # Django models import only after django.setup(), which the entry point calls.
    from agents.models import Agent
    from bench.data import edit_one_instruction

    samples: dict[str, list[float]] = {size: [] for size in SIZES}
    owners = {"small": data.small_owner, "large": data.large_owner}
    for round_ in range(12):
        for size in SIZES:
            agent_id = getattr(data, size)
            # Each publish needs something new to publish; the edit is not timed.
            edit_one_instruction(Agent.objects.get(pk=agent_id), owners[size], f"Round {round_}")
            path = f"/api/v2/agents/{agent_id}/publish"
            took, (status, body) = elapsed_ms(
                partial(fetch, path, data.owner_tokens[size], "POST", {})
            )
            samples[size].append(took)
            assert status == 201, (status, body[:200])
    small, large = statistics.median(samples["small"]), statistics.median(samples["large"])
    report.info("publish, small agent", f"{small:.1f} ms")
    report.info("publish, large agent", f"{large:.1f} ms")
    report.at_most("publish large / small", large / small, LARGE_OVER_SMALL_CEILING)


def history_pages(report: Report, data: Data, records: int) -> None:
    token = data.owner_tokens["small"]
    last = last_page(records)
    first_path = f"/api/v2/agents/{data.history}/publishes?page=1"
    last_path = f"/api/v2/agents/{data.history}/publishes?page={last}"
    for path in (first_path, last_path):
        status, body = fetch(path, token)
        assert status == 200 and json.loads(body)["results"], (status, body[:200])
    pages = interleaved_median_ms(
        {"first": lambda: fetch(first_path, token), "last": lambda: fetch(last_path, token)}, 40
    )
    first, last_time = pages["first"], pages["last"]
    report.info(f"publishes page 1 of {last} (HTTP)", f"{first:.1f} ms")
    report.info(f"publishes page {last} of {last} (HTTP)", f"{last_time:.1f} ms")
    report.at_most(
        "publishes last page / first page (HTTP)", last_time / first, LAST_OVER_FIRST_PAGE_CEILING
    )
