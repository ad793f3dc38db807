"""The admin shows webhooks and schedules for auditing, never a secret, and writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agents import services as agent_services
from publishing import scheduling
from publishing.selectors import review_staging
from publishing.services import publish_agent
from webhooks import services
from webhooks.models import Delivery, Endpoint, Event


@pytest.fixture
def audited(agent, endpoint, admin, client, superuser):
    """A publish delivered nowhere yet, a rotated secret, a pending schedule; a root session."""
    publish_agent(agent=agent, acting_user=agent.created_by)
    services.rotate_secret(acting_user=admin, endpoint=endpoint)
    agent_services.update_agent_settings(agent=agent, acting_user=agent.created_by, name="Next")
    scheduling.schedule_publish(
        agent=agent,
        acting_user=agent.created_by,
        publish_at=timezone.now() + timedelta(hours=1),
        expected_fingerprint=review_staging(agent).fingerprint,
    )
    client.force_login(superuser)
    return client


def pages(model_name: str, pk) -> list[str]:
    app = "publishing" if model_name == "scheduledpublish" else "webhooks"
    return [
        reverse(f"admin:{app}_{model_name}_changelist"),
        reverse(f"admin:{app}_{model_name}_change", args=[pk]),
    ]


def test_no_admin_page_shows_a_signing_secret(audited, endpoint):
    endpoint.refresh_from_db()
    secrets_ = [endpoint.secret, endpoint.previous_secret]
    objects = {
        "endpoint": endpoint.pk,
        "event": Event.objects.get().pk,
        "delivery": Delivery.objects.get().pk,
        "scheduledpublish": endpoint.organization.projects.get()
        .agents.get()
        .scheduled_publishes.get()
        .pk,
    }
    for model_name, pk in objects.items():
        for url in pages(model_name, pk):
            response = audited.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            for secret in secrets_:
                assert secret[6:20] not in body, url


def test_the_admin_cannot_change_an_endpoint(audited, endpoint):
    url = reverse("admin:webhooks_endpoint_change", args=[endpoint.pk])
    response = audited.post(url, {"url": "https://example.com/elsewhere", "enabled": ""})
    assert response.status_code == 403
    assert Endpoint.objects.get().url == endpoint.url
