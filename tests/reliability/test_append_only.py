"""Publish records are append-only (DESIGN invariant 3): the admin and the API offer no way
to change or delete one, and what the application itself does elsewhere (deleting a user
who published) does not rewrite them either."""

from __future__ import annotations

import io

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import RequestFactory

from agents import services
from publishing.models import PublishRecord
from publishing.services import publish_agent
from tests import factories
from tests.conftest import client_for
from tests.reliability import helpers


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "x" * 12)


@pytest.fixture
def record(superuser):
    agent = helpers.make_rich_agent(superuser)
    return publish_agent(agent=agent, user=superuser, notes="first")


def test_admin_cannot_add_change_or_delete_a_record(superuser, record):
    model_admin = admin.site._registry[PublishRecord]
    request = RequestFactory().get("/admin/")
    request.user = superuser

    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request, record) is False
    assert model_admin.has_delete_permission(request, record) is False
    assert model_admin.has_view_permission(request, record) is True
    assert not model_admin.get_actions(request)


def test_admin_pages_refuse_edits_and_deletes(superuser, record, client):
    client.force_login(superuser)
    base = f"/admin/publishing/publishrecord/{record.pk}"

    assert client.get(f"{base}/change/").status_code == 200  # auditors can read it
    assert client.post(f"{base}/change/", {"notes": "rewritten"}).status_code == 403
    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/publishing/publishrecord/add/").status_code == 403
    bulk = client.post(
        "/admin/publishing/publishrecord/",
        {"action": "delete_selected", "_selected_action": [record.pk]},
    )
    assert bulk.status_code in (200, 302)
    fresh = PublishRecord.objects.get(pk=record.pk)
    assert fresh.notes == "first"
    assert fresh.record_hash == record.record_hash


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
def test_api_has_no_way_to_change_or_delete_a_record(superuser, record, method):
    client = client_for(superuser)
    url = f"/api/v2/agents/{record.agent_id}/publishes/{record.change_track_id}"

    response = getattr(client, method)(url, {"notes": "rewritten"}, format="json")

    assert response.status_code == 405
    assert PublishRecord.objects.get(pk=record.pk).notes == "first"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_api_has_no_way_to_rewrite_the_history_list(superuser, record, method):
    client = client_for(superuser)
    response = getattr(client, method)(f"/api/v2/agents/{record.agent_id}/publishes", {})
    assert response.status_code == 405
    assert PublishRecord.objects.count() == 1


def test_deleting_a_user_who_published_keeps_the_history_verifiable(superuser):
    """The record keeps the publisher's username for when the user is gone; removing the
    account must not count as rewriting the record."""
    publisher = factories.UserFactory(username="leaver")
    agent = helpers.make_rich_agent(superuser)
    factories.join(agent.project.organization, publisher)
    services.grant_permission(
        agent=agent, acting_user=superuser, target_user_id=publisher.pk, role="publisher"
    )
    publish_agent(agent=agent, user=publisher, notes="by the leaver")
    services.update_agent_settings(agent=agent, acting_user=superuser, description="later")
    publish_agent(agent=agent, user=superuser, notes="after")

    publisher.delete()

    record = PublishRecord.objects.get(agent_id=agent.pk, sequence=1)
    assert record.published_by_id is None
    assert record.published_by_username == "leaver"
    out = io.StringIO()
    call_command("verify_publish_history", stdout=out, stderr=io.StringIO())
    assert "OK:" in out.getvalue()
