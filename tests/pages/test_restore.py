"""Restore and revert a publish: the preview, the conflicts, and the confirm (Staging only)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agents import services
from agents.snapshot import staging_snapshot
from configuration.snapshot import fingerprint
from publishing.models import PublishRecord
from publishing.selectors import review_staging
from publishing.services import publish_agent
from tests.pages.conftest import production_of, reword

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(agent, owner, published, instruction):
    """#1 with "Tone"; #2 rewords it and adds "Scope"; then Staging edits "Scope" again."""
    reword(agent, owner, instruction, "Be warm.")
    scope = services.add_instruction(
        agent=agent, acting_user=owner, title="Scope", content="Acme only."
    )
    second = publish_agent(agent=agent, acting_user=owner, notes="Second")
    reword(agent, owner, scope, "Acme and partners.")
    return published, second


def restore_url(agent, record, mode: str | None = None) -> str:
    url = reverse("publishing:restore", args=[agent.pk, record.change_track_id])
    return f"{url}?mode={mode}" if mode else url


def test_restore_preview_shows_both_diffs(client_as, agent, two):
    first, _ = two
    html = client_as("publisher").get(restore_url(agent, first)).content.decode()
    assert "What Staging would become" in html
    assert "What Production would get at the next publish" in html
    assert ">Staging now</th>" in html and ">Staging after</th>" in html
    assert ">Production now</th>" in html and ">After the next publish</th>" in html
    assert "Instruction “Scope”" in html
    assert "Restore onto Staging" in html
    assert "Production is not affected." in html


def test_restore_preview_defaults_to_restore_and_writes_nothing(client_as, agent, two):
    first, _ = two
    before = staging_snapshot(agent)
    response = client_as("publisher").get(restore_url(agent, first))
    assert 'aria-current="page">\n    <strong>Restore</strong>' in response.content.decode()
    assert staging_snapshot(agent) == before


def test_editor_may_preview_but_not_confirm(client_as, agent, two):
    first, _ = two
    html = client_as("editor").get(restore_url(agent, first)).content.decode()
    assert "What Staging would become" in html
    assert "Restore onto Staging" not in html
    assert "needs the <strong>publisher</strong> role" in html


def test_revert_preview_lists_conflicts_and_offers_no_confirm(client_as, agent, two):
    _, second = two
    html = client_as("publisher").get(restore_url(agent, second, "revert")).content.decode()
    assert "1 conflict" in html
    assert "Instruction “Scope”" in html
    assert "Revert onto Staging" not in html


def test_unknown_mode_is_refused(client_as, agent, two):
    first, _ = two
    response = client_as("publisher").get(restore_url(agent, first, "explode"))
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()


def test_confirm_restore_writes_staging_only(client_as, agent, two):
    first, _ = two
    live = production_of(agent)
    response = client_as("publisher").post(
        restore_url(agent, first), {"mode": "restore"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("publishing:review", args=[agent.pk])
    html = response.content.decode()
    assert "Staging restored to publish #1. Production is not affected until you publish." in html
    assert fingerprint(staging_snapshot(agent)) == fingerprint(first.snapshot)
    assert production_of(agent) == live


def test_the_next_publish_records_where_it_was_restored_from(client_as, agent, two):
    first, _ = two
    client_as("publisher").post(restore_url(agent, first), {"mode": "restore"})
    client_as("publisher").post(
        reverse("publishing:publish", args=[agent.pk]),
        {"fingerprint": review_staging(agent).fingerprint, "notes": "Back to #1", "confirmed": "1"},
    )
    record = PublishRecord.objects.get(agent_id=agent.pk, sequence=3)
    assert record.restored_from_id == first.pk
    html = (
        client_as("editor").get(reverse("publishing:publishes", args=[agent.pk])).content.decode()
    )
    assert "Restore of <a" in html


def test_confirm_revert_without_conflict(client_as, agent, owner, published, instruction):
    services.add_instruction(agent=agent, acting_user=owner, title="Scope", content="Acme only.")
    second = publish_agent(agent=agent, acting_user=owner)
    services.set_tags(agent=agent, acting_user=owner, tags=["later"])
    live = production_of(agent)
    client_as("publisher").post(restore_url(agent, second), {"mode": "revert"})
    staging = staging_snapshot(agent)
    assert [i["title"] for i in staging["instructions"]] == ["Tone"]
    assert staging["settings"]["tags"] == ["later"]  # the later change stays
    assert production_of(agent) == live


def test_confirm_revert_with_a_conflict_is_refused(client_as, agent, two):
    _, second = two
    before = staging_snapshot(agent)
    response = client_as("publisher").post(
        restore_url(agent, second), {"mode": "revert"}, follow=True
    )
    assert response.redirect_chain[-1][0] == restore_url(agent, second, "revert")
    assert "nothing was reverted" in response.content.decode()
    assert staging_snapshot(agent) == before


def test_confirm_with_an_unknown_mode_is_refused(client_as, agent, two):
    first, _ = two
    before = staging_snapshot(agent)
    response = client_as("publisher").post(restore_url(agent, first), {"mode": "both"})
    assert response.status_code == 400
    assert staging_snapshot(agent) == before


def test_preview_when_staging_already_matches(client_as, agent, published):
    html = client_as("publisher").get(restore_url(agent, published)).content.decode()
    assert "Staging already matches" in html
    assert "Restore onto Staging" not in html


def test_restoring_a_publish_that_needs_a_deleted_corpus_is_refused(
    client_as, agent, owner, catalogue, published
):
    corpus = catalogue["manuals"]
    services.connect_corpora(agent=agent, acting_user=owner, corpus_ids=[corpus.pk])
    with_corpus = publish_agent(agent=agent, acting_user=owner)
    services.disconnect_corpora(agent=agent, acting_user=owner, corpus_ids=[corpus.pk])
    corpus.delete()
    before = staging_snapshot(agent)
    response = client_as("publisher").post(restore_url(agent, with_corpus), {"mode": "restore"})
    assert response.status_code == 400
    assert "no longer exist in the catalogue" in response.content.decode()
    assert staging_snapshot(agent) == before
