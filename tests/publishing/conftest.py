"""Fixtures for the publishing tests: a catalogue, people in every role, and helpers.

The agent fixture (``tests/conftest.py``) belongs to ``owner``. Here every other role gets a
user of its own, so each refusal test can name exactly who is refused.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import jsonschema
import pytest
from django.urls import resolve
from rest_framework.test import APIClient
from rest_framework.utils.encoders import JSONEncoder

from agents import services
from agents.models import AgentPermission
from agents.snapshot import staging_snapshot
from publishing.integrity import verify_chain
from publishing.models import ProductionConfiguration, PublishRecord
from publishing.selectors import production_snapshot
from tests import factories


@pytest.fixture
def catalogue(organization, project) -> dict[str, Any]:
    """Two corpora, two tools with two actions each, and two guardrails in the agent's org."""
    return {
        "corpora": [
            factories.CorpusFactory(project=project, name="Handbook"),
            factories.CorpusFactory(project=project, name="FAQ"),
        ],
        "tools": [
            factories.ToolFactory(
                organization=organization, name="CRM", actions=["lookup", "create"]
            ),
            factories.ToolFactory(
                organization=organization, name="Mailer", actions=["send", "draft"]
            ),
        ],
        "guardrails": [
            factories.GuardrailFactory(organization=organization, name="PII filter"),
            factories.GuardrailFactory(organization=organization, name="Tone", type="tone"),
        ],
    }


def grant(agent, user, role: str) -> AgentPermission:
    """Give ``user`` a role on ``agent`` (the way a real owner would, through the service)."""
    owner = agent.created_by
    factories.join(agent.project.organization, user)
    return services.grant_permission(
        agent=agent, acting_user=owner, target_user_id=user.pk, role=role
    )


def user_with_role(agent, role: str):
    """A user named after ``role``, holding that role on ``agent``."""
    user = factories.UserFactory(username=role)
    grant(agent, user, role)
    return user


@pytest.fixture
def viewer(agent):
    return user_with_role(agent, "viewer")


@pytest.fixture
def editor(agent):
    return user_with_role(agent, "editor")


@pytest.fixture
def publisher(agent):
    return user_with_role(agent, "publisher")


stranger = factories.user_fixture(
    "stranger", "Signed in, but with no role on the agent and no membership of its organization."
)


@pytest.fixture
def other_agent(db):
    """An agent in another organization, with a publish of its own."""
    from publishing.services import publish_agent

    other_owner = factories.UserFactory(username="other-owner")
    other = factories.AgentFactory(user=other_owner, name="Other bot")
    publish_agent(agent=other, acting_user=other_owner)
    return other


# --- every API answer checked against the published schema ----------------------------------


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 -> JSON Schema: ``nullable: true`` becomes "or null", refs re-rooted."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if "$ref" in out:
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/$defs/")
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


@functools.cache
def api_schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


@functools.cache
def _definitions() -> dict[str, Any]:
    return _json_schema(api_schema()["components"]["schemas"])


def assert_matches_schema(response, api_package: str = "publishing.api") -> None:
    """The answer's status is documented for its operation, and its body fits the schema.

    Only the operations of ``api_package`` are checked (others are not the calling suite's).
    """
    path = response.request["PATH_INFO"]
    method = response.request["REQUEST_METHOD"].lower()
    match = resolve(path)
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not view_class.__module__.startswith(api_package + "."):
        return
    template = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", match.route)
    operations = api_schema()["paths"][template]
    if method not in operations:
        assert response.status_code == 405, f"{method.upper()} {template} is not an operation"
        return
    operation = operations[method]
    documented = operation["responses"]
    status = str(response.status_code)
    assert status in documented, f"{method.upper()} {template} answered undocumented {status}"
    content = documented[status].get("content")
    if content is None:
        return
    schema = _json_schema(content["application/json"]["schema"])
    validator = jsonschema.Draft202012Validator(
        {**schema, "$defs": _definitions()}, format_checker=jsonschema.FormatChecker()
    )
    errors = sorted(validator.iter_errors(response.json()), key=lambda e: list(e.path))
    assert not errors, f"{method.upper()} {template} {status}: " + "; ".join(
        f"{list(e.path)}: {e.message}" for e in errors[:5]
    )


class CheckedClient(APIClient):
    """An API client whose every answer from ``api_package`` is held to the schema."""

    api_package = "publishing.api"

    def request(self, **kwargs):
        response = super().request(**kwargs)
        assert_matches_schema(response, self.api_package)
        return response


def client_as(user, client_class: type[CheckedClient] = CheckedClient) -> CheckedClient:
    client = client_class()
    if user is not None:
        client.force_authenticate(user)
    return client


# The fields of a publish in the history list (the contract, written out here on purpose);
# one publish in full adds "changes", "snapshot" and "gate".
PUBLISH_ROW_FIELDS = {
    "change_track_id",
    "sequence",
    "published_by",
    "published_at",
    "notes",
    "summary",
    "counts",
    "previous_change_track_id",
    "restored_from",
    "restored_mode",
    "schedule",
    "broke_glass",
}

# What is live, read the way the services read it.
production_of = production_snapshot


def as_json(value: Any) -> Any:
    """``value`` as the API renders it (datetimes as DRF writes them)."""
    return json.loads(json.dumps(value, cls=JSONEncoder))


def records_of(agent) -> list[PublishRecord]:
    return list(PublishRecord.objects.filter(agent_id=agent.pk).order_by("sequence"))


def assert_invariants(agent) -> None:
    """DESIGN.md invariants that hold after any operation."""
    records = records_of(agent)
    assert verify_chain(records) is None
    production = production_of(agent)
    if records:
        assert production == records[-1].snapshot
        row = ProductionConfiguration.objects.get(agent_id=agent.pk)
        assert row.change_track_id == records[-1].change_track_id
    else:
        assert production is None


def staging_of(agent) -> dict[str, Any]:
    return staging_snapshot(agent)


CONFLICT_KEYS = ("section", "field", "published", "current", "reverted_to")


def the_conflict(conflicts: list[dict[str, Any]]) -> tuple[Any, ...]:
    """The one revert conflict there must be: (section, field, published, current, reverted_to)."""
    [conflict] = conflicts
    return tuple(conflict[key] for key in CONFLICT_KEYS)
