"""The database the bench measures: dropped, re-created, migrated and filled on every run.

A fresh database each time keeps one run's publishes and cache keys out of the next run's
figures.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from bench.environment import DB_NAME, ENV, PG, ROOT
from bench.report import say


def reset_database(name: str = DB_NAME) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def migrate(env: dict[str, str] | None = None) -> None:
    """Migrate the database ``env`` names (the main bench's, by default)."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, **(ENV if env is None else env)},
        check=True,
    )


def start_on_fresh_database(name: str, env: dict[str, str]) -> None:
    """Set Django up in this process on a new, migrated database ``name`` (``env`` names it):
    how each standalone bench starts, so no figure carries an earlier run's rows."""
    os.environ.update(env)
    say(f"resetting database {name!r}; load average {os.getloadavg()[0]:.2f}")
    reset_database(name)
    migrate(env)
    import django

    django.setup()


@dataclass
class Data:
    """The agents, users and tokens the measurements use, by primary key where possible."""

    small: int
    large: int
    history: int
    large_owner: Any
    small_owner: Any
    viewer_token: str
    owner_tokens: dict[str, str]


def build(records: int) -> Data:
    """A small and a large agent, each published twice with an unpublished edit on top, and
    an agent with ``records`` publishes; one viewer may read both of the first two."""
    # Django models import only after django.setup(), which the entry point calls.
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
        publish_agent(agent=agent, acting_user=owner, notes="First")
        edit_one_instruction(agent, owner, "Second")
        publish_agent(agent=agent, acting_user=owner, notes="Second")
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
    """Fresh planner statistics, so the bulk-loaded tables are planned as a settled database's."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    # VACUUM refuses to run inside a transaction block.
    previous = raw.autocommit
    raw.autocommit = True
    try:
        raw.execute("VACUUM ANALYZE")
    finally:
        raw.autocommit = previous
