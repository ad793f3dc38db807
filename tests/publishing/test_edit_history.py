"""The edit history of Staging: one attributed checkpoint per edit, each rebuildable."""

from __future__ import annotations

import pytest

from agents import services
from agents.models import StagingConfiguration
from configuration.diff import diff_snapshots
from publishing.selectors import (
    checkpoint_diff,
    checkpoint_snapshot,
    edit_history,
    get_checkpoint,
)
from publishing.services import discard_staging, publish_agent, rollback_agent
from tests.publishing.conftest import staging_of


def history(agent):
    return list(edit_history(agent))


def test_a_new_agent_has_one_checkpoint(agent, owner):
    [created] = history(agent)
    assert created.revision == 1
    assert created.history_user == owner
    assert created.history_change_reason == "Agent created"


def test_every_edit_adds_one_attributed_checkpoint(agent, owner, editor, catalogue):
    services.add_instruction(agent=agent, acting_user=editor, title="Greet", content="Hi")
    services.enable_tool(agent=agent, acting_user=owner, tool_id=catalogue["tools"][0].pk)
    services.set_tags(agent=agent, acting_user=editor, tags=["support"])

    newest_first = history(agent)
    assert [c.revision for c in newest_first] == [4, 3, 2, 1]
    assert [c.history_user for c in newest_first[:3]] == [editor, owner, editor]
    assert newest_first[0].history_change_reason == "Tags replaced"
    assert newest_first[1].history_change_reason == "Tool “CRM” turned on"
    assert newest_first[2].history_change_reason == "Instruction “Greet” added"


def test_an_edit_that_changes_nothing_makes_no_checkpoint(agent, owner):
    services.update_agent_settings(agent=agent, acting_user=owner, name="Support bot")
    assert len(history(agent)) == 1


def test_publishing_makes_no_checkpoint(agent, owner):
    publish_agent(agent=agent, acting_user=owner)
    assert len(history(agent)) == 1


def test_rollback_and_discard_are_checkpoints(agent, owner, publisher):
    first = publish_agent(agent=agent, acting_user=owner)
    services.update_agent_settings(agent=agent, acting_user=owner, name="Second")
    publish_agent(agent=agent, acting_user=owner)
    rollback_agent(agent=agent, acting_user=publisher, record=first)
    discard_staging(agent=agent, acting_user=owner)

    newest = history(agent)[:2]
    assert [c.history_change_reason for c in newest] == [
        "Unpublished changes discarded",
        "Restore of publish #1",
    ]
    assert [c.history_user for c in newest] == [owner, publisher]


def test_every_checkpoint_rebuilds_exactly_the_staging_of_its_time(agent, owner, catalogue):
    seen = {1: staging_of(agent)}
    steps = [
        lambda: services.add_instruction(agent=agent, acting_user=owner, title="A", content="a"),
        lambda: services.add_instruction(
            agent=agent, acting_user=owner, title="B", content="b", position=0
        ),
        lambda: services.connect_corpora(
            agent=agent, acting_user=owner, corpus_ids=[catalogue["corpora"][0].pk]
        ),
        lambda: services.enable_tool(
            agent=agent, acting_user=owner, tool_id=catalogue["tools"][0].pk
        ),
        lambda: services.update_action(
            agent=agent,
            acting_user=owner,
            tool_id=catalogue["tools"][0].pk,
            action_id=catalogue["tools"][0].actions.first().pk,
            config={"timeout": 5},
        ),
        lambda: services.set_guardrail(
            agent=agent, acting_user=owner, guardrail_id=catalogue["guardrails"][0].pk, enabled=True
        ),
        lambda: services.set_sharepoint_folder(
            agent=agent,
            acting_user=owner,
            site_url="https://example.sharepoint.com",
            folder_path="/hr",
        ),
        lambda: services.disable_tool(
            agent=agent, acting_user=owner, tool_id=catalogue["tools"][0].pk
        ),
        lambda: services.delete_instruction(
            agent=agent,
            acting_user=owner,
            instruction_id=staging_of(agent)["instructions"][0]["id"],
        ),
    ]
    for step in steps:
        step()
        seen[StagingConfiguration.objects.get(agent_id=agent.pk).revision] = staging_of(agent)

    for revision, snapshot in seen.items():
        assert checkpoint_snapshot(agent_id=agent.pk, revision=revision) == snapshot, revision


def test_checkpoint_diff_is_the_change_made_by_that_edit(agent, owner):
    services.add_instruction(agent=agent, acting_user=owner, title="Greet", content="Hi")
    before = staging_of(agent)
    services.update_agent_settings(agent=agent, acting_user=owner, description="New words")
    after = staging_of(agent)

    newest = history(agent)[0]
    diff = checkpoint_diff(agent=agent, checkpoint=newest)

    assert diff == diff_snapshots(before, after)
    assert [(c.field, c.after) for c in diff.changes] == [("description", "New words")]


def test_first_checkpoint_diff_is_against_nothing(agent):
    [created] = history(agent)
    diff = checkpoint_diff(agent=agent, checkpoint=created)
    assert diff == diff_snapshots(None, staging_of(agent))


def test_checkpoint_diff_of_a_rollback_shows_what_it_rolled_back(agent, owner):
    first = publish_agent(agent=agent, acting_user=owner)
    services.update_agent_settings(agent=agent, acting_user=owner, name="Second")
    rollback_agent(agent=agent, acting_user=owner, record=first)

    diff = checkpoint_diff(agent=agent, checkpoint=history(agent)[0])

    assert [(c.field, c.before, c.after) for c in diff.changes] == [
        ("name", "Second", "Support bot")
    ]


def test_get_checkpoint_finds_the_agents_own(agent, owner):
    created = history(agent)[0]
    assert get_checkpoint(agent=agent, history_id=created.history_id) == created
    assert get_checkpoint(agent=agent, history_id=str(created.history_id)) == created


@pytest.mark.parametrize("history_id", ["abc", None, "1.5", 10**9])
def test_get_checkpoint_refuses_malformed_or_unknown_ids(agent, history_id):
    with pytest.raises(StagingConfiguration.DoesNotExist):
        get_checkpoint(agent=agent, history_id=history_id)


def test_get_checkpoint_refuses_another_agents_checkpoint(agent, other_agent):
    foreign = history(other_agent)[0]
    with pytest.raises(StagingConfiguration.DoesNotExist):
        get_checkpoint(agent=agent, history_id=foreign.history_id)


def test_edit_history_is_the_agents_own(agent, owner, other_agent):
    services.update_agent_settings(agent=agent, acting_user=owner, name="Mine")
    assert {c.agent_id for c in history(agent)} == {agent.pk}


def test_restoring_a_checkpoint_whose_tool_action_left_the_catalogue_is_refused(
    agent, owner, catalogue
):
    """The action's tool is known only through the action: it cannot be silently dropped."""
    from django.core.exceptions import ValidationError

    from publishing.services import restore_checkpoint
    from tests.publishing.conftest import staging_of

    tool = catalogue["tools"][0]
    without_tool = history(agent)[0]
    services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    action = tool.actions.order_by("pk").first()
    with_tool = history(agent)[0]
    assert action.pk in [a["action_id"] for a in staging_of(agent)["tools"][0]["actions"]]
    # Back to before the tool: its action settings are gone, so the catalogue may drop one.
    restore_checkpoint(agent=agent, acting_user=owner, history_id=without_tool.history_id)
    action_id = action.pk
    action.delete()
    before = staging_of(agent)

    with pytest.raises(ValidationError) as refused:
        restore_checkpoint(agent=agent, acting_user=owner, history_id=with_tool.history_id)

    assert f"tool action(s) [{action_id}] no longer exist" in str(refused.value)
    assert staging_of(agent) == before
    # Shown (not restored), the checkpoint still opens.
    assert checkpoint_snapshot(agent_id=agent.pk, revision=with_tool.revision)["tools"]
