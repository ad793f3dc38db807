"""Who is behind a pending publish: the cost of ``publishing.authors.attribute`` per publish.

Run: ``.venv/bin/python bench/authors.py``.

On PostgreSQL (database ``bench_authors`` on ``BENCH_PG``, dropped and re-created each run) it
builds an agent with something in every section, publishes it, then ``--rounds`` times
(default 40) changes one part and publishes, for three kinds of change: the description,
one instruction's content and one tool action's config (each has one Staging model's
history behind it). Per kind, the median of:

* one edit and its publish (``update_*`` then ``publish_agent``), in process;
* ``attribute`` alone over the same pending change, with its queries.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.database import start_on_fresh_database
from bench.environment import app_environment
from bench.report import say

DB_NAME = "bench_authors"
ENV = app_environment(DB_NAME)


def build():
    from agents import services
    from agents.models import Organization, OrganizationMembership, Project
    from publishing.services import publish_agent
    from tests.factories import (
        AgentFactory,
        CorpusFactory,
        GuardrailFactory,
        ToolFactory,
        UserFactory,
    )

    organization = Organization.objects.create(name="Bench authors")
    project = Project.objects.create(organization=organization, name="Authors")
    owner = UserFactory(username="authors-owner")
    OrganizationMembership.objects.create(
        organization=organization, user=owner, role=OrganizationMembership.Role.ADMIN
    )
    agent = AgentFactory(project=project, user=owner, name="Every section")
    for n in range(5):
        services.add_instruction(
            agent=agent, acting_user=owner, title=f"Part {n}", content=f"Say {n}."
        )
    corpus = CorpusFactory(project=project)
    services.connect_corpora(agent=agent, acting_user=owner, corpus_ids=[corpus.pk])
    tool = ToolFactory(organization=organization, actions=["search", "create"])
    services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    guardrail = GuardrailFactory(organization=organization)
    services.set_guardrail(agent=agent, acting_user=owner, guardrail_id=guardrail.pk, enabled=True)
    publish_agent(agent=agent, acting_user=owner)
    return agent, owner, tool


def changes(agent, owner, tool):
    """Per kind of change, a function making the ``n``-th such change."""
    from agents import services

    instruction = agent.instructions.order_by("position").first()
    action = tool.actions.order_by("name").first()
    return {
        "description": lambda n: services.update_agent_settings(
            agent=agent, acting_user=owner, description=f"Round {n}"
        ),
        "instruction": lambda n: services.update_instruction(
            agent=agent, acting_user=owner, instruction_id=instruction.pk, content=f"Round {n}."
        ),
        "action config": lambda n: services.update_action(
            agent=agent,
            acting_user=owner,
            tool_id=tool.pk,
            action_id=action.pk,
            config={"round": n},
        ),
    }


def measure(agent, owner, change, rounds: int) -> tuple[float, float, int]:
    """Median ms of an edit and its publish, median ms and queries of ``attribute`` alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from publishing.authors import attribute
    from publishing.selectors import production_row, review_staging
    from publishing.services import publish_agent

    cycles, alone, queries = [], [], 0
    for n in range(rounds):
        started = time.perf_counter()
        change(n)
        edit = time.perf_counter() - started
        review = review_staging(agent)
        last_publish = production_row(agent)[2]
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            attribute(agent.pk, last_publish, review.diff.changes)
            alone.append(time.perf_counter() - started)
        queries = len(captured)
        started = time.perf_counter()
        publish_agent(agent=agent, acting_user=owner)
        cycles.append(edit + time.perf_counter() - started)
    return statistics.median(cycles) * 1000, statistics.median(alone) * 1000, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    start_on_fresh_database(DB_NAME, ENV)
    agent, owner, tool = build()
    say(f"{'change':<14} {'edit + publish':>15} {'attribute':>10} {'queries':>8}")
    for kind, change in changes(agent, owner, tool).items():
        cycle, alone, queries = measure(agent, owner, change, args.rounds)
        say(f"{kind:<14} {cycle:>12.1f} ms {alone:>7.1f} ms {queries:>8}")


if __name__ == "__main__":
    main()
