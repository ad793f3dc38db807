"""The unit of work behind every Staging edit: lock, bulk write, history, revision."""

import pytest

from agents import services
from agents.models import Instruction, StagingConfiguration
from agents.snapshot import staging_snapshot
from agents.staging import staging_edit, staging_rows_at
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_edit_bumps_the_revision_and_records_one_checkpoint(agent, owner):
    before = agent.staging.revision
    services.update_agent_settings(agent=agent, acting_user=owner, name="Renamed")
    staging = StagingConfiguration.objects.get(agent=agent)
    assert staging.revision == before + 1
    checkpoint = StagingConfiguration.history.filter(agent_id=agent.pk).latest("history_id")
    assert checkpoint.revision == before + 1
    assert (checkpoint.history_type, checkpoint.history_user) == ("~", owner)
    assert checkpoint.history_change_reason.startswith("Settings changed")
    assert checkpoint.name == "Renamed"


def test_an_edit_that_changes_nothing_writes_nothing(agent, owner):
    revision = agent.staging.revision
    count = StagingConfiguration.history.count()
    services.update_agent_settings(agent=agent, acting_user=owner, name=agent.staging.name)
    assert StagingConfiguration.objects.get(agent=agent).revision == revision
    assert StagingConfiguration.history.count() == count


def test_child_history_rows_carry_the_revision_and_the_user(agent, owner):
    instruction = services.add_instruction(agent=agent, acting_user=owner, title="T", content="C")
    record = Instruction.history.get(id=instruction.pk)
    assert record.history_type == "+"
    assert record.history_user == owner
    assert record.staging_revision == StagingConfiguration.objects.get(agent=agent).revision


def test_a_failed_edit_leaves_rows_history_and_revision_untouched(agent, owner):
    services.add_instruction(agent=agent, acting_user=owner, title="Keep", content="me")
    revision = StagingConfiguration.objects.get(agent=agent).revision
    history = Instruction.history.count()
    with (
        pytest.raises(RuntimeError),
        staging_edit(agent, acting_user=owner, reason="boom") as change,
    ):
        change.create(Instruction(agent_id=agent.pk, title="New", content="x", position=1))
        change.set_settings(name="Half applied")
        raise RuntimeError("fails mid-way")
    assert StagingConfiguration.objects.get(agent=agent).revision == revision
    assert StagingConfiguration.objects.get(agent=agent).name != "Half applied"
    assert list(Instruction.objects.filter(agent=agent).values_list("title", flat=True)) == ["Keep"]
    assert Instruction.history.count() == history


def test_deletes_are_recorded_before_the_row_goes(agent, owner):
    instruction = services.add_instruction(
        agent=agent, acting_user=owner, title="Gone", content="soon"
    )
    services.delete_instruction(agent=agent, acting_user=owner, instruction_id=instruction.pk)
    assert not Instruction.objects.filter(pk=instruction.pk).exists()
    deletion = Instruction.history.filter(id=instruction.pk).latest("history_id")
    assert deletion.history_type == "-"
    assert deletion.title == "Gone"


def test_rows_at_a_revision_rebuild_that_checkpoint_exactly(agent, owner):
    first = services.add_instruction(agent=agent, acting_user=owner, title="One", content="1")
    at_one = StagingConfiguration.objects.get(agent=agent).revision
    expected = staging_snapshot(agent)
    services.add_instruction(agent=agent, acting_user=owner, title="Two", content="2")
    services.update_instruction(
        agent=agent, acting_user=owner, instruction_id=first.pk, content="one!"
    )
    services.update_agent_settings(agent=agent, acting_user=owner, name="Later name")

    rows = staging_rows_at(agent.pk, at_one)
    assert rows["staging"].name == expected["settings"]["name"]
    assert [(i.title, i.content) for i in rows["Instruction"]] == [("One", "1")]


def test_rows_at_a_revision_leave_out_rows_deleted_by_then(agent, owner):
    gone = services.add_instruction(agent=agent, acting_user=owner, title="Gone", content="x")
    services.delete_instruction(agent=agent, acting_user=owner, instruction_id=gone.pk)
    revision = StagingConfiguration.objects.get(agent=agent).revision
    assert staging_rows_at(agent.pk, revision)["Instruction"] == []


def test_rows_at_a_revision_hold_only_that_agents_rows(agent, owner, project):
    twin = factories.AgentFactory(project=project, user=owner, name="Twin")
    services.add_instruction(agent=twin, acting_user=owner, title="Theirs", content="x")
    mine = services.add_instruction(agent=agent, acting_user=owner, title="Mine", content="x")
    revision = StagingConfiguration.objects.get(agent=agent).revision
    assert [r.id for r in staging_rows_at(agent.pk, revision)["Instruction"]] == [mine.pk]


def test_rows_at_an_unknown_revision_raise(agent):
    with pytest.raises(StagingConfiguration.DoesNotExist):
        staging_rows_at(agent.pk, 999)


def test_a_large_restore_costs_the_same_queries_as_a_small_one(
    project, owner, django_assert_max_num_queries
):
    """apply_snapshot_to_staging writes with bulk operations: cost does not grow with size."""

    def restore_cost(n: int) -> int:
        agent = factories.AgentFactory(project=project, user=owner)
        for i in range(n):
            services.add_instruction(agent=agent, acting_user=owner, title=f"T{i}", content="c")
        corpora = [factories.CorpusFactory(project=project) for _ in range(n)]
        services.connect_corpora(agent=agent, acting_user=owner, corpus_ids=[c.pk for c in corpora])
        snapshot = staging_snapshot(agent)
        emptied = {
            **snapshot,
            "instructions": [],
            "knowledge_sources": {"corpora": [], "sharepoint": None},
        }
        services.apply_snapshot_to_staging(
            agent=agent, acting_user=owner, snapshot=emptied, reason="x"
        )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            services.apply_snapshot_to_staging(
                agent=agent, acting_user=owner, snapshot=snapshot, reason="restore"
            )
        assert staging_snapshot(agent) == snapshot
        return len(ctx.captured_queries)

    assert restore_cost(2) == restore_cost(40)


def test_stored_fingerprint_follows_every_kind_of_edit(agent, owner, project):
    from agents.selectors import has_unpublished_changes
    from configuration.snapshot import fingerprint
    from publishing.services import discard_staging, publish_agent

    def stored() -> str:
        return StagingConfiguration.objects.get(agent=agent).fingerprint

    assert stored() == fingerprint(staging_snapshot(agent))
    corpus = factories.CorpusFactory(project=project)
    tool = factories.ToolFactory(organization=project.organization)
    guardrail = factories.GuardrailFactory(organization=project.organization)
    edits = [
        lambda: services.update_agent_settings(agent=agent, acting_user=owner, description="d2"),
        lambda: services.add_instruction(agent=agent, acting_user=owner, title="T", content="C"),
        lambda: services.connect_corpora(agent=agent, acting_user=owner, corpus_ids=[corpus.pk]),
        lambda: services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk),
        lambda: services.set_guardrail(
            agent=agent, acting_user=owner, guardrail_id=guardrail.pk, enabled=True
        ),
        lambda: services.set_tags(agent=agent, acting_user=owner, tags=["x"]),
    ]
    seen = {stored()}
    for edit in edits:
        edit()
        assert stored() == fingerprint(staging_snapshot(agent))
        seen.add(stored())
    assert len(seen) == len(edits) + 1

    publish_agent(agent=agent, acting_user=owner)
    agent.refresh_from_db()
    assert not has_unpublished_changes(agent)
    services.set_tags(agent=agent, acting_user=owner, tags=["y"])
    agent.refresh_from_db()
    assert has_unpublished_changes(agent)
    discard_staging(agent=agent, acting_user=owner)
    agent.refresh_from_db()
    assert not has_unpublished_changes(agent)
