"""The permission matrix: every API operation and every page, for every kind of caller.

Callers: anonymous, an outsider (signed in, no tie to the organization), an organization
member holding each agent role (viewer, editor, publisher, owner), an organization admin
with no explicit role, a superuser - and two who hold the owner role without being members:
a former owner whose membership was deleted, and an outsider whose grant was stored before
grants were limited to members. Roles count for members only, so both are outsiders. The
rules (API.md, "Permissions"):

* not signed in: 401 from the API, a redirect to the login page from the pages;
* an agent the caller may not see: 404, never 403, so its existence does not leak;
* a visible agent and too weak a role: 403;
* allowed: a 2xx, a redirect after a form post, or a 4xx about the input (400, 409) -
  never 401, 403, 404 or 5xx.

The operations come from the OpenAPI schema and the pages from the URL resolver, so a new
endpoint fails ``test_every_endpoint_is_classified`` until it gets a row here. Each
request runs in a savepoint that is rolled back, so every caller meets the same world.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from agents import services
from agents.models import AgentPermission, OrganizationMembership
from tests import factories
from tests.reliability.fuzz_world import api_operations, build_world, built_once

# --- who may do what ------------------------------------------------------------------------

ANYONE = "anyone"  # even without signing in
SIGNED_IN = "signed in"
MEMBER = "organization member"  # of the organization the request names
ORG_ADMIN = "organization admin"  # of the organization the request names
ANY_ADMIN = "admin of some organization"
TOKEN_OWNER = "the token's owner"  # or a superuser; to anyone else the token does not exist
SUPERUSER = "superuser"  # unless ALLOW_SELF_SERVICE_ORGANIZATIONS
# Of an endpoint for every agent of the organization: its admins; to others it is unknown.
ENDPOINT_MANAGER = "manager of the webhook endpoint"
VIEWER, EDITOR, PUBLISHER, OWNER = "viewer", "editor", "publisher", "owner"
AGENT_ROLES = (VIEWER, EDITOR, PUBLISHER, OWNER)
RANK = {VIEWER: 1, EDITOR: 2, PUBLISHER: 3, OWNER: 4}

A = "/api/v2/agents/{agent_id}"
H = "/api/v2/organizations/{organization_id}/webhooks"
API = {
    ("POST", "/api/v2/auth/token"): ANYONE,
    ("DELETE", "/api/v2/auth/token"): SIGNED_IN,  # revokes the token of the request
    ("GET", "/api/v2/auth/tokens"): SIGNED_IN,
    ("DELETE", "/api/v2/auth/tokens/{token_id}"): TOKEN_OWNER,  # the superuser's token
    ("GET", "/api/v2/users/me"): SIGNED_IN,
    ("POST", "/api/v2/users"): ANY_ADMIN,
    ("GET", "/api/v2/organizations"): SIGNED_IN,
    ("POST", "/api/v2/organizations"): SUPERUSER,
    ("GET", "/api/v2/projects"): SIGNED_IN,
    ("POST", "/api/v2/projects"): ORG_ADMIN,
    ("GET", "/api/v2/projects/{project_id}"): MEMBER,
    ("GET", "/api/v2/corpora"): SIGNED_IN,
    ("POST", "/api/v2/corpora"): MEMBER,
    ("GET", "/api/v2/tools"): SIGNED_IN,
    ("POST", "/api/v2/tools"): MEMBER,
    ("GET", "/api/v2/guardrails"): SIGNED_IN,
    ("POST", "/api/v2/guardrails"): MEMBER,
    # Catalogue changes reach every agent that uses the item: its organization's admins.
    ("PATCH", "/api/v2/tools/{tool_id}"): ORG_ADMIN,
    ("PATCH", "/api/v2/tools/{tool_id}/actions/{action_id}"): ORG_ADMIN,
    ("PATCH", "/api/v2/guardrails/{guardrail_id}"): ORG_ADMIN,
    ("PATCH", "/api/v2/corpora/{corpus_id}"): ORG_ADMIN,
    ("GET", "/api/v2/agents"): SIGNED_IN,
    ("POST", "/api/v2/agents"): MEMBER,
    ("GET", A): EDITOR,  # Staging; viewers read ?environment=production (below)
    ("PUT", A): EDITOR,
    ("PATCH", A): EDITOR,
    ("DELETE", A): OWNER,
    ("GET", f"{A}/status"): VIEWER,
    ("GET", f"{A}/production"): VIEWER,
    ("PUT", f"{A}/access"): EDITOR,
    ("POST", f"{A}/annotates"): EDITOR,
    ("POST", f"{A}/corpora"): EDITOR,
    ("DELETE", f"{A}/corpora"): EDITOR,
    ("POST", f"{A}/corpora/{{corpus_id}}"): EDITOR,
    ("PUT", f"{A}/corpora/{{corpus_id}}"): EDITOR,
    ("DELETE", f"{A}/corpora/{{corpus_id}}"): EDITOR,
    ("PATCH", f"{A}/guardrails"): EDITOR,
    ("POST", f"{A}/instructions"): EDITOR,
    ("PUT", f"{A}/instructions"): EDITOR,
    ("DELETE", f"{A}/instructions/{{instruction_id}}"): EDITOR,
    ("POST", f"{A}/sharepoint/folder"): EDITOR,
    ("PUT", f"{A}/sharepoint/folder"): EDITOR,
    ("DELETE", f"{A}/sharepoint/folder"): EDITOR,
    ("POST", f"{A}/tools/{{tool_id}}/enable"): EDITOR,
    ("DELETE", f"{A}/tools/{{tool_id}}/disable"): EDITOR,
    ("PATCH", f"{A}/tools/{{tool_id}}/actions/{{action_id}}"): EDITOR,
    ("POST", f"{A}/tools/{{tool_id}}/actions/{{action_id}}/enable"): EDITOR,
    ("POST", f"{A}/tools/{{tool_id}}/actions/{{action_id}}/disable"): EDITOR,
    ("GET", f"{A}/staging-diff"): EDITOR,
    ("GET", f"{A}/export"): EDITOR,  # Staging; viewers export ?source=production (below)
    ("POST", f"{A}/import"): EDITOR,
    ("POST", f"{A}/copy-from"): EDITOR,
    ("GET", f"{A}/publishes"): EDITOR,
    ("GET", f"{A}/publishes/{{change_track_id}}"): EDITOR,
    ("GET", f"{A}/publishes/{{change_track_id}}/diff"): EDITOR,
    ("GET", f"{A}/history"): EDITOR,
    ("GET", f"{A}/history/{{history_id}}"): EDITOR,
    ("GET", f"{A}/compare"): EDITOR,  # without sides: a 400 naming them
    ("GET", f"{A}/instructions/{{instruction_id}}/blame"): EDITOR,
    ("POST", f"{A}/publish"): PUBLISHER,
    ("PUT", f"{A}/rollback"): PUBLISHER,
    ("POST", f"{A}/discard"): PUBLISHER,
    ("POST", f"{A}/history/{{history_id}}/restore"): PUBLISHER,
    ("GET", f"{A}/permissions"): OWNER,
    ("POST", f"{A}/permissions"): OWNER,
    ("PUT", f"{A}/permissions/{{permission_id}}"): OWNER,
    ("DELETE", f"{A}/permissions/{{permission_id}}"): OWNER,
    ("GET", f"{A}/schedules"): EDITOR,
    ("POST", f"{A}/schedules"): PUBLISHER,
    ("GET", f"{A}/schedules/{{schedule_id}}"): EDITOR,
    ("POST", f"{A}/schedules/{{schedule_id}}/cancel"): PUBLISHER,
    ("GET", "/api/v2/webhook-event-types"): SIGNED_IN,
    ("GET", H): MEMBER,  # lists only the endpoints the caller manages
    ("POST", H): ORG_ADMIN,  # for every agent; an agent's owners may create one for it
    ("GET", f"{H}/{{endpoint_id}}"): ENDPOINT_MANAGER,
    ("PATCH", f"{H}/{{endpoint_id}}"): ENDPOINT_MANAGER,
    ("DELETE", f"{H}/{{endpoint_id}}"): ENDPOINT_MANAGER,
    ("POST", f"{H}/{{endpoint_id}}/rotate-secret"): ENDPOINT_MANAGER,
    ("POST", f"{H}/{{endpoint_id}}/test"): ENDPOINT_MANAGER,
    ("GET", f"{H}/{{endpoint_id}}/deliveries"): ENDPOINT_MANAGER,
    ("GET", f"{H}/{{endpoint_id}}/deliveries/{{delivery_id}}"): ENDPOINT_MANAGER,
    ("POST", f"{H}/{{endpoint_id}}/deliveries/{{delivery_id}}/redeliver"): ENDPOINT_MANAGER,
    ("GET", f"{A}/publish-policy"): EDITOR,
    ("PUT", f"{A}/publish-policy"): OWNER,
    ("PATCH", f"{A}/publish-policy"): OWNER,
    ("GET", f"{A}/publish-policy/changes"): EDITOR,
    ("GET", f"{A}/readiness"): EDITOR,
    ("GET", f"{A}/review-requests"): EDITOR,
    ("POST", f"{A}/review-requests"): EDITOR,
    ("GET", f"{A}/review-requests/{{request_id}}"): EDITOR,
    # Its author (the world's organization admin) or a publisher.
    ("POST", f"{A}/review-requests/{{request_id}}/withdraw"): PUBLISHER,
    ("GET", f"{A}/verdicts"): EDITOR,
    ("POST", f"{A}/verdicts"): PUBLISHER,
    ("GET", f"{A}/checks"): EDITOR,
    ("POST", f"{A}/checks"): EDITOR,
}
# Not an operation of its own in the schema: the same GET with a query string.
API_VARIANTS = {
    ("GET", f"{A}?environment=production"): VIEWER,
    ("GET", f"{A}/export?source=production"): VIEWER,
}

PAGES = {
    ("GET", "agents:list"): SIGNED_IN,
    ("GET", "agents:catalogue"): SIGNED_IN,  # lists the organizations the caller administers
    ("GET", "agents:catalogue-tool"): ORG_ADMIN,
    ("POST", "agents:catalogue-tool"): ORG_ADMIN,
    ("GET", "agents:catalogue-action"): ORG_ADMIN,
    ("POST", "agents:catalogue-action"): ORG_ADMIN,
    ("GET", "agents:catalogue-guardrail"): ORG_ADMIN,
    ("POST", "agents:catalogue-guardrail"): ORG_ADMIN,
    ("GET", "agents:catalogue-corpus"): ORG_ADMIN,
    ("POST", "agents:catalogue-corpus"): ORG_ADMIN,
    ("POST", "agents:create"): SIGNED_IN,
    ("GET", "agents:editor"): VIEWER,  # viewers are sent on to Production
    ("GET", "agents:production"): VIEWER,
    ("GET", "agents:staging-revision"): EDITOR,
    ("POST", "agents:settings"): EDITOR,
    ("POST", "agents:instruction-add"): EDITOR,
    ("POST", "agents:instruction-edit"): EDITOR,
    ("POST", "agents:instruction-move"): EDITOR,
    ("POST", "agents:instruction-delete"): EDITOR,
    ("POST", "agents:corpora-connect"): EDITOR,
    ("POST", "agents:corpus"): EDITOR,
    ("POST", "agents:corpus-disconnect"): EDITOR,
    ("POST", "agents:sharepoint"): EDITOR,
    ("POST", "agents:sharepoint-clear"): EDITOR,
    ("POST", "agents:tool-enable"): EDITOR,
    ("POST", "agents:tool-disable"): EDITOR,
    ("POST", "agents:action"): EDITOR,
    ("POST", "agents:action-enable"): EDITOR,
    ("POST", "agents:action-disable"): EDITOR,
    ("POST", "agents:guardrail"): EDITOR,
    ("POST", "agents:access"): EDITOR,
    ("POST", "agents:tags"): EDITOR,
    ("GET", "publishing:review"): EDITOR,
    ("POST", "publishing:publish"): PUBLISHER,
    ("POST", "publishing:discard"): PUBLISHER,
    ("GET", "publishing:publishes"): EDITOR,
    ("GET", "publishing:publish-detail"): EDITOR,
    ("GET", "publishing:restore"): EDITOR,
    ("POST", "publishing:restore"): PUBLISHER,
    ("GET", "publishing:history"): EDITOR,
    ("GET", "publishing:checkpoint"): EDITOR,
    ("GET", "publishing:compare"): EDITOR,
    ("GET", "publishing:instruction-blame"): EDITOR,
    ("POST", "publishing:checkpoint-restore"): PUBLISHER,
    ("GET", "publishing:copy-from"): EDITOR,
    ("POST", "publishing:copy-from"): EDITOR,
    ("POST", "publishing:schedule"): PUBLISHER,
    ("POST", "publishing:schedule-cancel"): PUBLISHER,
    ("GET", "publishing:verdict-changes"): EDITOR,
    ("GET", "reviews:policy"): EDITOR,
    ("POST", "reviews:policy"): OWNER,
    ("GET", "reviews:requests"): EDITOR,
    ("POST", "reviews:request"): EDITOR,
    # Editors reach the form; one who did not ask is refused by the service with a message
    # (tests/pages/test_review_requests_pages.py), like an author's approval.
    ("POST", "reviews:request-withdraw"): EDITOR,
    ("POST", "reviews:verdict"): PUBLISHER,
    ("GET", "webhooks:list"): SIGNED_IN,  # lists only the endpoints the caller manages
    ("POST", "webhooks:create"): SIGNED_IN,  # offers only organizations they may manage
    ("GET", "webhooks:endpoint"): ENDPOINT_MANAGER,
    ("POST", "webhooks:update"): ENDPOINT_MANAGER,
    ("POST", "webhooks:rotate"): ENDPOINT_MANAGER,
    ("POST", "webhooks:test"): ENDPOINT_MANAGER,
    ("GET", "webhooks:delete"): ENDPOINT_MANAGER,
    ("POST", "webhooks:delete"): ENDPOINT_MANAGER,
    ("GET", "webhooks:delivery"): ENDPOINT_MANAGER,
    ("POST", "webhooks:redeliver"): ENDPOINT_MANAGER,
}

CALLERS = (
    "anonymous",
    "outsider",
    VIEWER,
    EDITOR,
    PUBLISHER,
    OWNER,
    "org admin",
    "superuser",
    "former owner",
    "granted outsider",
)
# Hold an owner grant, but are not members of the agent's organization: outsiders.
NOT_MEMBERS = ("outsider", "former owner", "granted outsider")

ALLOWED_API = {200, 201, 202, 204, 400, 409}
ALLOWED_PAGE = {200, 302, 400}


def expected(requirement: str, caller: str) -> str:
    """'allowed', or the refusal: '401', '403', '404' - or 'unknown' (a 400 or 404 naming
    the organization or project as unknown, for one the caller cannot see)."""
    if requirement == ANYONE:
        return "allowed"
    if caller == "anonymous":
        return "401"
    if requirement == TOKEN_OWNER:
        return "allowed" if caller == "superuser" else "404"
    if requirement == SUPERUSER:
        return "allowed" if caller == "superuser" else "403"
    if requirement == ENDPOINT_MANAGER:
        return "allowed" if caller in ("superuser", "org admin") else "404"
    if caller in ("superuser", "org admin") or requirement == SIGNED_IN:
        return "allowed"
    if requirement == ANY_ADMIN:
        return "403"
    if requirement in (MEMBER, ORG_ADMIN):
        if caller in NOT_MEMBERS:
            return "unknown"
        return "allowed" if requirement == MEMBER else "403"
    # An agent role.
    if caller in NOT_MEMBERS:
        return "404"
    return "allowed" if RANK[caller] >= RANK[requirement] else "403"


# --- the world and its callers -----------------------------------------------------------------


@dataclass
class Callers:
    world: object
    users: dict
    tokens: dict

    def api_client(self, caller: str) -> APIClient:
        client = APIClient()
        token = self.tokens.get(caller)
        if token is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    def page_client(self, caller: str) -> Client:
        client = Client()
        user = self.users.get(caller)
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture(scope="module")
def shared_callers(django_db_setup, django_db_blocker):
    """The world and its callers, built once for the module (``built_once``)."""
    with built_once(django_db_blocker, lambda: cast(build_world())) as built:
        yield built


@pytest.fixture
def callers(shared_callers, db):
    return shared_callers


def cast(world) -> Callers:
    organization = world.organization
    users = {"superuser": world.superuser}
    admin = factories.UserFactory(username="m-org-admin")
    services.add_organization_member(
        organization=organization, user=admin, role=OrganizationMembership.Role.ADMIN
    )
    users["org admin"] = admin
    users["outsider"] = factories.UserFactory(username="m-outsider")
    for role in AGENT_ROLES:
        user = factories.UserFactory(username=f"m-{role}")
        services.add_organization_member(organization=organization, user=user)
        services.grant_permission(
            agent=world.agent, acting_user=world.admin, target_user_id=user.pk, role=role
        )
        users[role] = user
    former = factories.UserFactory(username="m-former-owner")
    services.add_organization_member(organization=organization, user=former)
    services.grant_permission(
        agent=world.agent, acting_user=world.admin, target_user_id=former.pk, role="owner"
    )
    OrganizationMembership.objects.filter(organization=organization, user=former).delete()
    users["former owner"] = former
    # As the database may still hold from before grants were limited to members.
    legacy = factories.UserFactory(username="m-granted-outsider")
    AgentPermission.objects.create(agent=world.agent, user=legacy, role="owner")
    users["granted outsider"] = legacy
    tokens = {caller: factories.api_token(user) for caller, user in users.items()}
    return Callers(world=world, users=users, tokens=tokens)


# --- the endpoints ---------------------------------------------------------------------------


def page_names() -> set[str]:
    """Every named URL of the pages' namespaces."""
    found = set()

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace)
            elif namespace in ("agents", "publishing", "reviews", "webhooks") and entry.name:
                found.add(f"{namespace}:{entry.name}")

    walk(get_resolver().url_patterns, None)
    return found


SCHEMA_OPERATIONS = {(method, path) for method, path, _ in api_operations()}


def test_every_endpoint_is_classified():
    """A new endpoint or page without a row in the matrix fails here, not in production."""
    assert sorted(SCHEMA_OPERATIONS - set(API)) == []
    assert sorted(page_names() - {name for _, name in PAGES}) == []


def test_contract_paths_are_routed():
    """Every operation the contract (and this matrix) names is served by the application."""
    missing = sorted(
        f"{method} {path}" for method, path in API if (method, path) not in SCHEMA_OPERATIONS
    )
    assert missing == [], "in API.md but not routed (or not in /api/schema/)"


def page_url(world, name: str) -> str:
    """The page's URL with the world's ids for whatever the route takes."""
    values = {**world.path_values(), "guardrail_id": world.guardrail.pk}
    wanted = re.findall(r"<(?:\w+:)?(\w+)>", _route(name))
    return reverse(name, kwargs={key: values[key] for key in wanted})


def _route(name: str) -> str:
    namespace, short = name.split(":")

    def walk(patterns, current, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                found = walk(
                    entry.url_patterns, entry.namespace or current, prefix + str(entry.pattern)
                )
                if found:
                    return found
            elif current == namespace and entry.name == short:
                return prefix + str(entry.pattern)
        return None

    return walk(get_resolver().url_patterns, None, "")


def describe(caller: str, method: str, url: str, status: int, want: str, body: bytes) -> str:
    return f"{caller:>10}  {method:6} {url}  -> {status}, expected {want}: {body[:160]!r}"


def check_api_answer(caller, method, url, response, want) -> str | None:
    status = response.status_code
    if status >= 500:
        return describe(caller, method, url, status, want, response.content)
    if want == "allowed":
        ok = status in ALLOWED_API
    elif want == "unknown":
        ok = status == 404 or (
            status == 400
            and bool({"organization_id", "project_id"} & set(json.loads(response.content)))
        )
    else:
        ok = status == int(want)
    return None if ok else describe(caller, method, url, status, want, response.content)


def check_page_answer(caller, method, url, response, want) -> str | None:
    status = response.status_code
    location = response.get("Location", "")
    to_login = status == 302 and location.startswith(reverse("login"))
    if status >= 500:
        ok = False
    elif want == "401":
        ok = to_login
    elif want == "allowed":
        ok = status in ALLOWED_PAGE and not to_login
    elif want == "unknown":  # a catalogue item of an organization the caller is not in
        ok = status == 404
    else:
        ok = status == int(want)
    return None if ok else describe(caller, method, url, status, want, response.content)


# --- the matrix ------------------------------------------------------------------------------

API_ROWS = sorted({**API, **API_VARIANTS}.items())


@pytest.mark.parametrize(
    ("method", "path", "requirement"),
    [(m, p, r) for (m, p), r in API_ROWS],
    ids=[f"{m} {p}" for (m, p), _ in API_ROWS],
)
def test_api_matrix(callers, method, path, requirement):
    world = callers.world
    url = world.url(path)
    bodies = world.valid_bodies()
    body = bodies.get((method, path.split("?")[0]))
    wrong = []
    for caller in CALLERS:
        cache.clear()  # the login throttle and the live-read cache are not under test
        with transaction.atomic():
            response = callers.api_client(caller).generic(
                method,
                url,
                data=json.dumps(body) if body is not None else "",
                content_type="application/json",
            )
            transaction.set_rollback(True)
        problem = check_api_answer(caller, method, url, response, expected(requirement, caller))
        if problem:
            wrong.append(problem)
    assert wrong == [], "\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("method", "name", "requirement"),
    [(m, n, r) for (m, n), r in sorted(PAGES.items())],
    ids=[f"{m} {n}" for (m, n) in sorted(PAGES)],
)
def test_page_matrix(callers, method, name, requirement):
    url = page_url(callers.world, name)
    wrong = []
    for caller in CALLERS:
        with transaction.atomic():
            client = callers.page_client(caller)
            response = client.get(url) if method == "GET" else client.post(url, {})
            transaction.set_rollback(True)
        problem = check_page_answer(caller, method, url, response, expected(requirement, caller))
        if problem:
            wrong.append(problem)
    assert wrong == [], "\n" + "\n".join(wrong)


def test_admin_is_for_superusers_only(callers):
    for caller in CALLERS:
        response = callers.page_client(caller).get("/admin/")
        if caller == "superuser":
            assert response.status_code == 200
        else:
            assert response.status_code == 302, caller
            assert response["Location"].startswith("/admin/login/"), caller


# --- grants reach current members only --------------------------------------------------------

NOT_A_MEMBER = {"user_id": ["No member of this agent's organization has this id."]}


def test_grants_reach_current_members_only(callers):
    """Every caller who may grant gets one and the same 400 for a non-member, a former member
    and an id that names nobody (no user enumeration), and a 201 for a member."""
    world = callers.world
    url = world.url(f"{A}/permissions")
    member = factories.UserFactory(username="m-member")
    services.add_organization_member(organization=world.organization, user=member)
    elsewhere = factories.UserFactory(username="m-elsewhere")
    services.add_organization_member(organization=factories.OrganizationFactory(), user=elsewhere)
    nobody = max(u.pk for u in callers.users.values()) + 1000
    targets = {
        "outsider": callers.users["outsider"].pk,
        "member of another organization": elsewhere.pk,
        "former owner": callers.users["former owner"].pk,
        "no such user": nobody,
    }
    wrong = []
    for caller in (OWNER, "org admin", "superuser"):
        client = callers.api_client(caller)
        for name, user_id in targets.items():
            with transaction.atomic():
                response = client.post(url, {"user_id": user_id, "role": "owner"}, format="json")
                transaction.set_rollback(True)
            if (response.status_code, response.json()) != (400, NOT_A_MEMBER):
                wrong.append(
                    describe(
                        caller,
                        "POST",
                        f"{url} ({name})",
                        response.status_code,
                        "400 not a member",
                        response.content,
                    )
                )
        with transaction.atomic():
            response = client.post(url, {"user_id": member.pk, "role": "viewer"}, format="json")
            transaction.set_rollback(True)
        if response.status_code != 201:
            wrong.append(
                describe(
                    caller, "POST", f"{url} (member)", response.status_code, "201", response.content
                )
            )
    assert wrong == [], "\n" + "\n".join(wrong)
    assert not AgentPermission.objects.filter(
        agent=world.agent, user_id__in=[elsewhere.pk, member.pk, callers.users["outsider"].pk]
    ).exists()


def test_removing_a_membership_ends_the_role_at_once(callers, django_capture_on_commit_callbacks):
    """The red team's path: an editor leaves the organization, then reads Staging and adds an
    instruction. Both answer 404 from the next request on, through the cached live read too."""
    world = callers.world
    editor = callers.users[EDITOR]
    client = callers.api_client(EDITOR)
    staging = world.url(A)
    live = world.url(f"{A}/production")
    assert client.get(staging).status_code == 200
    assert client.get(live).status_code == 200  # now cached for this caller
    with django_capture_on_commit_callbacks(execute=True):
        OrganizationMembership.objects.filter(organization=world.organization, user=editor).delete()
    assert client.get(staging).status_code == 404
    assert client.get(live).status_code == 404
    added = client.post(
        world.url(f"{A}/instructions"), {"title": "After", "content": "Leaving"}, format="json"
    )
    assert added.status_code == 404
    assert not world.agent.instructions.filter(title="After").exists()


def test_self_service_organizations_open_the_row_to_everyone_signed_in(callers, settings):
    settings.ALLOW_SELF_SERVICE_ORGANIZATIONS = True
    for caller in CALLERS:
        with transaction.atomic():
            response = callers.api_client(caller).post(
                "/api/v2/organizations", {"name": f"Own {caller}"}, format="json"
            )
            transaction.set_rollback(True)
        assert response.status_code == (401 if caller == "anonymous" else 201), caller
