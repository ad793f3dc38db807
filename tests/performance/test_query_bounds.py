"""Services and selectors cost the same number of queries for a small and a large agent.

Each test runs one operation on both agents of ``scenarios`` under one pinned bound, and
``same_bound`` also requires the two counts to be equal: a cost that grows with the size
of a configuration fails here with both counts in the message.
"""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection

from agents.models import StagingConfiguration
from agents.permissions import Role, require_role
from publishing import selectors
from publishing.services import (
    discard_staging,
    plan_rollback,
    publish_agent,
    restore_checkpoint,
    rollback_agent,
)
from tests.performance.conftest import scenarios_built_once

pytestmark = pytest.mark.django_db
scenarios = scenarios_built_once()


# Pinned bounds, one per operation. Raising one needs a reason in the commit message.
# The publish policy costs four of these, whatever the number of reviews: the policy with the
# last publish's revision, the verdicts since, the check results on the state, and closing
# the open review request (the authors only when someone approved under four eyes). Six more
# name the contributors the record keeps, one per Staging model's history.
# What is restored onto Staging takes today's catalogue definitions (four queries, one per kind
# of catalogue item: ``publishing.definitions``), and a checkpoint is rebuilt with the
# catalogue's history at its time (four more: ``agents.snapshot.catalogue_as_of``).
PUBLISH = 27
REVIEW = 7
PLAN_RESTORE = 11
PLAN_REVERT = 12
ROLLBACK = 34
DISCARD = 33
PUBLISH_RECORDS_PAGE = 2
PUBLISH_RECORD = 1
EDIT_HISTORY_PAGE = 2
CHECKPOINT_SNAPSHOT = 14
CHECKPOINT_DIFF = 30
RESTORE_CHECKPOINT = 41
RESTORE_WHOLE = 45


@pytest.fixture
def checked(scenarios):
    """The scenarios with the role already checked, as the view in front of a service has it.

    A service checks the acting user's role itself, free of queries when the request has
    just checked it; these bounds count the service's own work.
    """
    for scenario in scenarios.values():
        require_role(scenario.user, scenario.agent, Role.PUBLISHER)
    return scenarios


def test_publish(checked, same_bound):
    same_bound(PUBLISH, lambda s: publish_agent(agent=s.agent, acting_user=s.user), checked)


def test_review_staging(scenarios, same_bound):
    def review(s):
        review = selectors.review_staging(s.agent)
        assert review.diff.has_changes
        review.as_dict()

    same_bound(REVIEW, review, scenarios)


def test_plan_restore(scenarios, same_bound):
    def plan(s):
        plan_rollback(agent=s.agent, record=s.first, mode="restore").as_dict()

    same_bound(PLAN_RESTORE, plan, scenarios)


def test_plan_revert(scenarios, same_bound):
    def plan(s):
        plan_rollback(agent=s.agent, record=s.second, mode="revert").as_dict()

    same_bound(PLAN_REVERT, plan, scenarios)


def test_rollback_restore(checked, same_bound):
    def rollback(s):
        rollback_agent(agent=s.agent, acting_user=s.user, record=s.first, mode="restore")

    same_bound(ROLLBACK, rollback, checked)


def test_discard(checked, same_bound):
    same_bound(DISCARD, lambda s: discard_staging(agent=s.agent, acting_user=s.user), checked)


def test_publish_records_page(scenarios, same_bound):
    def page(s):
        records = selectors.publish_records(agent=s.agent)
        current = Paginator(records, 25).page(1)
        # What the list shows of each record, touching the related rows it names.
        shown = [(r.change_track_id, r.previous, r.restored_from) for r in current.object_list]
        assert shown

    same_bound(PUBLISH_RECORDS_PAGE, page, scenarios)


def test_one_publish_record(scenarios, same_bound):
    def one(s):
        record = selectors.get_publish_record(
            agent=s.agent, change_track_id=s.second.change_track_id
        )
        assert (record.snapshot, record.changes, record.previous) != (None, None, None)
        assert record.restored_from is None

    same_bound(PUBLISH_RECORD, one, scenarios)


def test_edit_history_page(scenarios, same_bound):
    def page(s):
        current = Paginator(selectors.edit_history(s.agent), 25).page(1)
        shown = [(c.history_user, c.history_change_reason) for c in current.object_list]
        assert shown

    same_bound(EDIT_HISTORY_PAGE, page, scenarios)


def _latest_revision(agent) -> int:
    return StagingConfiguration.objects.get(agent_id=agent.pk).revision


def test_checkpoint_snapshot(scenarios, same_bound):
    revisions = {size: _latest_revision(s.agent) - 1 for size, s in scenarios.items()}

    def snapshot(s):
        selectors.checkpoint_snapshot(agent_id=s.agent.pk, revision=revisions_by_agent[s.agent.pk])

    revisions_by_agent = {s.agent.pk: revisions[size] for size, s in scenarios.items()}
    same_bound(CHECKPOINT_SNAPSHOT, snapshot, scenarios)


def test_checkpoint_diff(scenarios, same_bound):
    def diff(s):
        checkpoint = selectors.edit_history(s.agent).first()
        selectors.checkpoint_diff(agent=s.agent, checkpoint=checkpoint)

    same_bound(CHECKPOINT_DIFF, diff, scenarios)


def test_restore_checkpoint(checked, same_bound):
    def restore(s):
        history_id = selectors.edit_history(s.agent)[1].history_id
        restore_checkpoint(agent=s.agent, acting_user=s.user, history_id=history_id)

    same_bound(RESTORE_CHECKPOINT, restore, checked)


def test_restore_of_the_whole_configuration(checked, same_bound):
    """Back to the empty agent: every child row is deleted, one statement per kind.

    PostgreSQL only: SQLite allows 999 parameters per statement, so Django splits the bulk
    insert of 300 history rows there, and the count grows with the change (by design of
    SQLite, not of the code).
    """
    if connection.vendor != "postgresql":
        pytest.skip("SQLite splits bulk inserts at 999 parameters")

    def restore(s):
        first = selectors.edit_history(s.agent).order_by("revision").first()
        restore_checkpoint(agent=s.agent, acting_user=s.user, history_id=first.history_id)

    same_bound(RESTORE_WHOLE, restore, checked)


ADD_INSTRUCTION = 14


def test_adding_an_instruction_costs_the_same_whatever_the_count(
    project, django_assert_max_num_queries
):
    """An append reads no other instruction row and writes only the new one (finding 12)."""
    from agents import services
    from agents.models import Instruction
    from agents.permissions import Role, get_agent_for
    from tests import factories

    counts = {}
    for size in (5, 150):
        user = factories.UserFactory(username=f"adder-{size}")
        agent = factories.AgentFactory(project=project, user=user, name=f"Agent {size}")
        Instruction.objects.bulk_create(
            Instruction(agent=agent, title=f"t{i}", content="c", position=i) for i in range(size)
        )
        # Loaded as a request loads it: the role checked there is the one the service's own
        # check reuses, so the bound counts the add alone.
        agent, _role = get_agent_for(user, agent.pk, Role.EDITOR)
        with django_assert_max_num_queries(ADD_INSTRUCTION) as captured:
            services.add_instruction(agent=agent, acting_user=user, title="New", content="Last")
        counts[size] = len(captured)
        # The instructions' rows are read once, by the snapshot the fingerprint is taken of;
        # the add itself only counts them (it used to load them all under the lock too).
        reads = [q["sql"] for q in captured if q["sql"].startswith("SELECT")]
        assert sum('"agents_instruction"."content"' in sql for sql in reads) == 1, reads
    assert counts[5] == counts[150], f"queries grow with the number of instructions: {counts}"


# An edit on an older revision reads, besides the edit itself, the settings row as the editor
# saw it and the history records of the rows it touches: a fixed number whatever the size.
STALE_SETTINGS_EDIT = 13
STALE_INSTRUCTION_EDIT = 18


def _on_an_older_revision(s, edit):
    from agents.edit_base import based_on

    # The scenario's last edit (an instruction, by someone else) came after this base.
    with based_on(s.agent.staging.revision - 1):
        edit()


def test_a_settings_edit_on_an_older_revision(checked, same_bound):
    from agents.services import update_agent_settings

    def edit(s):
        settings = s.agent.staging
        _on_an_older_revision(
            s,
            lambda: update_agent_settings(
                agent=s.agent,
                acting_user=s.user,
                name=settings.name + " (renamed)",
                description=settings.description,
                model_config={**settings.model_config, "temperature": 0.3},
            ),
        )

    same_bound(STALE_SETTINGS_EDIT, edit, checked)


def test_an_instruction_edit_on_an_older_revision(checked, same_bound):
    from agents.models import Instruction
    from agents.services import update_instruction

    def edit(s):
        # The instruction whose content changed after the base: a new title merges with it.
        first = Instruction.objects.filter(agent_id=s.agent.pk).order_by("position").first()
        _on_an_older_revision(
            s,
            lambda: update_instruction(
                agent=s.agent, acting_user=s.user, instruction_id=first.pk, title="Merged"
            ),
        )

    same_bound(STALE_INSTRUCTION_EDIT, edit, checked)
