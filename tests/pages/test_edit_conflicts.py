"""Two editors on the editor page: forms carry the revision they show; a stale save is merged,
or shown as a conflict to resolve with the typed input kept - never a silent overwrite."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from agents import services
from agents.models import Instruction, StagingConfiguration
from tests.agents.conftest import grant
from tests.pages.conftest import reword
from tests.pages.test_editor import SETTINGS  # the whole settings form, as a browser sends it


@pytest.fixture
def second_editor(agent, owner, client_as, users):
    # Staging starts as the form below shows it, so a save changes only what a test changes.
    client_as("owner").post(reverse("agents:settings", args=[agent.pk]), SETTINGS)
    users["colleague"] = grant(agent, owner, "colleague", "editor")
    return users["colleague"]


@pytest.fixture
def colleague(second_editor, client_as):
    """The second editor's own browser session."""
    return client_as("colleague")


def staging(agent):
    return StagingConfiguration.objects.get(agent_id=agent.pk)


def rendered_revision(client, agent) -> str:
    page = client.get(reverse("agents:editor", args=[agent.pk])).content.decode()
    revisions = set(re.findall(r'name="base_revision" value="(\d+)"', page))
    assert len(revisions) == 1, revisions
    return revisions.pop()


def save_settings(client, agent, base, **changes):
    return client.post(
        reverse("agents:settings", args=[agent.pk]),
        {**SETTINGS, **changes, "base_revision": base},
    )


def test_every_editor_form_carries_the_revision_it_shows(client_as, agent, instruction):
    page = client_as("editor").get(reverse("agents:editor", args=[agent.pk])).content.decode()
    forms = page.count('method="post"') - page.count('action="/accounts/logout/"')
    assert forms > 5
    assert page.count(f'name="base_revision" value="{staging(agent).revision}"') == forms


def test_a_stale_form_keeps_what_others_saved_in_fields_it_did_not_change(
    client_as, agent, users, colleague
):
    editor = client_as("editor")
    base = rendered_revision(editor, agent)
    rendered_revision(colleague, agent)
    save_settings(colleague, agent, base, **{"settings-name": "Colleague's name"})

    response = save_settings(editor, agent, base, **{"settings-temperature": "0.9"})

    assert response.status_code == 302
    row = staging(agent)
    assert row.name == "Colleague's name"
    assert row.model_config["temperature"] == 0.9


def test_a_real_conflict_is_shown_with_both_values_and_the_typed_input_kept(
    client_as, agent, users, colleague
):
    editor = client_as("editor")
    base = rendered_revision(editor, agent)
    save_settings(colleague, agent, base, **{"settings-name": "Colleague's name"})
    revision = staging(agent).revision

    response = save_settings(editor, agent, base, **{"settings-name": "My name"})

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this while you were editing" in page
    assert "Colleague&#x27;s name" in page and "saved by colleague" in page
    assert 'value="My name"' in page  # the form keeps what was typed
    assert staging(agent).name == "Colleague's name"
    assert staging(agent).revision == revision
    # The forms are now on the current revision: "Use mine" (or saving the form) wins.
    assert f'name="base_revision" value="{revision}"' in page
    resend = re.search(
        r'<form method="post" action="([^"]+)" class="inline-form">(.*?)</form>', page, re.S
    )
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', resend.group(2)))
    assert fields["base_revision"] == str(revision) and fields["settings-name"] == "My name"
    fields.pop("csrfmiddlewaretoken", None)
    assert editor.post(resend.group(1), fields).status_code == 302
    assert staging(agent).name == "My name"


def test_deleting_an_instruction_a_colleague_edited_since_is_a_conflict(
    client_as, agent, instruction, users, second_editor
):
    editor = client_as("editor")
    base = rendered_revision(editor, agent)
    reword(agent, second_editor, instruction, "Newer.")
    response = editor.post(
        reverse("agents:instruction-delete", args=[agent.pk, instruction.pk]),
        {"base_revision": base, "confirmed": "1"},
    )
    assert response.status_code == 409
    assert "Instruction “Tone” (deleted on one side)" in response.content.decode()
    assert Instruction.objects.filter(pk=instruction.pk).exists()


def test_editor_and_review_pages_watch_for_a_colleagues_save(client_as, agent):
    editor = client_as("editor")
    revision = staging(agent).revision
    for name in ("agents:editor", "publishing:review"):
        page = editor.get(reverse(name, args=[agent.pk])).content.decode()
        assert f'data-revision="{revision}"' in page and "js/staging_watch.js" in page, name
    history = editor.get(reverse("publishing:history", args=[agent.pk])).content.decode()
    assert "data-staging-watch" not in history


def test_staging_revision_says_where_staging_is_and_who_saved_it(client_as, agent, users):
    services.update_agent_settings(agent=agent, acting_user=users["editor"], name="Moved on")
    response = client_as("editor").get(reverse("agents:staging-revision", args=[agent.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["revision"] == staging(agent).revision
    assert body["updated_by"] == "editor" and body["updated_at"]
    assert body["changes_url"] is None  # no page revision given
    since = client_as("editor").get(
        reverse("agents:staging-revision", args=[agent.pk]), {"since": body["revision"] - 1}
    )
    link = since.json()["changes_url"]
    assert link.startswith(reverse("publishing:compare", args=[agent.pk]) + "?from=checkpoint:")
    compared = client_as("editor").get(link)
    assert compared.status_code == 200 and "Moved on" in compared.content.decode()
    assert client_as("viewer").get(
        reverse("agents:staging-revision", args=[agent.pk])
    ).status_code in (403, 404)
