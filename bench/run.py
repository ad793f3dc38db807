"""The performance bench, in one command: ``.venv/bin/python bench/run.py``.

On PostgreSQL (database ``bench`` on 127.0.0.1:5432, dropped and re-created each run) it
builds a small and a large agent and a 10,000-record publish history, serves the app with
gunicorn on loopback (local-memory cache, then Redis), and prints each figure with its target
as PASS or FAIL:

* live read throughput against a bare one-row raw-SQL view in the same server (>= 0.8x),
  with local memory and with Redis; the straightforward DRF versions for comparison;
* staging-diff and publish latency, large agent against small (<= 5x);
* publish history, last page against first page at 10,000 records (<= 1.5x), with the
  queries' plans and the cost of COUNT(*);
* bytes stored per publish record of the large agent when one instruction changed.

Needs PostgreSQL, Redis on 127.0.0.1:6379 (database 3, keys prefixed "bench") and ``wrk``.
Options: ``--seconds`` per throughput run (default 5), ``--records`` (default 10000),
``--json PATH`` to keep the figures. Exit status 1 when a target fails.

This module is the entry point and the order of the run; each measurement lives in a module
of its own beside it (``throughput``, ``latency``, ``history_queries``, ``storage``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

# Run as a script, only bench/ is on the path; the project root makes ``bench.*`` and the
# project's own packages importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.database import build, migrate, reset_database, vacuum
from bench.environment import ENV
from bench.history_queries import history_queries
from bench.latency import history_pages, latencies
from bench.report import Report, say
from bench.server import clear_redis, gunicorn
from bench.storage import storage
from bench.throughput import throughput


def machine(report: Report) -> None:
    cpu = "unknown"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as handle:
        memory = int(handle.readline().split()[1]) // 1024
    report.figures["machine"] = {"nproc": os.cpu_count(), "memory_mib": memory, "cpu": cpu}
    say(f"machine: {os.cpu_count()} CPUs, {memory} MiB, {cpu}")
    load("at start")


def load(when: str) -> None:
    # Other work on the machine skews absolute figures; the ratios are interleaved runs.
    one, five, _ = os.getloadavg()
    say(f"load average {when}: {one:.2f} (1 min), {five:.2f} (5 min)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="per throughput run")
    parser.add_argument("--records", type=int, default=10_000, help="publish history length")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is needed (apt-get install wrk)", file=sys.stderr)
        return 2
    started = time.monotonic()
    os.environ.update(ENV)
    report = Report()
    machine(report)
    say("resetting database 'bench'")
    reset_database()
    migrate()
    import django

    django.setup()
    say(f"building the agents and {args.records} publish records")
    data = build(args.records)
    vacuum()
    storage(report, data)
    history_queries(report, data, args.records)
    say("serving with gunicorn, local-memory cache")
    with gunicorn(redis=False):
        throughput(report, data, args.seconds, "locmem", full=True)
        history_pages(report, data, args.records)
        latencies(report, data)
    say("serving with gunicorn, Redis cache")
    clear_redis()
    with gunicorn(redis=True):
        throughput(report, data, args.seconds, "redis", full=True)
    clear_redis()
    load("at the end")
    report.info("bench duration", f"{time.monotonic() - started:.0f} s")
    report.print()
    if args.json:
        args.json.write_text(json.dumps(report.figures, indent=2, default=str))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
