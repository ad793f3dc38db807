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
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "bench"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
WORKERS = 2
PAGE_SIZE = 25

ENV = {
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
    "DJANGO_DEBUG": "0",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "LOG_LEVEL": "ERROR",
    "REDIS_URL": "",
}


@dataclass
class Report:
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    failed: bool = False

    def ratio(self, name: str, value: float, target: str, ok: bool, detail: str) -> None:
        self.rows.append((name, f"{value:.2f}x", target, ("PASS" if ok else "FAIL") + detail))
        self.figures[name] = {"ratio": round(value, 3), "target": target, "pass": ok}
        self.failed |= not ok

    def info(self, name: str, value: str, detail: str = "") -> None:
        self.rows.append((name, value, "", detail))
        self.figures[name] = value

    def print(self) -> None:
        width = max(len(r[0]) for r in self.rows)
        print()
        for name, value, target, verdict in self.rows:
            print(f"{name:<{width}}  {value:>12}  {target:<8}  {verdict}")


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


# --- database and data ------------------------------------------------------------------------


def reset_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def migrate() -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, **ENV},
        check=True,
    )


@dataclass
class Data:
    small: int
    large: int
    history: int
    large_owner: Any
    small_owner: Any
    viewer_token: str
    owner_tokens: dict[str, str]


def build(records: int) -> Data:
    from agents import services
    from agents.models import Organization, OrganizationMembership, Project
    from bench.data import LARGE, SMALL, build_agent, bulk_publish_records, edit_one_instruction
    from publishing.services import publish_agent
    from tests.factories import UserFactory, api_token

    organization = Organization.objects.create(name="Bench org")
    project = Project.objects.create(organization=organization, name="Bench project")
    owners = {size: UserFactory(username=f"{size}-owner") for size in ("small", "large")}
    viewer = UserFactory(username="integration")
    agents = {}
    for size, shape in (("small", SMALL), ("large", LARGE)):
        owner = owners[size]
        agent = build_agent(project=project, user=owner, size=shape, name=size.capitalize())
        publish_agent(agent=agent, user=owner, notes="First")
        edit_one_instruction(agent, owner, "Second")
        publish_agent(agent=agent, user=owner, notes="Second")
        edit_one_instruction(agent, owner, "Unpublished")
        OrganizationMembership.objects.get_or_create(organization=organization, user=viewer)
        services.grant_permission(
            agent=agent, acting_user=owner, target_user_id=viewer.pk, role="viewer"
        )
        agents[size] = agent
    history = build_agent(project=project, user=owners["small"], size=SMALL, name="History")
    bulk_publish_records(agent=history, user=owners["small"], count=records)
    return Data(
        small=agents["small"].pk,
        large=agents["large"].pk,
        history=history.pk,
        large_owner=owners["large"],
        small_owner=owners["small"],
        viewer_token=api_token(viewer),
        owner_tokens={s: api_token(u) for s, u in owners.items()},
    )


def vacuum() -> None:
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    previous = raw.autocommit
    raw.autocommit = True
    try:
        raw.execute("VACUUM ANALYZE")
    finally:
        raw.autocommit = previous


# --- the server -----------------------------------------------------------------------------------


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


def median_ms(call: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


# --- measurements -------------------------------------------------------------------------------


def throughput(report: Report, data: Data, seconds: int, backend: str, *, full: bool) -> None:
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
    report.ratio(
        f"live read / bare view ({backend})",
        live_best / bare_rps,
        ">= 0.80",
        live_best / bare_rps >= 0.8,
        "",
    )
    if not full:
        return
    small_path = f"/api/v2/agents/{data.small}/production"
    wrk(small_path, data.viewer_token, 1)
    small_bare = wrk(f"/bench/bare/{data.small}", None, seconds)
    small_live = wrk(small_path, data.viewer_token, seconds)
    report.info(f"live read, small agent ({backend})", f"{small_live:.0f} req/s")
    report.ratio(
        f"live read / bare view, small agent ({backend})",
        small_live / small_bare,
        ">= 0.80",
        small_live / small_bare >= 0.8,
        "",
    )
    for name, path in (
        ("before: DRF + get_agent_for, body built per request", f"/bench/drf/{data.large}"),
        ("step 1: DRF + get_agent_for, body cached", f"/bench/drf-cached/{data.large}"),
    ):
        wrk(path, data.viewer_token, 1)
        rps = wrk(path, data.viewer_token, seconds)
        report.info(f"{name} ({backend})", f"{rps:.0f} req/s", f"{rps / bare_rps:.2f}x bare")


def latencies(report: Report, data: Data) -> None:
    from agents.models import Agent
    from bench.data import edit_one_instruction

    def diff_of(agent_id: int, token: str) -> Any:
        path = f"/api/v2/agents/{agent_id}/staging-diff"

        def call() -> None:
            status, body = fetch(path, token)
            assert status == 200, (status, body[:200])

        return call

    for size in ("small", "large"):  # first calls warm each worker
        diff_of(getattr(data, size), data.owner_tokens[size])()
    samples: dict[str, list[float]] = {"small": [], "large": []}
    for _ in range(25):  # interleaved
        for size in ("small", "large"):
            samples[size].append(
                median_ms(diff_of(getattr(data, size), data.owner_tokens[size]), 1)
            )
    diff = {size: statistics.median(values) for size, values in samples.items()}
    report.info("staging-diff, small agent", f"{diff['small']:.1f} ms")
    report.info("staging-diff, large agent", f"{diff['large']:.1f} ms")
    ratio = diff["large"] / diff["small"]
    report.ratio("staging-diff large / small", ratio, "<= 5.00", ratio <= 5, "")

    publish: dict[str, list[float]] = {"small": [], "large": []}
    owners = {"small": data.small_owner, "large": data.large_owner}
    for round_ in range(12):
        for size in ("small", "large"):
            agent_id = getattr(data, size)
            edit_one_instruction(Agent.objects.get(pk=agent_id), owners[size], f"Round {round_}")
            start = time.perf_counter()
            status, body = fetch(
                f"/api/v2/agents/{agent_id}/publish", data.owner_tokens[size], "POST", {}
            )
            publish[size].append((time.perf_counter() - start) * 1000)
            assert status == 201, (status, body[:200])
    small, large = statistics.median(publish["small"]), statistics.median(publish["large"])
    report.info("publish, small agent", f"{small:.1f} ms")
    report.info("publish, large agent", f"{large:.1f} ms")
    report.ratio("publish large / small", large / small, "<= 5.00", large / small <= 5, "")


def history_pages(report: Report, data: Data, records: int) -> None:
    token = data.owner_tokens["small"]
    last = -(-records // PAGE_SIZE)
    first_path = f"/api/v2/agents/{data.history}/publishes?page=1"
    last_path = f"/api/v2/agents/{data.history}/publishes?page={last}"
    for path in (first_path, last_path):
        status, body = fetch(path, token)
        assert status == 200 and json.loads(body)["results"], (status, body[:200])
    first_ms, last_ms = [], []
    for _ in range(40):
        first_ms.append(median_ms(lambda: fetch(first_path, token), 1))
        last_ms.append(median_ms(lambda: fetch(last_path, token), 1))
    first, last_time = statistics.median(first_ms), statistics.median(last_ms)
    report.info(f"publishes page 1 of {last} (HTTP)", f"{first:.1f} ms")
    report.info(f"publishes page {last} of {last} (HTTP)", f"{last_time:.1f} ms")
    ratio = last_time / first
    report.ratio("publishes last page / first page (HTTP)", ratio, "<= 1.50", ratio <= 1.5, "")


def history_queries(report: Report, data: Data, records: int) -> None:
    """The selector's queries at 10,000 records, and the alternatives, timed in-process."""
    from django.core.paginator import Paginator
    from django.db import connection

    from agents.models import Agent
    from publishing import selectors
    from publishing.models import PublishRecord

    agent = Agent.objects.get(pk=data.history)
    last = -(-records // PAGE_SIZE)

    def page(number: int) -> None:
        list(Paginator(selectors.publish_records(agent=agent), PAGE_SIZE).page(number))

    def count() -> None:
        selectors.publish_records(agent=agent).count()

    def offset_only(number: int) -> None:
        start = (number - 1) * PAGE_SIZE
        list(selectors.publish_records(agent=agent)[start : start + PAGE_SIZE])

    def sequence_range(number: int) -> None:
        # Sequences run 1..N without gaps per agent, so page k is a range of the index.
        newest = (
            PublishRecord.objects.filter(agent_id=agent.pk)
            .order_by("-sequence")
            .values_list("sequence", flat=True)
            .first()
        )
        top = newest - (number - 1) * PAGE_SIZE
        list(
            selectors.publish_records(agent=agent).filter(
                sequence__lte=top, sequence__gt=top - PAGE_SIZE
            )
        )

    def prefetch_instead_of_join(number: int) -> None:
        start = (number - 1) * PAGE_SIZE
        rows = (
            PublishRecord.objects.filter(agent_id=agent.pk)
            .only(*selectors.LIST_FIELDS)
            .order_by("-sequence")
            .prefetch_related("previous", "restored_from")[start : start + PAGE_SIZE]
        )
        list(rows)

    for name, call in (
        ("selector page (COUNT + page)", page),
        ("page query alone, OFFSET", offset_only),
        ("proposed: sequence range", sequence_range),
        ("proposed: no self-joins (prefetch)", prefetch_instead_of_join),
    ):
        call(1), call(last)
        first = median_ms(lambda c=call: c(1), 30)
        deepest = median_ms(lambda c=call: c(last), 30)
        report.info(
            f"{name}: first / last page",
            f"{deepest / first:.2f}x",
            f"{first:.2f} ms / {deepest:.2f} ms",
        )
    report.info("COUNT(*) of 10,000 records", f"{median_ms(count, 30):.2f} ms")

    def plan(number: int) -> str:
        start = (number - 1) * PAGE_SIZE
        query = selectors.publish_records(agent=agent)[start : start + PAGE_SIZE]
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}", params)
            return "\n".join(r[0] for r in cursor.fetchall())

    report.figures["plan_first_page"] = plan(1)
    report.figures["plan_last_page"] = plan(last)
    say("plan of the first page:\n" + plan(1))
    say("plan of the last page:\n" + plan(last))


def storage(report: Report, data: Data) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT pg_column_size(snapshot), octet_length(snapshot::text),
                   pg_column_size(changes), octet_length(changes::text),
                   pg_column_size(r.*)
            FROM publishing_publishrecord r
            WHERE agent_id = %s AND sequence = 2
            """,
            [data.large],
        )
        snap, snap_text, changes, changes_text, row = cursor.fetchone()
        cursor.execute(
            "SELECT pg_total_relation_size('publishing_publishrecord'), count(*) "
            "FROM publishing_publishrecord"
        )
        total, count = cursor.fetchone()
    report.info("publish record, large agent, 1 instruction changed", f"{row / 1024:.1f} KiB")
    report.info(
        "  snapshot stored (compressed) / as text",
        f"{snap / 1024:.1f} KiB",
        f"{snap_text / 1024:.1f} KiB as text",
    )
    report.info("  changes stored / as text", f"{changes} B", f"{changes_text} B as text")
    report.info("  snapshot share of the record", f"{snap / row * 100:.0f} %")
    report.info(
        "publish record table, all records",
        f"{total / 1024 / 1024:.1f} MiB",
        f"{count} records",
    )
    new_bytes, manifest_bytes, pieces = dedup_estimate(data)
    report.info(
        "  proposed content-addressed dedup: new bytes per publish",
        f"{(new_bytes + manifest_bytes) / 1024:.1f} KiB",
        f"{pieces} pieces; manifest {manifest_bytes} B",
    )
    report.figures["dedup_estimate"] = {"new_bytes": new_bytes, "manifest_bytes": manifest_bytes}
    report.figures["bytes_per_publish_large"] = {
        "row": row,
        "snapshot": snap,
        "snapshot_text": snap_text,
        "changes": changes,
        "changes_text": changes_text,
    }


CHUNK = 32


def pieces_of(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot cut into content-addressed pieces: settings, then runs of CHUNK items."""
    import hashlib

    from configuration.snapshot import canonical_json

    ks = snapshot["knowledge_sources"]
    pieces: list[Any] = [snapshot["settings"], ks["sharepoint"]]
    lists = (snapshot["instructions"], ks["corpora"], snapshot["tools"], snapshot["guardrails"])
    for items in lists:
        pieces += [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
    return {hashlib.sha256(canonical_json(p).encode()).hexdigest(): p for p in pieces}


def dedup_estimate(data: Data) -> tuple[int, int, int]:
    """What a publish of one changed instruction would add if pieces were stored once."""
    from django.db import connection

    from configuration.snapshot import canonical_json
    from publishing.models import PublishRecord

    first, second = (
        PublishRecord.objects.filter(agent_id=data.large, sequence=n).get().snapshot for n in (1, 2)
    )
    before, after = pieces_of(first), pieces_of(second)
    new = [after[h] for h in after.keys() - before.keys()]
    manifest = list(after)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_blob (data jsonb)")
        for piece in [*new, manifest]:
            cursor.execute("INSERT INTO bench_blob VALUES (%s::jsonb)", [canonical_json(piece)])
        cursor.execute("SELECT pg_column_size(data) FROM bench_blob")
        sizes = [row[0] for row in cursor.fetchall()]
        cursor.execute("DROP TABLE bench_blob")
    return sum(sizes[:-1]), sizes[-1], len(after)


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
