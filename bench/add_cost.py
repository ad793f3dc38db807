"""What one instruction add costs as an agent grows: ``.venv/bin/python bench/add_cost.py``.

Every staging edit re-reads the whole Staging snapshot and hashes its canonical JSON: the
stored fingerprint is a hash of all of it, and the size bound (``MAX_CONFIGURATION_BYTES``)
is measured on the same serialisation. So an add is a constant number of queries, but its
time grows with the configuration; ``MAX_INSTRUCTIONS_PER_AGENT`` bounds that. This prints
the queries and the median milliseconds per add at 10, 100 and 200 instructions (2 KB of
content each), on the database ``DATABASE_URL`` names (default: a throwaway SQLite file).

Options: ``--adds`` per size (default 20).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ejento_staging.settings")
os.environ.setdefault("DJANGO_TESTING", "1")
_TMP = tempfile.mkdtemp(prefix="add-cost-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_TMP}/bench.sqlite3")

CONTENT = "Answer politely, cite the source and keep it short. " * 40  # ~2 KB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adds", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from agents import services
    from agents.models import Instruction, Organization, OrganizationMembership, Project
    from agents.permissions import Role, get_agent_for
    from bench.timing import QuerySamples

    call_command("migrate", verbosity=0)
    tag = secrets.token_hex(4)  # a re-run on the same database makes its own rows
    user = get_user_model().objects.create_user(f"bench-adder-{tag}", password="x")
    organization = Organization.objects.create(name=f"Bench adds {tag}")
    project = Project.objects.create(organization=organization, name="Adds")
    # Agents are made, and owned, by members of their organization only.
    OrganizationMembership.objects.create(organization=organization, user=user)
    print(f"database: {connection.vendor}; {args.adds} adds per size, ~2 KB each")
    print("instructions  queries  median ms/add  max ms/add")
    for size in (10, 100, 200):
        created = services.create_agent(project=project, acting_user=user, name=f"Agent {size}")
        # Loaded as a request loads it, so the add's own role check reuses the role found here.
        agent, _role = get_agent_for(user, created.pk, Role.EDITOR)
        # size - 1 rows, so each timed add makes ``size``; it is deleted again (untimed).
        Instruction.objects.bulk_create(
            Instruction(agent=agent, title=f"Rule {i}", content=CONTENT, position=i)
            for i in range(size - 1)
        )
        samples = QuerySamples()
        for n in range(args.adds):
            made = samples.measure(
                size,
                lambda n=n, agent=agent: services.add_instruction(
                    agent=agent, acting_user=user, title=f"New {n}", content=CONTENT
                ),
            )
            services.delete_instruction(agent=agent, acting_user=user, instruction_id=made.pk)
        most_queries, slowest = max(samples.queries[size]), max(samples.times[size])
        print(f"{size:>12}  {most_queries:>7}  {samples.median(size):>13.1f}  {slowest:>10.1f}")


if __name__ == "__main__":
    main()
