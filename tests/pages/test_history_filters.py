"""The edit history page: which checkpoints were published, the filters, accessible names."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from agents import services
from agents.models import StagingConfiguration

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkpoints(agent, owner, users, published):
    services.set_tags(agent=agent, acting_user=users["editor"], tags=["faq"])
    services.update_agent_settings(agent=agent, acting_user=owner, name="Support bot 2")
    return list(StagingConfiguration.history.filter(agent_id=agent.pk).order_by("revision"))


def page(client_as, agent, query="", *, status=200):
    response = client_as("editor").get(reverse("publishing:history", args=[agent.pk]) + query)
    assert response.status_code == status
    return response.content.decode()


def test_the_published_checkpoint_links_its_publish(client_as, agent, checkpoints, published):
    html = page(client_as, agent)
    detail = reverse("publishing:publish-detail", args=[agent.pk, published.change_track_id])
    assert html.count("Published as #1") == 1
    assert f'href="{detail}">Published as #1' in html
    row = html.split("Published as #1")[0].rsplit("<tr>", 1)[1]
    assert f">{checkpoints[-3].revision}</a>" in row


def test_the_page_filters_by_person(client_as, agent, checkpoints, users):
    html = page(client_as, agent, f"?changed_by={users['editor'].pk}")
    assert "Tags replaced" in html
    assert "Settings changed" not in html and "Agent created" not in html
    assert f'<option value="{users["editor"].pk}" selected>editor</option>' in html


def test_the_page_filters_by_date_range(client_as, agent, checkpoints):
    history = StagingConfiguration.history.filter(agent_id=agent.pk)
    newest = checkpoints[-1].history_date
    history.exclude(revision=checkpoints[-1].revision).update(
        history_date=newest - timedelta(days=3)
    )
    today = newest.date().isoformat()
    html = page(client_as, agent, f"?changed_after={today}&changed_before={today}")
    assert "Settings changed: Name" in html
    assert "Tags replaced" not in html
    earlier = (newest - timedelta(days=3)).date().isoformat()
    html = page(client_as, agent, f"?changed_before={earlier}")
    assert "Tags replaced" in html and "Settings changed" not in html


def test_a_bad_date_is_a_400_with_the_form_saying_so(client_as, agent, checkpoints):
    html = page(client_as, agent, "?changed_after=someday", status=400)
    assert "Enter a valid date" in html
    assert "Tags replaced" not in html
    html = page(client_as, agent, "?changed_after=2024-03-02&changed_before=2024-03-01", status=400)
    assert "Must be on or after the start date." in html


def test_every_accessible_name_contains_the_visible_text(client_as, agent, checkpoints):
    html = page(client_as, agent)
    named = re.findall(r'<(?:a|button)[^>]*aria-label="([^"]*)"[^>]*>([^<]+)</', html)
    assert named
    for label, visible in named:
        assert visible.strip().lower() in label.lower(), (label, visible)
    assert f'aria-label="View changes to checkpoint {checkpoints[0].revision}"' in html
