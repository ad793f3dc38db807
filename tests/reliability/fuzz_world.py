"""A small world for hostile-input tests: a superuser, an organization admin, an agent with
something in every section, published once and edited since, with a pending scheduled
publish, an open review request and a request for changes; a webhook endpoint for the
organization with one delivery; and a valid request body
for every write endpoint, so one field at a time can be made hostile while the rest stay
valid."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from accounts.services import issue_token
from agents import services
from agents.models import AgentPermission, OrganizationMembership, StagingConfiguration
from agents.selectors_transfer import STAGING, Source, export_document
from publishing.scheduling import schedule_publish
from publishing.selectors import review_staging
from publishing.services import publish_agent
from reviews import services as review_services
from tests import factories
from tests.reliability import helpers
from webhooks import services as webhook_services

WRITE_METHODS = ("post", "put", "patch", "delete")


@contextmanager
def built_once(django_db_blocker, build: Callable[[], Any]) -> Iterator[Any]:
    """``build()`` run once for a whole test module, in a transaction rolled back after it.

    Each test then runs in a savepoint inside that transaction (pytest-django's own ``db``),
    so every test meets the world as built and leaves it so; building it per test cost the
    suite more than the requests made against it.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """The fuzz world, built once per module (``built_once``); take it with ``db``."""
    with built_once(django_db_blocker, build_world) as world:
        yield world


def api_operations() -> list[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path template, operation) for every operation in the OpenAPI schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in ("get", *WRITE_METHODS):
                found.append((method.upper(), path, operation))
    return found


def resolve(schema_root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema_root["components"]["schemas"][name]
    return node


@dataclass
class World:
    superuser: Any
    admin: Any
    agent: Any
    project: Any
    organization: Any
    corpus: Any
    spare_corpus: Any
    tool: Any
    action: Any
    guardrail: Any
    instruction: Any
    permission: Any
    record: Any
    history_id: int
    viewer: Any
    api_token: Any  # an API token of the superuser (its row; path value `token_id`)
    endpoint: Any  # a webhook endpoint for every agent of the organization
    delivery: Any  # a test event queued for it
    schedule: Any  # the agent's pending scheduled publish
    review_request: Any  # open, asked by the organization admin
    verdict: Any  # the admin's request for changes on the state under review
    sibling: Any = None  # another agent of the organization, owned by the admin

    def path_values(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent.pk,
            "project_id": self.project.pk,
            "corpus_id": self.corpus.pk,
            "tool_id": self.tool.pk,
            "action_id": self.action.pk,
            "guardrail_id": self.guardrail.pk,
            "instruction_id": self.instruction.pk,
            "permission_id": self.permission.pk,
            "change_track_id": str(self.record.change_track_id),
            "history_id": self.history_id,
            "token_id": self.api_token.pk,
            "organization_id": self.organization.pk,
            "endpoint_id": self.endpoint.pk,
            "delivery_id": str(self.delivery.pk),
            "schedule_id": self.schedule.pk,
            "request_id": self.review_request.pk,
            "verdict_id": self.verdict.pk,
        }

    def url(self, template: str) -> str:
        return template.format(**self.path_values())

    def valid_bodies(self) -> dict[tuple[str, str], dict[str, Any]]:
        """A body each write endpoint accepts (given the world as it is)."""
        a = "/api/v2/agents/{agent_id}"
        hooks = "/api/v2/organizations/{organization_id}/webhooks"
        return {
            ("POST", "/api/v2/auth/token"): {"username": "fuzz-admin", "password": "x" * 12},
            ("POST", "/api/v2/users"): {
                "username": "newcomer",
                "password": "violet-anchor-71-tundra",
                "email": "newcomer@example.com",
                "organization_id": self.organization.pk,
            },
            ("POST", "/api/v2/organizations"): {"name": "Fuzz Org Two"},
            ("POST", "/api/v2/projects"): {
                "organization_id": self.organization.pk,
                "name": "Second project",
            },
            ("POST", "/api/v2/corpora"): {
                "project_id": self.project.pk,
                "name": "Manuals",
                "description": "PDFs",
            },
            ("POST", "/api/v2/tools"): {
                "organization_id": self.organization.pk,
                "name": "CRM",
                "kind": "api",
                "actions": [{"name": "lookup", "config": {"timeout": 5}}],
            },
            ("POST", "/api/v2/guardrails"): {
                "organization_id": self.organization.pk,
                "name": "No PII",
                "type": "pii",
                "config": {"mask": True},
            },
            ("POST", "/api/v2/agents"): {
                "project_id": self.project.pk,
                "name": "Second agent",
                "description": "Helps",
                "model_config": {"model": "gpt-4o", "temperature": 0.2, "max_tokens": 512},
            },
            ("PUT", a): {
                "name": "Renamed",
                "description": "New description",
                "model_config": {"model": "gpt-4o", "temperature": 1.0, "max_tokens": 256},
            },
            ("PATCH", a): {"description": "Patched"},
            ("PUT", f"{a}/access"): {"access_level": "organization"},
            ("POST", f"{a}/annotates"): {"tags": ["alpha", "beta"]},
            ("POST", f"{a}/corpora"): {"corpus_ids": [self.spare_corpus.pk]},
            ("DELETE", f"{a}/corpora"): {"corpus_ids": [self.corpus.pk]},
            ("POST", f"{a}/corpora/{{corpus_id}}"): {"top_k": 3, "enabled": True},
            ("PUT", f"{a}/corpora/{{corpus_id}}"): {"top_k": 7, "enabled": False},
            ("PATCH", f"{a}/guardrails"): {"guardrail_id": self.guardrail.pk, "enabled": False},
            ("PATCH", "/api/v2/tools/{tool_id}"): {"description": "Fuzzed", "reason": "Fuzz"},
            ("PATCH", "/api/v2/tools/{tool_id}/actions/{action_id}"): {
                "config": {"limit": 5},
                "reason": "Fuzz",
            },
            ("PATCH", "/api/v2/guardrails/{guardrail_id}"): {
                "config": {"threshold": 0.5},
                "reason": "Fuzz",
            },
            ("PATCH", "/api/v2/corpora/{corpus_id}"): {"description": "Fuzzed", "reason": "Fuzz"},
            ("POST", f"{a}/instructions"): {"title": "New", "content": "Do it.", "position": 0},
            ("PUT", f"{a}/instructions"): {
                "id": self.instruction.pk,
                "title": "Edited",
                "content": "Edited content",
                "position": 1,
            },
            ("POST", f"{a}/permissions"): {"user_id": self.viewer.pk, "role": "viewer"},
            ("PUT", f"{a}/permissions/{{permission_id}}"): {"role": "publisher"},
            ("POST", f"{a}/publish"): {"notes": "Ship it"},
            ("PUT", f"{a}/rollback"): {
                "change_track_id": str(self.record.change_track_id),
                "mode": "restore",
            },
            ("POST", f"{a}/sharepoint/folder"): {
                "site_url": "https://contoso.sharepoint.com/sites/help",
                "folder_path": "/Shared Documents/FAQ",
            },
            ("PUT", f"{a}/sharepoint/folder"): {
                "site_url": "https://contoso.sharepoint.com/sites/help",
                "folder_path": "/Shared Documents/Other",
            },
            ("PATCH", f"{a}/tools/{{tool_id}}/actions/{{action_id}}"): {"config": {"limit": 10}},
            # The world's pending schedule makes this a 409 schedule_exists: a checked answer.
            ("POST", f"{a}/schedules"): {
                "publish_at": (timezone.now() + timedelta(days=2)).isoformat(),
                "expected_fingerprint": review_staging(self.agent).fingerprint,
                "notes": "Night release",
            },
            ("POST", hooks): {
                "url": "https://8.8.8.8/hooks",
                "event_types": ["publish.created"],
                "description": "Search index",
            },
            ("PATCH", f"{hooks}/{{endpoint_id}}"): {"description": "Renamed", "enabled": True},
            ("PUT", f"{a}/publish-policy"): {
                "required_approvals": 1,
                "authors_may_approve": False,
                "required_checks": ["regression-eval"],
                "blocking_builtin_checks": ["no_secrets"],
            },
            ("PATCH", f"{a}/publish-policy"): {"required_approvals": 2},
            ("POST", f"{a}/review-requests"): {"description": "Tone changes"},
            ("POST", f"{a}/verdicts"): {
                "verdict": "changes_requested",
                "comment": "Shorter, please",
                "expected_fingerprint": review_staging(self.agent).fingerprint,
            },
            ("POST", f"{a}/import"): export_document(self.agent, Source(STAGING)),
            ("POST", f"{a}/copy-from"): {
                "source_agent_id": self.sibling.pk,
                "source": "staging",
                "dry_run": True,
            },
            ("POST", f"{a}/checks"): {
                "fingerprint": review_staging(self.agent).fingerprint,
                "name": "regression-eval",
                "state": "success",
                "target_url": "https://ci.example.com/runs/1",
            },
        }


def build_world() -> World:
    User = get_user_model()
    superuser = User.objects.create_superuser("fuzz-root", "root@example.com", "x" * 12)
    admin = factories.UserFactory(username="fuzz-admin")
    admin.set_password("x" * 12)
    admin.save()
    agent = helpers.make_rich_agent(admin, name="Fuzzed")
    organization = agent.project.organization
    services.add_organization_member(
        organization=organization, user=admin, role=OrganizationMembership.Role.ADMIN
    )
    spare_corpus = factories.CorpusFactory(project=agent.project, name="Spare")
    record = publish_agent(agent=agent, acting_user=admin, notes="first")
    services.update_agent_settings(agent=agent, acting_user=admin, description="Edited since")
    viewer = factories.UserFactory(username="fuzz-viewer")
    other = factories.UserFactory(username="fuzz-editor")
    factories.join(organization, viewer, other)  # grants go to members only
    permission = services.grant_permission(
        agent=agent, acting_user=admin, target_user_id=other.pk, role=AgentPermission.Role.EDITOR
    )
    endpoint, _secret = webhook_services.create_endpoint(
        acting_user=admin,
        organization_id=organization.pk,
        url="https://8.8.8.8/hooks",
        event_types=["publish.created"],
    )
    schedule = schedule_publish(
        agent=agent,
        acting_user=admin,
        publish_at=timezone.now() + timedelta(days=1),
        expected_fingerprint=review_staging(agent).fingerprint,
    )
    review_request = review_services.request_review(
        agent=agent, acting_user=admin, description="Please look"
    )
    verdict = review_services.give_verdict(
        agent=agent,
        acting_user=admin,
        verdict="changes_requested",
        expected_fingerprint=review_request.fingerprint,
    )
    return World(
        superuser=superuser,
        admin=admin,
        agent=agent,
        project=agent.project,
        organization=organization,
        corpus=agent.corpus_connections.get().corpus,
        spare_corpus=spare_corpus,
        tool=agent.tool_bindings.get().tool,
        action=agent.action_settings.order_by("action_id").first().action,
        guardrail=agent.guardrail_settings.get().guardrail,
        instruction=agent.instructions.order_by("position").first(),
        permission=permission,
        record=record,
        history_id=StagingConfiguration.history.filter(agent_id=agent.pk)
        .order_by("revision")
        .first()
        .history_id,
        viewer=viewer,
        api_token=issue_token(user=superuser, name="fuzz")[0],
        endpoint=endpoint,
        delivery=webhook_services.send_test_event(acting_user=admin, endpoint=endpoint),
        schedule=schedule,
        review_request=review_request,
        verdict=verdict,
        sibling=factories.AgentFactory(project=agent.project, user=admin, name="Sibling"),
    )
