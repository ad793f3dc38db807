"""The webhook pages: who sees which endpoint, creating one (its secret shown once), editing,
rotating, testing and deleting it, the delivery log, a delivery's attempts, redelivery."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agents.models import OrganizationMembership
from tests import factories
from webhooks import services
from webhooks.events import SUBSCRIBABLE, WEBHOOK_TEST
from webhooks.models import Delivery, DeliveryAttempt, Endpoint, Event

pytestmark = pytest.mark.django_db

HOOK = "http://127.0.0.1:9/hook"  # loopback is allowed in the tests (WEBHOOK_ALLOW_LOOPBACK)
PRIVATE = "https://10.1.2.3/hook"
LIST = "/webhooks/"
CREATE = "/webhooks/new/"


@pytest.fixture
def admin(organization, users):
    user = factories.organization_admin(organization, "admin")
    users["admin"] = user
    return user


@pytest.fixture
def org_wide(admin, organization):
    """An endpoint for every agent of the organization: its admins' alone."""
    endpoint, _secret = services.create_endpoint(
        acting_user=admin,
        organization_id=organization.pk,
        url=HOOK,
        event_types=["publish.created"],
        description="All agents",
    )
    return endpoint


@pytest.fixture
def for_agent(owner, organization, agent):
    """An endpoint for ``agent``, made by its owner (who is no admin)."""
    endpoint, _secret = services.create_endpoint(
        acting_user=owner,
        organization_id=organization.pk,
        agent=agent,
        url=HOOK,
        event_types=list(SUBSCRIBABLE),
        description="Just the bot",
    )
    return endpoint


def administered_by(user, name: str):
    """A new organization ``name`` with ``user`` among its admins."""
    organization = factories.OrganizationFactory(name=name)
    factories.join(organization, user, role=OrganizationMembership.Role.ADMIN)
    return organization


def endpoint_of_another_organization(admin, name: str, *, url: str) -> Endpoint:
    """An endpoint for all agents of a new organization ``name``, made by its ``admin``."""
    endpoint, _secret = services.create_endpoint(
        acting_user=admin,
        organization_id=administered_by(admin, name).pk,
        url=url,
        event_types=["publish.created"],
    )
    return endpoint


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def endpoint_url(endpoint, action: str = "") -> str:
    return f"/webhooks/{endpoint.pk}/{action + '/' if action else ''}"


def new_form(organization, **overrides):
    data = {
        "new-organization": organization.pk,
        "new-agent": "",
        "new-url": HOOK,
        "new-description": "CI",
        "new-event_types": ["publish.created", "schedule.failed"],
    }
    data.update(overrides)
    return data


def delivery_to(endpoint, *, status="pending", when=None, error="", event_type="publish.created"):
    event = Event.objects.create(
        type=event_type,
        organization_id=endpoint.organization_id,
        agent_id=endpoint.agent_id,
        payload={"type": event_type, "version": 1, "data": {"marker": "payload-here"}},
    )
    return Delivery.objects.create(
        event=event,
        endpoint=endpoint,
        status=status,
        created_at=when or timezone.now(),
        last_error=error,
    )


# --- the list --------------------------------------------------------------------------------


def test_the_nav_has_a_webhooks_link_for_signed_in_users(client_as):
    html = client_as("viewer").get("/agents/").content.decode()
    assert '<a href="/webhooks/">Webhooks</a>' in html
    page = client_as("viewer").get(LIST).content.decode()
    assert '<a href="/webhooks/" aria-current="page">Webhooks</a>' in page


def test_signed_out_visitors_are_sent_to_sign_in(client, org_wide):
    for url in (LIST, endpoint_url(org_wide), endpoint_url(org_wide, "delete")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_someone_who_manages_nothing_sees_an_empty_page_without_the_form(client_as, org_wide):
    response = client_as("editor").get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Webhooks</h1>" in html
    assert "managed by an organization's admins" in html
    assert HOOK not in html
    assert 'action="/webhooks/new/"' not in html


def test_an_admin_sees_every_endpoint_of_the_organization_grouped(
    admin, organization, org_wide, for_agent
):
    endpoint_of_another_organization(admin, "Zeta Corp", url=HOOK + "/zeta")
    endpoint_of_another_organization(factories.UserFactory(), "Not Mine", url=HOOK + "/stranger")
    html = signed_in(admin).get(LIST).content.decode()
    assert html.index(organization.name) < html.index("Zeta Corp")
    assert html.count('class="item endpoint"') == 3
    assert "/zeta" in html
    assert "Not Mine" not in html and "/stranger" not in html
    assert "All agents of the organization" in html
    assert "Agent “Support bot”" in html
    assert '<span class="tag">schedule.failed</span>' in html  # the agent endpoint's events


def test_an_agent_owner_sees_only_the_endpoints_of_their_agents(client_as, org_wide, for_agent):
    html = client_as("owner").get(LIST).content.decode()
    assert html.count('class="item endpoint"') == 1
    assert "Just the bot" in html
    assert "All agents" not in html.split('id="new"')[0]


def test_an_automatically_disabled_endpoint_says_why(admin, org_wide):
    org_wide.enabled = False
    org_wide.failing_since = timezone.now() - timedelta(days=5)
    org_wide.disabled_reason = "Every delivery failed for 5 days (last: HTTP 500)."
    org_wide.save()
    for url in (LIST, endpoint_url(org_wide)):
        html = signed_in(admin).get(url).content.decode()
        assert "Disabled automatically" in html
        assert "Every delivery failed for 5 days (last: HTTP 500)." in html
        assert "Failing since" in html


# --- creating an endpoint: the secret once -----------------------------------------------------


def test_an_admin_creates_an_endpoint_for_every_agent_and_sees_the_secret_once(admin, organization):
    client = signed_in(admin)
    response = client.post(CREATE, new_form(organization))
    endpoint = Endpoint.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert endpoint.agent is None
    assert endpoint.url == HOOK
    assert endpoint.event_types == ["publish.created", "schedule.failed"]
    assert endpoint.created_by == admin
    assert f'value="{endpoint.secret}"' in html
    assert "Copy it now; it will not be shown again." in html
    assert "no-store" in response["Cache-Control"]
    # Nowhere else: not in what the browser keeps, not on any later page.
    assert all(endpoint.secret not in morsel.value for morsel in response.cookies.values())
    assert endpoint.secret not in str(dict(client.session))
    for url in (LIST, endpoint_url(endpoint)):
        later = client.get(url).content.decode()
        assert endpoint.secret not in later
        assert "Copy it now" not in later


def test_an_agent_owner_creates_one_for_their_agent(client_as, organization, agent, owner):
    form = client_as("owner").get(LIST).content.decode().split('id="new"')[1]
    assert "All agents of the organization" not in form  # owners only get their agents
    assert f'<option value="{agent.pk}">Support bot' in form
    response = client_as("owner").post(CREATE, new_form(organization, **{"new-agent": agent.pk}))
    endpoint = Endpoint.objects.get()
    assert response.status_code == 200
    assert endpoint.agent == agent
    assert endpoint.secret in response.content.decode()


def test_an_owner_may_not_subscribe_to_the_whole_organization(client_as, organization):
    response = client_as("owner").post(CREATE, new_form(organization))
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"new-url": PRIVATE}, "webhooks go to public addresses only"),
        ({"new-url": "ftp://example.com/x"}, "Enter a valid URL."),
        ({"new-url": ""}, "This field is required."),
        ({"new-event_types": []}, "Choose at least one event type."),
        ({"new-event_types": ["webhook.test"]}, "Select a valid choice."),
        ({"new-agent": "999999"}, "Select a valid choice."),
        ({"new-organization": "999999"}, "Select a valid choice."),
        ({"new-description": "x" * 501}, "Ensure this value has at most 500 characters"),
    ],
)
def test_a_bad_new_endpoint_is_refused_inline(admin, organization, overrides, message):
    response = signed_in(admin).post(CREATE, new_form(organization, **overrides))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was created" in html
    assert 'role="alert"' in html
    assert message in html
    assert not Endpoint.objects.exists()


def test_an_admin_elsewhere_may_not_subscribe_to_all_agents_here(client_as, users, organization):
    # The owner administers another organization, so "all agents" is offered: for that one.
    elsewhere = administered_by(users["owner"], "Elsewhere")
    response = client_as("owner").post(CREATE, new_form(organization))
    assert response.status_code == 400
    assert "Only the organization&#x27;s admins can subscribe to all its agents" in (
        response.content.decode()
    )
    assert not Endpoint.objects.exists()
    assert client_as("owner").post(CREATE, new_form(elsewhere)).status_code == 200
    assert Endpoint.objects.get().organization == elsewhere


def test_an_agent_of_another_organization_is_refused(admin, organization, agent):
    other = administered_by(admin, "Other")
    response = signed_in(admin).post(CREATE, new_form(other, **{"new-agent": agent.pk}))
    assert response.status_code == 400
    assert "That agent belongs to another organization." in response.content.decode()
    assert not Endpoint.objects.exists()


def test_someone_who_manages_nothing_cannot_create(client_as, organization):
    for who in ("editor", "publisher", "outsider"):
        response = client_as(who).post(CREATE, new_form(organization))
        assert response.status_code == 400
    assert not Endpoint.objects.exists()


# --- one endpoint: who may see it --------------------------------------------------------------


@pytest.mark.parametrize("action", ["", "delete"])
def test_the_endpoint_pages_open_for_those_who_manage_it_and_404_for_others(
    client_as, users, admin, org_wide, for_agent, action
):
    assert signed_in(admin).get(endpoint_url(org_wide, action)).status_code == 200
    assert signed_in(admin).get(endpoint_url(for_agent, action)).status_code == 200
    assert client_as("owner").get(endpoint_url(for_agent, action)).status_code == 200
    # Not theirs: as unknown as an endpoint that never existed.
    assert client_as("owner").get(endpoint_url(org_wide, action)).status_code == 404
    for who in ("viewer", "editor", "publisher", "outsider"):
        assert client_as(who).get(endpoint_url(for_agent, action)).status_code == 404
    unknown = endpoint_url(Endpoint(pk=999999), action)
    assert signed_in(admin).get(unknown).status_code == 404


def test_the_endpoint_page_shows_what_it_is_and_never_the_secret(admin, for_agent):
    html = signed_in(admin).get(endpoint_url(for_agent)).content.decode()
    assert f'<h1 class="webhook-url">{HOOK}</h1>' in html
    assert "Agent “Support bot”" in html
    assert "Just the bot" in html
    for name in SUBSCRIBABLE:
        assert f'<span class="tag">{name}</span>' in html
    assert for_agent.secret not in html
    assert "Nothing sent yet" in html


@pytest.mark.parametrize("action", ["edit", "rotate", "test", "delete"])
def test_every_post_is_404_for_someone_who_does_not_manage_it(client_as, for_agent, action):
    before = Endpoint.objects.values().get()
    for who in ("editor", "publisher", "outsider"):
        response = client_as(who).post(endpoint_url(for_agent, action), {"rotate-confirm": "on"})
        assert response.status_code == 404
    assert Endpoint.objects.values().get() == before
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("action", ["edit", "rotate", "test", "delete"])
def test_every_post_needs_the_csrf_token(owner, for_agent, action):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(endpoint_url(for_agent, action), {"rotate-confirm": "on"})
    assert response.status_code == 403
    assert Endpoint.objects.filter(pk=for_agent.pk, secret=for_agent.secret).exists()


@pytest.mark.parametrize("action", ["edit", "rotate", "test"])
def test_post_only_urls_refuse_get(client_as, for_agent, action):
    assert client_as("owner").get(endpoint_url(for_agent, action)).status_code == 405


# --- editing ---------------------------------------------------------------------------------


def edit_form(**overrides):
    data = {
        "edit-url": HOOK + "/v2",
        "edit-description": "Renamed",
        "edit-event_types": ["rollback.applied"],
        "edit-enabled": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_editing_changes_the_url_description_events_and_enabled(client_as, for_agent):
    response = client_as("owner").post(endpoint_url(for_agent, "edit"), edit_form())
    assert response.status_code == 302
    for_agent.refresh_from_db()
    assert for_agent.url == HOOK + "/v2"
    assert for_agent.description == "Renamed"
    assert for_agent.event_types == ["rollback.applied"]
    assert for_agent.enabled
    client = client_as("owner")
    response = client.post(endpoint_url(for_agent, "edit"), edit_form(**{"edit-enabled": None}))
    for_agent.refresh_from_db()
    assert not for_agent.enabled
    assert "Endpoint saved." in client.get(response["Location"]).content.decode()


def test_enabling_again_forgets_why_it_was_disabled(client_as, for_agent):
    Endpoint.objects.filter(pk=for_agent.pk).update(
        enabled=False, disabled_reason="Failing for days", failing_since=timezone.now()
    )
    client_as("owner").post(endpoint_url(for_agent, "edit"), edit_form())
    for_agent.refresh_from_db()
    assert for_agent.enabled and for_agent.disabled_reason == "" and for_agent.failing_since is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"edit-url": PRIVATE}, "webhooks go to public addresses only"),
        ({"edit-event_types": None}, "Choose at least one event type."),
        ({"edit-event_types": ["nope"]}, "Select a valid choice."),
    ],
)
def test_a_bad_edit_is_refused_inline_and_changes_nothing(client_as, for_agent, overrides, message):
    before = Endpoint.objects.values().get()
    response = client_as("owner").post(endpoint_url(for_agent, "edit"), edit_form(**overrides))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was changed" in html
    assert message in html
    assert Endpoint.objects.values().get() == before


# --- rotating the secret -----------------------------------------------------------------------


def test_rotating_needs_the_confirmation(client_as, for_agent):
    response = client_as("owner").post(endpoint_url(for_agent, "rotate"), {})
    assert response.status_code == 400
    assert "Tick the box to confirm." in response.content.decode()
    assert Endpoint.objects.get().secret == for_agent.secret


def test_rotating_shows_the_new_secret_once_and_when_the_old_one_stops(client_as, for_agent):
    old = for_agent.secret
    response = client_as("owner").post(endpoint_url(for_agent, "rotate"), {"rotate-confirm": "on"})
    for_agent.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 200
    assert for_agent.secret != old and for_agent.previous_secret == old
    assert f'value="{for_agent.secret}"' in html
    assert old not in html
    assert "Copy it now; it will not be shown again." in html
    expires = for_agent.previous_secret_expires_at
    assert (
        f'The previous secret keeps working until <time datetime="{expires:%Y-%m-%dT%H:%M:%S}'
        in html
    )
    assert "no-store" in response["Cache-Control"]
    later = client_as("owner").get(endpoint_url(for_agent)).content.decode()
    assert for_agent.secret not in later
    assert "the previous secret also verifies until" in later


# --- test event, delete ------------------------------------------------------------------------


def test_send_test_event_queues_one_delivery(client_as, for_agent):
    client = client_as("owner")
    response = client.post(endpoint_url(for_agent, "test"))
    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert delivery.endpoint == for_agent
    assert delivery.event.type == WEBHOOK_TEST
    html = client.get(response["Location"]).content.decode()
    assert "Test event queued" in html
    assert "<code>webhook.test</code>" in html


def test_a_disabled_endpoint_gets_no_test_event(client_as, for_agent):
    Endpoint.objects.filter(pk=for_agent.pk).update(enabled=False)
    response = client_as("owner").post(endpoint_url(for_agent, "test"), follow=True)
    assert "Enable the endpoint before sending it a test." in response.content.decode()
    assert not Delivery.objects.exists()


def test_deleting_asks_first_then_deletes(client_as, for_agent):
    delivery_to(for_agent)
    page = client_as("owner").get(endpoint_url(for_agent, "delete"))
    html = page.content.decode()
    assert "Delete this endpoint?" in html
    assert "(1 delivery)" in html
    assert Endpoint.objects.exists()
    response = client_as("owner").post(endpoint_url(for_agent, "delete"))
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Endpoint.objects.exists()
    assert not Delivery.objects.exists()


# --- the delivery log, a delivery, redelivery --------------------------------------------------


def test_the_log_is_newest_first_and_paginated(client_as, for_agent):
    now = timezone.now()
    for minutes in range(30):
        delivery_to(for_agent, when=now - timedelta(minutes=minutes), event_type=f"t{minutes:02d}")
    html = client_as("owner").get(endpoint_url(for_agent)).content.decode()
    assert html.index("<code>t00</code>") < html.index("<code>t01</code>")
    assert "<code>t24</code>" in html and "<code>t25</code>" not in html
    assert "Page 1 of 2" in html
    second = client_as("owner").get(endpoint_url(for_agent) + "?page=2").content.decode()
    assert "<code>t25</code>" in second and "<code>t24</code>" not in second


def test_the_log_filters_by_status(client_as, for_agent):
    delivery_to(for_agent, status="failed", error="HTTP 500", event_type="bad.one")
    delivery_to(for_agent, status="succeeded", event_type="good.one")
    html = client_as("owner").get(endpoint_url(for_agent) + "?status=failed").content.decode()
    assert "<code>bad.one</code>" in html and "HTTP 500" in html
    assert "<code>good.one</code>" not in html
    refused = client_as("owner").get(endpoint_url(for_agent) + "?status=lost")
    assert refused.status_code == 400
    assert "Select a valid choice." in refused.content.decode()


def test_redeliver_is_offered_for_settled_deliveries_only(client_as, for_agent):
    failed = delivery_to(for_agent, status="failed")
    succeeded = delivery_to(for_agent, status="succeeded")
    pending = delivery_to(for_agent, status="pending")
    html = client_as("owner").get(endpoint_url(for_agent)).content.decode()
    for delivery in (failed, succeeded):
        assert reverse("webhooks:redeliver", args=[for_agent.pk, delivery.pk]) in html
    assert reverse("webhooks:redeliver", args=[for_agent.pk, pending.pk]) not in html


def test_a_delivery_page_lists_its_attempts(client_as, for_agent):
    delivery = delivery_to(for_agent, status="failed", error="HTTP 503")
    started = timezone.now() - timedelta(hours=1)
    for number, (code, ok) in enumerate([(503, False), (200, True)], start=1):
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=started + timedelta(minutes=number),
            duration_ms=40 + number,
            status_code=code,
            succeeded=ok,
            error="" if ok else "HTTP 503",
            response_excerpt=f"<b>answer {number}</b>",
        )
    url = reverse("webhooks:delivery", args=[for_agent.pk, delivery.pk])
    html = client_as("owner").get(url).content.decode()
    assert html.index("answer 2") < html.index("answer 1")  # newest first
    assert "&lt;b&gt;answer 1&lt;/b&gt;" in html  # the receiver's text, escaped
    assert '<td data-label="HTTP status">503</td>' in html
    assert "41 ms" in html and "42 ms" in html
    assert delivery.webhook_id in html
    assert "payload-here" in html  # the body sent


def test_a_delivery_of_another_endpoint_is_404(client_as, admin, org_wide, for_agent):
    theirs = delivery_to(org_wide)
    url = reverse("webhooks:delivery", args=[for_agent.pk, theirs.pk])
    assert client_as("owner").get(url).status_code == 404
    own_url = reverse("webhooks:delivery", args=[org_wide.pk, theirs.pk])
    assert client_as("owner").get(own_url).status_code == 404
    assert signed_in(admin).get(own_url).status_code == 200


def test_redeliver_queues_the_delivery_again(client_as, for_agent):
    delivery = delivery_to(for_agent, status="failed", error="HTTP 500")
    url = reverse("webhooks:redeliver", args=[for_agent.pk, delivery.pk])
    assert client_as("editor").post(url).status_code == 404
    client = client_as("owner")
    response = client.post(url)
    delivery.refresh_from_db()
    assert response.status_code == 302
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.task_id is not None
    assert "Redelivery queued" in client.get(response["Location"]).content.decode()


def test_a_delivery_being_sent_is_not_redelivered(client_as, for_agent):
    delivery = delivery_to(for_agent, status="sending")
    url = reverse("webhooks:redeliver", args=[for_agent.pk, delivery.pk])
    response = client_as("owner").post(url, follow=True)
    assert "being sent right now" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENDING


def test_the_endpoint_page_costs_the_same_with_many_deliveries(
    client_as, for_agent, django_assert_max_num_queries
):
    client = client_as("owner")
    delivery_to(for_agent, status="failed")
    with django_assert_max_num_queries(50) as few:
        client.get(endpoint_url(for_agent))
    for _ in range(40):
        delivery_to(for_agent, status="failed")
    with django_assert_max_num_queries(50) as many:
        client.get(endpoint_url(for_agent))
    assert len(few) == len(many)
