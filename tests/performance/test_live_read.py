"""GET /api/v2/agents/{id}/production: the contract, its cost, and how fast access is revoked."""

from __future__ import annotations

import json
import os
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from agents import services
from agents.models import AccessLevel, AgentPermission, OrganizationMembership
from bench.data import SMALL, build_agent, edit_one_instruction
from publishing.live import cache as live
from publishing.models import PublishRecord
from publishing.services import publish_agent
from tests import factories
from tests.redis_required import redis_client

pytestmark = [pytest.mark.urls("tests.performance.urls"), pytest.mark.django_db]


def url(agent_id: int) -> str:
    return reverse("agent-production", kwargs={"agent_id": agent_id})


def token_client(user) -> APIClient:
    client = APIClient()
    token = factories.api_token(user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def published(project, owner):
    agent = build_agent(project=project, user=owner, size=SMALL, name="Live")
    publish_agent(agent=agent, acting_user=owner, notes="First")
    return agent


@pytest.fixture
def viewer(published):
    user = factories.UserFactory(username="viewer")
    factories.join(published.project.organization, user)
    services.grant_permission(
        agent=published, acting_user=published.created_by, target_user_id=user.pk, role="viewer"
    )
    return user


# --- the answer --------------------------------------------------------------------------------


def test_body_is_the_published_snapshot_with_its_change_track_id(published, owner):
    response = token_client(owner).get(url(published.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    record = PublishRecord.objects.get(agent=published)
    assert body == {
        "agent_id": published.pk,
        "environment": "production",
        "change_track_id": str(record.change_track_id),
        "published_at": record.published_at.isoformat().replace("+00:00", "Z"),
        "configuration": record.snapshot,
    }


def test_answer_carries_etag_and_private_revalidate_cache_control(published, owner):
    response = token_client(owner).get(url(published.pk))

    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-cache"} <= directives
    assert "Authorization" in response["Vary"]


@pytest.mark.parametrize("form", ["{etag}", "W/{etag}", '"other", {etag}', "*"])
def test_matching_if_none_match_answers_304_without_body(published, owner, form):
    client = token_client(owner)
    etag = client.get(url(published.pk))["ETag"]

    response = client.get(url(published.pk), HTTP_IF_NONE_MATCH=form.format(etag=etag))

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert "private" in response["Cache-Control"]


def test_other_etag_gets_the_full_answer(published, owner):
    response = token_client(owner).get(url(published.pk), HTTP_IF_NONE_MATCH='"stale-0"')

    assert response.status_code == 200
    assert json.loads(response.content)["agent_id"] == published.pk


def test_publish_changes_etag_and_body_once_committed(
    cache_mode, published, owner, django_capture_on_commit_callbacks
):
    client = token_client(owner)
    before = client.get(url(published.pk))
    edit_one_instruction(published, owner, "Changed")

    with django_capture_on_commit_callbacks(execute=True):
        record = publish_agent(agent=published, acting_user=owner)
    after = client.get(url(published.pk), HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert json.loads(after.content)["change_track_id"] == str(record.change_track_id)


def test_head_answers_headers_only(published, owner):
    response = token_client(owner).head(url(published.pk))

    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"]


def test_other_methods_are_refused_by_drf(published, owner):
    response = token_client(owner).post(url(published.pk), {}, format="json")

    assert response.status_code == 405


def test_drf_test_client_forced_user_is_honoured(published, owner_client):
    response = owner_client.get(url(published.pk))

    assert response.status_code == 200


# --- refusals ---------------------------------------------------------------------------------


def test_no_credentials_is_401_with_token_challenge(published):
    response = APIClient().get(url(published.pk))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Token", "Invalid token header. No credentials provided."),
        ("Token a b", "Invalid token header. Token string should not contain spaces."),
        ("Token 0000000000000000000000000000000000000000", "Invalid token."),
    ],
)
def test_bad_token_is_401_like_drf(published, header, detail):
    response = APIClient().get(url(published.pk), HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.json() == {"detail": detail}


@pytest.mark.parametrize(
    "token", ["a" * 41, "abc\x00def", "abc-def", "\u00e9t\u00e9", "\ud800", "x" * 5000]
)
def test_hostile_token_is_401_without_a_query(published, token, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = APIClient().get(url(published.pk), HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 401


@pytest.mark.parametrize("key", ["abc\x00def0123", "\u00e9" * 10, "../../etc", ""])
def test_hostile_session_cookie_is_401(published, key):
    client = APIClient()
    client.cookies["sessionid"] = key

    assert client.get(url(published.pk)).status_code == 401


@pytest.mark.parametrize("tag", ['"\x00"', "W/", ",,,", '"' + "a" * 10000 + '"', "\ud800"])
def test_hostile_if_none_match_gets_the_full_answer(published, owner, tag):
    response = token_client(owner).get(url(published.pk), HTTP_IF_NONE_MATCH=tag)

    assert response.status_code == 200


def test_inactive_user_is_401(published, owner):
    client = token_client(owner)
    owner.is_active = False
    owner.save()

    response = client.get(url(published.pk))

    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted."}


def test_agent_never_published_is_404_for_its_owner(project, owner):
    agent = build_agent(project=project, user=owner, size=SMALL, name="Draft")

    response = token_client(owner).get(url(agent.pk))

    assert response.status_code == 404
    assert response.json() == {"detail": "This agent has not been published yet."}


def test_agent_the_caller_may_not_see_is_404_like_one_that_does_not_exist(published):
    stranger = factories.UserFactory(username="stranger")
    client = token_client(stranger)

    hidden = client.get(url(published.pk))
    missing = client.get(url(published.pk + 1000))

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "Agent not found."}


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "99999999999999999999999", "1.5"])
def test_malformed_id_is_the_json_404_of_an_unknown_agent(published, owner, raw):
    response = token_client(owner).get(f"/api/v2/agents/{raw}/production")

    assert response.status_code == 404
    assert response.json() == {"detail": "Agent not found."}


def test_malformed_id_still_checks_the_token_first(published):
    response = APIClient().get("/api/v2/agents/abc/production", HTTP_AUTHORIZATION="Token nope")

    assert response.status_code == 401


def test_viewer_role_is_enough(published, viewer):
    assert token_client(viewer).get(url(published.pk)).status_code == 200


def test_session_login_works(published, owner):
    client = APIClient()
    client.force_login(owner)

    assert client.get(url(published.pk)).status_code == 200


# --- cost -------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["small", "large"])
def test_shared_cache_token_read_costs_one_query_then_none(
    shared, scenarios, size, django_assert_num_queries
):
    agent = scenarios[size].agent
    client = token_client(scenarios[size].user)

    with django_assert_num_queries(1):
        assert client.get(url(agent.pk)).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(url(agent.pk)).status_code == 200
    etag = client.get(url(agent.pk))["ETag"]
    with django_assert_num_queries(0):
        assert client.get(url(agent.pk), HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize("size", ["small", "large"])
def test_local_cache_token_read_costs_one_query_without_the_snapshot(
    scenarios, size, django_assert_num_queries
):
    agent = scenarios[size].agent
    client = token_client(scenarios[size].user)

    with django_assert_num_queries(1) as first:
        assert client.get(url(agent.pk)).status_code == 200
    # Read now: a full query log (a large agent's build) shifts what the context names later.
    first_sql = first.captured_queries[0]["sql"]
    with django_assert_num_queries(1) as again:
        assert client.get(url(agent.pk)).status_code == 200
    again_sql = again.captured_queries[0]["sql"]
    etag = client.get(url(agent.pk))["ETag"]
    with django_assert_num_queries(1):
        assert client.get(url(agent.pk), HTTP_IF_NONE_MATCH=etag).status_code == 304
    # The repeated read checks the access facts and Production's id, not the snapshot.
    assert ", pc.snapshot\n" in first_sql
    assert ", pc.snapshot\n" not in again_sql


def test_shared_cache_caches_the_refusal_too(shared, published, django_assert_num_queries):
    client = token_client(factories.UserFactory(username="stranger"))

    with django_assert_num_queries(1):
        assert client.get(url(published.pk)).status_code == 404
    with django_assert_num_queries(0):
        assert client.get(url(published.pk)).status_code == 404


def test_local_cache_decides_every_refusal_afresh(published, django_assert_num_queries):
    client = token_client(factories.UserFactory(username="stranger"))

    for _ in range(2):
        with django_assert_num_queries(1):
            assert client.get(url(published.pk)).status_code == 404


def test_shared_cache_session_read_costs_session_user_and_one_query_then_none(
    shared, published, owner, django_assert_num_queries
):
    client = APIClient()
    client.force_login(owner)

    with django_assert_num_queries(3):
        assert client.get(url(published.pk)).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(url(published.pk)).status_code == 200


def test_local_cache_session_read_costs_session_user_and_one_query(
    published, owner, django_assert_num_queries
):
    client = APIClient()
    client.force_login(owner)

    for _ in range(2):
        with django_assert_num_queries(3):
            assert client.get(url(published.pk)).status_code == 200


def test_second_caller_reuses_the_cached_body(published, owner, viewer, django_assert_num_queries):
    token_client(owner).get(url(published.pk))
    client = token_client(viewer)

    with django_assert_num_queries(1) as captured:
        assert client.get(url(published.pk)).status_code == 200
    # Only the access facts were read: the body came from the cache.
    assert ", pc.snapshot\n" not in captured.captured_queries[0]["sql"]


# --- how fast a change of access takes effect --------------------------------------------------


@pytest.fixture
def takes_effect_on_commit(django_capture_on_commit_callbacks):
    """Check that a change of access shows in the live read once it commits, not before:
    ``client`` reads ``agent`` and gets ``before``; ``change`` commits; the next read gets
    ``after``."""

    def check(client, agent, change, *, before: int, after: int) -> None:
        assert client.get(url(agent.pk)).status_code == before

        with django_capture_on_commit_callbacks(execute=True):
            change()

        assert client.get(url(agent.pk)).status_code == after

    return check


def assert_revocation_takes_effect_on_commit(published, viewer, takes_effect_on_commit) -> None:
    """The viewer reads the live agent, loses the role, and is refused once that commits."""
    takes_effect_on_commit(
        token_client(viewer),
        published,
        lambda: services.revoke_permission(
            permission=AgentPermission.objects.get(agent=published, user=viewer),
            acting_user=published.created_by,
        ),
        before=200,
        after=404,
    )


def test_revoked_permission_stops_working_on_commit(
    cache_mode, published, viewer, takes_effect_on_commit
):
    assert_revocation_takes_effect_on_commit(published, viewer, takes_effect_on_commit)


def test_granted_permission_works_on_commit(cache_mode, published, takes_effect_on_commit):
    newcomer = factories.UserFactory(username="newcomer")
    factories.join(published.project.organization, newcomer)

    takes_effect_on_commit(
        token_client(newcomer),
        published,
        lambda: services.grant_permission(
            agent=published,
            acting_user=published.created_by,
            target_user_id=newcomer.pk,
            role="viewer",
        ),
        before=404,
        after=200,
    )


def test_deleted_token_stops_working_on_commit(
    cache_mode, published, owner, takes_effect_on_commit
):
    takes_effect_on_commit(
        token_client(owner),
        published,
        ApiToken.objects.filter(user=owner).delete,
        before=200,
        after=401,
    )


def test_deactivated_user_stops_working_on_commit(
    cache_mode, published, viewer, takes_effect_on_commit
):
    def deactivate():
        viewer.is_active = False
        viewer.save()

    takes_effect_on_commit(token_client(viewer), published, deactivate, before=200, after=401)


def test_project_membership_change_takes_effect_on_commit(
    cache_mode, project, owner, takes_effect_on_commit
):
    agent = build_agent(project=project, user=owner, size=SMALL, name="Team")
    services.set_access_level(agent=agent, acting_user=owner, access_level=AccessLevel.PROJECT)
    publish_agent(agent=agent, acting_user=owner)
    member = factories.UserFactory(username="member")
    factories.join(project.organization, member)  # project access is for the org's members
    client = token_client(member)

    takes_effect_on_commit(
        client, agent, lambda: project.members.add(member), before=404, after=200
    )
    takes_effect_on_commit(
        client, agent, lambda: project.members.remove(member), before=200, after=404
    )


def test_access_level_change_takes_effect_with_the_publish(
    cache_mode, published, owner, organization, django_capture_on_commit_callbacks
):
    colleague = factories.UserFactory(username="colleague")
    factories.MembershipFactory(organization=organization, user=colleague)
    client = token_client(colleague)
    assert client.get(url(published.pk)).status_code == 404

    services.set_access_level(
        agent=published, acting_user=owner, access_level=AccessLevel.ORGANIZATION
    )
    with django_capture_on_commit_callbacks(execute=True):
        publish_agent(agent=published, acting_user=owner)

    assert client.get(url(published.pk)).status_code == 200


def test_logout_drops_the_cached_session(cache_mode, published, owner):
    client = APIClient()
    client.force_login(owner)
    session_cookie = client.cookies["sessionid"].value
    assert client.get(url(published.pk)).status_code == 200

    client.logout()
    stale = APIClient()
    stale.cookies["sessionid"] = session_cookie

    assert stale.get(url(published.pk)).status_code == 401


@pytest.fixture
def org_admin(organization):
    """Sees the organization's agents by the admin role alone (no grant, no membership of a
    project), so demoting the admin takes the agent away."""
    admin = factories.UserFactory(username="orgadmin")
    factories.MembershipFactory(
        organization=organization, user=admin, role=OrganizationMembership.Role.ADMIN
    )
    return admin


def demote_without_signals(user) -> None:
    """Make an admin a plain member with QuerySet.update, which sends no signal."""
    OrganizationMembership.objects.filter(user=user).update(role=OrganizationMembership.Role.MEMBER)


def test_change_that_skips_signals_expires_within_the_access_lifetime(
    shared, published, org_admin, monkeypatch
):
    client = token_client(org_admin)
    assert client.get(url(published.pk)).status_code == 200

    # The update sent no signal: the cached decision lives on, but only so long.
    demote_without_signals(org_admin)
    assert client.get(url(published.pk)).status_code == 200
    later = time.time() + live.ACCESS_SECONDS + 1
    monkeypatch.setattr("django.core.cache.backends.locmem.time.time", lambda: later)

    assert client.get(url(published.pk)).status_code == 404


def test_local_cache_sees_a_change_that_skips_signals_at_once(published, org_admin):
    client = token_client(org_admin)
    assert client.get(url(published.pk)).status_code == 200

    demote_without_signals(org_admin)

    assert client.get(url(published.pk)).status_code == 404


# A change made by another process runs its on-commit invalidation over there: in these tests
# (one transaction, hooks never run) that is a change whose invalidation this process misses.


def test_local_cache_serves_a_publish_made_elsewhere_on_the_next_read(published, owner):
    client = token_client(owner)
    before = client.get(url(published.pk))
    assert live.local_payloads.get(published.pk) is not None
    edit_one_instruction(published, owner, "Elsewhere")
    record = publish_agent(agent=published, acting_user=owner)  # its invalidation does not run here

    after = client.get(url(published.pk), HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert json.loads(after.content)["change_track_id"] == str(record.change_track_id)
    assert after["ETag"] != before["ETag"]
    assert live.local_payloads.get(published.pk)["v"] == str(record.change_track_id)


def test_local_cache_refuses_a_revocation_made_elsewhere_on_the_next_read(published, viewer):
    client = token_client(viewer)
    assert client.get(url(published.pk)).status_code == 200

    services.revoke_permission(
        permission=AgentPermission.objects.get(agent=published, user=viewer),
        acting_user=published.created_by,
    )

    assert client.get(url(published.pk)).status_code == 404


def test_local_cache_refuses_an_archive_made_elsewhere_on_the_next_read(published, owner):
    client = token_client(owner)
    assert client.get(url(published.pk)).status_code == 200

    services.delete_agent(agent=published, acting_user=owner)

    assert client.get(url(published.pk)).status_code == 404


@pytest.mark.parametrize(
    ("backend", "is_shared"),
    [
        ("django.core.cache.backends.redis.RedisCache", True),
        ("django_redis.cache.RedisCache", True),
        ("django.core.cache.backends.memcached.PyMemcacheCache", True),
        ("django.core.cache.backends.db.DatabaseCache", True),
        ("django.core.cache.backends.locmem.LocMemCache", False),
        ("django.core.cache.backends.dummy.DummyCache", False),
        ("django.core.cache.backends.filebased.FileBasedCache", False),
        ("somewhere.UnknownCache", False),
    ],
)
def test_only_caches_every_process_shares_are_trusted_with_decisions(settings, backend, is_shared):
    settings.CACHES = {"default": {"BACKEND": backend}}

    assert live.shared_cache() is is_shared


def test_entry_written_by_a_read_that_raced_a_publish_is_never_served(published, owner):
    """A reader that saw the old state, and writes after the publish's invalidation."""
    credential = live.credential_hash("token", "racer")
    seen = live.lookup(published.pk, credential)
    live.invalidate(published.pk)
    old = {"body": b"{}", "etag": '"old"'}

    live.remember(published.pk, credential, seen, payload=old, access={"u": owner.pk, "r": 4})

    now = live.lookup(published.pk, credential)
    assert now.payload is None
    assert now.access is None


def test_body_held_by_a_process_is_dropped_by_an_invalidation_elsewhere(shared, published, owner):
    client = token_client(owner)
    assert client.get(url(published.pk)).status_code == 200
    assert live.local_payloads.get(published.pk) is not None
    # Another process publishes: the shared version moves; this process's copy does not.
    cache.set(live.version_key(published.pk), "another-process", None)
    cache.delete(live.cache_key(published.pk))

    seen = live.lookup(published.pk, live.credential_hash("token", "x"))

    assert seen.payload is None


def test_process_copy_spares_the_shared_cache_the_body(shared, published, owner, monkeypatch):
    client = token_client(owner)
    client.get(url(published.pk))
    asked: list[list[str]] = []
    original = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: asked.append(list(keys)) or original(keys))

    assert client.get(url(published.pk)).status_code == 200

    assert asked and live.cache_key(published.pk) not in asked[0]


def test_local_payloads_stay_within_their_budget():
    held = live.LocalPayloads(budget=10)
    held.put(1, {"body": b"12345"})
    held.put(2, {"body": b"12345"})
    held.put(3, {"body": b"12345"})
    held.put(4, {"body": b"x" * 11})

    assert held.get(1) is None
    assert held.get(2) is not None and held.get(3) is not None
    assert held.get(4) is None


def test_evicted_stamps_make_every_entry_a_miss(published, owner):
    credential = live.credential_hash("token", "evicted")
    seen = live.lookup(published.pk, credential)
    live.remember(
        published.pk, credential, seen, payload={"body": b"{}", "etag": '"e"'}, access={"r": 4}
    )
    cache.delete(live.GENERATION_KEY)
    cache.delete(live.version_key(published.pk))

    again = live.lookup(published.pk, credential)

    assert again.payload is None
    assert again.access is None


# --- the schema ---------------------------------------------------------------------------------


def test_schema_documents_the_live_read(owner_client):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(urlconf="tests.performance.urls").get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v2/agents/{agent_id}/production"]["get"]

    assert set(operation["responses"]) >= {"200", "304", "401", "404"}
    assert "ETag" in operation["responses"]["200"]["headers"]
    assert any(p["name"] == "If-None-Match" for p in operation["parameters"])
    assert {next(iter(s)) for s in operation["security"]} >= {"tokenAuth", "cookieAuth"}


# --- with Redis, as deployed ----------------------------------------------------------------------

REDIS_TEST_URL = os.environ.get("PERF_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


@pytest.fixture
def redis_cache(settings):
    client = redis_client(REDIS_TEST_URL)
    prefix = f"h_perf_test_{os.getpid()}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def test_redis_hit_costs_no_query_and_reads_what_django_reads(
    redis_cache, published, owner, django_assert_num_queries
):
    client = token_client(owner)
    with django_assert_num_queries(1):
        assert client.get(url(published.pk)).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(url(published.pk)).status_code == 200

    keys = [live.version_key(published.pk), live.GENERATION_KEY, live.cache_key(published.pk)]
    assert live._get_many(keys) == cache.get_many(keys)
    assert len(live._get_many(keys)) == 3


def test_redis_revocation_takes_effect_on_commit(
    redis_cache, published, viewer, takes_effect_on_commit
):
    assert_revocation_takes_effect_on_commit(published, viewer, takes_effect_on_commit)


def test_archived_agent_is_gone_on_commit(cache_mode, published, owner, takes_effect_on_commit):
    takes_effect_on_commit(
        token_client(owner),
        published,
        lambda: services.delete_agent(agent=published, acting_user=owner),
        before=200,
        after=404,
    )


def test_issuing_a_token_keeps_every_cached_decision(
    shared, published, owner, viewer, django_capture_on_commit_callbacks
):
    """Each API login issues a token; that must not empty the cache for everybody."""
    client = token_client(viewer)
    assert client.get(url(published.pk)).status_code == 200
    generation = cache.get(live.GENERATION_KEY)

    with django_capture_on_commit_callbacks(execute=True):
        factories.api_token(owner)

    assert cache.get(live.GENERATION_KEY) == generation


def test_revoking_a_token_stales_the_cached_decisions(
    shared, published, owner, django_capture_on_commit_callbacks
):
    from accounts.models import ApiToken
    from accounts.services import revoke_token

    secret = factories.api_token(owner)
    generation = cache.get(live.GENERATION_KEY)
    token = ApiToken.objects.get(user=owner, prefix=secret[:8])

    with django_capture_on_commit_callbacks(execute=True):
        revoke_token(acting_user=owner, token=token)

    assert cache.get(live.GENERATION_KEY) != generation
