"""Publish history: newest first, filters, pages, and one publish side by side."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agents import services
from publishing.models import PublishRecord
from publishing.services import publish_agent
from tests import factories

pytestmark = pytest.mark.django_db


def history_url(agent, **query) -> str:
    url = reverse("publishing:publishes", args=[agent.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def three(agent, owner, users, published):
    """Three publishes: owner (#1), publisher (#2, #3)."""
    made = [published]
    for n in (2, 3):
        services.add_instruction(
            agent=agent, acting_user=owner, title=f"Rule {n}", content="Be kind."
        )
        made.append(publish_agent(agent=agent, user=users["publisher"], notes=f"Notes {n}"))
    return made


def _set_date(record, when):
    # Dates are set by the service; tests move them to check the filters.
    PublishRecord.objects.filter(pk=record.pk).update(published_at=when)


def test_history_lists_publishes_newest_first(client_as, agent, three):
    html = client_as("editor").get(history_url(agent)).content.decode()
    positions = [html.index(f">#{n}</a>") for n in (3, 2, 1)]
    assert positions == sorted(positions)
    assert "Notes 3" in html and "First version" in html
    assert "1 instruction added" in html
    assert ">publisher<" in html and ">owner<" in html
    assert html.count('class="badge badge--live">Live</span>') == 1


def test_history_filters_by_publisher(client_as, agent, three, users):
    html = (
        client_as("editor").get(history_url(agent, published_by=users["owner"].pk)).content.decode()
    )
    assert ">#1</a>" in html
    assert ">#2</a>" not in html and ">#3</a>" not in html
    assert f'<option value="{users["publisher"].pk}">publisher</option>' in html


def test_history_filters_by_date_range(client_as, agent, three):
    today = timezone.now()
    _set_date(three[0], today - timedelta(days=30))
    _set_date(three[1], today - timedelta(days=10))
    start = (today - timedelta(days=15)).date().isoformat()
    end = (today - timedelta(days=5)).date().isoformat()
    html = (
        client_as("editor")
        .get(history_url(agent, published_after=start, published_before=end))
        .content.decode()
    )
    assert ">#2</a>" in html
    assert ">#1</a>" not in html and ">#3</a>" not in html


def test_history_filter_end_day_is_inclusive(client_as, agent, three):
    day = three[2].published_at.date().isoformat()
    html = (
        client_as("editor")
        .get(history_url(agent, published_after=day, published_before=day))
        .content.decode()
    )
    assert ">#3</a>" in html


def test_history_filter_with_start_after_end_is_refused(client_as, agent, three):
    response = client_as("editor").get(
        history_url(agent, published_after="2025-02-01", published_before="2025-01-01")
    )
    assert response.status_code == 400
    assert "Must be on or after the start date." in response.content.decode()


def test_history_filter_with_a_bad_date_is_refused(client_as, agent, three):
    response = client_as("editor").get(history_url(agent, published_after="yesterday"))
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()


def test_history_filter_by_unknown_publisher_is_refused(client_as, agent, three):
    response = client_as("editor").get(history_url(agent, published_by="99999"))
    assert response.status_code == 400


def test_history_is_paginated(client_as, agent, owner, published):
    for n in range(21):
        services.add_instruction(agent=agent, acting_user=owner, title=f"R{n}", content="x")
        publish_agent(agent=agent, user=owner)
    first = client_as("editor").get(history_url(agent)).content.decode()
    assert ">#22</a>" in first and ">#3</a>" in first and ">#2</a>" not in first
    assert "Page 1 of 2" in first
    second = client_as("editor").get(history_url(agent, page=2)).content.decode()
    assert ">#2</a>" in second and ">#1</a>" in second and ">#3</a>" not in second


def test_history_page_number_garbage_shows_a_page(client_as, agent, published):
    assert client_as("editor").get(history_url(agent, page="abc")).status_code == 200


def test_empty_history(client_as, agent):
    html = client_as("editor").get(history_url(agent)).content.decode()
    assert "Not published yet" in html


def test_one_publish_side_by_side(client_as, agent, three):
    record = three[1]
    url = reverse("publishing:publish-detail", args=[agent.pk, record.change_track_id])
    html = client_as("editor").get(url).content.decode()
    assert "Publish #2" in html
    assert "Notes 2" in html
    assert "Instruction “Rule 2”" in html
    assert ">Before</th>" in html and ">After this publish</th>" in html
    assert (
        f'href="{reverse("publishing:publish-detail", args=[agent.pk, three[0].change_track_id])}"'
        in html
    )
    assert reverse("publishing:restore", args=[agent.pk, record.change_track_id]) in html
    assert "Live now" not in html


def test_the_live_publish_is_marked(client_as, agent, three):
    url = reverse("publishing:publish-detail", args=[agent.pk, three[2].change_track_id])
    assert "Live now" in client_as("editor").get(url).content.decode()


def test_another_agents_publish_is_404(client_as, agent, project, published):
    other = factories.AgentFactory(project=project)
    services.add_instruction(agent=other, acting_user=other.created_by, title="T", content="C")
    foreign = publish_agent(agent=other, user=None)
    url = reverse("publishing:publish-detail", args=[agent.pk, foreign.change_track_id])
    assert client_as("owner").get(url).status_code == 404


def test_unknown_publish_is_404(client_as, agent, published):
    url = f"/agents/{agent.pk}/publishes/00000000-0000-0000-0000-000000000000/"
    assert client_as("owner").get(url).status_code == 404
    assert client_as("owner").get(f"/agents/{agent.pk}/publishes/not-a-uuid/").status_code == 404
