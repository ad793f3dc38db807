"""Who may call which publishing endpoint: 401, 404 (unseen agent), 403 (too weak a role).

Every refusal also checks that nothing was written: no publish record, no checkpoint, the
same Production.
"""

from __future__ import annotations

import pytest

from agents import services
from agents.models import StagingConfiguration
from publishing.models import ProductionConfiguration, PublishRecord
from publishing.selectors import edit_history
from publishing.services import publish_agent
from tests import factories
from tests.publishing.conftest import client_as

EDITOR_READS = [
    ("get", "staging-diff"),
    ("get", "publishes"),
    ("get", "publishes/{ct}"),
    ("get", "publishes/{ct}/diff"),
    ("get", "history"),
    ("get", "history/{hid}"),
]
PUBLISHER_WRITES = [
    ("post", "publish"),
    ("put", "rollback"),
    ("post", "discard"),
    ("post", "history/{hid}/restore"),
]
ALL = [*EDITOR_READS, *PUBLISHER_WRITES, ("get", "status")]


@pytest.fixture
def published(agent, owner):
    """Published once, then edited, so every write would have something to do."""
    record = publish_agent(agent=agent, acting_user=owner)
    services.update_agent_settings(agent=agent, acting_user=owner, name="Unpublished name")
    return record


def url(agent, published, suffix: str) -> str:
    hid = edit_history(agent).last().history_id
    return f"/api/v2/agents/{agent.pk}/" + suffix.format(ct=published.change_track_id, hid=hid)


def body(published) -> dict:
    return {"change_track_id": str(published.change_track_id)}


def call(client, method, agent, published, suffix):
    return getattr(client, method)(url(agent, published, suffix), body(published), format="json")


def refused(user, agent, published, method, suffix, status_code):
    """Call as ``user``, check the answer's status and that nothing changed; the response."""
    before = state(agent)
    response = call(client_as(user), method, agent, published, suffix)
    assert response.status_code == status_code
    assert state(agent) == before
    return response


def state(agent) -> tuple:
    return (
        PublishRecord.objects.filter(agent=agent).count(),
        StagingConfiguration.history.filter(agent_id=agent.pk).count(),
        ProductionConfiguration.objects.filter(agent_id=agent.pk).values().first(),
    )


@pytest.mark.parametrize(("method", "suffix"), ALL)
def test_anonymous_is_401(agent, published, method, suffix):
    refused(None, agent, published, method, suffix, 401)


@pytest.mark.parametrize(("method", "suffix"), ALL)
def test_a_user_who_cannot_see_the_agent_gets_404(agent, published, stranger, method, suffix):
    response = refused(stranger, agent, published, method, suffix, 404)
    assert response.json() == {"detail": "Agent not found."}


@pytest.mark.parametrize(("method", "suffix"), [*EDITOR_READS, *PUBLISHER_WRITES])
def test_a_viewer_sees_production_only(agent, published, viewer, method, suffix):
    response = refused(viewer, agent, published, method, suffix, 403)
    assert "editor" in response.json()["detail"] or "publisher" in response.json()["detail"]


@pytest.mark.parametrize(("method", "suffix"), PUBLISHER_WRITES)
def test_an_editor_may_not_publish_or_roll_back(agent, published, editor, method, suffix):
    response = refused(editor, agent, published, method, suffix, 403)
    assert response.json() == {"detail": "You need the publisher role to publish or roll back."}


@pytest.mark.parametrize(("method", "suffix"), EDITOR_READS)
def test_an_editor_may_read_everything_staged(agent, published, editor, method, suffix):
    assert call(client_as(editor), method, agent, published, suffix).status_code == 200


@pytest.mark.parametrize(("method", "suffix"), ALL)
def test_an_unknown_agent_is_404(agent, published, owner, method, suffix):
    response = getattr(client_as(owner), method)(
        url(agent, published, suffix).replace(f"/agents/{agent.pk}/", "/agents/999999/"),
        body(published),
        format="json",
    )
    assert response.status_code == 404


@pytest.mark.parametrize("agent_id", ["abc", "-1", "0", "1.5", "99999999999999999999999"])
def test_a_malformed_agent_id_is_a_json_404(owner, agent_id, db):
    response = client_as(owner).get(f"/api/v2/agents/{agent_id}/staging-diff")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_an_organization_admin_may_publish_without_a_grant(agent, organization, published):
    admin = factories.UserFactory(username="org-admin")
    factories.MembershipFactory(organization=organization, user=admin, role="admin")
    response = client_as(admin).post(f"/api/v2/agents/{agent.pk}/publish", {}, format="json")
    assert response.status_code == 201
    assert response.json()["published_by"]["username"] == "org-admin"


def test_an_organization_member_sees_only_the_status_of_an_organization_agent(
    agent, organization, owner
):
    services.set_access_level(agent=agent, acting_user=owner, access_level="organization")
    publish_agent(agent=agent, acting_user=owner)
    member = factories.UserFactory(username="member")
    factories.MembershipFactory(organization=organization, user=member)
    client = client_as(member)

    status = client.get(f"/api/v2/agents/{agent.pk}/status")
    assert status.status_code == 200
    assert status.json()["has_unpublished_changes"] is None
    assert client.get(f"/api/v2/agents/{agent.pk}/staging-diff").status_code == 403
