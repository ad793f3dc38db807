"""The copy page: choose another agent's Staging or Production, see the diff, confirm."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agents.models import StagingConfiguration
from agents.selectors_transfer import STAGING, Source, export_document
from publishing.services import publish_agent
from tests import factories
from tests.agents.transfer_world import catalogue, configure, without_origin
from tests.reliability.helpers import stored_state


@pytest.fixture
def dev(project, owner, organization):
    """A tested "dev" agent of the same organization, owned by the agent's owner."""
    dev = factories.AgentFactory(project=project, user=owner, name="Dev bot")
    return configure(dev, owner, catalogue(organization, project))


def url(agent):
    return reverse("publishing:copy-from", args=[agent.pk])


def test_the_page_offers_the_other_agents_configurations(agent, dev, client_as, owner):
    publish_agent(agent=dev, acting_user=owner)
    response = client_as("owner").get(url(agent))
    assert response.status_code == 200
    choices = dict(response.context["form"].fields["source"].choices)
    assert choices == {
        f"{dev.pk}:staging": "Dev bot · Staging",
        f"{dev.pk}:production": "Dev bot · Production",
    }


def test_an_editor_without_a_role_on_the_other_agent_is_offered_nothing(agent, dev, client_as):
    response = client_as("editor").get(url(agent))
    assert response.status_code == 200
    assert not response.context["has_sources"]
    assert b"No other agent" in response.content


def test_the_preview_shows_the_diff_and_writes_nothing(agent, dev, client_as):
    state = stored_state(agent)
    response = client_as("owner").get(url(agent), {"source": f"{dev.pk}:staging"})
    assert response.status_code == 200
    assert response.context["result"].diff.has_changes
    assert b"Copy onto Staging" in response.content
    assert b"data-confirm=" in response.content
    assert stored_state(agent) == state


def test_confirming_copies_onto_staging(agent, dev, client_as, owner):
    response = client_as("owner").post(url(agent), {"source": f"{dev.pk}:staging"})
    assert response.status_code == 302
    assert response["Location"] == reverse("agents:editor", args=[agent.pk])
    mine = export_document(agent, Source(STAGING))
    assert without_origin(mine) == without_origin(export_document(dev, Source(STAGING)))
    row = StagingConfiguration.history.filter(agent_id=agent.pk).order_by("-history_id").first()
    assert row.history_user_id == owner.pk
    assert agent.production_or_none() is None


@pytest.mark.parametrize("value", ["", "nonsense", "999999:staging", "1:production"])
def test_a_source_not_offered_is_refused(agent, dev, client_as, value):
    state = stored_state(agent)
    response = client_as("owner").post(url(agent), {"source": value})
    assert response.status_code == 400
    assert stored_state(agent) == state


def test_a_viewer_may_not_copy(agent, dev, client_as):
    assert client_as("viewer").get(url(agent)).status_code == 403
    assert client_as("viewer").post(url(agent), {"source": f"{dev.pk}:staging"}).status_code == 403


def test_a_copy_already_made_has_nothing_to_confirm(agent, dev, client_as):
    client_as("owner").post(url(agent), {"source": f"{dev.pk}:staging"})
    response = client_as("owner").get(url(agent), {"source": f"{dev.pk}:staging"})
    assert response.status_code == 200
    assert b"there is nothing to copy" in response.content
    assert b"Copy onto Staging" not in response.content


def test_a_confirmation_carries_its_preview_revision_and_copies_on_it(agent, dev, client_as):
    preview = client_as("owner").get(url(agent), {"source": f"{dev.pk}:staging"})
    revision = StagingConfiguration.objects.get(agent_id=agent.pk).revision
    assert f'name="base_revision" value="{revision}"'.encode() in preview.content
    response = client_as("owner").post(
        url(agent), {"source": f"{dev.pk}:staging", "base_revision": revision}
    )
    assert response.status_code == 302


def test_a_copy_confirmed_after_someone_saved_is_refused_with_a_fresh_preview(
    agent, dev, client_as, owner
):
    from agents import services

    revision = StagingConfiguration.objects.get(agent_id=agent.pk).revision
    services.update_agent_settings(agent=agent, acting_user=owner, name="Saved meanwhile")
    state = stored_state(agent)

    response = client_as("owner").post(
        url(agent), {"source": f"{dev.pk}:staging", "base_revision": revision}
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Nothing was copied: Staging changed since your preview" in page
    assert "Saved meanwhile" in page  # the fresh preview shows what the copy would replace
    fresh = StagingConfiguration.objects.get(agent_id=agent.pk).revision
    assert f'name="base_revision" value="{fresh}"' in page
    assert stored_state(agent) == state
