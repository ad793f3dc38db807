"""Models: how they name themselves, and the constraints the database holds them to."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from agents import services
from agents.models import (
    ActionSetting,
    AgentPermission,
    CorpusConnection,
    GuardrailSetting,
    Instruction,
    OrganizationMembership,
    Project,
    StagingConfiguration,
    ToolAction,
    ToolBinding,
)
from publishing.models import ProductionConfiguration


def test_hierarchy_and_catalogue_names(organization, project, corpus, tool, guardrail, owner):
    membership = OrganizationMembership.objects.get(organization=organization, user=owner)
    assert str(organization) == organization.name
    assert str(project) == f"{organization.name} / {project.name}"
    assert str(membership) == f"owner in {organization.name} (member)"
    assert str(corpus) == "Handbook"
    assert str(tool) == "CRM"
    assert str(tool.actions.get(name="search")) == "CRM: search"
    assert str(guardrail) == "PII"


def test_agent_is_named_by_its_staging(agent, db):
    assert str(agent) == "Support bot"
    assert str(StagingConfiguration.objects.get(agent=agent)) == "Support bot (staging)"


def test_staging_rows_name_themselves(agent, owner, corpus, tool, guardrail):
    instruction = services.add_instruction(
        agent=agent, acting_user=owner, title="Tone", content="x"
    )
    services.connect_corpora(agent=agent, acting_user=owner, corpus_ids=[corpus.pk])
    services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    services.set_guardrail(agent=agent, acting_user=owner, guardrail_id=guardrail.pk, enabled=True)
    assert str(Instruction.objects.get(pk=instruction.pk)) == "Tone"
    assert str(CorpusConnection.objects.get()) == f"{agent.pk} -> corpus {corpus.pk}"
    assert str(ToolBinding.objects.get()) == f"{agent.pk} -> tool {tool.pk}"
    action = tool.actions.get(name="search")
    assert str(ActionSetting.objects.get(action=action)) == f"{agent.pk} -> action {action.pk}"
    assert str(GuardrailSetting.objects.get()) == f"{agent.pk} -> guardrail {guardrail.pk}"


def test_permission_and_production_names(agent, owner, published):
    assert str(AgentPermission.objects.get(agent=agent)) == f"owner is owner of agent {agent.pk}"
    assert str(ProductionConfiguration.objects.get(agent=agent)) == "Support bot (production)"


def _refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_one_membership_per_user_and_organization(organization, owner):
    assert OrganizationMembership.objects.filter(organization=organization, user=owner).exists()
    _refused(lambda: OrganizationMembership.objects.create(organization=organization, user=owner))


def test_project_names_are_unique_per_organization(project, other_organization):
    _refused(lambda: Project.objects.create(organization=project.organization, name=project.name))
    Project.objects.create(organization=other_organization, name=project.name)


def test_action_names_are_unique_per_tool(tool):
    _refused(lambda: ToolAction.objects.create(tool=tool, name="search"))


def test_one_role_per_user_and_agent(agent, owner):
    _refused(lambda: AgentPermission.objects.create(agent=agent, user=owner, role="viewer"))


def test_a_corpus_is_connected_once_per_agent(agent, owner, corpus):
    services.connect_corpora(agent=agent, acting_user=owner, corpus_ids=[corpus.pk])
    _refused(lambda: CorpusConnection.objects.create(agent=agent, corpus=corpus))


def test_a_tool_is_bound_once_per_agent(agent, owner, tool):
    services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    _refused(lambda: ToolBinding.objects.create(agent=agent, tool=tool))


def test_a_guardrail_is_set_once_per_agent(agent, owner, guardrail):
    services.set_guardrail(agent=agent, acting_user=owner, guardrail_id=guardrail.pk, enabled=True)
    _refused(lambda: GuardrailSetting.objects.create(agent=agent, guardrail=guardrail))


def test_catalogue_objects_in_use_are_protected(agent, owner, corpus, tool):
    from django.db.models import ProtectedError

    services.connect_corpora(agent=agent, acting_user=owner, corpus_ids=[corpus.pk])
    services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    with pytest.raises(ProtectedError):
        corpus.delete()
    with pytest.raises(ProtectedError):
        tool.delete()
