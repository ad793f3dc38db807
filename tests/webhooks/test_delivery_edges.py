"""Delivery corners the main tests do not reach: the exact body sent, the words of an
automatic disable, a failing streak started twice at once, settled deliveries the sweep
must leave alone, and where a target's request goes (port, path, query) or why it may not."""

from __future__ import annotations

import json
import socket
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from publishing.services import publish_agent
from tests.webhooks.conftest import run_tasks
from webhooks import delivery as deliveries
from webhooks.models import URL_MAX_LENGTH, Delivery, Endpoint, Event
from webhooks.targets import Target, UnsafeTarget, clean_url, resolve
from webhooks.transport import Answer


def publish(agent):
    return publish_agent(agent=agent, acting_user=agent.created_by)


def test_the_body_is_the_payload_as_compact_json_with_sorted_keys(agent, endpoint, receiver):
    # One byte form for one event: every retry and redelivery sends the very same body.
    publish(agent)
    run_tasks()
    [received] = receiver.wait_for(1)
    payload = Event.objects.get().payload
    assert received.body == json.dumps(payload, separators=(",", ":"), sort_keys=True)


def test_the_disable_reason_says_since_when_what_failed_last_and_what_to_do(
    agent, endpoint, receiver, settings
):
    settings.WEBHOOK_RETRY_DELAYS = [0]
    receiver.default_status = 500
    since = timezone.now() - timedelta(days=6)
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=since)
    publish(agent)
    run_tasks()
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason.startswith("Disabled automatically on ")
    assert endpoint.disabled_reason.endswith(
        f" UTC: every delivery since {since:%Y-%m-%d %H:%M} UTC failed (last: HTTP 500). "
        "Fix the receiver, then enable the endpoint again and redeliver what it missed."
    )


def test_a_failure_within_the_grace_leaves_the_endpoint_enabled(
    agent, endpoint, receiver, settings
):
    settings.WEBHOOK_RETRY_DELAYS = [0]
    receiver.default_status = 500
    since = timezone.now() - timedelta(seconds=settings.WEBHOOK_DISABLE_AFTER_SECONDS - 60)
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=since)
    publish(agent)
    run_tasks()
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason, endpoint.failing_since) == (True, "", since)


def test_a_failure_does_not_restart_a_streak_another_worker_began(endpoint):
    # Two workers fail on the same endpoint at once; both read failing_since as empty.
    began = timezone.now() - timedelta(minutes=3)
    stale = Endpoint.objects.get(pk=endpoint.pk)
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=began)
    deliveries._note_failure(stale, Answer(status_code=500, duration_ms=1, error="HTTP 500"))
    assert Endpoint.objects.get(pk=endpoint.pk).failing_since == began


@pytest.mark.parametrize("status", [Delivery.Status.SUCCEEDED, Delivery.Status.FAILED])
def test_a_settled_delivery_is_never_handed_on(agent, endpoint, settings, status):
    # Its task has finished and it was due long ago: the very shape of a lost delivery,
    # but it is settled, and sending it again would repeat (or revive) it.
    publish(agent)
    long_ago = timezone.now() - timedelta(days=1)
    Delivery.objects.update(status=status, next_attempt_at=long_ago, finished_at=long_ago)
    DBTaskResult.objects.update(status="SUCCESSFUL")
    assert deliveries.hand_on_lost_deliveries() == 0
    assert Delivery.objects.get().status == status
    assert DBTaskResult.objects.count() == 1


def test_each_attempt_says_what_became_of_it(agent, endpoint, receiver, settings):
    # The words are the task's result, what an operator reads in the task queue.
    settings.WEBHOOK_RETRY_DELAYS = [0]
    receiver.script = [500]
    publish(agent)
    delivery = Delivery.objects.get()
    assert deliveries.attempt(str(delivery.pk)).startswith("retry at ")
    assert deliveries.attempt(str(delivery.pk)) == "delivered"
    assert deliveries.attempt(str(delivery.pk)) == "already succeeded"


def test_a_url_longer_than_the_limit_is_refused_by_field():
    url = "https://8.8.8.8/" + "a" * URL_MAX_LENGTH
    with pytest.raises(ValidationError) as refused:
        clean_url(url)
    assert refused.value.message_dict == {"url": [f"At most {URL_MAX_LENGTH} characters."]}


def test_a_url_with_an_impossible_port_is_refused_saying_so():
    with pytest.raises(ValidationError) as refused:
        clean_url("https://8.8.8.8:99999/hook")
    assert refused.value.message_dict == {"url": ["The URL's port is not valid."]}


def test_a_url_without_a_host_is_refused_at_send():
    # clean_url never lets one in; resolve() runs again at every send and says so itself.
    with pytest.raises(UnsafeTarget, match=r"^The URL has no host\.$"):
        resolve("https:///hooks")


def test_the_target_carries_the_port_path_and_query_the_request_goes_to(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    assert resolve("https://8.8.8.8/hooks?team=a") == Target(
        "https", "8.8.8.8", 443, "/hooks?team=a", "8.8.8.8"
    )
    assert resolve("https://8.8.8.8") == Target("https", "8.8.8.8", 443, "/", "8.8.8.8")
    assert resolve("http://127.0.0.1/in") == Target("http", "127.0.0.1", 80, "/in", "127.0.0.1")


def test_a_refusal_names_the_host_and_the_address_it_resolved_to(monkeypatch, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False

    def private(host, port, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]

    monkeypatch.setattr(socket, "getaddrinfo", private)
    with pytest.raises(UnsafeTarget, match=r"^hooks\.example\.com resolves to 10\.0\.0\.7, "):
        resolve("https://hooks.example.com/")


def test_an_ipv4_mapped_address_is_judged_as_its_ipv4_address(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    assert clean_url("https://[::ffff:8.8.8.8]/hook") == "https://[::ffff:8.8.8.8]/hook"
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    assert clean_url("http://[::ffff:127.0.0.1]:9/hook") == "http://[::ffff:127.0.0.1]:9/hook"
