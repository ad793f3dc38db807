"""``readiness`` and a publish under a policy cost a fixed number of queries, whatever the
number of verdicts, check results, authors or the size of the configuration."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents import services as agent_services
from agents.snapshot import staging_snapshot
from publishing.services import publish_agent
from reviews.selectors import authors_since_publish, readiness
from tests.reviews.scenario import approve, check, edit, fresh, person, set_policy, state_of

pytestmark = pytest.mark.django_db


def build(agent, owner, *, verdicts=1, checks=1, instructions=1, authors=1):
    """A pending change of ``agent`` with that many of each, under a policy that reads them."""
    set_policy(agent, owner, required_approvals=1, required_checks=["check-0"])
    for n in range(instructions):
        agent_services.add_instruction(
            agent=fresh(agent), acting_user=owner, title=f"Step {n}", content="x" * 500
        )
    for n in range(authors):
        edit(agent, person(agent, f"author-{n}", "editor"), name=f"Edit {n}")
    editor = person(agent, "ci", "editor")
    reviewers = [person(agent, f"reviewer-{n}", "publisher") for n in range(verdicts)]
    for n, reviewer in enumerate(reviewers):
        if n % 2:
            approve(agent, reviewer, "changes_requested")  # then changed their mind:
        approve(agent, reviewer)
    for n in range(checks):
        check(agent, editor, f"check-{n}", "pending")
        check(agent, editor, f"check-{n}", "success")
    return agent


def readiness_queries(agent) -> int:
    agent = fresh(agent)
    fingerprint = state_of(agent)
    staging = staging_snapshot(agent)
    with CaptureQueriesContext(connection) as queries:
        state = readiness(agent, fingerprint=fingerprint, staging=staging)
    assert state.verdicts and state.checks and state.authors  # the facts were there to read
    return len(queries)


def publish_queries(agent, user) -> int:
    agent = fresh(agent)
    with CaptureQueriesContext(connection) as queries:
        record = publish_agent(agent=agent, acting_user=user)
    assert record.gate["approvals"]
    return len(queries)


# One of each, against many of one kind: the query count must not move.
MANY = pytest.mark.parametrize(
    "many",
    [{"verdicts": 10}, {"checks": 10}, {"instructions": 40}, {"authors": 10}],
    ids=lambda many: next(iter(many)),
)


def one_and_many(project, many, queries_of) -> list[int]:
    """``queries_of(agent, owner)`` on an agent built with one of each, then on one built
    with ``many``."""
    from tests import factories

    counts = []
    for label, sizes in (("one", {}), ("many", many)):
        owner = factories.UserFactory(username=f"{label}-owner")
        agent = factories.AgentFactory(project=project, user=owner, name=label)
        build(agent, owner, **sizes)
        counts.append(queries_of(agent, owner))
    return counts


@MANY
def test_readiness_costs_the_same_for_one_or_many(many, project):
    counts = one_and_many(project, many, lambda agent, _owner: readiness_queries(agent))
    assert counts[0] == counts[1], counts


@MANY
def test_a_publish_under_a_policy_costs_the_same_for_one_or_many(many, project):
    counts = one_and_many(project, many, publish_queries)
    assert counts[0] == counts[1], counts


def test_readiness_costs_the_same_after_a_publish(live, owner, editor, publisher):
    """Once published, the verdicts are read since that publish: no more queries for it."""
    set_policy(live, owner, required_approvals=1, required_checks=["eval"])
    edit(live, editor)
    approve(live, publisher)
    check(live, editor, "eval", "success")
    before_publish = readiness_queries(live)
    publish_agent(agent=fresh(live), acting_user=publisher)
    edit(live, editor, name="Next")
    approve(live, publisher)
    check(live, editor, "eval", "success")
    assert readiness_queries(live) == before_publish


def test_the_authors_are_read_one_row_each_not_one_row_per_edit(agent, owner, editor):
    for n in range(6):
        edit(agent, owner if n % 2 else editor, name=f"Edit {n}")
    with CaptureQueriesContext(connection) as queries:
        authors = authors_since_publish(fresh(agent))
    [sql] = [q["sql"] for q in queries.captured_queries if "historicalstaging" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    assert sorted(a.username for a in authors) == ["editor", "owner"]
    assert len(rows) == 2
