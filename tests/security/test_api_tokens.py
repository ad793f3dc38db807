"""API tokens expire, can be revoked, die with a password change, and never show their secret.

Red-team finding 6 (issue 16): one token per user, the same on every login, valid forever,
through logout and password changes, with no way to revoke it.
"""

from __future__ import annotations

import importlib
import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2SHA1PasswordHasher
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken
from accounts.services import token_digest
from publishing.live import cache as live
from publishing.services import publish_agent
from tests import factories

User = get_user_model()
TOKEN_URL = "/api/v2/auth/token"
TOKENS_URL = "/api/v2/auth/tokens"
ME = "/api/v2/users/me"
NEW_PASSWORD = "violet-anchor-71-tundra"


def with_token(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def works(secret: str) -> bool:
    response = with_token(secret).get(ME)
    assert response.status_code in (200, 401), response.content
    return response.status_code == 200


def stored(secret: str) -> ApiToken:
    return ApiToken.objects.get(digest=token_digest(secret))


alice = factories.user_fixture("alice")
bob = factories.user_fixture("bob")


def login(**extra):
    body = {"username": "alice", "password": factories.PASSWORD, **extra}
    return APIClient().post(TOKEN_URL, body, format="json")


# --- issuing ----------------------------------------------------------------------------------


def test_only_a_digest_of_the_secret_is_stored(alice):
    secret = factories.api_token(alice)
    token = stored(secret)
    assert len(secret) == 40
    assert secret not in {token.digest, token.name}
    assert token.prefix == secret[:8]


def test_a_new_token_expires_after_the_configured_days(alice, settings):
    settings.API_TOKEN_TTL_DAYS = 7
    before = timezone.now()
    response = login()
    assert response.status_code == 200
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert before + timedelta(days=7) <= token.expires_at <= timezone.now() + timedelta(days=7)


def test_several_named_tokens_per_user_all_work(alice):
    first = login(name="CRM sync").json()
    second = login(name="Slack bot", expires_in_days=1).json()

    assert first["name"] == "CRM sync"
    assert second["name"] == "Slack bot"
    assert first["token"] != second["token"]
    assert works(first["token"]) and works(second["token"])
    assert stored(second["token"]).expires_at <= timezone.now() + timedelta(days=1)
    listed = with_token(first["token"]).get(TOKENS_URL).json()["results"]
    assert {t["name"] for t in listed} == {"CRM sync", "Slack bot"}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"expires_in_days": 366}, "expires_in_days"),
        ({"expires_in_days": "7"}, "expires_in_days"),
        ({"expires_in_days": True}, "expires_in_days"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 5}, "name"),
    ],
)
def test_bad_name_or_lifetime_is_a_400_per_field(alice, extra, field):
    response = login(**extra)
    assert response.status_code == 400
    assert field in response.json()
    assert not ApiToken.objects.exists()


# --- expiry -------------------------------------------------------------------------------------


def test_an_expired_token_is_refused_like_an_unknown_one(alice):
    secret = factories.api_token(alice)
    ApiToken.objects.filter(digest=token_digest(secret)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = with_token(secret).get(ME)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_an_inactive_users_token_is_refused(alice):
    secret = factories.api_token(alice)
    alice.is_active = False
    alice.save()
    response = with_token(secret).get(ME)
    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted."}


# --- revoking -----------------------------------------------------------------------------------


def test_revoke_own_token(alice):
    keep = factories.api_token(alice)
    drop = factories.api_token(alice)
    response = with_token(keep).delete(f"{TOKENS_URL}/{stored(drop).pk}")
    assert response.status_code == 204
    assert not works(drop)
    assert works(keep)
    assert stored(drop).revoked_at is not None


def test_cannot_revoke_or_see_another_users_token(alice, bob):
    theirs = factories.api_token(bob)
    client = with_token(factories.api_token(alice))

    response = client.delete(f"{TOKENS_URL}/{stored(theirs).pk}")
    assert response.status_code == 404
    assert works(theirs)
    assert stored(theirs).revoked_at is None
    assert client.get(TOKENS_URL, {"user_id": bob.pk}).status_code == 403
    assert [t["user_id"] for t in client.get(TOKENS_URL).json()["results"]] == [alice.pk]


def test_superuser_revokes_and_lists_anyones_token(alice, superuser):
    theirs = factories.api_token(alice)
    client = with_token(factories.api_token(superuser))

    listed = client.get(TOKENS_URL, {"user_id": alice.pk}).json()["results"]
    assert [t["id"] for t in listed] == [stored(theirs).pk]
    assert client.delete(f"{TOKENS_URL}/{stored(theirs).pk}").status_code == 204
    assert not works(theirs)


def test_service_refuses_to_revoke_anothers_token(alice, bob):
    from django.core.exceptions import PermissionDenied

    token, _ = services.issue_token(user=bob, name="x")
    with pytest.raises(PermissionDenied):
        services.revoke_token(acting_user=alice, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_unknown_or_malformed_token_id_is_a_404(alice):
    client = with_token(factories.api_token(alice))
    for value in ("999999", "abc", "0", str(2**64)):
        response = client.delete(f"{TOKENS_URL}/{value}")
        assert response.status_code == 404, value


def test_logout_revokes_the_token_of_the_request_only(alice):
    other = factories.api_token(alice)
    secret = factories.api_token(alice)
    response = with_token(secret).delete(TOKEN_URL)
    assert response.status_code == 204
    assert not works(secret)
    assert works(other)
    assert with_token(secret).delete(TOKEN_URL).status_code == 401


def test_logout_needs_a_token_not_a_session(alice):
    assert APIClient().delete(TOKEN_URL).status_code == 401
    session = APIClient()
    session.force_login(alice)
    response = session.delete(TOKEN_URL)
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_login_ignores_a_stale_token_header(alice):
    secret = factories.api_token(alice)
    services.revoke_all_tokens(user=alice)
    response = with_token(secret).post(
        TOKEN_URL, {"username": "alice", "password": factories.PASSWORD}, format="json"
    )
    assert response.status_code == 200


# --- a password change revokes every token ------------------------------------------------------


def test_set_password_and_save_revokes(alice):
    secret = factories.api_token(alice)
    alice.set_password(NEW_PASSWORD)
    alice.save()
    assert not works(secret)
    # A token issued after the change is not revoked by a later, unrelated save.
    fresh = factories.api_token(alice)
    alice.email = "new@example.com"
    alice.save()
    assert works(fresh)


def test_password_change_through_the_admin_revokes(alice, superuser):
    secret = factories.api_token(alice)
    client = Client()
    client.force_login(superuser)
    response = client.post(
        f"/admin/auth/user/{alice.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:500]
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert not works(secret)


def test_an_admin_edit_that_leaves_the_password_alone_revokes_nothing(alice, superuser):
    secret = factories.api_token(alice)
    client = Client()
    client.force_login(superuser)
    form = {
        "username": "alice",
        "email": "alice@elsewhere.example",
        "is_active": "on",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2025-01-01",
        "initial-date_joined_1": "00:00:00",
    }
    response = client.post(f"/admin/auth/user/{alice.pk}/change/", form)
    assert response.status_code == 302, response.content[:2000]
    alice.refresh_from_db()
    assert alice.email == "alice@elsewhere.example"
    assert works(secret)


def test_changepassword_command_revokes(alice, monkeypatch):
    secret = factories.api_token(alice)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", "alice", stdout=open("/dev/null", "w"))  # noqa: SIM115
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert not works(secret)


def test_an_assigned_hash_or_unusable_password_revokes(alice, bob):
    from django.contrib.auth.hashers import make_password

    secret = factories.api_token(alice)
    alice.password = make_password(NEW_PASSWORD)
    alice.save(update_fields=["password"])
    assert not works(secret)

    secret = factories.api_token(bob)
    bob.set_unusable_password()
    bob.save()
    assert not works(secret)


def test_saves_that_do_not_write_the_password_revoke_nothing(alice):
    secret = factories.api_token(alice)
    alice.set_password(NEW_PASSWORD)
    alice.save(update_fields=["email"])  # the new hash is not written
    assert works(secret)
    User.objects.only("username").get(pk=alice.pk).save(update_fields=["username"])
    assert works(secret)


def test_djangos_hash_upgrade_at_login_is_not_a_password_change(alice, settings):
    """check_password re-hashes an unchanged password when the preferred hasher changed."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ]
    old = PBKDF2SHA1PasswordHasher().encode(factories.PASSWORD, "somesalt", iterations=1000)
    User.objects.filter(pk=alice.pk).update(password=old)
    secret = factories.api_token(alice)

    assert login().status_code == 200
    alice.refresh_from_db()
    assert alice.password.startswith("md5$")  # upgraded
    assert works(secret)


# --- the live read ------------------------------------------------------------------------------


@pytest.fixture
def live_agent(alice, organization):
    project = factories.ProjectFactory(organization=organization)
    agent = factories.AgentFactory(project=project, user=alice, name="Live")
    publish_agent(agent=agent, acting_user=alice, notes="first")
    return agent


def live_read(agent, secret):
    return with_token(secret).get(f"/api/v2/agents/{agent.pk}/production")


def test_live_read_refuses_an_expired_token(alice, live_agent, cache_mode):
    secret = factories.api_token(alice)
    ApiToken.objects.filter(digest=token_digest(secret)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = live_read(live_agent, secret)
    assert response.status_code == 401
    assert json.loads(response.content) == {"detail": "Invalid token."}


@pytest.mark.parametrize("how", ["endpoint", "logout", "admin", "password"])
def test_live_read_refuses_a_revoked_token_after_a_cached_hit(
    alice, superuser, live_agent, how, cache_mode, django_capture_on_commit_callbacks
):
    secret = factories.api_token(alice)
    assert live_read(live_agent, secret).status_code == 200
    assert live_read(live_agent, secret).status_code == 200  # from the cache, when shared

    with django_capture_on_commit_callbacks(execute=True):
        if how == "endpoint":
            response = with_token(secret).delete(f"{TOKENS_URL}/{stored(secret).pk}")
            assert response.status_code == 204
        elif how == "logout":
            assert with_token(secret).delete(TOKEN_URL).status_code == 204
        elif how == "admin":
            client = Client()
            client.force_login(superuser)
            client.post(
                "/admin/accounts/apitoken/",
                {"action": "revoke_selected", "_selected_action": [stored(secret).pk]},
            )
        else:
            alice.set_password(NEW_PASSWORD)
            alice.save()

    assert stored(secret).revoked_at is not None
    response = live_read(live_agent, secret)
    assert response.status_code == 401
    assert json.loads(response.content) == {"detail": "Invalid token."}


def test_live_reads_cached_decision_does_not_outlive_the_token(
    alice, live_agent, shared, monkeypatch
):
    secret = factories.api_token(alice, expires_in=timedelta(seconds=30))
    timeouts = []
    remember = live.remember

    def spy(*args, **kwargs):
        timeouts.append(kwargs.get("access_timeout"))
        return remember(*args, **kwargs)

    monkeypatch.setattr(live, "remember", spy)
    assert live_read(live_agent, secret).status_code == 200
    assert timeouts and timeouts[0] is not None and 0 < timeouts[0] <= 30


# --- the secret is shown once -------------------------------------------------------------------


def test_list_never_shows_the_secret_or_digest(alice):
    secret = factories.api_token(alice, name="CRM")
    response = with_token(secret).get(TOKENS_URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert secret not in text
    assert token_digest(secret) not in text
    (item,) = response.json()["results"]
    assert set(item) == {
        "id",
        "user_id",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "revoked",
        "revoked_at",
    }
    assert item["prefix"] == secret[:8]
    assert item["revoked"] is False


def test_admin_shows_neither_secret_nor_digest_and_allows_no_edits(alice, superuser):
    secret = factories.api_token(alice, name="CRM")
    token = stored(secret)
    client = Client()
    client.force_login(superuser)
    for url in ("/admin/accounts/apitoken/", f"/admin/accounts/apitoken/{token.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert secret not in text and token.digest not in text, url
        assert "CRM" in text
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    client.post(f"/admin/accounts/apitoken/{token.pk}/change/", {"name": "renamed"})
    token.refresh_from_db()
    assert token.name == "CRM"


def test_admin_action_revokes_only_what_the_service_allows(alice, bob):
    staff = factories.UserFactory(username="staff")
    staff.is_staff = True
    staff.save()
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="view_apitoken"))
    own = stored(factories.api_token(staff))
    theirs = stored(factories.api_token(bob))
    client = Client()
    client.force_login(staff)
    client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke_selected", "_selected_action": [own.pk, theirs.pk]},
    )
    own.refresh_from_db()
    theirs.refresh_from_db()
    assert own.revoked_at is not None
    assert theirs.revoked_at is None


# --- the schema and the migration ---------------------------------------------------------------


def test_schema_names_the_token_prefix_not_bearer(superuser):
    client = APIClient()
    client.force_authenticate(superuser)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert scheme["type"] == "apiKey"
    assert scheme["in"] == "header"
    assert scheme["name"] == "Authorization"
    assert "Token <key>" in scheme["description"]
    paths = schema["paths"]
    assert set(paths["/api/v2/auth/tokens"]) == {"get"}
    assert set(paths["/api/v2/auth/tokens/{token_id}"]) == {"delete"}
    assert set(paths["/api/v2/auth/token"]) == {"post", "delete"}
    assert "tokenAuth" not in json.dumps(paths["/api/v2/auth/token"]["post"].get("security"))
    assert {"tokenAuth": []} in paths["/api/v2/auth/token"]["delete"]["security"]


def test_migration_turns_authtoken_keys_into_api_tokens(alice, settings):
    migration = importlib.import_module("accounts.migrations.0002_copy_authtoken_keys")
    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp "
            "with time zone NOT NULL, user_id bigint NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [key, timezone.now() - timedelta(days=400), alice.pk],
        )
    from django.apps import apps

    # Only the connection and quoting are used (SQLite refuses a real schema editor in a test).
    editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    migration.copy_authtoken_keys(apps, editor)

    token = stored(key)
    assert token.user_id == alice.pk
    assert token.expires_at > timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS - 1)
    assert works(key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0


def test_authentication_and_listing_cost_three_queries(alice, django_assert_num_queries):
    secret = factories.api_token(alice)
    for n in range(5):
        factories.api_token(alice, name=f"integration {n}")
    client = with_token(secret)
    # One query authenticates (the token joined with its user), then the count and the page.
    with django_assert_num_queries(3):
        assert len(client.get(TOKENS_URL).json()["results"]) == 6
