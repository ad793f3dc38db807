"""The edit history of Staging: checkpoints, what each changed, restoring one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agents import services
from agents.snapshot import staging_snapshot
from publishing.selectors import checkpoint_snapshot, edit_history
from tests import factories
from tests.pages.conftest import production_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkpoints(agent, owner, users, published):
    services.set_tags(agent=agent, acting_user=users["editor"], tags=["faq"])
    services.update_agent_settings(agent=agent, acting_user=owner, name="Support bot 2")
    return list(edit_history(agent))


def test_history_lists_checkpoints_newest_first(client_as, agent, checkpoints):
    html = client_as("editor").get(reverse("publishing:history", args=[agent.pk])).content.decode()
    assert html.index("Settings changed: Name") < html.index("Tags replaced")
    assert html.index("Tags replaced") < html.index("Agent created")
    assert ">editor<" in html
    assert html.count("Current</span>") == 1


def test_publisher_sees_restore_buttons_editor_does_not(client_as, agent, checkpoints):
    url = reverse("publishing:history", args=[agent.pk])
    restore = reverse("publishing:checkpoint-restore", args=[agent.pk, checkpoints[1].history_id])
    assert restore in client_as("publisher").get(url).content.decode()
    assert restore not in client_as("editor").get(url).content.decode()


def test_the_current_checkpoint_has_no_restore_button(client_as, agent, checkpoints):
    url = reverse("publishing:history", args=[agent.pk])
    current = reverse("publishing:checkpoint-restore", args=[agent.pk, checkpoints[0].history_id])
    assert current not in client_as("publisher").get(url).content.decode()


def test_checkpoint_shows_what_that_edit_changed(client_as, agent, checkpoints):
    tags = checkpoints[1]
    url = reverse("publishing:checkpoint", args=[agent.pk, tags.history_id])
    html = client_as("editor").get(url).content.decode()
    assert f"Checkpoint {tags.revision}" in html
    assert "Tags replaced" in html
    assert ">Tags</span>" in html
    edit = html.split("What this edit changed")[1].split("What Staging would become")[0]
    assert "Support bot 2" not in edit


def test_restore_a_checkpoint(client_as, agent, checkpoints):
    target = checkpoints[2]  # before the tags and the rename
    live = production_of(agent)
    url = reverse("publishing:checkpoint-restore", args=[agent.pk, target.history_id])
    response = client_as("publisher").post(url, {"confirmed": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("publishing:review", args=[agent.pk])
    assert f"Staging restored to checkpoint {target.revision}" in response.content.decode()
    assert staging_snapshot(agent) == checkpoint_snapshot(
        agent_id=agent.pk, revision=target.revision
    )
    assert staging_snapshot(agent)["settings"]["name"] == "Support bot"
    assert production_of(agent) == live
    # The restore is itself a checkpoint.
    assert edit_history(agent).first().history_change_reason.startswith("Restored checkpoint")


def test_unknown_checkpoint_is_404(client_as, agent, checkpoints):
    assert client_as("editor").get(f"/agents/{agent.pk}/history/999999/").status_code == 404
    url = reverse("publishing:checkpoint-restore", args=[agent.pk, 999999])
    assert client_as("publisher").post(url).status_code == 404


def test_another_agents_checkpoint_is_404(client_as, agent, project, checkpoints):
    other = factories.AgentFactory(project=project)
    foreign = edit_history(other).first()
    url = reverse("publishing:checkpoint", args=[agent.pk, foreign.history_id])
    assert client_as("owner").get(url).status_code == 404
    url = reverse("publishing:checkpoint-restore", args=[agent.pk, foreign.history_id])
    assert client_as("owner").post(url).status_code == 404


def test_restoring_a_checkpoint_that_needs_a_deleted_corpus_is_refused(
    client_as, agent, owner, catalogue, published
):
    corpus = catalogue["manuals"]
    services.connect_corpora(agent=agent, acting_user=owner, corpus_ids=[corpus.pk])
    with_corpus = edit_history(agent).first()
    services.disconnect_corpora(agent=agent, acting_user=owner, corpus_ids=[corpus.pk])
    corpus_id = corpus.pk
    corpus.delete()
    before = staging_snapshot(agent)
    # The preview says so before anyone confirms, and offers no Restore button.
    preview = client_as("publisher").get(
        reverse("publishing:checkpoint", args=[agent.pk, with_corpus.history_id])
    )
    assert "This checkpoint cannot be restored" in preview.content.decode()
    assert f"knowledge source(s) [{corpus_id}] no longer exist" in preview.content.decode()
    assert "data-confirm=" not in preview.content.decode().split('id="restore"')[-1]
    url = reverse("publishing:checkpoint-restore", args=[agent.pk, with_corpus.history_id])
    response = client_as("publisher").post(url, {"confirmed": "1"})
    assert response.status_code == 400
    assert "Nothing was restored" in response.content.decode()
    assert "no longer exist in the catalogue" in response.content.decode()
    assert staging_snapshot(agent) == before
