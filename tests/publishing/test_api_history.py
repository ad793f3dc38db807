"""GET history, GET one checkpoint with its diff, POST restore of a checkpoint."""

from __future__ import annotations

import pytest

from agents import services
from agents.models import StagingConfiguration
from publishing.models import ProductionConfiguration
from publishing.selectors import edit_history, review_staging
from publishing.services import publish_agent
from tests.publishing.conftest import as_json, client_as, grant, staging_of

ROW_FIELDS = {"history_id", "revision", "changed_by", "changed_at", "summary", "published"}


def history_url(agent, suffix: str = "") -> str:
    return f"/api/v2/agents/{agent.pk}/history{suffix}"


def checkpoints(agent) -> int:
    return StagingConfiguration.history.filter(agent_id=agent.pk).count()


@pytest.fixture
def edited(agent, owner, editor, catalogue):
    """Created by owner; an instruction by editor; a tool by owner."""
    services.add_instruction(agent=agent, acting_user=editor, title="Greet", content="Hello")
    services.enable_tool(agent=agent, acting_user=owner, tool_id=catalogue["tools"][0].pk)
    return list(edit_history(agent))


def test_history_is_newest_first_and_attributed(agent, owner, editor, edited):
    response = client_as(editor).get(history_url(agent))

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3
    rows = data["results"]
    assert all(set(row) == ROW_FIELDS for row in rows)
    assert [row["revision"] for row in rows] == [3, 2, 1]
    assert [row["changed_by"]["username"] for row in rows] == ["owner", "editor", "owner"]
    assert rows[0]["changed_by"] == {"id": owner.pk, "username": "owner"}
    assert [row["summary"] for row in rows] == [
        "Tool “CRM” turned on",
        "Instruction “Greet” added",
        "Agent created",
    ]
    assert rows[0]["history_id"] == edited[0].history_id


def test_history_is_paginated(agent, owner, editor):
    for n in range(30):
        services.update_agent_settings(agent=agent, acting_user=owner, name=f"Name {n}")
    first = client_as(editor).get(history_url(agent)).json()
    assert first["count"] == 31
    assert len(first["results"]) == 25
    second = client_as(editor).get(first["next"]).json()
    assert [row["revision"] for row in second["results"]] == [6, 5, 4, 3, 2, 1]


def test_history_of_a_checkpoint_whose_author_was_deleted(agent, editor, edited):
    from tests import factories

    temp = factories.UserFactory(username="temp")
    grant(agent, temp, "editor")
    services.update_agent_settings(agent=agent, acting_user=temp, name="By a departed user")
    temp.delete()
    rows = client_as(editor).get(history_url(agent)).json()["results"]
    # The key is gone with the user; the username kept on the history row still names them.
    assert rows[0]["changed_by"] == {"id": None, "username": "temp"}


def test_checkpoint_detail_has_its_diff_against_the_one_before(agent, editor, edited):
    instruction_checkpoint = edited[1]

    response = client_as(editor).get(history_url(agent, f"/{instruction_checkpoint.history_id}"))

    assert response.status_code == 200
    data = response.json()
    assert set(data) == ROW_FIELDS | {"has_changes", "counts", "changes", "changes_summary"}
    assert data["summary"] == "Instruction “Greet” added"
    assert data["has_changes"] is True
    assert data["changes_summary"] == "1 instruction added"
    assert data["counts"]["instructions"] == 1
    assert [(c["section"], c["change"]) for c in data["changes"]] == [("instructions", "added")]


def test_first_checkpoint_detail_is_against_nothing(agent, editor, edited):
    data = client_as(editor).get(history_url(agent, f"/{edited[-1].history_id}")).json()
    assert data["summary"] == "Agent created"
    assert data["counts"]["settings"] >= 1


@pytest.mark.parametrize("bad", ["abc", "1.5", "1e3", "%20"])
def test_malformed_history_id_is_400(agent, editor, bad):
    response = client_as(editor).get(history_url(agent, f"/{bad}"))
    assert response.status_code == 400
    assert "history_id" in response.json()


@pytest.mark.parametrize("unknown", ["999999", "0", "-4", "99999999999999999999999"])
def test_unknown_history_id_is_404(agent, editor, unknown):
    response = client_as(editor).get(history_url(agent, f"/{unknown}"))
    assert response.status_code == 404


def test_another_agents_checkpoint_is_404(agent, editor, other_agent):
    foreign = edit_history(other_agent).first()
    assert client_as(editor).get(history_url(agent, f"/{foreign.history_id}")).status_code == 404
    restore = client_as(editor).post(history_url(agent, f"/{foreign.history_id}/restore"))
    assert restore.status_code == 403  # the role is checked before the id


# --- restore a checkpoint -----------------------------------------------------------------


def test_restore_makes_staging_that_checkpoint_and_answers_the_diff(
    agent, owner, publisher, edited
):
    publish_agent(agent=agent, acting_user=owner)
    production = ProductionConfiguration.objects.values().get(agent_id=agent.pk)
    target = edited[1]  # after the instruction, before the tool

    response = client_as(publisher).post(history_url(agent, f"/{target.history_id}/restore"))

    assert response.status_code == 200
    assert response.json() == as_json(review_staging(agent, with_authors=True).as_dict())
    assert staging_of(agent)["tools"] == []
    assert [i["title"] for i in staging_of(agent)["instructions"]] == ["Greet"]
    assert ProductionConfiguration.objects.values().get(agent_id=agent.pk) == production
    newest = edit_history(agent).first()
    assert newest.history_user == publisher
    assert newest.history_change_reason == f"Restored checkpoint {target.revision}"


def test_restore_of_the_current_checkpoint_changes_nothing(agent, publisher, edited):
    before = checkpoints(agent)
    response = client_as(publisher).post(history_url(agent, f"/{edited[0].history_id}/restore"))
    assert response.status_code == 200
    assert checkpoints(agent) == before


def test_restore_of_an_unknown_checkpoint_is_404_and_writes_nothing(agent, publisher):
    before = checkpoints(agent)
    response = client_as(publisher).post(history_url(agent, "/424242/restore"))
    assert response.status_code == 404
    assert checkpoints(agent) == before


def test_restore_of_another_agents_checkpoint_is_404(agent, publisher, other_agent):
    foreign = edit_history(other_agent).first()
    before = checkpoints(agent)
    response = client_as(publisher).post(history_url(agent, f"/{foreign.history_id}/restore"))
    assert response.status_code == 404
    assert checkpoints(agent) == before


def test_restore_with_a_malformed_history_id_is_400(agent, publisher):
    response = client_as(publisher).post(history_url(agent, "/first/restore"))
    assert response.status_code == 400
    assert "history_id" in response.json()


def test_a_checkpoint_whose_tool_left_the_catalogue_is_shown_but_not_restored(
    agent, owner, publisher, editor, catalogue
):
    tool = catalogue["tools"][1]
    services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    with_tool = edit_history(agent).first()
    publish_agent(agent=agent, acting_user=owner)
    # Back to the first checkpoint drops the binding, so the catalogue may delete the tool.
    client_as(publisher).post(
        history_url(agent, f"/{edit_history(agent).last().history_id}/restore")
    )
    tool.delete()
    before, staging = checkpoints(agent), staging_of(agent)

    detail = client_as(editor).get(history_url(agent, f"/{with_tool.history_id}"))
    assert detail.status_code == 200
    assert detail.json()["counts"]["tools"] == 1

    restore = client_as(publisher).post(history_url(agent, f"/{with_tool.history_id}/restore"))
    assert restore.status_code == 400
    assert "snapshot" in restore.json()
    assert checkpoints(agent) == before
    assert staging_of(agent) == staging
