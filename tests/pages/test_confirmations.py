"""Risky buttons ask first and say what will happen, with JavaScript (the dialog's words in
``data-confirm``) and without it (a page that asks; nothing is written until it is answered)."""

from __future__ import annotations

import html as html_lib

import pytest
from django.urls import reverse

from agents import services
from agents.snapshot import staging_snapshot
from agents.views.edits import DELETE_INSTRUCTION_DETAIL, DISCONNECT_CORPUS_DETAIL
from publishing.models import PublishRecord
from publishing.selectors import review_staging
from publishing.services import publish_agent
from tests.pages.conftest import production_of, records, reword

pytestmark = pytest.mark.django_db

QUESTION = "Publish 3 changes (1 setting, 2 instructions) to Production?"


@pytest.fixture
def pending(agent, owner, published, instruction):
    """Three changes waiting: the name (a setting), "Tone" reworded, "Scope" added."""
    services.update_agent_settings(agent=agent, acting_user=owner, name="Support bot 2")
    reword(agent, owner, instruction, "Be warm.")
    services.add_instruction(agent=agent, acting_user=owner, title="Scope", content="Acme.")
    return agent


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def asked(client, url: str, question: str) -> str:
    """Without the script, a POST to ``url`` answers a page asking ``question`` (and does
    nothing yet); that page."""
    response = client.post(url)
    assert response.status_code == 200
    page = text(response)
    assert question in page
    return page


def assert_editor_asks(client, agent, question: str, detail: str) -> None:
    """The editor's button asks ``question`` first, saying ``detail`` (static/js/confirm.js)."""
    page = text(client.get(reverse("agents:editor", args=[agent.pk])))
    assert f'data-confirm="{question}"' in page
    assert f'data-confirm-detail="{detail}"' in page


def test_the_review_page_puts_the_counts_in_the_publish_and_discard_dialogs(client_as, pending):
    page = text(client_as("publisher").get(reverse("publishing:review", args=[pending.pk])))
    assert f'data-confirm="{QUESTION}"' in page
    assert 'data-confirm="Discard 3 unpublished changes (1 setting, 2 instructions)?"' in page


def test_an_unconfirmed_publish_asks_on_a_page_and_publishes_nothing(client_as, pending):
    fingerprint = review_staging(pending).fingerprint
    url = reverse("publishing:publish", args=[pending.pk])
    response = client_as("publisher").post(url, {"fingerprint": fingerprint, "notes": "Launch"})
    assert response.status_code == 200
    page = text(response)
    assert f'<h2 class="page-title" id="confirm-title">{QUESTION}</h2>' in page
    # Confirming sends what was typed again, to the same URL, confirmed.
    assert f'<form method="post" action="{url}"' in page
    assert f'name="fingerprint" value="{fingerprint}"' in page
    assert 'name="notes" value="Launch"' in page
    assert 'name="confirmed" value="1"' in page
    assert f'href="{reverse("publishing:review", args=[pending.pk])}">Cancel</a>' in page
    assert records(pending) == 1

    data = {"fingerprint": fingerprint, "notes": "Launch", "confirmed": "1"}
    assert client_as("publisher").post(url, data).status_code == 302
    assert records(pending) == 2
    assert PublishRecord.objects.get(agent_id=pending.pk, sequence=2).notes == "Launch"


def test_a_stale_publish_is_refused_at_once_not_asked_about(client_as, pending, owner):
    stale = review_staging(pending).fingerprint
    services.update_agent_settings(agent=pending, acting_user=owner, name="Support bot 3")
    url = reverse("publishing:publish", args=[pending.pk])
    response = client_as("publisher").post(url, {"fingerprint": stale})
    assert response.status_code == 409
    assert records(pending) == 1


def test_an_unconfirmed_discard_asks_with_what_it_drops(client_as, pending):
    before = staging_snapshot(pending)
    url = reverse("publishing:discard", args=[pending.pk])
    asked(client_as("publisher"), url, "Discard 3 unpublished changes (1 setting, 2 instructions)?")
    assert staging_snapshot(pending) == before

    client_as("publisher").post(url, {"confirmed": "1"})
    assert staging_snapshot(pending) == production_of(pending)


def test_only_a_publisher_is_asked(client_as, pending):
    before = staging_snapshot(pending)
    response = client_as("editor").post(reverse("publishing:discard", args=[pending.pk]))
    assert response.status_code == 403
    assert staging_snapshot(pending) == before


def test_delete_instruction_asks_naming_it(client_as, agent, published, instruction):
    editor = client_as("editor")
    assert_editor_asks(editor, agent, "Delete “Tone”?", DELETE_INSTRUCTION_DETAIL)

    url = reverse("agents:instruction-delete", args=[agent.pk, instruction.pk])
    page = asked(editor, url, "Delete “Tone”?")
    assert DELETE_INSTRUCTION_DETAIL in page
    assert f'href="{reverse("agents:editor", args=[agent.pk])}#instructions">Cancel</a>' in page
    assert [i["title"] for i in staging_snapshot(agent)["instructions"]] == ["Tone"]

    editor.post(url, {"confirmed": "1"})
    assert staging_snapshot(agent)["instructions"] == []


def test_disconnect_corpus_asks_naming_it(client_as, agent, owner, catalogue, published):
    faq = catalogue["faq"]
    services.connect_corpora(agent=agent, acting_user=owner, corpus_ids=[faq.pk])
    editor = client_as("editor")
    assert_editor_asks(editor, agent, "Disconnect “FAQ”?", DISCONNECT_CORPUS_DETAIL)

    url = reverse("agents:corpus-disconnect", args=[agent.pk, faq.pk])
    asked(editor, url, "Disconnect “FAQ”?")
    assert len(staging_snapshot(agent)["knowledge_sources"]["corpora"]) == 1

    editor.post(url, {"confirmed": "1"})
    assert staging_snapshot(agent)["knowledge_sources"]["corpora"] == []


# --- restoring or reverting a publish ----------------------------------------------------------


@pytest.fixture
def two(agent, owner, published, instruction):
    """#1 with "Tone"; #2 rewords it and adds "Scope"; then Staging edits "Scope" again."""
    reword(agent, owner, instruction, "Be warm.")
    scope = services.add_instruction(agent=agent, acting_user=owner, title="Scope", content="A.")
    second = publish_agent(agent=agent, acting_user=owner, notes="Second")
    reword(agent, owner, scope, "A and B.")
    return published, second


def restore_url(agent, record, mode: str) -> str:
    return reverse("publishing:restore", args=[agent.pk, record.change_track_id]) + f"?mode={mode}"


def test_the_restore_dialog_says_what_staging_gets(client_as, agent, two):
    first, _ = two
    page = text(client_as("publisher").get(restore_url(agent, first, "restore")))
    assert "Roll back to publish #1" in page
    assert 'data-confirm="Restore Staging to publish #1?"' in page
    assert (
        'data-confirm-detail="Staging gets 2 changes (2 instructions). '
        'Production is not affected until someone publishes."'
    ) in page


def test_a_revert_is_titled_as_the_undo_it_is(client_as, agent, owner, two):
    _, second = two
    services.update_instruction(
        agent=agent,
        acting_user=owner,
        instruction_id=agent.instructions.get(title="Scope").pk,
        content="A.",
    )  # no conflict left: the later edit is gone
    page = text(client_as("publisher").get(restore_url(agent, second, "revert")))
    assert "Undo publish #2" in page
    assert "Roll back to publish #2" not in page
    assert "· Undo publish #2 ·" in page  # the window title
    assert 'data-confirm="Undo publish #2 in Staging?"' in page
    assert "Revert onto Staging" in page


def test_a_revert_blocked_by_conflicts_shows_only_the_conflicts(client_as, agent, two):
    _, second = two
    page = text(client_as("publisher").get(restore_url(agent, second, "revert")))
    assert "Undo publish #2" in page
    assert "1 conflict" in page
    assert "What Staging would become" not in page
    assert "What Production would get" not in page
    assert "Revert onto Staging" not in page
    assert "Restore onto Staging" not in page
    assert "data-confirm" not in page.split('id="main"')[1]
