"""Blame of a long instruction with a long history.

Run: ``.venv/bin/python bench/blame.py``.

On PostgreSQL (database ``bench_blame`` on ``BENCH_PG``, dropped and re-created each run) it
builds one instruction of about 100 KB (some 1,960 lines; an instruction holds at most
100,000 characters) and edits it ``--revisions`` times
(default 500) through ``update_instruction``, three people in turn, each edit replacing,
inserting or deleting a few lines somewhere in the text, with a publish every 50 edits.
Then it measures, median of ``--rounds``:

* ``publishing.blame.instruction_blame`` (what the API and the page call): queries and ms;
* the line attribution alone (``configuration.blame.blame``) over the same versions, in
  memory - what the comparison of 500 versions costs without the database;
* ``GET /api/v2/agents/{id}/instructions/{id}/blame`` through Django's test client (JSON
  rendering included).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.database import start_on_fresh_database
from bench.environment import app_environment
from bench.report import say

DB_NAME = "bench_blame"
ENV = app_environment(DB_NAME, DJANGO_ALLOWED_HOSTS="testserver")
LINES = 1960
LINE_WIDTH = 49  # plus the newline: 98 KB, held under the 100,000 characters allowed
MOST_LINES = 1996


def line(rng: random.Random, n: int) -> str:
    words = ["refund", "customer", "order", "within", "policy", "escalate", "kindly", "the"]
    text = f"{n:05d} " + " ".join(rng.choice(words) for _ in range(10))
    return text[:LINE_WIDTH].ljust(LINE_WIDTH, ".")


def build(revisions: int, seed: int):
    from agents import services
    from agents.models import Organization, OrganizationMembership, Project
    from publishing.services import publish_agent
    from tests.factories import AgentFactory, UserFactory

    rng = random.Random(seed)
    organization = Organization.objects.create(name="Bench blame")
    project = Project.objects.create(organization=organization, name="Blame")
    owner = UserFactory(username="blame-owner")
    OrganizationMembership.objects.create(
        organization=organization, user=owner, role=OrganizationMembership.Role.ADMIN
    )
    people = [owner] + [UserFactory(username=f"blame-editor-{n}") for n in (1, 2)]
    for user in people[1:]:
        services.add_organization_member(organization=organization, user=user)
    agent = AgentFactory(project=project, user=owner, name="Long instructions")
    for user in people[1:]:
        services.grant_permission(
            agent=agent, acting_user=owner, target_user_id=user.pk, role="editor"
        )
    lines = [line(rng, n) for n in range(LINES)]
    instruction = services.add_instruction(
        agent=agent, acting_user=owner, title="Handbook", content="\n".join(lines)
    )
    counter = LINES
    started = time.perf_counter()
    for revision in range(revisions):
        at = rng.randrange(len(lines))
        kind = rng.choice(["replace", "insert", "delete"])
        if kind == "insert" and len(lines) + 3 > MOST_LINES:
            kind = "delete"
        count = rng.randint(1, 3)
        fresh = [line(rng, counter + k) for k in range(count)]
        counter += count
        if kind == "replace":
            lines[at : at + count] = fresh
        elif kind == "insert":
            lines[at:at] = fresh
        elif len(lines) > LINES // 2:
            del lines[at : at + count]
        services.update_instruction(
            agent=agent,
            acting_user=people[revision % len(people)],
            instruction_id=instruction.pk,
            content="\n".join(lines),
        )
        if revision % 50 == 49:
            publish_agent(agent=agent, acting_user=owner)
    size = len("\n".join(lines))
    say(
        f"{revisions} edits of a {size / 1000:.0f} KB instruction "
        f"({len(lines)} lines) in {time.perf_counter() - started:.0f} s"
    )
    return agent, instruction, owner


def measure(agent, instruction, owner, rounds: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from agents.models import Instruction
    from configuration.blame import blame
    from publishing.blame import instruction_blame

    took, counts = [], set()
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            result = instruction_blame(agent=agent, instruction_id=instruction.pk)
            took.append((time.perf_counter() - start) * 1000)
        counts.add(len(captured))
    authors = {line.origin.username for line in result.lines}
    say(
        f"instruction_blame: {len(result.lines)} lines, {len(result.runs)} runs, "
        f"{len(authors)} authors"
    )
    print(
        f"  queries {'/'.join(map(str, sorted(counts)))}, median {statistics.median(took):.0f} ms"
    )

    versions = [
        (r.content, r.history_id)
        for r in Instruction.history.filter(id=instruction.pk).order_by("history_id")
    ]
    took = []
    for _ in range(rounds):
        start = time.perf_counter()
        blame(versions)
        took.append((time.perf_counter() - start) * 1000)
    say(f"configuration.blame alone over {len(versions)} versions, in memory:")
    print(f"  median {statistics.median(took):.0f} ms")

    client = APIClient()
    client.force_authenticate(owner)
    path = f"/api/v2/agents/{agent.pk}/instructions/{instruction.pk}/blame"
    took, sizes = [], set()
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path)
        took.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        sizes.add(len(response.content))
    say(f"GET {path} (test client, JSON included):")
    print(f"  median {statistics.median(took):.0f} ms, {max(sizes) / 1000:.0f} KB of JSON")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--revisions", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    start_on_fresh_database(DB_NAME, ENV)
    agent, instruction, owner = build(args.revisions, args.seed)
    measure(agent, instruction, owner, args.rounds)
    say(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
