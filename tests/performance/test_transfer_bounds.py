"""Export, import and copy cost the same number of queries for a small and a large agent
(``scenarios``: one of everything against 200 instructions, 300 corpora, 60 tools x 5
actions and 20 guardrails).

Import and copy into a fresh agent insert every row: on PostgreSQL only, as SQLite allows
999 parameters per statement and Django splits the bulk inserts there (see
``test_query_bounds.test_restore_of_the_whole_configuration``).
"""

from __future__ import annotations

import pytest
from django.db import connection

from agents import services
from agents.models import Agent
from agents.permissions import Role, require_role
from agents.selectors_transfer import PRODUCTION, STAGING, Source, export_document
from tests import factories
from tests.performance.conftest import scenarios_built_once

pytestmark = pytest.mark.django_db
scenarios = scenarios_built_once()


# Pinned bounds, one per operation. Raising one needs a reason in the commit message.
EXPORT_STAGING = 10
EXPORT_PRODUCTION = 4
EXPORT_PUBLISH = 5
# The lock, four catalogue lookups, Staging before, the edit (its reads, one write and one
# history insert per kind of row, the fingerprint) and Staging after; a dry run adds its
# savepoint and rollback. On PostgreSQL, four more: the edit key-share locks the catalogue
# items of each kind of row it creates (agents.staging.hold_catalogue_items).
IMPORT = 52
IMPORT_DRY_RUN = 53
COPY = 49


def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite splits bulk inserts at 999 parameters")


def _fresh(scenario):
    agent = factories.AgentFactory(
        project=scenario.agent.project, user=scenario.user, name=f"{scenario.agent} copy"
    )
    agent = Agent.objects.select_related("project__organization", "staging").get(pk=agent.pk)
    require_role(scenario.user, agent, Role.EDITOR)
    return agent


@pytest.mark.parametrize(
    ("source", "bound"),
    [("staging", EXPORT_STAGING), ("production", EXPORT_PRODUCTION), ("publish", EXPORT_PUBLISH)],
)
def test_export(scenarios, same_bound, source, bound):
    def export(s):
        chosen = Source("publish", s.first.change_track_id) if source == "publish" else None
        document = export_document(s.agent, chosen or Source(source))
        assert document["instructions"]

    for scenario in scenarios.values():
        scenario.agent = Agent.objects.select_related("project", "production").get(
            pk=scenario.agent.pk
        )
    same_bound(bound, export, scenarios)


@pytest.mark.parametrize(("dry_run", "bound"), [(False, IMPORT), (True, IMPORT_DRY_RUN)])
def test_import(scenarios, same_bound, dry_run, bound):
    postgresql_only()
    plans = {}
    for scenario in scenarios.values():
        plans[scenario.agent.pk] = (
            _fresh(scenario),
            export_document(scenario.agent, Source(STAGING)),
        )

    def run(s):
        target, document = plans[s.agent.pk]
        result = services.import_document(
            agent=target, acting_user=s.user, document=document, dry_run=dry_run
        )
        assert result.diff.has_changes

    same_bound(bound, run, scenarios)


def test_copy(scenarios, same_bound):
    postgresql_only()
    targets = {}
    for scenario in scenarios.values():
        require_role(scenario.user, scenario.agent, Role.VIEWER)
        targets[scenario.agent.pk] = _fresh(scenario)

    def run(s):
        result = services.copy_configuration(
            agent=targets[s.agent.pk],
            acting_user=s.user,
            source_agent=s.agent,
            source=Source(PRODUCTION),
        )
        assert result.diff.has_changes

    same_bound(COPY, run, scenarios)
