"""Live-read throughput under load from ``wrk``, against a bare one-row raw-SQL view.

The bare view (``bench.views.bare_production``) is the floor of what any Django view in the
same server can do, so the live read is judged as a ratio to it rather than in requests per
second, which move with the machine.
"""

from __future__ import annotations

import re
import statistics
import subprocess

from bench.database import Data
from bench.report import Report
from bench.server import fetch, url

LIVE_READ_FLOOR = 0.8


def wrk(path: str, token: str | None, seconds: int) -> float:
    """Requests per second, refusing a run in which any answer was not 2xx/3xx."""
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s"]
    if token:
        command += ["-H", f"Authorization: Token {token}"]
    output = subprocess.run(
        [*command, url(path)], capture_output=True, text=True, check=True
    ).stdout
    timeouts = re.search(r"timeout (\d+)", output)
    if "Non-2xx" in output or (timeouts and int(timeouts.group(1)) > 0):
        raise RuntimeError(f"wrk saw errors on {path}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def throughput(report: Report, data: Data, seconds: int, backend: str, *, full: bool) -> None:
    """The live read of the large agent against the bare view; with ``full``, also the small
    agent and the DRF versions the live read replaced."""
    live_path = f"/api/v2/agents/{data.large}/production"
    bare_path = f"/bench/bare/{data.large}"
    status, body = fetch(live_path, data.viewer_token)
    assert status == 200, (status, body[:200])
    report.info(f"live body, large agent ({backend})", f"{len(body) / 1024:.0f} KiB")
    for path in (live_path, bare_path):  # warm every worker's cache and connection
        wrk(path, data.viewer_token, 1)
    bare, live_rps = [], []
    for _ in range(3):  # interleaved, so load from elsewhere hits both alike
        bare.append(wrk(bare_path, None, seconds))
        live_rps.append(wrk(live_path, data.viewer_token, seconds))
    bare_rps, live_best = statistics.median(bare), statistics.median(live_rps)
    report.info(f"bare raw-SQL view, large row ({backend})", f"{bare_rps:.0f} req/s")
    report.info(f"live read, large agent ({backend})", f"{live_best:.0f} req/s")
    report.at_least(f"live read / bare view ({backend})", live_best / bare_rps, LIVE_READ_FLOOR)
    if not full:
        return
    small_path = f"/api/v2/agents/{data.small}/production"
    wrk(small_path, data.viewer_token, 1)
    small_bare = wrk(f"/bench/bare/{data.small}", None, seconds)
    small_live = wrk(small_path, data.viewer_token, seconds)
    report.info(f"live read, small agent ({backend})", f"{small_live:.0f} req/s")
    report.at_least(
        f"live read / bare view, small agent ({backend})",
        small_live / small_bare,
        LIVE_READ_FLOOR,
    )
    for name, path in (
        ("before: DRF + get_agent_for, body built per request", f"/bench/drf/{data.large}"),
        ("step 1: DRF + get_agent_for, body cached", f"/bench/drf-cached/{data.large}"),
    ):
        wrk(path, data.viewer_token, 1)
        rps = wrk(path, data.viewer_token, seconds)
        report.info(f"{name} ({backend})", f"{rps:.0f} req/s", f"{rps / bare_rps:.2f}x bare")
