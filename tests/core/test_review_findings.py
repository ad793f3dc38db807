"""Regressions found in review: each would fail without its fix."""

import pytest
from django.test import Client

from agents import services
from agents.models import Agent, AgentPermission, Instruction
from publishing.services import publish_agent
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_viewer_of_a_never_published_agent_gets_a_list_without_it(agent, owner):
    viewer = factories.UserFactory()
    AgentPermission.objects.create(agent=agent, user=viewer, role="viewer")
    response = client_for(viewer).get("/api/v2/agents")
    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/agents/99999999999999999999/", 404),
        ("/agents/{agent}/corpora/99999999999999999999/disconnect/", 404),
        ("/agents/{agent}/publishes/", 200),  # the same page with an id in range
    ],
)
def test_page_ids_beyond_64_bits_are_not_found(agent, owner, path, status):
    client = Client()
    client.force_login(owner)
    url = path.format(agent=agent.pk)
    response = client.post(url) if "disconnect" in url else client.get(url)
    assert response.status_code == status


def test_bulk_disconnect_refuses_ids_beyond_64_bits(agent, owner):
    response = client_for(owner).delete(
        f"/api/v2/agents/{agent.pk}/corpora", {"corpus_ids": [2**70]}, format="json"
    )
    assert response.status_code == 400


def test_editing_title_and_position_at_once_records_one_row(agent, owner):
    first = services.add_instruction(agent=agent, acting_user=owner, title="A", content="a")
    second = services.add_instruction(agent=agent, acting_user=owner, title="B", content="b")
    services.update_instruction(
        agent=agent, acting_user=owner, instruction_id=second.pk, title="B2", position=0
    )
    latest = Instruction.history.filter(id=second.pk).order_by("-history_id")
    revision = latest.first().staging_revision
    assert latest.filter(staging_revision=revision).count() == 1
    assert Instruction.history.filter(id=first.pk, staging_revision=revision).count() == 1


def test_an_agent_archived_after_the_permission_check_is_not_written(agent, owner):
    stale = Agent.objects.get(pk=agent.pk)  # loaded before the archive, like a slow request
    services.delete_agent(agent=agent, acting_user=owner)
    with pytest.raises(Agent.DoesNotExist):
        services.set_tags(agent=stale, acting_user=owner, tags=["late"])
    with pytest.raises(Agent.DoesNotExist):
        publish_agent(agent=stale, user=owner)


def test_the_list_page_orders_and_searches_viewers_by_production_names(project, owner):
    alpha = factories.AgentFactory(project=project, user=owner, name="Alpha")
    beta = factories.AgentFactory(project=project, user=owner, name="Beta")
    viewer = factories.UserFactory()
    for agent in (alpha, beta):
        services.set_access_level(agent=agent, acting_user=owner, access_level="public")
        publish_agent(agent=agent, user=owner)
    services.update_agent_settings(agent=beta, acting_user=owner, name="Aardvark (draft)")
    client = Client()
    client.force_login(viewer)
    body = client.get("/agents/").content.decode()
    assert body.index("Alpha") < body.index("Beta")
    assert "Aardvark" not in body
    assert "Beta" not in client.get("/agents/", {"q": "Aardvark"}).content.decode()


def test_a_malformed_history_id_is_a_400(agent, owner):
    response = client_for(owner).get(f"/api/v2/agents/{agent.pk}/history/1.0")
    assert response.status_code == 400
    assert "history_id" in response.json()


def test_bad_body_is_a_400_before_an_unknown_path_id_is_a_404(agent, owner):
    client = client_for(owner)
    permissions = client.put(
        f"/api/v2/agents/{agent.pk}/permissions/999999", {"role": "bogus"}, format="json"
    )
    assert permissions.status_code == 400
    corpus = client.put(
        f"/api/v2/agents/{agent.pk}/corpora/999999", {"top_k": "many"}, format="json"
    )
    assert corpus.status_code == 400
