"""Every service that acts on an agent checks the acting user's role itself.

The API and the pages check first (for their 404 and 403 answers); these call the services
directly, as a management command or a background task would, and require the same
refusals: ``PermissionDenied`` for a role one step too weak, ``Agent.DoesNotExist`` for a
user who may not see the agent at all - and nothing written either way. One service per
module of ``agents.services``, each at the role the API requires for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from agents import services
from agents.models import Agent, AgentPermission, Instruction, StagingConfiguration
from agents.selectors_transfer import STAGING, Source, export_document
from agents.snapshot import staging_snapshot
from tests import factories

# Each role's fixture (tests/agents/conftest.py) is named after it; the role one step below.
BELOW = {"editor": "viewer", "publisher": "editor", "owner": "publisher"}


def _member_permission(ctx: dict[str, Any]) -> AgentPermission:
    return AgentPermission.objects.get(agent=ctx["agent"], user=ctx["viewer"])


# (service, the role it requires, the call).
CALLS: dict[str, tuple[str, Callable[[dict[str, Any], Any], Any]]] = {
    "agents.update_agent_settings": (
        "editor",
        lambda ctx, user: services.update_agent_settings(
            agent=ctx["agent"], acting_user=user, name="Renamed"
        ),
    ),
    "agents.delete_agent": (
        "owner",
        lambda ctx, user: services.delete_agent(agent=ctx["agent"], acting_user=user),
    ),
    "instructions.add_instruction": (
        "editor",
        lambda ctx, user: services.add_instruction(
            agent=ctx["agent"], acting_user=user, title="T", content="C"
        ),
    ),
    "knowledge.connect_corpora": (
        "editor",
        lambda ctx, user: services.connect_corpora(
            agent=ctx["agent"], acting_user=user, corpus_ids=[ctx["corpus"].pk]
        ),
    ),
    "knowledge.set_sharepoint_folder": (
        "editor",
        lambda ctx, user: services.set_sharepoint_folder(
            agent=ctx["agent"],
            acting_user=user,
            site_url="https://contoso.sharepoint.com/sites/hr",
            folder_path="/Shared Documents",
        ),
    ),
    "tools.enable_tool": (
        "editor",
        lambda ctx, user: services.enable_tool(
            agent=ctx["agent"], acting_user=user, tool_id=ctx["tool"].pk
        ),
    ),
    "guardrails.set_guardrail": (
        "editor",
        lambda ctx, user: services.set_guardrail(
            agent=ctx["agent"], acting_user=user, guardrail_id=ctx["guardrail"].pk, enabled=True
        ),
    ),
    "permissions.grant_permission": (
        "owner",
        lambda ctx, user: services.grant_permission(
            agent=ctx["agent"], acting_user=user, target_user_id=ctx["member"].pk, role="editor"
        ),
    ),
    "permissions.change_permission": (
        "owner",
        lambda ctx, user: services.change_permission(
            permission=_member_permission(ctx), acting_user=user, role="editor"
        ),
    ),
    "permissions.revoke_permission": (
        "owner",
        lambda ctx, user: services.revoke_permission(
            permission=_member_permission(ctx), acting_user=user
        ),
    ),
    "apply.apply_snapshot_to_staging": (
        "publisher",
        lambda ctx, user: services.apply_snapshot_to_staging(
            agent=ctx["agent"],
            acting_user=user,
            snapshot=ctx["other_snapshot"],
            reason="Restored",
        ),
    ),
    "apply.replace_staging": (
        "editor",
        lambda ctx, user: services.replace_staging(
            agent=ctx["agent"], acting_user=user, snapshot=ctx["other_snapshot"], reason="Copied"
        ),
    ),
    # Copy needs a role on the source agent too: tests/agents/test_transfer.py.
    "transfer.import_document": (
        "editor",
        lambda ctx, user: services.import_document(
            agent=ctx["agent"], acting_user=user, document=ctx["other_document"]
        ),
    ),
}


@pytest.fixture
def ctx(request, agent, owner, viewer, editor, publisher, member, corpus, tool, guardrail):
    """Everyone and everything the calls need, and a snapshot that differs from Staging."""
    donor = factories.AgentFactory(project=agent.project, user=owner, name="Donor")
    services.add_instruction(agent=donor, acting_user=owner, title="From", content="the donor")
    return {
        "agent": Agent.objects.get(pk=agent.pk),
        "owner": owner,
        "viewer": viewer,
        "editor": editor,
        "publisher": publisher,
        "member": member,
        "corpus": corpus,
        "tool": tool,
        "guardrail": guardrail,
        "other_snapshot": staging_snapshot(donor),
        "other_document": export_document(donor, Source(STAGING)),
    }


def written(agent: Agent) -> tuple[Any, ...]:
    """What any of the calls would change: Staging's revision, the roles, the archive mark."""
    return (
        StagingConfiguration.objects.get(agent_id=agent.pk).revision,
        sorted(AgentPermission.objects.filter(agent_id=agent.pk).values_list("user_id", "role")),
        Agent.objects.get(pk=agent.pk).deleted_at,
        Instruction.objects.filter(agent_id=agent.pk).count(),
    )


@pytest.mark.parametrize("name", CALLS)
def test_a_role_one_step_too_weak_is_refused(name, ctx):
    required, call = CALLS[name]
    before = written(ctx["agent"])
    with pytest.raises(PermissionDenied):
        call(ctx, ctx[BELOW[required]])
    assert written(ctx["agent"]) == before


@pytest.mark.parametrize("name", CALLS)
def test_a_user_who_cannot_see_the_agent_is_told_it_does_not_exist(name, ctx, stranger):
    _required, call = CALLS[name]
    before = written(ctx["agent"])
    with pytest.raises(Agent.DoesNotExist):
        call(ctx, stranger)
    assert written(ctx["agent"]) == before


@pytest.mark.parametrize("name", CALLS)
def test_the_required_role_is_enough(name, ctx):
    required, call = CALLS[name]
    before = written(ctx["agent"])
    call(ctx, ctx[required])
    assert written(ctx["agent"]) != before


# --- creating an agent (no agent yet: the rule is membership of the project's organization) --


def test_a_member_of_the_projects_organization_creates_an_agent(project, member):
    agent = services.create_agent(project=project, acting_user=member, name="Mine")
    assert AgentPermission.objects.get(agent=agent).user == member


def test_a_superuser_creates_an_agent_in_any_project(project, superuser):
    agent = services.create_agent(project=project, acting_user=superuser, name="Root's")
    assert agent.created_by == superuser


def test_someone_outside_the_projects_organization_cannot_create_an_agent(project, stranger):
    with pytest.raises(PermissionDenied):
        services.create_agent(project=project, acting_user=stranger, name="Intruder")
    assert not Agent.objects.filter(project=project).exists()


def test_nobody_signed_in_cannot_create_an_agent(project):
    with pytest.raises(PermissionDenied):
        services.create_agent(project=project, acting_user=AnonymousUser(), name="Nobody's")
    assert not Agent.objects.filter(project=project).exists()
