"""The webhooks API: endpoints, their secrets, test events, the delivery log, redelivery.

Every answer of the webhooks API here is held to the published schema (``checked``).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from agents.models import OrganizationMembership
from publishing.services import publish_agent
from tests import factories
from tests.publishing.conftest import CheckedClient, api_schema, client_as, grant, user_with_role
from tests.webhooks.conftest import run_tasks
from webhooks.events import EVENT_TYPES, SUBSCRIBABLE
from webhooks.models import Delivery, Endpoint

# --- a client whose every webhooks-API answer is checked against /api/schema/ --------------


class WebhooksClient(CheckedClient):
    api_package = "webhooks.api"


def checked(user) -> WebhooksClient:
    return client_as(user, WebhooksClient)


def endpoints_url(organization) -> str:
    return f"/api/v2/organizations/{organization.pk}/webhooks"


def endpoint_url(endpoint) -> str:
    return f"/api/v2/organizations/{endpoint.organization_id}/webhooks/{endpoint.pk}"


def assert_no_secret(response, *secrets) -> None:
    text = response.content.decode()
    assert '"secret"' not in text
    for secret in secrets:
        assert secret not in text


@pytest.fixture
def body(receiver):
    return {"url": receiver.url, "event_types": ["publish.created"], "description": "CI"}


@pytest.fixture
def owners_endpoint(agent, owner, receiver):
    """An endpoint for the agent alone, made by its owner (no organization admin)."""
    from webhooks import services

    return services.create_endpoint(
        acting_user=owner,
        organization_id=agent.project.organization_id,
        agent=agent,
        url=receiver.url,
        event_types=["publish.created"],
    )[0]


# --- create, list, one ---------------------------------------------------------------------


def test_an_admin_creates_an_endpoint_for_every_agent_and_sees_the_secret_once(
    admin, organization, body
):
    client = checked(admin)
    created = client.post(endpoints_url(organization), body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    secret = data["secret"]
    assert secret.startswith("whsec_")
    assert data["agent_id"] is None
    assert data["event_types"] == ["publish.created"]
    assert (data["enabled"], data["disabled_reason"], data["failing_since"]) == (True, "", None)
    assert data["created_by"] == {"id": admin.pk, "username": admin.username}
    assert data["previous_secret_expires_at"] is None
    assert Endpoint.objects.get(pk=data["id"]).secret == secret

    one = client.get(f"{endpoints_url(organization)}/{data['id']}")
    assert one.status_code == 200
    assert one.json() == {k: v for k, v in data.items() if k != "secret"}
    assert_no_secret(one, secret)
    listed = client.get(endpoints_url(organization))
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [data["id"]]
    assert_no_secret(listed, secret)


def test_an_agent_owner_creates_one_for_their_agent_only(owner, agent, organization, body):
    client = checked(owner)
    url = endpoints_url(organization)
    refused = client.post(url, body, format="json")
    assert refused.status_code == 403
    created = client.post(url, {**body, "agent_id": agent.pk}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["agent_id"] == agent.pk


def test_each_manager_lists_what_they_manage(
    admin, owner, organization, endpoint, owners_endpoint, agent
):
    def listed(user):
        response = checked(user).get(endpoints_url(organization))
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert listed(admin) == [endpoint.pk, owners_endpoint.pk]
    assert listed(owner) == [owners_endpoint.pk]
    publisher = user_with_role(agent, "publisher")
    assert listed(publisher) == []


def test_the_list_is_paginated(admin, organization, receiver):
    from webhooks import services

    for _ in range(3):
        services.create_endpoint(
            acting_user=admin,
            organization_id=organization.pk,
            url=receiver.url,
            event_types=["publish.created"],
        )
    client = checked(admin)
    first = client.get(endpoints_url(organization), {"page": 1}).json()
    assert (first["count"], first["previous"]) == (3, None)
    assert client.get(endpoints_url(organization) + "?page=").status_code == 400
    assert client.get(endpoints_url(organization), {"page": 9}).status_code == 404


def test_someone_who_manages_nothing_is_refused_before_their_body_is_read(agent, organization):
    publisher = user_with_role(agent, "publisher")
    response = checked(publisher).post(endpoints_url(organization), {}, format="json")
    assert response.status_code == 403


def test_outsiders_do_not_learn_the_organization_or_its_endpoints(
    organization, endpoint, agent, body
):
    stranger = factories.UserFactory(username="stranger")
    other_admin = factories.UserFactory(username="other-admin")
    factories.join(factories.OrganizationFactory(), other_admin, role="admin")
    for user in (stranger, other_admin):
        client = checked(user)
        assert client.get(endpoints_url(organization)).status_code == 404
        assert client.post(endpoints_url(organization), body, format="json").status_code == 404
        assert client.get(endpoint_url(endpoint)).status_code == 404
    publisher = user_with_role(agent, "publisher")  # a member who manages nothing
    client = checked(publisher)
    assert client.get(endpoint_url(endpoint)).status_code == 404
    assert client.delete(endpoint_url(endpoint)).status_code == 404
    assert client.post(endpoint_url(endpoint) + "/rotate-secret").status_code == 404
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()


def test_an_endpoint_of_another_organization_is_not_found_under_this_one(
    admin, organization, endpoint
):
    other = factories.OrganizationFactory()
    factories.join(other, admin, role=OrganizationMembership.Role.ADMIN)
    url = f"/api/v2/organizations/{other.pk}/webhooks/{endpoint.pk}"
    assert checked(admin).get(url).status_code == 404


def test_without_credentials_401(organization, endpoint):
    client = checked(None)
    assert client.get(endpoints_url(organization)).status_code == 401
    assert client.get(endpoint_url(endpoint)).status_code == 401
    assert client.get("/api/v2/webhook-event-types").status_code == 401


@pytest.mark.parametrize("bad", ["abc", "0", "-1", str(2**63), "1.0"])
def test_a_malformed_id_in_the_path_is_not_found(admin, organization, endpoint, bad):
    client = checked(admin)
    assert client.get(f"/api/v2/organizations/{bad}/webhooks").status_code == 404
    assert client.get(f"{endpoints_url(organization)}/{bad}").status_code == 404
    assert client.get(f"{endpoint_url(endpoint)}/deliveries/{bad}").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": None}, "url"),
        ({"url": ""}, "url"),
        ({"url": 3}, "url"),
        ({"url": "ftp://example.com/x"}, "url"),
        ({"url": "https://10.0.0.1/hook"}, "url"),
        ({"url": "https://169.254.169.254/latest"}, "url"),
        ({"url": "https://user:pw@127.0.0.1/x"}, "url"),
        ({"event_types": []}, "event_types"),
        ({"event_types": ["publish.deleted"]}, "event_types"),
        ({"event_types": ["webhook.test"]}, "event_types"),
        ({"event_types": "publish.created"}, "event_types"),
        ({"description": "x" * 501}, "description"),
        ({"description": 5}, "description"),
        ({"description": "a\x00b"}, "description"),
        ({"enabled": "yes"}, "enabled"),
        ({"agent_id": "1"}, "agent_id"),
        ({"agent_id": 0}, "agent_id"),
        ({"agent_id": 2**63}, "agent_id"),
        ({"agent_id": 987654}, "agent_id"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(admin, organization, body, change, field):
    payload = {**body, **change}
    if change.get("url", 0) is None:
        del payload["url"]
    response = checked(admin).post(endpoints_url(organization), payload, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not Endpoint.objects.exists()


def test_an_agent_of_another_organization_is_refused(admin, organization, body):
    elsewhere = factories.AgentFactory(user=admin, name="Elsewhere")
    response = checked(admin).post(
        endpoints_url(organization), {**body, "agent_id": elsewhere.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["agent_id"]


def test_an_owner_cannot_attach_an_agent_they_do_not_own(owner, agent, organization, body):
    other = factories.AgentFactory(project=agent.project, user=owner, name="Mine")
    editor_only = factories.AgentFactory(
        project=agent.project, user=factories.UserFactory(username="x"), name="Theirs"
    )
    grant(editor_only, owner, "editor")
    client = checked(owner)
    ok = client.post(endpoints_url(organization), {**body, "agent_id": other.pk}, format="json")
    assert ok.status_code == 201
    refused = client.post(
        endpoints_url(organization), {**body, "agent_id": editor_only.pk}, format="json"
    )
    assert refused.status_code == 403


# --- change, delete, rotate ----------------------------------------------------------------


def test_a_patch_changes_what_it_names_and_nothing_else(admin, endpoint):
    client = checked(admin)
    response = client.patch(
        endpoint_url(endpoint),
        {"description": "Billing", "event_types": ["rollback.applied", "publish.created"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["description"] == "Billing"
    assert data["event_types"] == ["publish.created", "rollback.applied"]
    assert data["url"] == endpoint.url
    assert_no_secret(response, endpoint.secret)
    assert client.patch(endpoint_url(endpoint), {}, format="json").status_code == 200


def test_enabling_again_clears_why_it_was_disabled(admin, endpoint):
    Endpoint.objects.filter(pk=endpoint.pk).update(
        enabled=False, disabled_reason="Failing for days", failing_since=timezone.now()
    )
    client = checked(admin)
    seen = client.get(endpoint_url(endpoint)).json()
    assert (seen["enabled"], seen["disabled_reason"]) == (False, "Failing for days")
    assert seen["failing_since"] is not None
    data = client.patch(endpoint_url(endpoint), {"enabled": True}, format="json").json()
    assert (data["enabled"], data["disabled_reason"], data["failing_since"]) == (True, "", None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "http://example.invalid/"}, "url"),
        ({"event_types": []}, "event_types"),
        ({"enabled": 1}, "enabled"),
        ({"description": ["x"]}, "description"),
    ],
)
def test_a_bad_patch_is_a_400_naming_the_field(admin, endpoint, change, field):
    response = checked(admin).patch(endpoint_url(endpoint), change, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_an_agent_owner_manages_their_agent_s_endpoint(owner, owners_endpoint, endpoint):
    client = checked(owner)
    url = endpoint_url(owners_endpoint)
    assert client.patch(url, {"enabled": False}, format="json").json()["enabled"] is False
    assert client.patch(endpoint_url(endpoint), {}, format="json").status_code == 404
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


def test_rotating_gives_a_new_secret_once_and_keeps_the_old_one_for_a_while(admin, endpoint):
    old = endpoint.secret
    client = checked(admin)
    response = client.post(endpoint_url(endpoint) + "/rotate-secret")
    assert response.status_code == 200
    data = response.json()
    assert data["secret"].startswith("whsec_") and data["secret"] != old
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.previous_secret) == (data["secret"], old)
    grace = endpoint.previous_secret_expires_at - timezone.now()
    assert abs(grace - timedelta(seconds=settings.WEBHOOK_SECRET_GRACE_SECONDS)) < timedelta(
        minutes=1
    )
    seen = client.get(endpoint_url(endpoint))
    assert seen.json()["previous_secret_expires_at"] is not None
    assert_no_secret(seen, old, data["secret"])


def test_the_previous_secret_s_expiry_is_not_shown_once_past(admin, endpoint):
    Endpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret="whsec_old", previous_secret_expires_at=timezone.now() - timedelta(1)
    )
    assert checked(admin).get(endpoint_url(endpoint)).json()["previous_secret_expires_at"] is None


# --- test events, deliveries, redelivery ---------------------------------------------------


def test_a_test_event_is_queued_then_delivered(admin, endpoint, receiver):
    client = checked(admin)
    response = client.post(endpoint_url(endpoint) + "/test")
    assert response.status_code == 202, response.content
    queued = response.json()
    assert (queued["event_type"], queued["status"], queued["attempt_count"]) == (
        "webhook.test",
        "pending",
        0,
    )
    run_tasks()
    [received] = receiver.wait_for(1)
    assert received.headers["webhook-id"] == queued["webhook_id"]
    one = client.get(f"{endpoint_url(endpoint)}/deliveries/{queued['id']}").json()
    assert (one["status"], one["attempt_count"], one["next_attempt_at"]) == ("succeeded", 1, None)
    assert one["payload"]["type"] == "webhook.test"
    [attempt] = one["attempts"]
    assert attempt["number"] == 1 and attempt["status_code"] == 200 and attempt["succeeded"]
    assert set(attempt) == {
        "number",
        "started_at",
        "duration_ms",
        "status_code",
        "succeeded",
        "error",
        "response_excerpt",
    }
    assert attempt["response_excerpt"] == "answered 200"


def test_nothing_is_sent_to_a_disabled_endpoint(admin, endpoint):
    Endpoint.objects.filter(pk=endpoint.pk).update(enabled=False)
    response = checked(admin).post(endpoint_url(endpoint) + "/test")
    assert response.status_code == 409
    assert response.json()["code"] == "endpoint_disabled"
    assert not Delivery.objects.exists()


@pytest.fixture
def delivered(agent, endpoint, receiver, settings):
    """Two publishes: the first delivery failed (no retries), the second succeeded."""
    receiver.script = [500]
    settings.WEBHOOK_RETRY_DELAYS = []
    edit(agent, "First")
    publish_agent(agent=agent, acting_user=agent.created_by)
    run_tasks()
    edit(agent, "Second")
    publish_agent(agent=agent, acting_user=agent.created_by)
    run_tasks()
    first, second = Delivery.objects.filter(endpoint=endpoint).order_by("created_at")
    assert (first.status, second.status) == ("failed", "succeeded")
    return first, second


def edit(agent, name):
    from agents import services as agent_services

    agent_services.update_agent_settings(agent=agent, acting_user=agent.created_by, name=name)


def test_the_delivery_log_is_newest_first_and_filters_by_status(admin, endpoint, delivered):
    first, second = delivered
    client = checked(admin)
    url = endpoint_url(endpoint) + "/deliveries"
    rows = client.get(url).json()["results"]
    assert [row["id"] for row in rows] == [str(second.pk), str(first.pk)]
    assert rows[1]["last_error"] and rows[1]["status"] == "failed"
    failed = client.get(url, {"status": "failed"}).json()["results"]
    assert [row["id"] for row in failed] == [str(first.pk)]
    assert client.get(url, {"status": "pending"}).json()["count"] == 0
    for query in ("status=lost", "status=", "status=failed&status=succeeded"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400
        assert list(response.json()) == ["status"]


def test_a_failed_delivery_shows_its_attempt_and_is_redelivered(
    admin, endpoint, delivered, receiver
):
    first, _second = delivered
    client = checked(admin)
    url = f"{endpoint_url(endpoint)}/deliveries/{first.pk}"
    [attempt] = client.get(url).json()["attempts"]
    assert (attempt["status_code"], attempt["succeeded"]) == (500, False)
    response = client.post(url + "/redeliver")
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    run_tasks()
    again = client.get(url).json()
    assert again["status"] == "succeeded"
    assert [a["number"] for a in again["attempts"]] == [2, 1]
    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert ids.count(first.webhook_id) == 2


def test_a_delivery_being_sent_or_to_a_disabled_endpoint_is_not_redelivered(
    admin, endpoint, delivered
):
    first, _ = delivered
    url = f"{endpoint_url(endpoint)}/deliveries/{first.pk}/redeliver"
    Delivery.objects.filter(pk=first.pk).update(status="sending")
    response = checked(admin).post(url)
    assert (response.status_code, response.json()["code"]) == (409, "delivery_in_progress")
    Endpoint.objects.filter(pk=endpoint.pk).update(enabled=False)
    response = checked(admin).post(url)
    assert (response.status_code, response.json()["code"]) == (409, "endpoint_disabled")


def test_deliveries_are_only_seen_through_their_own_endpoint(
    admin, owner, endpoint, owners_endpoint, delivered
):
    first, _ = delivered
    assert first.endpoint_id == endpoint.pk
    elsewhere = f"{endpoint_url(owners_endpoint)}/deliveries/{first.pk}"
    assert checked(admin).get(elsewhere).status_code == 404
    assert checked(admin).post(elsewhere + "/redeliver").status_code == 404
    mine = f"{endpoint_url(endpoint)}/deliveries/{first.pk}"
    assert checked(owner).get(mine).status_code == 404
    assert checked(owner).get(f"{endpoint_url(endpoint)}/deliveries").status_code == 404
    unknown = f"{endpoint_url(endpoint)}/deliveries/{uuid.uuid4()}"
    assert checked(admin).get(unknown).status_code == 404


# --- event types and the schema ------------------------------------------------------------


def test_the_event_types_are_listed_with_what_they_mean(owner):
    response = checked(owner).get("/api/v2/webhook-event-types")
    assert response.status_code == 200
    types = {row["type"]: row for row in response.json()}
    assert set(types) == set(EVENT_TYPES)
    assert types["webhook.test"]["subscribable"] is False
    assert all(types[name]["subscribable"] for name in SUBSCRIBABLE)
    assert types["schedule.failed"]["description"] == EVENT_TYPES["schedule.failed"]


def test_the_schema_documents_the_webhooks_api_and_shows_the_secret_only_once():
    schema = api_schema()
    base = "/api/v2/organizations/{organization_id}/webhooks"
    expected = {
        base: {"get", "post"},
        base + "/{endpoint_id}": {"get", "patch", "delete"},
        base + "/{endpoint_id}/rotate-secret": {"post"},
        base + "/{endpoint_id}/test": {"post"},
        base + "/{endpoint_id}/deliveries": {"get"},
        base + "/{endpoint_id}/deliveries/{delivery_id}": {"get"},
        base + "/{endpoint_id}/deliveries/{delivery_id}/redeliver": {"post"},
        "/api/v2/webhook-event-types": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(schema["paths"][path]), path
    with_secret = {
        name
        for name, component in schema["components"]["schemas"].items()
        if "secret" in component.get("properties", {})
    }
    assert with_secret == {"CreatedEndpoint", "RotatedSecret"}
    enum = schema["components"]["schemas"]["EventTypesEnum"]["enum"]
    assert enum == list(SUBSCRIBABLE)
    created = schema["paths"][base]["post"]["responses"]
    assert {"201", "400", "401", "403", "404", "413", "415"} <= set(created)
    assert "409" in schema["paths"][base + "/{endpoint_id}/test"]["post"]["responses"]
