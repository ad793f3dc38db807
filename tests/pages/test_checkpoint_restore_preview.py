"""A checkpoint shows what restoring it would do, as restoring a publish does, and is
restored only from that preview, confirmed."""

from __future__ import annotations

import html as html_lib

import pytest
from django.urls import reverse

from agents import services
from agents.snapshot import staging_snapshot
from publishing.selectors import checkpoint_snapshot, edit_history
from tests.pages.conftest import production_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkpoints(agent, owner, published):
    """Published as "Support bot"; then Staging renamed, then an instruction added."""
    services.update_agent_settings(agent=agent, acting_user=owner, name="Support bot 2")
    services.add_instruction(agent=agent, acting_user=owner, title="Scope", content="Acme.")
    return list(edit_history(agent))


def checkpoint_url(agent, checkpoint) -> str:
    return reverse("publishing:checkpoint", args=[agent.pk, checkpoint.history_id])


def restore_url(agent, checkpoint) -> str:
    return reverse("publishing:checkpoint-restore", args=[agent.pk, checkpoint.history_id])


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def test_a_checkpoint_previews_staging_and_the_next_publish(client_as, agent, checkpoints):
    renamed = checkpoints[1]  # the rename, before "Scope"
    page = text(client_as("publisher").get(checkpoint_url(agent, renamed)))
    assert "What this edit changed" in page
    staging = page.split("What Staging would become")[1].split("What Production would get")[0]
    assert ">Staging now</th>" in staging and ">Staging after</th>" in staging
    assert "Instruction “Scope”" in staging  # it would go
    production = page.split("What Production would get at the next publish")[1]
    assert ">Production now</th>" in production
    assert "Support bot 2" in production  # the rename would go live
    assert "Scope" not in production.split('id="restore"')[0]
    assert "Production is not affected." in page


def test_the_restore_confirms_with_what_staging_gets(client_as, agent, checkpoints):
    page = text(client_as("publisher").get(checkpoint_url(agent, checkpoints[1])))
    form = page.split('id="restore"')[1]
    assert f'action="{restore_url(agent, checkpoints[1])}"' in form
    assert f'data-confirm="Restore Staging to checkpoint {checkpoints[1].revision}?"' in form
    assert (
        'data-confirm-detail="Staging gets 1 change (1 instruction). '
        'Production is not affected until someone publishes."'
    ) in form
    assert ">Restore onto Staging</button>" in form
    # Restored only from the preview: no button above it any more.
    assert page.count(restore_url(agent, checkpoints[1])) == 1
    assert page.index("What Production would get") < page.index(">Restore onto Staging<")


def test_an_editor_sees_the_preview_but_cannot_restore(client_as, agent, checkpoints):
    page = text(client_as("editor").get(checkpoint_url(agent, checkpoints[1])))
    assert "What Staging would become" in page
    assert "needs the <strong>publisher</strong> role" in page
    assert restore_url(agent, checkpoints[1]) not in page


def test_the_current_checkpoint_offers_no_restore(client_as, agent, checkpoints):
    page = text(client_as("publisher").get(checkpoint_url(agent, checkpoints[0])))
    assert "Current Staging" in page
    assert "What Staging would become" not in page
    assert restore_url(agent, checkpoints[0]) not in page


def test_an_unconfirmed_restore_lands_on_the_preview_and_writes_nothing(
    client_as, agent, checkpoints
):
    before = staging_snapshot(agent)
    publisher = client_as("publisher")
    response = publisher.post(restore_url(agent, checkpoints[2]))
    assert response.status_code == 302
    assert response["Location"] == checkpoint_url(agent, checkpoints[2]) + "#restore"
    assert staging_snapshot(agent) == before
    page = text(publisher.get(response["Location"]))
    assert "Check what the restore would do, then confirm it below." in page


def test_a_confirmed_restore_writes_staging_only(client_as, agent, checkpoints):
    target = checkpoints[2]  # as published
    live = production_of(agent)
    response = client_as("publisher").post(restore_url(agent, target), {"confirmed": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("publishing:review", args=[agent.pk])
    assert staging_snapshot(agent) == checkpoint_snapshot(
        agent_id=agent.pk, revision=target.revision
    )
    assert production_of(agent) == live
