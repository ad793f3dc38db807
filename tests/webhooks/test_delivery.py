"""Events are recorded with what they report and delivered signed, retried and logged."""

from __future__ import annotations

import json
import socket
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook

from agents import services as agent_services
from publishing.services import discard_staging, publish_agent
from tests.webhooks.conftest import run_tasks
from webhooks import delivery as deliveries
from webhooks import services
from webhooks.models import Delivery, DeliveryAttempt, Endpoint, Event


def edit(agent, name="Renamed"):
    agent_services.update_agent_settings(agent=agent, acting_user=agent.created_by, name=name)


def publish(agent, **kwargs):
    return publish_agent(agent=agent, acting_user=agent.created_by, **kwargs)


def test_a_publish_is_delivered_signed_and_verifiable(agent, endpoint, secret, receiver):
    record = publish(agent, notes="first")
    run_tasks()
    [received] = receiver.wait_for(1)
    payload = Webhook(secret).verify(received.body, received.headers)
    assert payload["type"] == "publish.created"
    assert payload["version"] == 1
    data = payload["data"]
    assert data["change_track_id"] == str(record.change_track_id)
    assert data["agent"]["id"] == agent.pk
    assert data["published_by"] == {"id": agent.created_by.pk, "username": "owner"}
    assert data["counts"] == record.counts
    assert data["live_url"].endswith(f"/api/v2/agents/{agent.pk}/production")
    delivery = Delivery.objects.get()
    assert received.headers["webhook-id"] == delivery.webhook_id
    assert delivery.status == Delivery.Status.SUCCEEDED
    [attempt] = DeliveryAttempt.objects.all()
    assert (attempt.number, attempt.status_code, attempt.succeeded) == (1, 200, True)
    assert attempt.response_excerpt == "answered 200"


def test_a_payload_carries_no_staging_content(agent, endpoint, receiver):
    agent_services.update_agent_settings(
        agent=agent, acting_user=agent.created_by, description="SECRET-PLAN"
    )
    publish(agent)
    edit(agent, name="UNPUBLISHED-NAME")
    discard_staging(agent=agent, acting_user=agent.created_by)
    run_tasks()
    bodies = [r.body for r in receiver.wait_for(2)]
    assert [json.loads(b)["type"] for b in bodies] == ["publish.created", "staging.discarded"]
    assert not any("SECRET-PLAN" in b or "UNPUBLISHED-NAME" in b for b in bodies)


def test_a_signature_with_another_secret_does_not_verify(agent, endpoint, receiver):
    publish(agent)
    run_tasks()
    [received] = receiver.wait_for(1)
    other = services.create_endpoint(
        acting_user=endpoint.created_by,
        organization_id=endpoint.organization_id,
        url=receiver.url,
        event_types=["publish.created"],
    )[1]
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(other).verify(received.body, received.headers)


def test_a_rotated_secret_signs_with_both_until_the_grace_ends(agent, endpoint, secret, receiver):
    new = services.rotate_secret(acting_user=endpoint.created_by, endpoint=endpoint)
    assert new != secret
    publish(agent)
    run_tasks()
    [received] = receiver.wait_for(1)
    assert len(received.headers["webhook-signature"].split(" ")) == 2
    Webhook(secret).verify(received.body, received.headers)
    Webhook(new).verify(received.body, received.headers)

    Endpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    edit(agent, "Again")
    publish(agent)
    run_tasks()
    second = receiver.wait_for(2)[1]
    Webhook(new).verify(second.body, second.headers)
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(secret).verify(second.body, second.headers)


def test_only_subscribed_endpoints_of_the_organization_get_an_event(
    agent, endpoint, admin, receiver, other_agent
):
    services.update_endpoint(acting_user=admin, endpoint=endpoint, event_types=["rollback.applied"])
    publish(agent)
    edit(other_agent, "Elsewhere")
    publish(other_agent)
    assert Event.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_an_agent_endpoint_gets_only_that_agents_events(agent, admin, organization, receiver):
    from tests import factories

    sibling = factories.AgentFactory(project=agent.project, user=agent.created_by, name="Sib")
    services.create_endpoint(
        acting_user=admin,
        organization_id=organization.pk,
        agent=sibling,
        url=receiver.url,
        event_types=["publish.created"],
    )
    publish(agent)
    assert Delivery.objects.count() == 0
    publish_agent(agent=sibling, acting_user=agent.created_by)
    assert Delivery.objects.count() == 1


def test_a_publish_rolled_back_records_and_sends_nothing(agent, endpoint, receiver):
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(agent)
        assert Delivery.objects.count() == 1
        raise RuntimeError("fault after the publish, before commit")
    assert Event.objects.count() == Delivery.objects.count() == DBTaskResult.objects.count() == 0
    run_tasks()
    assert receiver.received == []


def test_a_failing_receiver_is_retried_and_every_attempt_logged(
    agent, endpoint, receiver, settings
):
    settings.WEBHOOK_RETRY_DELAYS = [0, 0]
    receiver.script = [500, 503]
    publish(agent)
    for _ in range(3):
        run_tasks()
    received = receiver.wait_for(3)
    assert len({r.headers["webhook-id"] for r in received}) == 1
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempts == 3
    log = list(delivery.log.order_by("number").values_list("number", "status_code", "succeeded"))
    assert log == [(1, 500, False), (2, 503, False), (3, 200, True)]
    assert Endpoint.objects.get().failing_since is None


def publish_to_a_broken_receiver(agent, receiver, settings, *, retry_delay: float) -> Delivery:
    """Publish to a receiver that always answers 500, with one retry; run the due tasks twice."""
    settings.WEBHOOK_RETRY_DELAYS = [retry_delay]
    receiver.default_status = 500
    publish(agent)
    run_tasks()
    run_tasks()
    return Delivery.objects.get()


def test_a_delivery_fails_once_its_retries_run_out(agent, endpoint, receiver, settings):
    delivery = publish_to_a_broken_receiver(agent, receiver, settings, retry_delay=0)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 2
    assert delivery.last_error == "HTTP 500"
    assert Endpoint.objects.get().failing_since is not None


def test_a_retry_waits_for_its_backoff(agent, endpoint, receiver, settings):
    delivery = publish_to_a_broken_receiver(agent, receiver, settings, retry_delay=300)
    assert delivery.attempts == 1
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=290)


def test_an_endpoint_failing_for_days_is_disabled_with_the_reason(
    agent, endpoint, receiver, settings
):
    settings.WEBHOOK_RETRY_DELAYS = [0]
    receiver.default_status = 500
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(days=6))
    publish(agent)
    run_tasks()
    endpoint.refresh_from_db()
    assert endpoint.enabled is False
    assert "every delivery since" in endpoint.disabled_reason
    assert Delivery.objects.get().status == Delivery.Status.FAILED
    services.update_endpoint(acting_user=endpoint.created_by, endpoint=endpoint, enabled=True)
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason, endpoint.failing_since) == (True, "", None)


def test_a_delivery_to_a_name_that_now_resolves_privately_is_not_sent(
    agent, endpoint, receiver, monkeypatch, settings
):
    settings.WEBHOOK_RETRY_DELAYS = []
    publish(agent)
    real = socket.getaddrinfo

    def rebound(host, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", args[0]))]

    monkeypatch.setattr(socket, "getaddrinfo", rebound)
    run_tasks()
    monkeypatch.setattr(socket, "getaddrinfo", real)
    assert receiver.received == []
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert "10.0.0.7" in delivery.log.get().error


def test_a_lost_delivery_is_handed_on_and_arrives_with_the_same_id(
    agent, endpoint, receiver, settings
):
    publish(agent)
    delivery = Delivery.objects.get()
    # A worker claimed it and died: its task is marked running, the lease has run out.
    DBTaskResult.objects.filter(id=delivery.task_id).update(status="RUNNING")
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENDING,
        attempts=1,
        lease_until=timezone.now() - timedelta(seconds=1),
    )
    run_tasks()
    assert receiver.received == []
    assert deliveries.hand_on_lost_deliveries() == 1
    assert deliveries.hand_on_lost_deliveries() == 0
    run_tasks()
    [received] = receiver.wait_for(1)
    assert received.headers["webhook-id"] == delivery.webhook_id
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SUCCEEDED, 2)


def test_a_delivery_being_sent_is_not_handed_on(agent, endpoint):
    publish(agent)
    Delivery.objects.update(
        status=Delivery.Status.SENDING, lease_until=timezone.now() + timedelta(seconds=30)
    )
    DBTaskResult.objects.update(status="RUNNING")
    assert deliveries.hand_on_lost_deliveries() == 0


def test_a_queued_delivery_is_not_handed_on_twice(agent, endpoint, settings):
    settings.BACKGROUND_LEASE_SECONDS = 0
    publish(agent)
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=5))
    assert deliveries.hand_on_lost_deliveries() == 0
    assert DBTaskResult.objects.count() == 1


def test_a_test_event_and_a_redelivery_reach_the_endpoint(endpoint, admin, secret, receiver):
    delivery = services.send_test_event(acting_user=admin, endpoint=endpoint)
    run_tasks()
    [first] = receiver.wait_for(1)
    assert Webhook(secret).verify(first.body, first.headers)["type"] == "webhook.test"
    services.redeliver(acting_user=admin, delivery=delivery)
    run_tasks()
    second = receiver.wait_for(2)[1]
    assert second.headers["webhook-id"] == first.headers["webhook-id"]
    delivery.refresh_from_db()
    assert delivery.attempts == 2


def test_an_attempt_leaves_alone_a_delivery_another_worker_holds_or_that_is_not_due(
    agent, endpoint, receiver
):
    publish(agent)
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENDING, lease_until=timezone.now() + timedelta(seconds=30)
    )
    assert deliveries.attempt(str(delivery.pk)) == "being sent by another worker"
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert deliveries.attempt(str(delivery.pk)) == "not due yet"
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SUCCEEDED)
    assert deliveries.attempt(str(delivery.pk)) == "already succeeded"
    assert receiver.received == []
    assert not DeliveryAttempt.objects.exists()


def test_a_delivery_to_a_disabled_endpoint_fails_without_a_request(agent, endpoint, receiver):
    publish(agent)
    Endpoint.objects.update(enabled=False)
    run_tasks()
    assert receiver.received == []
    assert Delivery.objects.get().status == Delivery.Status.FAILED
