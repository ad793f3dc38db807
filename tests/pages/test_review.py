"""Review and publish: the side-by-side diff, one-click publish, stale reviews, discard."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from agents import services
from agents.snapshot import staging_snapshot
from publishing.models import PublishRecord
from publishing.selectors import review_staging
from publishing.services import publish_agent
from tests import factories
from tests.pages.conftest import production_of, publish_url, records, review_url, reword

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited(agent, owner, published, instruction):
    """One pending change on top of the published agent: the instruction reworded."""
    reword(agent, owner, instruction, "Answer warmly and briefly, in the customer's language.")
    return agent


def test_review_shows_only_changed_fields_side_by_side(client_as, edited):
    html = client_as("editor").get(review_url(edited)).content.decode()
    assert "1 change waiting to go live" in html
    assert html.index(">Production</th>") < html.index(">Staging</th>")
    assert "Instruction “Tone”: content" in html
    assert "Model configuration" not in html  # unchanged fields are not listed
    assert (
        '<a class="chip" href="#diff-instructions">Instructions <span class="count">1</span>'
        in (html)
    )


def test_review_highlights_words_that_changed(client_as, edited):
    html = client_as("editor").get(review_url(edited)).content.decode()
    assert "<del>politely</del>" in html
    assert "<ins>warmly</ins>" in html


def test_script_in_an_instruction_is_shown_as_text(client_as, agent, owner, published, instruction):
    reword(agent, owner, instruction, "<script>alert(1)</script>")
    services.add_instruction(
        agent=agent, acting_user=owner, title='<img src=x onerror="alert(2)">', content="x"
    )
    html = client_as("editor").get(review_url(agent)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=" in html


def test_publisher_gets_the_publish_form_with_the_reviewed_fingerprint(client_as, edited):
    html = client_as("publisher").get(review_url(edited)).content.decode()
    fingerprint = review_staging(edited).fingerprint
    assert f'name="fingerprint" value="{fingerprint}"' in html
    assert "Publish to Production" in html
    assert 'name="notes"' in html
    assert "Discard unpublished changes" in html


def test_editor_sees_the_diff_but_no_publish_or_discard_button(client_as, edited):
    html = client_as("editor").get(review_url(edited)).content.decode()
    assert "Publish to Production" not in html
    assert publish_url(edited) not in html
    assert reverse("publishing:discard", args=[edited.pk]) not in html
    assert "needs the <strong>publisher</strong> role" in html


def test_publish_with_notes(client_as, edited, users):
    staging = staging_snapshot(edited)
    fingerprint = review_staging(edited).fingerprint
    response = client_as("publisher").post(
        publish_url(edited),
        {"notes": "Warmer tone", "fingerprint": fingerprint, "confirmed": "1"},
        follow=True,
    )
    record = PublishRecord.objects.filter(agent_id=edited.pk).order_by("-sequence").first()
    assert record.sequence == 2
    assert record.notes == "Warmer tone"
    assert record.published_by == users["publisher"]
    assert production_of(edited) == staging
    assert response.redirect_chain[-1][0] == reverse(
        "publishing:publish-detail", args=[edited.pk, record.change_track_id]
    )
    assert "Published to Production as #2" in response.content.decode()


def test_first_publish_of_a_new_agent(client_as, agent, instruction):
    html = client_as("owner").get(review_url(agent)).content.decode()
    assert "Publish first version" in html
    assert "never been published" in html
    fingerprint = review_staging(agent).fingerprint
    client_as("owner").post(
        publish_url(agent), {"notes": "", "fingerprint": fingerprint, "confirmed": "1"}
    )
    assert records(agent) == 1


def test_stale_fingerprint_is_refused_with_the_fresh_diff(client_as, edited, owner):
    old = review_staging(edited).fingerprint
    live = production_of(edited)
    services.add_instruction(
        agent=edited, acting_user=owner, title="Late", content="Added meanwhile"
    )
    response = client_as("publisher").post(
        publish_url(edited), {"notes": "My careful notes", "fingerprint": old}
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Staging changed since you reviewed it" in html
    assert "Instruction “Late”" in html  # the fresh diff
    assert "My careful notes" in html  # kept for the next try
    fresh = review_staging(edited).fingerprint
    assert f'name="fingerprint" value="{fresh}"' in html
    assert records(edited) == 1
    assert production_of(edited) == live


def test_a_publish_by_someone_else_makes_the_review_stale(client_as, edited, owner):
    old = review_staging(edited).fingerprint
    publish_agent(agent=edited, acting_user=owner, notes="beat you to it")
    services.add_instruction(agent=edited, acting_user=owner, title="Next", content="More")
    response = client_as("publisher").post(publish_url(edited), {"fingerprint": old})
    assert response.status_code == 409
    assert records(edited) == 2


def test_nothing_to_publish(client_as, agent, published):
    html = client_as("publisher").get(review_url(agent)).content.decode()
    assert "Nothing to publish" in html
    assert "Staging is identical to Production" in html
    assert publish_url(agent) not in html


def test_publishing_nothing_is_refused_with_a_message(client_as, agent, published):
    fingerprint = review_staging(agent).fingerprint
    response = client_as("publisher").post(
        publish_url(agent), {"fingerprint": fingerprint}, follow=True
    )
    assert response.redirect_chain[-1][0] == review_url(agent)
    assert "there is nothing to publish" in response.content.decode()
    assert records(agent) == 1


def test_publish_without_a_fingerprint_is_refused(client_as, edited):
    response = client_as("publisher").post(publish_url(edited), {"notes": "x"})
    assert response.status_code == 400
    assert "Reload this page and review the changes again." in response.content.decode()
    assert records(edited) == 1


def test_notes_too_long_are_refused_inline(client_as, edited):
    fingerprint = review_staging(edited).fingerprint
    response = client_as("publisher").post(
        publish_url(edited), {"notes": "x" * 5001, "fingerprint": fingerprint}
    )
    assert response.status_code == 400
    assert "Ensure this value has at most 5000 characters" in response.content.decode()
    assert records(edited) == 1


def test_discard_unpublished_changes(client_as, edited):
    live = production_of(edited)
    response = client_as("publisher").post(
        reverse("publishing:discard", args=[edited.pk]), {"confirmed": "1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == review_url(edited)
    assert "Unpublished changes discarded" in response.content.decode()
    assert staging_snapshot(edited) == live
    assert production_of(edited) == live


def test_discard_with_nothing_to_discard(client_as, agent, published):
    response = client_as("publisher").post(
        reverse("publishing:discard", args=[agent.pk]), follow=True
    )
    assert "there is nothing to discard" in response.content.decode()


def test_discard_is_not_offered_before_the_first_publish(client_as, agent, instruction):
    html = client_as("owner").get(review_url(agent)).content.decode()
    assert "Discard unpublished changes" not in html


def test_review_counts_per_section(client_as, edited, owner, catalogue):
    services.enable_tool(agent=edited, acting_user=owner, tool_id=catalogue["crm"].pk)
    services.set_tags(agent=edited, acting_user=owner, tags=["a"])
    html = client_as("editor").get(review_url(edited)).content.decode()
    chips = re.findall(r'class="chip" href="#diff-(\w+)">[^<]+<span class="count">(\d+)', html)
    assert chips == [("settings", "1"), ("instructions", "1"), ("tools", "1")]
    assert "3 changes waiting to go live" in html


def test_an_org_admin_may_publish(client, edited, organization):
    admin = factories.UserFactory(username="admin")
    factories.MembershipFactory(organization=organization, user=admin, role="admin")
    client.force_login(admin)
    html = client.get(review_url(edited)).content.decode()
    assert "Your role: <strong>Owner</strong>" in html
    assert "Publish to Production" in html


# --- long text, tags and labels as people read them ------------------------------------------

PARAGRAPHS = [f"Paragraph {n}: how to handle case {n}, step by step." for n in range(1, 13)]


@pytest.fixture
def long_edit(agent, owner, instruction):
    """A published 12-paragraph instruction with paragraph 7 reworded in Staging."""

    def write(paragraphs: list[str]) -> None:
        reword(agent, owner, instruction, "\n\n".join(paragraphs))

    write(PARAGRAPHS)
    publish_agent(agent=agent, acting_user=owner, notes="Long")
    write([*PARAGRAPHS[:6], "Paragraph 7: how to handle case 7, briefly.", *PARAGRAPHS[7:]])
    return agent


def test_a_long_instruction_shows_the_change_with_context_and_folds_the_rest(client_as, long_edit):
    html = client_as("editor").get(review_url(long_edit)).content.decode()
    assert "<summary>5 unchanged lines</summary>" in html
    assert "<summary>4 unchanged lines</summary>" in html
    assert "<del>step by step.</del>" in html and "<ins>briefly.</ins>" in html
    # The change sits on one row: both sides of it together.
    row = re.search(
        r'<tr class="[^"]*diff-hunk--change[^"]*" id="diff-change-1-1">(.*?)</tr>', html, re.S
    )
    assert row is not None
    assert "<del>step by step.</del>" in row[1] and "<ins>briefly.</ins>" in row[1]
    assert "max-height" not in html


def test_the_jump_list_links_to_the_changed_paragraph(client_as, long_edit):
    html = client_as("editor").get(review_url(long_edit)).content.decode()
    assert "Jump to a change" in html
    assert '<a href="#diff-change-1-1">Instruction “Tone”: content, line 7</a>' in html
    assert 'id="diff-change-1-1"' in html


def test_tags_are_chips_and_model_keys_have_labels(client_as, agent, owner, published):
    services.set_tags(agent=agent, acting_user=owner, tags=["billing", "vip"])
    services.update_agent_settings(
        agent=agent,
        acting_user=owner,
        model_config={"model": "gpt-4o", "temperature": 0.2, "max_tokens": 900, "top_p": 0.5},
    )
    html = client_as("editor").get(review_url(agent)).content.decode()
    assert '<li class="tag-chip tag-chip--added"><ins>billing</ins>' in html
    assert '["billing"' not in html
    assert "Model configuration: Max tokens" in html
    assert "Model configuration: Top P" in html
    assert "max_tokens" not in html and "top_p" not in html


def test_a_first_publish_adds_everything_and_names_each_side(client_as, agent, instruction):
    html = client_as("owner").get(review_url(agent)).content.decode()
    assert "badge--modified" not in html
    assert '<span class="badge badge--added">Added</span>' in html
    assert "(left)" not in html and "(right)" not in html
    assert 'data-side="Production"' in html and 'data-side="Staging"' in html


def test_the_publish_record_shows_the_long_change_the_same_way(client_as, long_edit, owner):
    record = publish_agent(agent=long_edit, acting_user=owner, notes="Briefer")
    url = reverse("publishing:publish-detail", args=[long_edit.pk, record.change_track_id])
    html = client_as("editor").get(url).content.decode()
    assert "<summary>5 unchanged lines</summary>" in html
    assert '<a href="#diff-change-1-1">Instruction “Tone”: content, line 7</a>' in html
