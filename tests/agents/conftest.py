"""Fixtures of the agents tests: people with each role, catalogue objects, a published agent.

The root conftest gives ``organization``, ``project``, ``owner`` (a plain member of the
organization who owns ``agent`` by having created it) and ``agent``. Everyone granted a role
here is made a member first: roles count for members only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from agents import services
from agents.models import StagingConfiguration
from publishing.models import ProductionConfiguration
from publishing.services import publish_agent
from tests import factories
from tests.agents.transfer_world import catalogue, configure
from tests.conftest import client_for


def grant(agent: Any, owner: Any, username: str, role: str) -> Any:
    user = factories.UserFactory(username=username)
    factories.join(agent.project.organization, user)
    services.grant_permission(agent=agent, acting_user=owner, target_user_id=user.pk, role=role)
    return user


def checkpoints(agent: Any) -> list[Any]:
    """The agent's Staging history rows, oldest first."""
    return list(StagingConfiguration.history.filter(agent_id=agent.pk).order_by("history_id"))


def latest(model: Any, **filters: Any) -> Any:
    """The newest history row of ``model`` matching ``filters``."""
    return model.history.filter(**filters).order_by("-history_id").first()


def with_own_id(body: dict[str, Any], key: str, own_id: int) -> dict[str, Any]:
    """``body`` with the placeholder ``"own"`` under ``key`` replaced by ``own_id``.

    Parametrize tables are built before the fixtures, so they name the test's own object so.
    """
    return {**body, key: own_id} if body.get(key) == "own" else body


def change_action(agent: Any, user: Any, tool: Any, action: Any, **changes: Any) -> Any:
    """``services.update_action`` on one action of ``tool``, as ``user``; returns the setting."""
    return services.update_action(
        agent=agent, acting_user=user, tool_id=tool.pk, action_id=action.pk, **changes
    )


def role_fixture(username: str, role: str):
    """A pytest fixture named ``username``: a member granted ``role`` on ``agent`` by its
    owner. For a module's own cast: ``alice = role_fixture("alice", "editor")``."""

    def holder(agent, owner):
        return grant(agent, owner, username, role)

    return pytest.fixture(holder, name=username)


editor = role_fixture("editor", "editor")
viewer = role_fixture("viewer", "viewer")
publisher = role_fixture("publisher", "publisher")


@pytest.fixture
def member(organization):
    """A member of the agent's organization with no role on the agent."""
    return factories.MembershipFactory(
        organization=organization, user=factories.UserFactory(username="member")
    ).user


@pytest.fixture
def org_admin(organization):
    return factories.organization_admin(organization, "orgadmin")


stranger = factories.user_fixture(
    "stranger", "Signed in, but nothing to do with the organization or the agent."
)


@pytest.fixture
def other_organization(db):
    return factories.OrganizationFactory(name="Elsewhere")


@pytest.fixture
def corpus(project):
    return factories.CorpusFactory(project=project, name="Handbook")


@pytest.fixture
def corpus2(project):
    return factories.CorpusFactory(project=project, name="FAQ")


@pytest.fixture
def foreign_corpus(other_organization):
    return factories.CorpusFactory(
        project=factories.ProjectFactory(organization=other_organization), name="Secret"
    )


@pytest.fixture
def tool(organization):
    return factories.ToolFactory(
        organization=organization, name="CRM", actions=["search", "create"]
    )


@pytest.fixture
def foreign_tool(other_organization):
    return factories.ToolFactory(organization=other_organization, name="Theirs", actions=["x"])


@pytest.fixture
def guardrail(organization):
    return factories.GuardrailFactory(organization=organization, name="PII", type="pii")


@pytest.fixture
def foreign_guardrail(other_organization):
    return factories.GuardrailFactory(organization=other_organization, name="Theirs")


@pytest.fixture
def transfer_catalogue(organization, project):
    """The tool, corpus and guardrail a configuration-as-code document names."""
    return catalogue(organization, project)


@pytest.fixture
def rich(agent, owner, transfer_catalogue):
    """``agent`` with something in every section of its Staging, to export and import."""
    return configure(agent, owner, transfer_catalogue)


@pytest.fixture
def elsewhere(owner, other_organization):
    """An agent of ``owner``'s in another organization, whose catalogue is empty."""
    return factories.AgentFactory(
        project=factories.ProjectFactory(organization=other_organization), user=owner
    )


@pytest.fixture
def published(agent, owner):
    """The agent after its first publish (so it has a Production)."""
    return publish_agent(agent=agent, acting_user=owner, notes="first")


@pytest.fixture
def editor_client(editor):
    return client_for(editor)


@dataclass
class StagingAudit:
    """What a Staging edit must leave behind: a history row by the actor, Production as was."""

    agent: Any
    history_ids: set[int] = field(default_factory=set)
    production: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self.history_ids = set(
            StagingConfiguration.history.filter(agent_id=self.agent.pk).values_list(
                "history_id", flat=True
            )
        )
        self.production = self._production()

    def _production(self) -> dict[str, Any] | None:
        return (
            ProductionConfiguration.objects.filter(agent_id=self.agent.pk)
            .values("snapshot", "fingerprint", "change_track_id", "published_at")
            .first()
        )

    def new_rows(self) -> list[Any]:
        return list(
            StagingConfiguration.history.filter(agent_id=self.agent.pk)
            .exclude(history_id__in=self.history_ids)
            .order_by("history_id")
        )

    def assert_recorded_by(self, user: Any) -> None:
        rows = self.new_rows()
        assert len(rows) == 1, f"expected one new checkpoint, got {len(rows)}"
        assert rows[0].history_user_id == user.pk
        self.assert_production_unchanged()

    def assert_nothing_written(self) -> None:
        assert self.new_rows() == []
        self.assert_production_unchanged()

    def assert_refused_on(self, response: Any, field: str) -> None:
        """A 400 that names ``field``, and nothing written."""
        assert response.status_code == 400
        assert field in response.json()
        self.assert_nothing_written()

    def assert_production_unchanged(self) -> None:
        assert self._production() == self.production


@pytest.fixture
def audit(agent):
    """Call after the arrangement: ``audit().assert_recorded_by(user)`` after the act."""
    return lambda: StagingAudit(agent)


def fresh(body: Any, agent: Any) -> Any:
    """An edit's answer (an item, or a list of items) without its ``version`` fields, once
    each is checked to be Staging's current revision: the edit just wrote those items."""
    revision = StagingConfiguration.objects.get(agent=agent).revision
    if isinstance(body, list):
        return [fresh(item, agent) for item in body]
    assert body.pop("version") == revision, body
    if "actions" in body:
        body["actions"] = fresh(body["actions"], agent)
    return body
