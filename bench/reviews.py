"""Reviews and checks: what the publish policy adds to a publish and to the review's reads.

Run: ``.venv/bin/python bench/reviews.py``.

On PostgreSQL (database ``bench_reviews`` on ``BENCH_PG``, dropped and re-created each run) it
measures, for a small and a large agent (``bench.data.SMALL``/``LARGE``):

* ``publish_agent`` (one instruction changed by an editor): queries and median milliseconds
  with no policy; with "2 approvals and 2 required checks", met; and the same with a long
  review history (20 verdicts and 40 check results on earlier states) - the query count
  must not move with it;
* ``readiness`` of the current state (what the review page and ``/readiness`` read);
* the built-in checks alone (pure Python) on each agent, and on a configuration at the size
  limit (``MAX_CONFIGURATION_BYTES``, 2 MB of instructions).

Options: ``--rounds`` publishes per case (default 10).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.database import start_on_fresh_database
from bench.environment import app_environment
from bench.report import say
from bench.timing import QuerySamples, median_ms

DB_NAME = "bench_reviews"
ENV = app_environment(DB_NAME)
CHECKS = ["eval-a", "eval-b"]


def build():
    """An organization with a small and a large agent, published once; an admin who
    publishes, an editor who edits and two publishers who review."""
    from agents import services
    from agents.models import Organization, OrganizationMembership, Project
    from bench.data import LARGE, SMALL, build_agent
    from publishing.services import publish_agent
    from tests.factories import UserFactory

    organization = Organization.objects.create(name="Bench reviews")
    project = Project.objects.create(organization=organization, name="Reviews")
    admin = UserFactory(username="reviews-admin")
    OrganizationMembership.objects.create(
        organization=organization, user=admin, role=OrganizationMembership.Role.ADMIN
    )
    people = {name: UserFactory(username=name) for name in ("author", "reviewer-1", "reviewer-2")}
    for user in people.values():
        services.add_organization_member(organization=organization, user=user)
    agents = {}
    for size, shape in (("small", SMALL), ("large", LARGE)):
        agent = build_agent(project=project, user=admin, size=shape, name=size.capitalize())
        publish_agent(agent=agent, acting_user=admin, notes="First")
        for name, role in (
            ("author", "editor"),
            ("reviewer-1", "publisher"),
            ("reviewer-2", "publisher"),
        ):
            services.grant_permission(
                agent=agent, acting_user=admin, target_user_id=people[name].pk, role=role
            )
        agents[size] = agent.pk
    return admin, people, agents


def _agent(agent_id: int):
    from agents.models import Agent

    return Agent.objects.select_related("project").get(pk=agent_id)


def _review(agent_id: int, people: dict, *, verdict: str, checks: list[str], state: str) -> None:
    """Both reviewers give ``verdict`` on Staging as it stands, and the author reports each of
    ``checks`` in ``state`` on it."""
    from reviews import services
    from reviews.selectors import review_state

    fingerprint = review_state(_agent(agent_id)).fingerprint
    for name in ("reviewer-1", "reviewer-2"):
        services.give_verdict(
            agent=_agent(agent_id),
            acting_user=people[name],
            verdict=verdict,
            expected_fingerprint=fingerprint,
        )
    for check in checks:
        services.post_check(
            agent=_agent(agent_id),
            acting_user=people["author"],
            fingerprint=fingerprint,
            name=check,
            state=state,
        )


def _approve_and_pass(agent_id: int, people: dict) -> None:
    _review(agent_id, people, verdict="approved", checks=CHECKS, state="success")


def _add_history(agent_id: int, people: dict) -> None:
    """20 verdicts and 40 check results on earlier states of Staging."""
    from bench.data import edit_one_instruction
    from reviews import services

    for n in range(10):
        edit_one_instruction(_agent(agent_id), people["author"], f"History {n}")
        services.request_review(agent=_agent(agent_id), acting_user=people["author"])
        _review(agent_id, people, verdict="changes_requested", checks=CHECKS * 2, state="failure")


def publish_cost(admin, people: dict, agents: dict[str, int], rounds: int) -> None:
    from bench.data import edit_one_instruction
    from publishing.services import publish_agent
    from reviews.services import set_policy

    cases = ("no policy", "policy met", "policy met, long history")
    samples = QuerySamples()
    for case in cases:
        for size, agent_id in agents.items():
            if case == "policy met":
                set_policy(
                    agent=_agent(agent_id),
                    acting_user=admin,
                    values={"required_approvals": 2, "required_checks": CHECKS},
                )
            if case == "policy met, long history":
                _add_history(agent_id, people)
            for turn in range(rounds):
                edit_one_instruction(_agent(agent_id), people["author"], f"{case} {turn}")
                if case != "no policy":
                    _approve_and_pass(agent_id, people)
                agent = _agent(agent_id)
                samples.measure(
                    (case, size), lambda a=agent: publish_agent(agent=a, acting_user=admin)
                )
    say(f"publish_agent, one instruction changed, median of {rounds}:")
    print("case                      agent  queries  median ms")
    for case in cases:
        for size in agents:
            counts, median = samples.query_counts((case, size)), samples.median((case, size))
            print(f"{case:<24}  {size:<5}  {counts:>7}  {median:>9.1f}")


def readiness_cost(people: dict, agents: dict[str, int], rounds: int) -> None:
    from bench.data import edit_one_instruction

    say(f"review_state + readiness of the current state, median of {rounds}:")
    print("agent  queries  median ms")
    for size, agent_id in agents.items():
        edit_one_instruction(_agent(agent_id), people["author"], "Readiness")
        _approve_and_pass(agent_id, people)
        samples = QuerySamples()
        for _ in range(rounds):
            agent = _agent(agent_id)
            samples.measure(size, lambda a=agent: _readiness_now(a))
        print(f"{size:<5}  {samples.query_counts(size):>7}  {samples.median(size):>9.1f}")


def _readiness_now(agent):
    """What the review page and ``/readiness`` read: the state under review, and its readiness."""
    from reviews.selectors import readiness, review_state

    state = review_state(agent)
    return readiness(agent, fingerprint=state.fingerprint, staging=state.staging)


def builtin_cost(agents: dict[str, int], rounds: int) -> None:
    from django.conf import settings

    from agents.snapshot import staging_snapshot
    from bench.data import instruction_text
    from configuration.checks import run_builtin_checks

    snapshots = {size: staging_snapshot(_agent(agent_id)) for size, agent_id in agents.items()}
    limit = dict(snapshots["large"])
    instructions, size, n = [], 0, 0
    while size < settings.MAX_CONFIGURATION_BYTES:
        text = " ".join(instruction_text(n + k) for k in range(20))
        instructions.append({"id": n, "title": f"Rule {n}", "content": text, "position": n})
        size += len(text)
        n += 1
    limit["instructions"] = instructions
    snapshots[f"at the limit ({size / 1e6:.1f} MB)"] = limit
    say(f"run_builtin_checks alone, median of {rounds}:")
    print("configuration                   ms")
    for name, snapshot in snapshots.items():
        took = median_ms(lambda s=snapshot: run_builtin_checks(s), rounds)
        print(f"{name:<28}  {took:>6.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    start_on_fresh_database(DB_NAME, ENV)
    say("building a small and a large agent")
    admin, people, agents = build()
    publish_cost(admin, people, agents, args.rounds)
    readiness_cost(people, agents, args.rounds)
    builtin_cost(agents, args.rounds)
    say(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
