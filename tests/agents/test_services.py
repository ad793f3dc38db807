"""agents.services on an agent itself: its life, its settings, whole-configuration writes and
its permissions; each write checked in the database, in the history, and in its attribution."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from agents import services
from agents.models import Agent, AgentPermission, Instruction, StagingConfiguration
from agents.permissions import role_for, visible_agents
from agents.snapshot import staging_snapshot
from publishing.models import ProductionConfiguration
from tests import factories
from tests.agents.conftest import checkpoints

# --- agents ----------------------------------------------------------------------------------


def test_create_agent_makes_staging_an_owner_and_the_first_checkpoint(project, owner):
    agent = services.create_agent(project=project, acting_user=owner, name="Bot")
    staging = StagingConfiguration.objects.get(agent=agent)
    assert (staging.name, staging.revision, staging.updated_by) == ("Bot", 1, owner)
    assert AgentPermission.objects.get(agent=agent).role == "owner"
    (first,) = checkpoints(agent)
    assert (first.history_type, first.history_user, first.staging_revision) == ("+", owner, 1)
    assert not ProductionConfiguration.objects.filter(agent_id=agent.pk).exists()


def test_create_agent_refuses_a_bad_model_config_and_writes_nothing(project, owner):
    with pytest.raises(ValidationError) as error:
        services.create_agent(project=project, acting_user=owner, name="Bot", model_config={"x": 1})
    assert "model_config" in error.value.message_dict
    assert not Agent.objects.exists()


def test_update_settings_writes_one_attributed_checkpoint(agent, editor):
    services.update_agent_settings(agent=agent, acting_user=editor, name="New", description="D")
    staging = StagingConfiguration.objects.get(agent=agent)
    assert (staging.name, staging.description, staging.revision) == ("New", "D", 2)
    last = checkpoints(agent)[-1]
    assert (last.history_user, last.revision, last.name) == (editor, 2, "New")
    assert last.history_change_reason == "Settings changed: Name, Description"


def test_update_settings_that_change_nothing_write_nothing(agent, editor):
    services.update_agent_settings(agent=agent, acting_user=editor, name="Support bot")
    assert len(checkpoints(agent)) == 1


def test_update_settings_reports_every_bad_field_at_once(agent, editor):
    with pytest.raises(ValidationError) as error:
        services.update_agent_settings(
            agent=agent, acting_user=editor, name="", model_config={"temperature": 5}
        )
    assert set(error.value.message_dict) == {"name", "model_config"}
    assert len(checkpoints(agent)) == 1


def test_delete_agent_archives_it_out_of_every_view(agent, owner):
    services.delete_agent(agent=agent, acting_user=owner)
    archived = Agent.objects.get(pk=agent.pk)
    assert archived.deleted_at is not None
    assert archived.deleted_by == owner
    assert StagingConfiguration.objects.filter(agent=agent).exists()  # kept for audit
    assert not visible_agents(owner).exists()
    assert role_for(owner, archived) is None
    with pytest.raises(Agent.DoesNotExist):
        services.delete_agent(agent=archived, acting_user=owner)


# --- whole-configuration writes ------------------------------------------------------------


def test_apply_snapshot_puts_back_every_kind_of_field_that_changed(
    agent, owner, tool, guardrail, corpus
):
    services.add_instruction(agent=agent, acting_user=owner, title="T", content="Before")
    services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    services.set_guardrail(agent=agent, acting_user=owner, guardrail_id=guardrail.pk, enabled=True)
    services.set_corpus_connection(
        agent=agent, acting_user=owner, corpus_id=corpus.pk, settings={"top_k": 3}, create=True
    )
    services.set_sharepoint_folder(
        agent=agent, acting_user=owner, site_url="https://x.sharepoint.com", folder_path="/D"
    )
    wanted = staging_snapshot(agent)
    instruction = Instruction.objects.get()
    services.update_instruction(
        agent=agent, acting_user=owner, instruction_id=instruction.pk, content="After"
    )
    services.disable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    services.set_guardrail(agent=agent, acting_user=owner, guardrail_id=guardrail.pk, enabled=False)
    services.set_corpus_connection(
        agent=agent, acting_user=owner, corpus_id=corpus.pk, enabled=False, settings={"top_k": 1}
    )
    services.set_sharepoint_folder(
        agent=agent, acting_user=owner, site_url="https://y.sharepoint.com", folder_path="/E"
    )
    assert staging_snapshot(agent) != wanted

    services.apply_snapshot_to_staging(
        agent=agent, acting_user=owner, snapshot=wanted, reason="Put back"
    )

    assert staging_snapshot(agent) == wanted
    assert checkpoints(agent)[-1].history_change_reason == "Put back"


def test_apply_snapshot_names_a_tool_gone_from_the_catalogue(agent, owner, tool):
    services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    wanted = staging_snapshot(agent)
    gone = wanted["tools"][0]["tool_id"] = tool.pk + 1000  # a snapshot is data: ids can go
    before = len(checkpoints(agent))
    with pytest.raises(ValidationError) as error:
        services.apply_snapshot_to_staging(
            agent=agent, acting_user=owner, snapshot=wanted, reason="Put back"
        )
    assert error.value.message_dict == {
        "snapshot": [f"The tool(s) {[gone]} no longer exist in the catalogue."]
    }
    assert len(checkpoints(agent)) == before


# --- settings --------------------------------------------------------------------------------


def test_set_tags_normalizes(agent, editor):
    staging = services.set_tags(agent=agent, acting_user=editor, tags=[" b ", "a", "b"])
    assert staging.tags == ["a", "b"]
    assert checkpoints(agent)[-1].tags == ["a", "b"]


def test_set_access_level_refuses_an_unknown_level(agent, editor):
    with pytest.raises(ValidationError):
        services.set_access_level(agent=agent, acting_user=editor, access_level="world")
    assert StagingConfiguration.objects.get(agent=agent).access_level == "private"


def test_sharepoint_folder_set_and_cleared(agent, editor):
    services.set_sharepoint_folder(
        agent=agent, acting_user=editor, site_url="https://x.sharepoint.com", folder_path="/D"
    )
    services.clear_sharepoint_folder(agent=agent, acting_user=editor)
    staging = StagingConfiguration.objects.get(agent=agent)
    assert (staging.sharepoint_site_url, staging.sharepoint_folder_path) == ("", "")
    assert [c.history_change_reason for c in checkpoints(agent)[-2:]] == [
        "SharePoint folder set",
        "SharePoint folder removed",
    ]


def test_staging_edits_never_write_production(agent, owner, published, tool):
    before = Agent.objects.get(pk=agent.pk).production.snapshot
    services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    services.set_tags(agent=agent, acting_user=owner, tags=["x"])
    assert Agent.objects.get(pk=agent.pk).production.snapshot == before


# --- permissions -----------------------------------------------------------------------------


def test_grant_refuses_non_members_and_unknown_ids_with_one_message(agent, owner, stranger):
    answers = []
    for user_id in (stranger.pk, stranger.pk + 1000):
        with pytest.raises(ValidationError) as error:
            services.grant_permission(
                agent=agent, acting_user=owner, target_user_id=user_id, role="owner"
            )
        answers.append(error.value.message_dict)
    assert answers[0] == answers[1] == {"user_id": [services.NOT_A_MEMBER]}
    assert not AgentPermission.objects.filter(user=stranger).exists()


def test_grant_change_revoke_are_attributed(agent, owner, stranger):
    factories.join(agent.project.organization, stranger)
    permission = services.grant_permission(
        agent=agent, acting_user=owner, target_user_id=stranger.pk, role="viewer"
    )
    pk = permission.pk
    services.change_permission(permission=permission, acting_user=owner, role="editor")
    services.revoke_permission(permission=permission, acting_user=owner)
    records = AgentPermission.history.filter(id=pk).order_by("history_id")
    assert [(r.history_type, r.role, r.history_user) for r in records] == [
        ("+", "viewer", owner),
        ("~", "editor", owner),
        ("-", "editor", owner),
    ]


def test_grant_refuses_a_second_role_for_the_same_user(agent, owner):
    with pytest.raises(ValidationError) as error:
        services.grant_permission(
            agent=agent, acting_user=owner, target_user_id=owner.pk, role="viewer"
        )
    assert "user_id" in error.value.message_dict
    assert AgentPermission.objects.get(agent=agent).role == "owner"
