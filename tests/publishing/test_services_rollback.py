"""Rollback (restore / revert), discard and checkpoint restore: Staging only, recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from agents import services
from agents.models import Agent, Instruction, StagingConfiguration
from configuration.diff import diff_snapshots
from configuration.snapshot import fingerprint
from publishing.exceptions import NothingToDiscard, NothingToPublish, RevertConflict
from publishing.models import ProductionConfiguration
from publishing.selectors import checkpoint_snapshot, edit_history, review_staging
from publishing.services import (
    discard_staging,
    plan_rollback,
    publish_agent,
    restore_checkpoint,
    rollback_agent,
)
from tests.publishing.conftest import assert_invariants, production_of, staging_of, the_conflict


def newest_checkpoint(agent):
    return edit_history(agent).first()


def checkpoint_count(agent) -> int:
    return StagingConfiguration.history.filter(agent_id=agent.pk).count()


@pytest.fixture
def two_publishes(agent, owner, catalogue):
    """Publish 1: an instruction. Publish 2: a tool and a renamed agent. Returns both."""
    services.add_instruction(agent=agent, acting_user=owner, title="Greet", content="Say hello")
    first = publish_agent(agent=agent, acting_user=owner, notes="first")
    services.enable_tool(agent=agent, acting_user=owner, tool_id=catalogue["tools"][0].pk)
    services.update_agent_settings(agent=agent, acting_user=owner, name="Support bot v2")
    second = publish_agent(agent=agent, acting_user=owner, notes="second")
    return first, second


# --- preview ------------------------------------------------------------------------------


def test_restore_preview_targets_the_published_snapshot_and_writes_nothing(
    agent, owner, two_publishes
):
    first, _second = two_publishes
    before_staging, before_checkpoints = staging_of(agent), checkpoint_count(agent)

    plan = plan_rollback(agent=agent, record=first, mode="restore")

    assert plan.target == first.snapshot
    assert plan.staging_diff == diff_snapshots(before_staging, first.snapshot)
    assert plan.production_diff == diff_snapshots(production_of(agent), first.snapshot)
    assert plan.conflicts == ()
    assert staging_of(agent) == before_staging
    assert checkpoint_count(agent) == before_checkpoints


def test_preview_as_dict_has_the_contract_shape(agent, two_publishes):
    first, _ = two_publishes
    data = plan_rollback(agent=agent, record=first).as_dict()
    assert set(data) == {"change_track_id", "mode", "staging", "production", "conflicts"}
    assert data["change_track_id"] == str(first.change_track_id)
    assert data["mode"] == "restore"
    assert set(data["staging"]) >= {"has_changes", "changes"}
    assert set(data["production"]) >= {"has_changes", "changes"}


def test_preview_as_dict_counts_each_side_of_the_rollback(agent, two_publishes):
    # Clients show these counts ("2 changes to Staging") without reading the change list.
    first, _ = two_publishes
    plan = plan_rollback(agent=agent, record=first)
    data = plan.as_dict()
    assert data["staging"]["counts"] == plan.staging_diff.counts
    assert data["production"]["counts"] == plan.production_diff.counts
    assert sum(data["staging"]["counts"].values()) == len(data["staging"]["changes"]) > 0


def test_preview_of_the_live_publish_shows_no_production_change(agent, two_publishes):
    _, second = two_publishes
    plan = plan_rollback(agent=agent, record=second, mode="restore")
    assert plan.production_diff.has_changes is False
    assert plan.staging_diff.has_changes is False


def test_preview_rejects_an_unknown_mode(agent, two_publishes):
    first, _ = two_publishes
    with pytest.raises(ValidationError) as caught:
        plan_rollback(agent=agent, record=first, mode="undo")
    assert "mode" in caught.value.message_dict


# --- restore ------------------------------------------------------------------------------


def test_restore_makes_staging_the_published_snapshot_and_leaves_production(
    agent, owner, two_publishes
):
    first, second = two_publishes
    production = ProductionConfiguration.objects.values().get(agent_id=agent.pk)

    rollback_agent(agent=agent, acting_user=owner, record=first, mode="restore")

    assert fingerprint(staging_of(agent)) == first.fingerprint
    assert ProductionConfiguration.objects.values().get(agent_id=agent.pk) == production
    assert production_of(agent) == second.snapshot
    assert_invariants(agent)


def test_restore_is_recorded_in_the_edit_history_as_the_acting_user(
    agent, owner, publisher, two_publishes
):
    first, _ = two_publishes
    before = checkpoint_count(agent)

    rollback_agent(agent=agent, acting_user=publisher, record=first)

    assert checkpoint_count(agent) == before + 1
    checkpoint = newest_checkpoint(agent)
    assert checkpoint.history_user == publisher
    assert checkpoint.history_change_reason == "Restore of publish #1"
    assert StagingConfiguration.objects.get(agent_id=agent.pk).updated_by == publisher


def test_restore_drops_unpublished_edits_too(agent, owner, two_publishes):
    _, second = two_publishes
    services.add_instruction(agent=agent, acting_user=owner, title="Draft", content="Unpublished")

    rollback_agent(agent=agent, acting_user=owner, record=second)

    assert staging_of(agent) == second.snapshot
    with pytest.raises(NothingToPublish):
        publish_agent(agent=agent, acting_user=owner)


def test_restore_brings_back_a_deleted_instruction_under_its_old_id(agent, owner, two_publishes):
    first, _ = two_publishes
    instruction = Instruction.objects.get(agent=agent)
    services.delete_instruction(agent=agent, acting_user=owner, instruction_id=instruction.pk)

    rollback_agent(agent=agent, acting_user=owner, record=first)

    assert Instruction.objects.get(agent=agent).pk == instruction.pk


def test_restore_then_publish_makes_the_old_configuration_live(agent, owner, two_publishes):
    first, _ = two_publishes
    rollback_agent(agent=agent, acting_user=owner, record=first)

    record = publish_agent(agent=agent, acting_user=owner)

    assert record.fingerprint == first.fingerprint
    assert fingerprint(production_of(agent)) == first.fingerprint
    assert record.restored_from == first
    assert_invariants(agent)


def test_restore_of_a_configuration_whose_corpus_is_gone_is_refused_whole(agent, owner, catalogue):
    corpus = catalogue["corpora"][1]
    services.connect_corpora(agent=agent, acting_user=owner, corpus_ids=[corpus.pk])
    first = publish_agent(agent=agent, acting_user=owner)
    services.disconnect_corpora(agent=agent, acting_user=owner, corpus_ids=[corpus.pk])
    services.update_agent_settings(agent=agent, acting_user=owner, name="Renamed")
    publish_agent(agent=agent, acting_user=owner)
    corpus.delete()  # the catalogue moved on; no configuration points at it any more
    staging, checkpoints = staging_of(agent), checkpoint_count(agent)

    with pytest.raises(ValidationError) as caught:
        rollback_agent(agent=agent, acting_user=owner, record=first)

    assert "snapshot" in caught.value.message_dict
    assert staging_of(agent) == staging
    assert checkpoint_count(agent) == checkpoints
    assert Agent.objects.get(pk=agent.pk).pending_restored_from is None


# --- revert -------------------------------------------------------------------------------


def test_revert_undoes_only_that_publishs_changes(agent, owner, catalogue, two_publishes):
    _first, second = two_publishes
    services.set_guardrail(
        agent=agent, acting_user=owner, guardrail_id=catalogue["guardrails"][0].pk, enabled=True
    )

    rollback_agent(agent=agent, acting_user=owner, record=second, mode="revert")

    staging = staging_of(agent)
    assert staging["tools"] == []  # publish 2 added the tool
    assert staging["settings"]["name"] == "Support bot"  # publish 2 renamed
    assert [i["title"] for i in staging["instructions"]] == ["Greet"]  # publish 1 kept
    assert [g["guardrail_id"] for g in staging["guardrails"]] == [
        catalogue["guardrails"][0].pk
    ]  # the later, unpublished edit kept
    assert production_of(agent) == second.snapshot


def test_revert_of_an_older_publish_keeps_later_published_changes(agent, owner, two_publishes):
    first, _ = two_publishes

    rollback_agent(agent=agent, acting_user=owner, record=first, mode="revert")

    staging = staging_of(agent)
    assert staging["instructions"] == []  # publish 1 added it
    assert staging["settings"]["name"] == "Support bot v2"  # publish 2's change stays
    assert len(staging["tools"]) == 1


def test_revert_of_the_first_publish_keeps_the_agents_settings(agent, owner):
    services.add_instruction(agent=agent, acting_user=owner, title="Greet", content="Hello")
    first = publish_agent(agent=agent, acting_user=owner)

    rollback_agent(agent=agent, acting_user=owner, record=first, mode="revert")

    staging = staging_of(agent)
    assert staging["instructions"] == []
    assert staging["settings"] == first.snapshot["settings"]


def test_revert_conflict_raises_and_writes_nothing(agent, owner, two_publishes):
    _, second = two_publishes
    services.update_agent_settings(agent=agent, acting_user=owner, name="Renamed again")
    staging, checkpoints = staging_of(agent), checkpoint_count(agent)

    with pytest.raises(RevertConflict) as caught:
        rollback_agent(agent=agent, acting_user=owner, record=second, mode="revert")

    body = caught.value.as_dict()
    assert body["code"] == "conflict"
    expected = ("settings", "name", "Support bot v2", "Renamed again", "Support bot")
    assert the_conflict(body["conflicts"]) == expected
    assert staging_of(agent) == staging
    assert checkpoint_count(agent) == checkpoints
    assert Agent.objects.get(pk=agent.pk).pending_restored_from is None


def test_revert_conflicts_are_previewed_before_anything_happens(agent, owner, two_publishes):
    _, second = two_publishes
    services.update_agent_settings(agent=agent, acting_user=owner, name="Renamed again")

    plan = plan_rollback(agent=agent, record=second, mode="revert")

    assert [c.field for c in plan.conflicts] == ["name"]


def test_revert_of_changes_already_undone_by_hand_is_not_a_conflict(agent, owner, two_publishes):
    _, second = two_publishes
    services.update_agent_settings(agent=agent, acting_user=owner, name="Support bot")

    rollback_agent(agent=agent, acting_user=owner, record=second, mode="revert")

    assert staging_of(agent)["settings"]["name"] == "Support bot"
    assert staging_of(agent)["tools"] == []


def test_revert_is_recorded_with_its_reason(agent, publisher, two_publishes):
    _, second = two_publishes
    rollback_agent(agent=agent, acting_user=publisher, record=second, mode="revert")

    checkpoint = newest_checkpoint(agent)
    assert checkpoint.history_user == publisher
    assert checkpoint.history_change_reason == "Revert of publish #2"
    agent.refresh_from_db()
    assert agent.pending_restored_from == second.change_track_id
    assert agent.pending_restored_mode == "revert"


def test_rollback_rejects_an_unknown_mode_and_writes_nothing(agent, owner, two_publishes):
    first, _ = two_publishes
    checkpoints = checkpoint_count(agent)
    with pytest.raises(ValidationError):
        rollback_agent(agent=agent, acting_user=owner, record=first, mode="sideways")
    assert checkpoint_count(agent) == checkpoints


# --- discard ------------------------------------------------------------------------------


def test_discard_makes_staging_production_again_and_is_recorded(agent, owner, publisher):
    services.add_instruction(agent=agent, acting_user=owner, title="Live", content="Published")
    publish_agent(agent=agent, acting_user=owner)
    services.add_instruction(agent=agent, acting_user=owner, title="Draft", content="Not yet")
    services.update_agent_settings(agent=agent, acting_user=owner, description="Draft description")
    production = ProductionConfiguration.objects.values().get(agent_id=agent.pk)

    discard_staging(agent=agent, acting_user=publisher)

    assert staging_of(agent) == production_of(agent)
    assert ProductionConfiguration.objects.values().get(agent_id=agent.pk) == production
    checkpoint = newest_checkpoint(agent)
    assert checkpoint.history_user == publisher
    assert checkpoint.history_change_reason == "Unpublished changes discarded"
    assert review_staging(agent).diff.has_changes is False


def test_discard_with_nothing_unpublished_is_refused(agent, owner):
    publish_agent(agent=agent, acting_user=owner)
    checkpoints = checkpoint_count(agent)

    with pytest.raises(NothingToDiscard) as caught:
        discard_staging(agent=agent, acting_user=owner)

    assert caught.value.as_dict()["code"] == "nothing_to_discard"
    assert checkpoint_count(agent) == checkpoints


def test_discard_before_the_first_publish_is_refused(agent, owner):
    services.update_agent_settings(agent=agent, acting_user=owner, name="Never published")
    staging = staging_of(agent)

    with pytest.raises(NothingToDiscard):
        discard_staging(agent=agent, acting_user=owner)

    assert staging_of(agent) == staging


# --- checkpoint restore ------------------------------------------------------------------


def test_checkpoint_restore_makes_staging_that_checkpoint(agent, owner, catalogue):
    services.add_instruction(agent=agent, acting_user=owner, title="One", content="1")
    wanted = newest_checkpoint(agent)
    wanted_snapshot = staging_of(agent)
    services.add_instruction(agent=agent, acting_user=owner, title="Two", content="2")
    services.enable_tool(agent=agent, acting_user=owner, tool_id=catalogue["tools"][1].pk)

    revision = restore_checkpoint(agent=agent, acting_user=owner, history_id=wanted.history_id)

    assert revision == wanted.revision
    assert staging_of(agent) == wanted_snapshot


def test_checkpoint_restore_is_recorded_and_leaves_production(agent, owner, publisher):
    first = edit_history(agent).last()
    services.update_agent_settings(agent=agent, acting_user=owner, name="Published name")
    publish_agent(agent=agent, acting_user=owner)
    production = ProductionConfiguration.objects.values().get(agent_id=agent.pk)

    restore_checkpoint(agent=agent, acting_user=publisher, history_id=first.history_id)

    checkpoint = newest_checkpoint(agent)
    assert checkpoint.history_user == publisher
    assert checkpoint.history_change_reason == f"Restored checkpoint {first.revision}"
    assert ProductionConfiguration.objects.values().get(agent_id=agent.pk) == production
    assert staging_of(agent)["settings"]["name"] == "Support bot"


def test_checkpoint_restore_result_equals_the_rebuilt_checkpoint(agent, owner, catalogue):
    services.connect_corpora(
        agent=agent, acting_user=owner, corpus_ids=[catalogue["corpora"][0].pk]
    )
    services.set_guardrail(
        agent=agent, acting_user=owner, guardrail_id=catalogue["guardrails"][1].pk, enabled=False
    )
    middle = newest_checkpoint(agent)
    services.disconnect_corpora(
        agent=agent, acting_user=owner, corpus_ids=[catalogue["corpora"][0].pk]
    )

    restore_checkpoint(agent=agent, acting_user=owner, history_id=middle.history_id)

    assert staging_of(agent) == checkpoint_snapshot(agent_id=agent.pk, revision=middle.revision)


@pytest.mark.parametrize("history_id", [999_999, "nope", None])
def test_checkpoint_restore_of_an_unknown_checkpoint_writes_nothing(agent, owner, history_id):
    checkpoints = checkpoint_count(agent)
    with pytest.raises(StagingConfiguration.DoesNotExist):
        restore_checkpoint(agent=agent, acting_user=owner, history_id=history_id)
    assert checkpoint_count(agent) == checkpoints


def test_checkpoint_of_another_agent_cannot_be_restored(agent, owner, other_agent):
    foreign = edit_history(other_agent).first()
    with pytest.raises(StagingConfiguration.DoesNotExist):
        restore_checkpoint(agent=agent, acting_user=owner, history_id=foreign.history_id)
