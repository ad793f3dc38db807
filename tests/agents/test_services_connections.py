"""agents.services connecting corpora, tools (and their actions) and guardrails to an agent."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from agents import services
from agents.models import (
    ActionSetting,
    CorpusConnection,
    GuardrailSetting,
    Tool,
    ToolAction,
    ToolBinding,
)
from tests import factories
from tests.agents.conftest import change_action, checkpoints, latest

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
    assert checkpoints(agent)[-1].history_change_reason == "Corpus “Handbook” disconnected"


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
        change_action(agent, editor, tool, action, enabled=False)
    assert "tool_id" in error.value.message_dict
    assert not ActionSetting.objects.exists()


def test_update_action_changes_config_and_records_it(agent, editor, tool):
    services.enable_tool(agent=agent, acting_user=editor, tool_id=tool.pk)
    action = tool.actions.first()
    change_action(agent, editor, tool, action, config={"k": 1})
    assert ActionSetting.objects.get(action=action).config == {"k": 1}
    record = latest(ActionSetting, action_id=action.pk)
    assert (record.history_type, record.config) == ("~", {"k": 1})


def test_tool_edits_are_recorded_with_reasons_naming_the_tool(agent, editor, tool):
    action = tool.actions.get(name="search")
    services.enable_tool(agent=agent, acting_user=editor, tool_id=tool.pk)
    for enabled in (False, True, None):
        config = {"k": 1} if enabled is None else None
        change_action(agent, editor, tool, action, enabled=enabled, config=config)
    services.disable_tool(agent=agent, acting_user=editor, tool_id=tool.pk)
    assert [c.history_change_reason for c in checkpoints(agent)[1:]] == [
        "Tool “CRM” turned on",
        "Tool “CRM”: action “search” turned off",
        "Tool “CRM”: action “search” turned on",
        "Tool “CRM”: action “search” config changed: k",
        "Tool “CRM” turned off",
    ]


def test_enabling_a_disabled_tool_again_brings_back_its_action_states(
    agent, editor, tool, organization
):
    # Another tool's actions first, so action ids and action-setting ids differ.
    mail = factories.ToolFactory(organization=organization, name="Mail", actions=["send"])
    services.enable_tool(agent=agent, acting_user=editor, tool_id=mail.pk)
    action = tool.actions.get(name="search")
    services.enable_tool(agent=agent, acting_user=editor, tool_id=tool.pk)
    change_action(agent, editor, tool, action, enabled=False)
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
        change_action(agent, editor, tool, foreign_tool.actions.get(), enabled=True)
    assert str(error.value) == "No such action on this tool."
    with pytest.raises(ValidationError) as error:
        change_action(agent, editor, tool, tool.actions.first(), enabled=True)
    assert error.value.message_dict == {"tool_id": ["Enable this tool on the agent first."]}


def test_update_action_needs_this_tool_enabled_not_another(agent, editor, tool, organization):
    other = factories.ToolFactory(organization=organization, name="Mail", actions=["send"])
    services.enable_tool(agent=agent, acting_user=editor, tool_id=other.pk)
    with pytest.raises(ValidationError) as error:
        change_action(agent, editor, tool, tool.actions.first(), enabled=True)
    assert "tool_id" in error.value.message_dict


def test_update_action_of_an_action_added_after_the_binding_creates_its_setting(
    agent, editor, tool
):
    services.enable_tool(agent=agent, acting_user=editor, tool_id=tool.pk)
    late = factories.ToolActionFactory(tool=tool, name="archive")
    setting = change_action(agent, editor, tool, late, enabled=False)
    assert setting.action == late
    stored = ActionSetting.objects.get(action=late)
    assert (stored.enabled, stored.config) == (False, {})
    assert latest(ActionSetting, action_id=late.pk).history_type == "+"


def test_update_action_returns_the_setting_with_its_action(agent, editor, tool):
    services.enable_tool(agent=agent, acting_user=editor, tool_id=tool.pk)
    action = tool.actions.first()
    setting = change_action(agent, editor, tool, action, enabled=False)
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
        "Guardrail “PII” turned on",
        "Guardrail “PII” turned off",
        "Guardrail “PII” settings changed: mask",
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
