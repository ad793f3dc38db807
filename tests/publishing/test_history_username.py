"""Red-team finding 8: deleting a user must not erase who edited Staging.

The history rows' ``history_user`` (and Staging's ``updated_by``) are set to NULL when the user
is deleted; the username captured at write time keeps naming them, in the API and the pages.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from agents import services
from agents.models import AgentPermission, Instruction, StagingConfiguration
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def departed(agent, owner):
    """An editor who edited Staging and was then deleted."""
    editor = factories.UserFactory(username="departed-editor")
    factories.join(agent.project.organization, editor)  # roles go to members only
    services.grant_permission(
        agent=agent, acting_user=owner, target_user_id=editor.pk, role=AgentPermission.Role.EDITOR
    )
    services.add_instruction(agent=agent, acting_user=editor, title="Tone", content="Be kind.")
    editor.delete()
    return "departed-editor"


def test_history_rows_keep_the_username_after_the_user_is_deleted(agent, departed):
    checkpoint = StagingConfiguration.history.filter(agent_id=agent.pk).latest("history_id")
    instruction = Instruction.history.filter(agent_id=agent.pk).latest("history_id")
    staging = StagingConfiguration.objects.get(pk=agent.pk)

    assert checkpoint.history_user is None
    assert checkpoint.history_username == departed
    assert instruction.history_username == departed
    assert staging.updated_by is None
    assert staging.updated_by_username == departed


def test_api_edit_history_names_the_deleted_user(agent, owner, departed):
    client = client_for(owner)
    listed = client.get(f"/api/v2/agents/{agent.pk}/history").json()
    items = listed["results"] if isinstance(listed, dict) else listed
    newest = items[0]

    assert newest["changed_by"] == {"id": None, "username": departed}
    # An edit by a user who still exists keeps the id.
    assert items[-1]["changed_by"] == {"id": owner.pk, "username": "owner"}

    detail = client.get(f"/api/v2/agents/{agent.pk}/history/{newest['history_id']}").json()
    assert detail["changed_by"] == {"id": None, "username": departed}


def test_history_pages_name_the_deleted_user(client, agent, owner, departed):
    client.force_login(owner)
    checkpoint = StagingConfiguration.history.filter(agent_id=agent.pk).latest("history_id")

    listed = client.get(reverse("publishing:history", args=[agent.pk])).content.decode()
    shown = client.get(
        reverse("publishing:checkpoint", args=[agent.pk, checkpoint.history_id])
    ).content.decode()

    assert f">{departed}<" in listed
    assert f"by {departed} on" in shown


def test_migration_backfills_usernames_from_the_keys_still_set(agent, owner):
    services.add_instruction(agent=agent, acting_user=owner, title="Tone", content="Be kind.")
    services.add_instruction(agent=agent, acting_user=owner, title="Scope", content="Only support.")
    historical = [
        StagingConfiguration.history.model,
        Instruction.history.model,
    ]
    # As rows written before the column existed look.
    for model in historical:
        model.objects.update(history_username="")
    StagingConfiguration.objects.update(updated_by_username="")
    StagingConfiguration.history.model.objects.update(updated_by_username="")
    orphan = Instruction.history.model.objects.latest("history_id")
    Instruction.history.model.objects.filter(pk=orphan.pk).update(history_user=None)

    migration = importlib.import_module("agents.migrations.0005_backfill_history_username")
    migration.backfill(apps, None)

    staging_names = StagingConfiguration.history.model.objects.values_list(
        "history_username", flat=True
    )
    instruction_names = Instruction.history.model.objects.exclude(pk=orphan.pk).values_list(
        "history_username", flat=True
    )
    assert set(staging_names) == {"owner"}
    assert set(instruction_names) == {"owner"}
    assert Instruction.history.model.objects.get(pk=orphan.pk).history_username == ""
    assert StagingConfiguration.objects.get(pk=agent.pk).updated_by_username == "owner"
    assert set(
        StagingConfiguration.history.model.objects.values_list("updated_by_username", flat=True)
    ) == {"owner"}
