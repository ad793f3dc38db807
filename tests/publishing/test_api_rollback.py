"""PUT rollback (restore / revert) and POST discard: Staging only, answered with the new diff."""

from __future__ import annotations

import uuid

import pytest

from agents import services
from agents.models import StagingConfiguration
from publishing.models import ProductionConfiguration, PublishRecord
from publishing.selectors import edit_history, review_staging
from publishing.services import publish_agent
from tests.publishing.conftest import (
    as_json,
    assert_invariants,
    client_as,
    production_of,
    staging_of,
)


def rollback_url(agent) -> str:
    return f"/api/v2/agents/{agent.pk}/rollback"


def discard_url(agent) -> str:
    return f"/api/v2/agents/{agent.pk}/discard"


def frozen(agent) -> tuple:
    """Everything a refused rollback must leave as it was."""
    return (
        staging_of(agent),
        StagingConfiguration.history.filter(agent_id=agent.pk).count(),
        ProductionConfiguration.objects.filter(agent_id=agent.pk).values().first(),
        PublishRecord.objects.filter(agent=agent).count(),
    )


@pytest.fixture
def two_publishes(agent, owner, catalogue):
    services.add_instruction(agent=agent, acting_user=owner, title="Greet", content="Hello")
    first = publish_agent(agent=agent, acting_user=owner)
    services.enable_tool(agent=agent, acting_user=owner, tool_id=catalogue["tools"][0].pk)
    services.update_agent_settings(agent=agent, acting_user=owner, name="Support bot v2")
    second = publish_agent(agent=agent, acting_user=owner)
    return first, second


# --- restore ------------------------------------------------------------------------------


def test_restore_answers_the_new_staging_diff(agent, publisher, two_publishes):
    first, second = two_publishes

    response = client_as(publisher).put(
        rollback_url(agent), {"change_track_id": str(first.change_track_id)}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == as_json(review_staging(agent, with_authors=True).as_dict())
    assert staging_of(agent) == first.snapshot
    assert production_of(agent) == second.snapshot
    assert_invariants(agent)


def test_restore_is_attributed_to_the_caller(agent, publisher, two_publishes):
    first, _ = two_publishes
    client_as(publisher).put(
        rollback_url(agent),
        {"change_track_id": str(first.change_track_id), "mode": "restore"},
        format="json",
    )
    newest = edit_history(agent).first()
    assert newest.history_user == publisher
    assert newest.history_change_reason == "Restore of publish #1"


def test_restore_then_publish_over_the_api(agent, publisher, two_publishes):
    first, _ = two_publishes
    client = client_as(publisher)
    client.put(rollback_url(agent), {"change_track_id": str(first.change_track_id)}, format="json")

    record = client.post(f"/api/v2/agents/{agent.pk}/publish", {}, format="json").json()

    assert record["restored_from"] == str(first.change_track_id)
    assert record["restored_mode"] == "restore"
    assert production_of(agent) == first.snapshot


# --- revert -------------------------------------------------------------------------------


def test_revert_undoes_only_that_publish(agent, publisher, two_publishes):
    first, second = two_publishes

    response = client_as(publisher).put(
        rollback_url(agent),
        {"change_track_id": str(first.change_track_id), "mode": "revert"},
        format="json",
    )

    assert response.status_code == 200
    staging = staging_of(agent)
    assert staging["instructions"] == []
    assert staging["settings"]["name"] == "Support bot v2"
    assert response.json()["counts"]["instructions"] == 1
    assert production_of(agent) == second.snapshot


def test_revert_conflict_is_409_and_staging_is_unchanged(agent, owner, publisher, two_publishes):
    _, second = two_publishes
    services.update_agent_settings(agent=agent, acting_user=owner, name="Renamed since")
    before = frozen(agent)

    response = client_as(publisher).put(
        rollback_url(agent),
        {"change_track_id": str(second.change_track_id), "mode": "revert"},
        format="json",
    )

    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "conflict"
    assert data["detail"]
    assert [(c["section"], c["field"], c["current"]) for c in data["conflicts"]] == [
        ("settings", "name", "Renamed since")
    ]
    assert frozen(agent) == before


# --- refusals -----------------------------------------------------------------------------


def test_unknown_change_track_id_is_404(agent, publisher, two_publishes):
    before = frozen(agent)
    response = client_as(publisher).put(
        rollback_url(agent), {"change_track_id": str(uuid.uuid4())}, format="json"
    )
    assert response.status_code == 404
    assert frozen(agent) == before


def test_another_agents_change_track_id_is_404(agent, publisher, two_publishes, other_agent):
    foreign = PublishRecord.objects.get(agent=other_agent)
    before = frozen(agent)
    response = client_as(publisher).put(
        rollback_url(agent), {"change_track_id": str(foreign.change_track_id)}, format="json"
    )
    assert response.status_code == 404
    assert frozen(agent) == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "change_track_id"),
        ({"mode": "restore"}, "change_track_id"),
        ({"change_track_id": None}, "change_track_id"),
        ({"change_track_id": "not-a-uuid"}, "change_track_id"),
        ({"change_track_id": 42}, "change_track_id"),
        ({"change_track_id": ["x"]}, "change_track_id"),
        ({"change_track_id": "VALID", "mode": "sideways"}, "mode"),
        ({"change_track_id": "VALID", "mode": None}, "mode"),
    ],
    ids=[
        "missing",
        "missing-with-mode",
        "null",
        "malformed",
        "number",
        "list",
        "mode",
        "null-mode",
    ],
)
def test_bad_input_is_400_naming_the_field(agent, publisher, two_publishes, payload, field):
    first, _ = two_publishes
    if payload.get("change_track_id") == "VALID":
        payload = {**payload, "change_track_id": str(first.change_track_id)}
    before = frozen(agent)
    response = client_as(publisher).put(rollback_url(agent), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert frozen(agent) == before


def test_rollback_to_a_configuration_the_catalogue_lost_is_400(agent, owner, publisher, catalogue):
    corpus = catalogue["corpora"][0]
    services.connect_corpora(agent=agent, acting_user=owner, corpus_ids=[corpus.pk])
    first = publish_agent(agent=agent, acting_user=owner)
    services.disconnect_corpora(agent=agent, acting_user=owner, corpus_ids=[corpus.pk])
    publish_agent(agent=agent, acting_user=owner)
    corpus.delete()
    before = frozen(agent)

    response = client_as(publisher).put(
        rollback_url(agent), {"change_track_id": str(first.change_track_id)}, format="json"
    )

    assert response.status_code == 400
    assert "snapshot" in response.json()
    assert frozen(agent) == before


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_rollback_is_put_only(agent, publisher, method):
    assert getattr(client_as(publisher), method)(rollback_url(agent)).status_code == 405


# --- discard ------------------------------------------------------------------------------


def test_discard_drops_unpublished_changes(agent, owner, publisher):
    publish_agent(agent=agent, acting_user=owner)
    services.add_instruction(agent=agent, acting_user=owner, title="Draft", content="Not yet")
    production = ProductionConfiguration.objects.values().get(agent_id=agent.pk)

    response = client_as(publisher).post(discard_url(agent))

    assert response.status_code == 200
    assert response.json()["has_changes"] is False
    assert staging_of(agent) == production_of(agent)
    assert ProductionConfiguration.objects.values().get(agent_id=agent.pk) == production
    newest = edit_history(agent).first()
    assert newest.history_user == publisher
    assert newest.history_change_reason == "Unpublished changes discarded"


def test_discard_with_nothing_to_discard_is_409(agent, owner, publisher):
    publish_agent(agent=agent, acting_user=owner)
    before = frozen(agent)

    response = client_as(publisher).post(discard_url(agent))

    assert response.status_code == 409
    assert response.json() == {
        "code": "nothing_to_discard",
        "detail": "Staging is identical to Production; there is nothing to discard.",
    }
    assert frozen(agent) == before


def test_discard_before_the_first_publish_is_409(agent, publisher):
    before = frozen(agent)
    response = client_as(publisher).post(discard_url(agent))
    assert response.status_code == 409
    assert response.json()["code"] == "nothing_to_discard"
    assert frozen(agent) == before


def test_discard_ignores_a_body(agent, owner, publisher):
    publish_agent(agent=agent, acting_user=owner)
    services.update_agent_settings(agent=agent, acting_user=owner, name="Draft")
    response = client_as(publisher).post(discard_url(agent), {"anything": 1}, format="json")
    assert response.status_code == 200
    assert staging_of(agent) == production_of(agent)
    assert staging_of(agent)["settings"]["name"] != "Draft"
