"""GET staging-diff and GET status."""

from __future__ import annotations

from agents import services
from publishing.selectors import review_staging
from publishing.services import publish_agent
from tests.publishing.conftest import client_as


def diff_url(agent) -> str:
    return f"/api/v2/agents/{agent.pk}/staging-diff"


def status_url(agent) -> str:
    return f"/api/v2/agents/{agent.pk}/status"


# --- staging-diff -------------------------------------------------------------------------


def test_staging_diff_of_a_never_published_agent(agent, editor):
    data = client_as(editor).get(diff_url(agent)).json()
    assert data["has_changes"] is True
    assert data["published"] is False
    assert data["before"] == "production"
    assert data["after"] == "staging"
    assert data["fingerprint"] == review_staging(agent).fingerprint


def test_staging_diff_shows_only_differences_in_section_order(agent, owner, editor, catalogue):
    publish_agent(agent=agent, acting_user=owner)
    services.set_guardrail(
        agent=agent, acting_user=owner, guardrail_id=catalogue["guardrails"][0].pk, enabled=True
    )
    services.add_instruction(agent=agent, acting_user=owner, title="Greet", content="Hello")
    services.update_agent_settings(agent=agent, acting_user=owner, description="Updated")

    data = client_as(editor).get(diff_url(agent)).json()

    assert [c["section"] for c in data["changes"]] == ["settings", "instructions", "guardrails"]
    assert data["counts"] == {
        "settings": 1,
        "instructions": 1,
        "knowledge_sources": 0,
        "tools": 0,
        "guardrails": 1,
    }
    description = data["changes"][0]
    assert [a["username"] for a in description.pop("authors")] == ["owner"]
    assert description == {
        "section": "settings",
        "key": "settings",
        "field": "description",
        "label": "Description",
        "change": "modified",
        "before": "Answers questions",
        "after": "Updated",
    }


def test_staging_diff_is_empty_right_after_a_publish(agent, owner, editor):
    publish_agent(agent=agent, acting_user=owner)
    data = client_as(editor).get(diff_url(agent)).json()
    assert data["has_changes"] is False
    assert data["changes"] == []
    assert data["summary"] == "No changes"
    assert sum(data["counts"].values()) == 0


def test_staging_diff_matches_an_instruction_by_identity_not_position(agent, owner, editor):
    services.add_instruction(agent=agent, acting_user=owner, title="First", content="1")
    services.add_instruction(agent=agent, acting_user=owner, title="Second", content="2")
    publish_agent(agent=agent, acting_user=owner)
    services.add_instruction(
        agent=agent, acting_user=owner, title="Zeroth", content="0", position=0
    )

    changes = client_as(editor).get(diff_url(agent)).json()["changes"]

    assert [(c["change"], c["label"]) for c in changes] == [("added", "Instruction “Zeroth”")]


def test_staging_diff_writes_nothing(agent, editor):
    checkpoints = agent.staging.history.count()
    client_as(editor).get(diff_url(agent))
    assert agent.staging.history.count() == checkpoints


# --- status -------------------------------------------------------------------------------


def test_status_before_the_first_publish(agent, editor):
    data = client_as(editor).get(status_url(agent)).json()
    assert data == {
        "published": False,
        "has_unpublished_changes": True,
        "last_published_at": None,
        "last_change_track_id": None,
    }


def test_status_after_a_publish_and_an_edit(agent, owner, editor):
    record = publish_agent(agent=agent, acting_user=owner)
    client = client_as(editor)

    clean = client.get(status_url(agent)).json()
    assert clean["published"] is True
    assert clean["has_unpublished_changes"] is False
    assert clean["last_change_track_id"] == str(record.change_track_id)
    assert clean["last_published_at"] == record.published_at.isoformat().replace("+00:00", "Z")

    services.update_agent_settings(agent=agent, acting_user=owner, name="Edited")
    assert client.get(status_url(agent)).json()["has_unpublished_changes"] is True


def test_status_agrees_with_the_staging_diff(agent, owner, editor):
    client = client_as(editor)
    for step in range(3):
        if step:
            services.update_agent_settings(agent=agent, acting_user=owner, name=f"Name {step}")
        status = client.get(status_url(agent)).json()
        diff = client.get(diff_url(agent)).json()
        assert status["has_unpublished_changes"] == diff["has_changes"]
        publish_agent(agent=agent, acting_user=owner)


def test_status_hides_staging_from_a_viewer(agent, owner, viewer):
    record = publish_agent(agent=agent, acting_user=owner)
    services.update_agent_settings(agent=agent, acting_user=owner, name="Unpublished")

    response = client_as(viewer).get(status_url(agent))

    assert response.status_code == 200
    assert response.json() == {
        "published": True,
        "has_unpublished_changes": None,
        "last_published_at": record.published_at.isoformat().replace("+00:00", "Z"),
        "last_change_track_id": str(record.change_track_id),
    }


def test_status_of_a_public_agent_for_any_signed_in_user(agent, owner, stranger):
    services.set_access_level(agent=agent, acting_user=owner, access_level="public")
    publish_agent(agent=agent, acting_user=owner)
    response = client_as(stranger).get(status_url(agent))
    assert response.status_code == 200
    assert response.json()["has_unpublished_changes"] is None
