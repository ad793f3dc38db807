"""agents.services: each write checked in the database, in the history, and in its attribution."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from agents import services
from agents.models import (
    ActionSetting,
    Agent,
    AgentPermission,
    CorpusConnection,
    GuardrailSetting,
    Instruction,
    Organization,
    OrganizationMembership,
    Project,
    StagingConfiguration,
    Tool,
    ToolAction,
    ToolBinding,
)
from agents.permissions import role_for, visible_agents
from agents.snapshot import staging_snapshot
from publishing.models import ProductionConfiguration
from tests import factories

User = get_user_model()


def checkpoints(agent):
    return list(StagingConfiguration.history.filter(agent_id=agent.pk).order_by("history_id"))


def latest(model, **filters):
    return model.history.filter(**filters).order_by("-history_id").first()


# --- users and hierarchy ---------------------------------------------------------------------


def test_create_user_hashes_the_password(superuser):
    user = services.create_user(
        username="neo", password="a-long-enough-passphrase", acting_user=superuser
    )
    assert user.check_password("a-long-enough-passphrase")
    assert user.password != "a-long-enough-passphrase"


def test_create_user_refuses_a_taken_username_in_any_case(superuser):
    factories.UserFactory(username="neo")
    with pytest.raises(ValidationError) as error:
        services.create_user(
            username="NEO", password="a-long-enough-passphrase", acting_user=superuser
        )
    assert "username" in error.value.message_dict
    assert User.objects.count() == 2


def test_create_user_applies_the_password_validators(superuser):
    with pytest.raises(ValidationError) as error:
        services.create_user(username="neo", password="neo", acting_user=superuser)
    assert "password" in error.value.message_dict
    assert not User.objects.filter(username="neo").exists()


def test_create_organization_makes_the_creator_admin(superuser):
    organization = services.create_organization(name="  Acme  ", acting_user=superuser)
    assert organization.name == "Acme"
    membership = OrganizationMembership.objects.get(organization=organization)
    assert (membership.user, membership.role) == (superuser, "admin")


def test_create_organization_checks_the_acting_user(stranger, org_admin, settings):
    """Red-team finding 5: the rule lives in the service, so every caller meets it."""
    from django.core.exceptions import PermissionDenied

    for user in (stranger, org_admin):
        with pytest.raises(PermissionDenied):
            services.create_organization(name="Mine", acting_user=user)
    assert not Organization.objects.filter(name="Mine").exists()
    settings.ALLOW_SELF_SERVICE_ORGANIZATIONS = True
    assert services.create_organization(name="Mine", acting_user=stranger).name == "Mine"


def test_create_user_checks_the_acting_user(
    superuser, org_admin, member, stranger, organization, other_organization
):
    from django.core.exceptions import PermissionDenied

    body = {"username": "neo", "password": "a-long-enough-passphrase"}
    for user in (member, stranger):
        with pytest.raises(PermissionDenied):
            services.create_user(**body, acting_user=user, organization=organization)
    with pytest.raises(PermissionDenied):
        services.create_user(**body, acting_user=org_admin, organization=other_organization)
    with pytest.raises(ValidationError) as error:
        services.create_user(**body, acting_user=org_admin)
    assert "organization_id" in error.value.message_dict
    assert not User.objects.filter(username="neo").exists()

    made = services.create_user(**body, acting_user=org_admin, organization=organization)
    assert list(made.org_memberships.values_list("organization_id", "role")) == [
        (organization.pk, "member")
    ]
    loner = services.create_user(username="loner", password=body["password"], acting_user=superuser)
    assert not loner.org_memberships.exists()


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


def test_create_project_refuses_a_duplicate_name(project):
    with pytest.raises(ValidationError):
        services.create_project(organization=project.organization, name=project.name.lower())
    assert Project.objects.count() == 1


def test_create_tool_with_actions_is_all_or_nothing(organization):
    with pytest.raises(ValidationError):
        services.create_tool(
            organization=organization,
            name="CRM",
            kind="api",
            actions=[{"name": "ok"}, {"name": "bad", "config": "not an object"}],
        )
    assert not Tool.objects.exists()
    assert not ToolAction.objects.exists()


def test_create_tool_refuses_an_unknown_kind(organization):
    with pytest.raises(ValidationError) as error:
        services.create_tool(organization=organization, name="CRM", kind="magic")
    assert "kind" in error.value.message_dict


def test_create_guardrail_refuses_a_config_that_is_not_an_object(organization):
    with pytest.raises(ValidationError):
        services.create_guardrail(organization=organization, name="G", type="pii", config=[1])


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
    assert last.history_change_reason == "Settings changed: description, name"


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


# --- instructions ----------------------------------------------------------------------------


def test_add_instruction_records_the_row_and_the_checkpoint(agent, editor):
    instruction = services.add_instruction(agent=agent, acting_user=editor, title="T", content="C")
    assert Instruction.objects.get().pk == instruction.pk
    record = latest(Instruction, id=instruction.pk)
    assert (record.history_type, record.history_user, record.staging_revision) == ("+", editor, 2)
    assert checkpoints(agent)[-1].revision == 2


def test_add_instruction_at_a_position_moves_the_later_ones(agent, editor):
    a = services.add_instruction(agent=agent, acting_user=editor, title="A", content="x")
    b = services.add_instruction(agent=agent, acting_user=editor, title="B", content="x")
    services.add_instruction(
        agent=agent, acting_user=editor, title="First", content="x", position=0
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.position, b.position) == (1, 2)
    assert latest(Instruction, id=a.pk).history_type == "~"


def test_update_instruction_moves_it_and_records_each_moved_row(agent, editor):
    a, b, c = (
        services.add_instruction(agent=agent, acting_user=editor, title=t, content="x")
        for t in "ABC"
    )
    services.update_instruction(agent=agent, acting_user=editor, instruction_id=c.pk, position=0)
    order = list(Instruction.objects.order_by("position").values_list("title", flat=True))
    assert order == ["C", "A", "B"]
    revision = checkpoints(agent)[-1].revision
    moved = Instruction.history.filter(staging_revision=revision)
    assert {r.id for r in moved} == {a.pk, b.pk, c.pk}


def test_update_instruction_of_an_unknown_id_is_refused(agent, editor):
    with pytest.raises(ValidationError) as error:
        services.update_instruction(agent=agent, acting_user=editor, instruction_id=999, title="x")
    assert "id" in error.value.message_dict


def test_delete_instruction_records_the_deletion(agent, editor):
    made = services.add_instruction(agent=agent, acting_user=editor, title="T", content="C")
    services.delete_instruction(agent=agent, acting_user=editor, instruction_id=made.pk)
    assert not Instruction.objects.exists()
    assert latest(Instruction, id=made.pk).history_type == "-"


def test_delete_instruction_of_an_unknown_id_is_not_found(agent, editor):
    with pytest.raises(Instruction.DoesNotExist):
        services.delete_instruction(agent=agent, acting_user=editor, instruction_id=999)
    assert len(checkpoints(agent)) == 1


def test_update_instruction_changes_only_the_fields_given(agent, editor):
    made = services.add_instruction(agent=agent, acting_user=editor, title="T", content="C")
    services.update_instruction(
        agent=agent, acting_user=editor, instruction_id=made.pk, content="New"
    )
    made.refresh_from_db()
    assert (made.title, made.content) == ("T", "New")


def test_add_instruction_reports_every_bad_field_at_once(agent, editor):
    with pytest.raises(ValidationError) as error:
        services.add_instruction(agent=agent, acting_user=editor, title="", content=None)
    assert set(error.value.message_dict) == {"title", "content"}
    assert len(checkpoints(agent)) == 1


@pytest.mark.parametrize("position", [-1, True, "1", 1.0])
def test_an_instruction_position_that_is_not_a_whole_number_is_refused(agent, editor, position):
    with pytest.raises(ValidationError) as error:
        services.add_instruction(
            agent=agent, acting_user=editor, title="T", content="C", position=position
        )
    assert error.value.message_dict == {"position": ["Must be a whole number, 0 or more."]}


def test_reorder_instructions_puts_them_in_the_given_order_in_one_checkpoint(agent, editor):
    a, b, c = (
        services.add_instruction(agent=agent, acting_user=editor, title=t, content="x")
        for t in "ABC"
    )
    services.reorder_instructions(agent=agent, acting_user=editor, ordered_ids=[c.pk, a.pk, b.pk])
    order = list(Instruction.objects.order_by("position").values_list("title", flat=True))
    assert order == ["C", "A", "B"]
    assert checkpoints(agent)[-1].history_change_reason == "Instructions reordered"


@pytest.mark.parametrize("which", ["missing", "twice", "unknown"])
def test_reorder_instructions_needs_every_id_exactly_once(agent, editor, which):
    a, b = (
        services.add_instruction(agent=agent, acting_user=editor, title=t, content="x")
        for t in "AB"
    )
    ids = {"missing": [a.pk], "twice": [a.pk, a.pk, b.pk], "unknown": [a.pk, b.pk, 999]}[which]
    before = len(checkpoints(agent))
    with pytest.raises(ValidationError) as error:
        services.reorder_instructions(agent=agent, acting_user=editor, ordered_ids=ids)
    assert "order" in error.value.message_dict
    assert len(checkpoints(agent)) == before


# --- knowledge sources -----------------------------------------------------------------------


def test_connect_corpora_is_refused_whole(agent, editor, corpus, foreign_corpus):
    with pytest.raises(ValidationError):
        services.connect_corpora(
            agent=agent, acting_user=editor, corpus_ids=[corpus.pk, foreign_corpus.pk]
        )
    assert not CorpusConnection.objects.exists()
    assert len(checkpoints(agent)) == 1


def test_connect_and_disconnect_corpora_record_history(agent, editor, corpus, corpus2):
    services.connect_corpora(agent=agent, acting_user=editor, corpus_ids=[corpus.pk, corpus2.pk])
    assert CorpusConnection.history.filter(history_type="+", history_user=editor).count() == 2
    assert services.disconnect_corpora(agent=agent, acting_user=editor, corpus_ids=[corpus.pk]) == 1
    assert list(CorpusConnection.objects.values_list("corpus_id", flat=True)) == [corpus2.pk]
    assert latest(CorpusConnection, corpus_id=corpus.pk).history_type == "-"


def test_set_corpus_connection_creates_only_when_asked(agent, editor, corpus):
    with pytest.raises(CorpusConnection.DoesNotExist):
        services.set_corpus_connection(
            agent=agent, acting_user=editor, corpus_id=corpus.pk, enabled=True
        )
    made, created = services.set_corpus_connection(
        agent=agent, acting_user=editor, corpus_id=corpus.pk, settings={"top_k": 2}, create=True
    )
    assert (made.enabled, made.settings, created) == (True, {"top_k": 2}, True)
    _, created = services.set_corpus_connection(
        agent=agent, acting_user=editor, corpus_id=corpus.pk, enabled=False, create=True
    )
    assert created is False
    assert CorpusConnection.objects.get().enabled is False


@pytest.mark.parametrize(
    ("corpus_ids", "message"),
    [([], "Give at least one corpus id."), (["1"], "Must be a list of corpus ids.")],
)
def test_corpus_id_lists_that_are_not_lists_of_ids_are_refused(agent, editor, corpus_ids, message):
    for write in (services.connect_corpora, services.disconnect_corpora):
        with pytest.raises(ValidationError) as error:
            write(agent=agent, acting_user=editor, corpus_ids=corpus_ids)
        assert error.value.message_dict == {"corpus_ids": [message]}


def test_disconnect_corpora_refuses_a_number_that_is_no_id(agent, editor):
    with pytest.raises(ValidationError) as error:
        services.disconnect_corpora(agent=agent, acting_user=editor, corpus_ids=[0])
    assert error.value.message_dict == {"corpus_ids": ["Must be an id."]}


def test_connect_corpora_names_the_unknown_ids(agent, editor, corpus, foreign_corpus):
    with pytest.raises(ValidationError) as error:
        services.connect_corpora(
            agent=agent, acting_user=editor, corpus_ids=[corpus.pk, foreign_corpus.pk]
        )
    assert error.value.message_dict == {
        "corpus_ids": [f"Unknown corpus id(s) for this organization: {[foreign_corpus.pk]}."]
    }


def test_connect_corpora_refuses_one_already_connected_to_this_agent_only(
    agent, editor, owner, project, corpus
):
    twin = factories.AgentFactory(project=project, user=owner, name="Twin")
    services.connect_corpora(agent=twin, acting_user=owner, corpus_ids=[corpus.pk])
    services.connect_corpora(agent=agent, acting_user=editor, corpus_ids=[corpus.pk])
    with pytest.raises(ValidationError) as error:
        services.connect_corpora(agent=agent, acting_user=editor, corpus_ids=[corpus.pk])
    assert error.value.message_dict == {
        "corpus_ids": [f"Already connected to this agent: {[corpus.pk]}."]
    }


def test_disconnect_corpora_is_recorded_with_its_reason(agent, editor, corpus):
    services.connect_corpora(agent=agent, acting_user=editor, corpus_ids=[corpus.pk])
    services.disconnect_corpora(agent=agent, acting_user=editor, corpus_ids=[corpus.pk])
    assert checkpoints(agent)[-1].history_change_reason == "Corpora disconnected"


def test_set_corpus_connection_creates_it_disabled_when_asked(agent, editor, corpus):
    with pytest.raises(CorpusConnection.DoesNotExist) as error:
        services.set_corpus_connection(agent=agent, acting_user=editor, corpus_id=corpus.pk)
    assert str(error.value) == "This corpus is not connected to the agent."
    made, created = services.set_corpus_connection(
        agent=agent, acting_user=editor, corpus_id=corpus.pk, enabled=False, create=True
    )
    assert (made.enabled, created) == (False, True)
    assert CorpusConnection.objects.get().enabled is False


# --- tools, actions, guardrails --------------------------------------------------------------


def test_enable_tool_starts_every_action_enabled(agent, editor, tool):
    services.enable_tool(agent=agent, acting_user=editor, tool_id=tool.pk)
    assert ToolBinding.objects.get().enabled is True
    assert sorted(ActionSetting.objects.values_list("enabled", flat=True)) == [True, True]
    assert ActionSetting.history.filter(history_user=editor, history_type="+").count() == 2


def test_enable_tool_of_another_organization_is_not_found(agent, editor, foreign_tool):
    with pytest.raises(Tool.DoesNotExist):
        services.enable_tool(agent=agent, acting_user=editor, tool_id=foreign_tool.pk)
    assert not ToolBinding.objects.exists()


def test_disable_tool_keeps_action_settings(agent, editor, tool):
    services.enable_tool(agent=agent, acting_user=editor, tool_id=tool.pk)
    services.disable_tool(agent=agent, acting_user=editor, tool_id=tool.pk)
    assert ToolBinding.objects.get().enabled is False
    assert ActionSetting.objects.count() == 2
    assert latest(ToolBinding, tool_id=tool.pk).history_type == "~"


def test_update_action_needs_the_tool_enabled_first(agent, editor, tool):
    action = tool.actions.first()
    with pytest.raises(ValidationError) as error:
        services.update_action(
            agent=agent, acting_user=editor, tool_id=tool.pk, action_id=action.pk, enabled=False
        )
    assert "tool_id" in error.value.message_dict
    assert not ActionSetting.objects.exists()


def test_update_action_changes_config_and_records_it(agent, editor, tool):
    services.enable_tool(agent=agent, acting_user=editor, tool_id=tool.pk)
    action = tool.actions.first()
    services.update_action(
        agent=agent, acting_user=editor, tool_id=tool.pk, action_id=action.pk, config={"k": 1}
    )
    assert ActionSetting.objects.get(action=action).config == {"k": 1}
    record = latest(ActionSetting, action_id=action.pk)
    assert (record.history_type, record.config) == ("~", {"k": 1})


def test_tool_edits_are_recorded_with_reasons_naming_the_tool(agent, editor, tool):
    action = tool.actions.get(name="search")
    services.enable_tool(agent=agent, acting_user=editor, tool_id=tool.pk)
    for enabled in (False, True, None):
        services.update_action(
            agent=agent,
            acting_user=editor,
            tool_id=tool.pk,
            action_id=action.pk,
            enabled=enabled,
            config={"k": 1} if enabled is None else None,
        )
    services.disable_tool(agent=agent, acting_user=editor, tool_id=tool.pk)
    assert [c.history_change_reason for c in checkpoints(agent)[1:]] == [
        "Tool “CRM” enabled",
        "Tool “CRM”: action “search” disabled",
        "Tool “CRM”: action “search” enabled",
        "Tool “CRM”: action “search” changed",
        "Tool “CRM” disabled",
    ]


def test_enabling_a_disabled_tool_again_brings_back_its_action_states(
    agent, editor, tool, organization
):
    # Another tool's actions first, so action ids and action-setting ids differ.
    mail = factories.ToolFactory(organization=organization, name="Mail", actions=["send"])
    services.enable_tool(agent=agent, acting_user=editor, tool_id=mail.pk)
    action = tool.actions.get(name="search")
    services.enable_tool(agent=agent, acting_user=editor, tool_id=tool.pk)
    services.update_action(
        agent=agent, acting_user=editor, tool_id=tool.pk, action_id=action.pk, enabled=False
    )
    services.disable_tool(agent=agent, acting_user=editor, tool_id=tool.pk)
    binding = services.enable_tool(agent=agent, acting_user=editor, tool_id=tool.pk)
    assert binding.enabled is True
    assert ToolBinding.objects.get(tool=tool).enabled is True
    states = list(
        ActionSetting.objects.filter(action__tool=tool).values_list("action__name", "enabled")
    )
    assert sorted(states) == [("create", True), ("search", False)]


def test_tool_refusals_say_what_is_missing(agent, editor, tool, foreign_tool):
    with pytest.raises(ValidationError) as error:
        services.enable_tool(agent=agent, acting_user=editor, tool_id="abc")
    assert error.value.message_dict == {"tool_id": ["Must be an id."]}
    with pytest.raises(Tool.DoesNotExist) as error:
        services.enable_tool(agent=agent, acting_user=editor, tool_id=foreign_tool.pk)
    assert str(error.value) == "No such tool in this agent's organization."
    with pytest.raises(ToolBinding.DoesNotExist) as error:
        services.disable_tool(agent=agent, acting_user=editor, tool_id=tool.pk)
    assert str(error.value) == "This tool is not connected to the agent."
    with pytest.raises(ToolAction.DoesNotExist) as error:
        services.update_action(
            agent=agent,
            acting_user=editor,
            tool_id=tool.pk,
            action_id=foreign_tool.actions.get().pk,
            enabled=True,
        )
    assert str(error.value) == "No such action on this tool."
    with pytest.raises(ValidationError) as error:
        services.update_action(
            agent=agent,
            acting_user=editor,
            tool_id=tool.pk,
            action_id=tool.actions.first().pk,
            enabled=True,
        )
    assert error.value.message_dict == {"tool_id": ["Enable this tool on the agent first."]}


def test_update_action_needs_this_tool_enabled_not_another(agent, editor, tool, organization):
    other = factories.ToolFactory(organization=organization, name="Mail", actions=["send"])
    services.enable_tool(agent=agent, acting_user=editor, tool_id=other.pk)
    with pytest.raises(ValidationError) as error:
        services.update_action(
            agent=agent,
            acting_user=editor,
            tool_id=tool.pk,
            action_id=tool.actions.first().pk,
            enabled=True,
        )
    assert "tool_id" in error.value.message_dict


def test_update_action_of_an_action_added_after_the_binding_creates_its_setting(
    agent, editor, tool
):
    services.enable_tool(agent=agent, acting_user=editor, tool_id=tool.pk)
    late = factories.ToolActionFactory(tool=tool, name="archive")
    setting = services.update_action(
        agent=agent, acting_user=editor, tool_id=tool.pk, action_id=late.pk, enabled=False
    )
    assert setting.action == late
    stored = ActionSetting.objects.get(action=late)
    assert (stored.enabled, stored.config) == (False, {})
    assert latest(ActionSetting, action_id=late.pk).history_type == "+"


def test_update_action_returns_the_setting_with_its_action(agent, editor, tool):
    services.enable_tool(agent=agent, acting_user=editor, tool_id=tool.pk)
    action = tool.actions.first()
    setting = services.update_action(
        agent=agent, acting_user=editor, tool_id=tool.pk, action_id=action.pk, enabled=False
    )
    assert setting.action == action
    assert ActionSetting.objects.get(action=action).enabled is False


def test_set_guardrail_creates_then_toggles(agent, editor, guardrail):
    services.set_guardrail(agent=agent, acting_user=editor, guardrail_id=guardrail.pk, enabled=True)
    services.set_guardrail(
        agent=agent, acting_user=editor, guardrail_id=guardrail.pk, enabled=False
    )
    assert GuardrailSetting.objects.get().enabled is False
    assert [r.history_type for r in GuardrailSetting.history.order_by("history_id")] == ["+", "~"]


def test_set_guardrail_of_another_organization_is_refused(agent, editor, foreign_guardrail):
    with pytest.raises(ValidationError) as error:
        services.set_guardrail(
            agent=agent, acting_user=editor, guardrail_id=foreign_guardrail.pk, enabled=True
        )
    assert "guardrail_id" in error.value.message_dict


def test_set_guardrail_stores_settings_and_keeps_them_when_none_are_given(agent, editor, guardrail):
    made = services.set_guardrail(
        agent=agent,
        acting_user=editor,
        guardrail_id=guardrail.pk,
        enabled=True,
        settings={"mask": True},
    )
    assert (made.guardrail, made.settings) == (guardrail, {"mask": True})
    services.set_guardrail(
        agent=agent, acting_user=editor, guardrail_id=guardrail.pk, enabled=False
    )
    assert GuardrailSetting.objects.get().settings == {"mask": True}
    services.set_guardrail(
        agent=agent,
        acting_user=editor,
        guardrail_id=guardrail.pk,
        enabled=False,
        settings={"mask": False},
    )
    assert GuardrailSetting.objects.get().settings == {"mask": False}
    assert [c.history_change_reason for c in checkpoints(agent)[1:]] == [
        "Guardrail “PII” enabled",
        "Guardrail “PII” disabled",
        "Guardrail “PII” disabled",
    ]


def test_set_guardrail_refusals_name_their_field(agent, editor, guardrail, foreign_guardrail):
    cases = [
        ({"guardrail_id": "abc"}, {"guardrail_id": ["Must be an id."]}),
        (
            {"guardrail_id": foreign_guardrail.pk},
            {"guardrail_id": ["Unknown guardrail for this organization."]},
        ),
        ({"guardrail_id": guardrail.pk, "settings": [1]}, {"settings": ["Must be an object."]}),
    ]
    for arguments, refusal in cases:
        with pytest.raises(ValidationError) as error:
            services.set_guardrail(agent=agent, acting_user=editor, enabled=True, **arguments)
        assert error.value.message_dict == refusal
    assert not GuardrailSetting.objects.exists()


def test_set_guardrail_on_one_agent_leaves_another_agents_setting_alone(
    agent, editor, owner, project, guardrail
):
    twin = factories.AgentFactory(project=project, user=owner, name="Twin")
    services.set_guardrail(agent=twin, acting_user=owner, guardrail_id=guardrail.pk, enabled=True)
    services.set_guardrail(
        agent=agent, acting_user=editor, guardrail_id=guardrail.pk, enabled=False
    )
    assert dict(GuardrailSetting.objects.values_list("agent_id", "enabled")) == {
        twin.pk: True,
        agent.pk: False,
    }


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


def test_organizations_are_unaffected_by_refused_writes(superuser):
    with pytest.raises(ValidationError):
        services.create_organization(name="", acting_user=superuser)
    assert not Organization.objects.exists()
