"""Webhooks: what they add to a publish, and how fast workers deliver them.

Run: ``.venv/bin/python bench/webhooks.py``.

On PostgreSQL (database ``bench_webhooks`` on ``BENCH_PG``, default 127.0.0.1:5432, dropped
and re-created each run) it measures:

* the publish's added cost: queries and median milliseconds of ``publish_agent`` (one
  instruction changed) for a small and a large agent (``bench.data.SMALL``/``LARGE``) with 0,
  1 and 3 endpoints subscribed to ``publish.created``, taken in turns so load from elsewhere
  on the machine falls on every case alike;
* deliveries per second with 1 and 4 ``manage.py run_worker`` processes: that many
  ``publish.created`` events (one endpoint) are committed in one transaction while the
  workers poll, and the clock runs until the receiver on 127.0.0.1 (``tests.webhooks.receiver``)
  has them all.

Options: ``--rounds`` publishes per case (default 10), ``--deliveries`` per worker count
(default 400).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, only bench/ is on the path; the project root comes first, so ``webhooks``
# is the app and not this file.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.database import start_on_fresh_database
from bench.environment import app_environment
from bench.report import say
from bench.timing import QuerySamples

DB_NAME = "bench_webhooks"
# The receiver is on this machine, over plain http.
ENV = app_environment(DB_NAME, WEBHOOK_ALLOW_LOOPBACK="1")
ENDPOINT_COUNTS = (0, 1, 3)
WORKER_COUNTS = (1, 4)
# The deployed defaults (see ejento_staging/settings.py); --lease and --sweep take the tests'
# short ones, to measure sweeps running while the backlog is older than a lease.
WORKER_SETTINGS = {"BACKGROUND_LEASE_SECONDS": "60", "BACKGROUND_SWEEP_SECONDS": "15"}


def build(receiver_url: str):
    """An organization with a small and a large agent, each published once, and three
    endpoints (disabled until a case turns them on); returns (admin, agents, endpoint ids)."""
    from agents.models import Organization, OrganizationMembership, Project
    from bench.data import LARGE, SMALL, build_agent
    from publishing.services import publish_agent
    from tests.factories import UserFactory
    from webhooks import services

    organization = Organization.objects.create(name="Bench webhooks")
    project = Project.objects.create(organization=organization, name="Webhooks")
    admin = UserFactory(username="hooks-admin")
    OrganizationMembership.objects.create(
        organization=organization, user=admin, role=OrganizationMembership.Role.ADMIN
    )
    agents = {}
    for size, shape in (("small", SMALL), ("large", LARGE)):
        agent = build_agent(project=project, user=admin, size=shape, name=size.capitalize())
        publish_agent(agent=agent, acting_user=admin, notes="First")
        agents[size] = agent.pk
    endpoints = [
        services.create_endpoint(
            acting_user=admin,
            organization_id=organization.pk,
            url=receiver_url,
            event_types=["publish.created"],
            enabled=False,
        )[0].pk
        for _ in range(max(ENDPOINT_COUNTS))
    ]
    return admin, agents, endpoints


def enable(endpoints: list[int], count: int) -> None:
    from webhooks.models import Endpoint

    Endpoint.objects.update(enabled=False)
    Endpoint.objects.filter(pk__in=endpoints[:count]).update(enabled=True)


def forget_deliveries() -> None:
    from django_tasks_db.models import DBTaskResult

    from webhooks.models import Event

    Event.objects.all().delete()  # and their deliveries
    DBTaskResult.objects.all().delete()


def publish_cost(admin, agents: dict[str, int], endpoints: list[int], rounds: int) -> None:
    from agents.models import Agent
    from bench.data import edit_one_instruction
    from publishing.services import publish_agent

    samples = QuerySamples()
    for turn in range(rounds):
        for size, agent_id in agents.items():
            for count in ENDPOINT_COUNTS:
                enable(endpoints, count)
                agent = Agent.objects.select_related("project").get(pk=agent_id)
                edit_one_instruction(agent, admin, f"Round {turn} with {count}")
                samples.measure(
                    (size, count), lambda a=agent: publish_agent(agent=a, acting_user=admin)
                )
    forget_deliveries()
    say(f"publish_agent, one instruction changed, median of {rounds}:")
    print("agent  endpoints  queries  median ms  added ms")
    for size in agents:
        base = samples.median((size, 0))
        for count in ENDPOINT_COUNTS:
            median = samples.median((size, count))
            counts = samples.query_counts((size, count))
            print(f"{size:<5}  {count:>9}  {counts:>7}  {median:>9.1f}  {median - base:>+8.1f}")


def delivery_rate(agents: dict[str, int], endpoints: list[int], receiver, deliveries: int) -> None:
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from agents.models import Agent
    from tests.webhooks.workers import run_workers
    from webhooks.events import PUBLISH_CREATED, record_event
    from webhooks.models import Delivery, DeliveryAttempt

    agent = Agent.objects.select_related("project").get(pk=agents["small"])
    enable(endpoints, 1)
    say(f"{deliveries} deliveries committed at once, workers already polling:")
    print("workers  seconds  deliveries/s  median request ms  requests  wasted tasks")
    for workers in WORKER_COUNTS:
        forget_deliveries()
        receiver.received.clear()
        with (
            tempfile.TemporaryDirectory() as logs,
            run_workers(Path(logs), workers, env=WORKER_SETTINGS),
        ):
            with transaction.atomic():
                for n in range(deliveries):
                    record_event(agent=agent, event_type=PUBLISH_CREATED, data={"n": n})
            start = time.monotonic()
            receiver.wait_for(deliveries, timeout=600)
            took = time.monotonic() - start
        assert Delivery.objects.exclude(status="succeeded").count() == 0
        durations = DeliveryAttempt.objects.values_list("duration_ms", flat=True)
        # Tasks that found their delivery locked by another transaction and did nothing.
        wasted = DBTaskResult.objects.exclude(return_value="delivered").count()
        print(
            f"{workers:>7}  {took:>7.1f}  {deliveries / took:>12.0f}  "
            f"{statistics.median(durations):>17.0f}  {len(receiver.received):>8}  {wasted:>12}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--deliveries", type=int, default=400)
    parser.add_argument("--lease", default=WORKER_SETTINGS["BACKGROUND_LEASE_SECONDS"])
    parser.add_argument("--sweep", default=WORKER_SETTINGS["BACKGROUND_SWEEP_SECONDS"])
    parser.add_argument("--rates-only", action="store_true", help="skip the publish cost")
    args = parser.parse_args()
    WORKER_SETTINGS.update(BACKGROUND_LEASE_SECONDS=args.lease, BACKGROUND_SWEEP_SECONDS=args.sweep)
    start_on_fresh_database(DB_NAME, ENV)
    # Imported once Django is set up (the receiver is plain Python, the workers' helper too).
    from tests.webhooks.receiver import running_receiver

    with running_receiver() as receiver:
        say("building a small and a large agent")
        admin, agents, endpoints = build(receiver.url)
        if not args.rates_only:
            publish_cost(admin, agents, endpoints, args.rounds)
        delivery_rate(agents, endpoints, receiver, args.deliveries)
    say(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
