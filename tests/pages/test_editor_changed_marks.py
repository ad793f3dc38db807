"""The Staging editor marks what differs from Production, and its buttons are named by what
they show (WCAG 2.5.3: the accessible name contains the visible text)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from agents import services
from agents.snapshot import staging_snapshot
from agents.views.editor import changed_marks
from publishing.services import publish_agent
from tests.pages.conftest import production_of

pytestmark = pytest.mark.django_db

MARK = 'changed<span class="visually-hidden"> from Production</span>'


@pytest.fixture
def page(client_as, agent):
    def get() -> str:
        return client_as("editor").get(reverse("agents:editor", args=[agent.pk])).content.decode()

    return get


def toc_link(html: str, anchor: str) -> str:
    match = re.search(rf'<a href="#{anchor}">(.*?)</a></li>', html, re.S)
    assert match, anchor
    return match.group(1)


def label_of(html: str, field_id: str) -> str:
    match = re.search(rf'<label for="{field_id}">(.*?)</label>', html, re.S)
    assert match, field_id
    return match.group(1)


def test_nothing_is_marked_when_staging_is_what_is_live(page, published):
    html = page()
    assert MARK not in html
    assert "changed-count" not in html


def test_nothing_is_marked_before_the_first_publish(page, instruction):
    # Everything would differ from a Production that does not exist: no marks say more,
    # and the page says why there are none.
    html = page()
    assert MARK not in html
    assert "Not published yet: nothing is live" in html


def test_the_first_publish_note_goes_once_published(page, published):
    assert "data-first-publish" not in page()


def test_changed_fields_and_items_are_marked_and_counted(page, agent, owner, published, catalogue):
    config = staging_snapshot(agent)["settings"]["model_config"]
    services.update_agent_settings(
        agent=agent, acting_user=owner, model_config={**config, "temperature": 1.5}
    )
    (tone,) = staging_snapshot(agent)["instructions"]
    services.update_instruction(
        agent=agent, acting_user=owner, instruction_id=tone["id"], content="Be warm."
    )
    services.add_instruction(agent=agent, acting_user=owner, title="Scope", content="Orders")
    services.set_tags(agent=agent, acting_user=owner, tags=["vip"])
    html = page()

    assert MARK in label_of(html, "id_settings-temperature")
    assert MARK not in label_of(html, "id_settings-name")
    assert MARK in label_of(html, f"id_instruction-{tone['id']}-content")
    assert MARK not in label_of(html, f"id_instruction-{tone['id']}-title")
    assert MARK in label_of(html, "id_tags-tags")
    # Both instructions' heads carry the mark: one edited, one added.
    heads = re.findall(r'<h3 class="item__title">[^<]*</h3>\s*(<span class="changed-mark">)?', html)
    assert heads == ['<span class="changed-mark">', '<span class="changed-mark">']

    assert "1 changed" in toc_link(html, "settings")
    assert "2 changed" in toc_link(html, "instructions")
    assert "1 changed" in toc_link(html, "access")
    for quiet in ("knowledge", "tools", "guardrails"):
        assert "changed" not in toc_link(html, quiet)
    assert production_of(agent) == published.snapshot


def test_a_changed_action_marks_its_row_and_its_tool(page, agent, owner, catalogue, instruction):
    crm = catalogue["crm"]
    services.enable_tool(agent=agent, acting_user=owner, tool_id=crm.pk)
    publish_agent(agent=agent, acting_user=owner, notes="")
    update = crm.actions.get(name="update")
    services.update_action(
        agent=agent, acting_user=owner, tool_id=crm.pk, action_id=update.pk, enabled=False
    )
    html = page()
    row = re.search(rf'<tr id="action-{update.pk}">(.*?)</tr>', html, re.S).group(1)
    assert MARK in row
    lookup = crm.actions.get(name="lookup")
    assert MARK not in re.search(rf'<tr id="action-{lookup.pk}">(.*?)</tr>', html, re.S).group(1)
    tool = re.search(rf'<div class="item" id="tool-{crm.pk}">(.*?)</table>', html, re.S).group(1)
    assert MARK in tool.split("<table")[0]
    assert "1 changed" in toc_link(html, "tools")


def test_marks_put_access_and_tags_in_their_own_section():
    live = {
        "settings": {
            "name": "A",
            "description": "",
            "model_config": {},
            "access_level": "project",
            "tags": [],
        },
        "instructions": [],
        "knowledge_sources": {"corpora": [], "sharepoint": None},
        "tools": [],
        "guardrails": [],
    }
    staging = {**live, "settings": {**live["settings"], "access_level": "private", "name": "B"}}
    marks = changed_marks(live, staging)
    assert marks["counts"]["access"] == 1 and marks["counts"]["settings"] == 1
    assert marks["fields"] == {"access_level": {"access_level"}, "settings": {"name"}}


# --- accessible names contain the visible text ------------------------------------------------


def button_names(html: str) -> list[tuple[str, str]]:
    """(visible text, aria-label) of every labelled button."""
    found = []
    for label, inner in re.findall(
        r'<button[^>]*aria-label="([^"]*)"[^>]*>(.*?)</button>', html, re.S
    ):
        visible = re.sub(r"<[^>]+>", "", inner).strip()
        found.append((visible, label))
    return found


def test_every_labelled_button_names_what_it_shows(page, agent, owner, catalogue, published):
    crm = catalogue["crm"]
    services.enable_tool(agent=agent, acting_user=owner, tool_id=crm.pk)
    update = crm.actions.get(name="update")
    services.update_action(
        agent=agent, acting_user=owner, tool_id=crm.pk, action_id=update.pk, enabled=False
    )
    services.add_instruction(agent=agent, acting_user=owner, title="Scope", content="Orders")
    html = page()
    names = button_names(html)
    assert ("Turn on", "Turn on action “update”") in names
    assert ("Turn off", "Turn off action “lookup”") in names
    assert ("Disable", "Disable tool “CRM”") in names
    for visible, label in names:
        # The arrows are pictures of the word beside them.
        words = visible.strip("↑↓ ").lower()
        assert words in label.lower(), (visible, label)


def test_no_template_comment_leaks_into_the_page(page, published, catalogue):
    # Django's {# #} comments end at the line's end; a longer one would show as text.
    assert "{#" not in page()
