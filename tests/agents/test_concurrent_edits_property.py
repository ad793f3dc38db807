"""Random interleavings of two editors never lose a write that was answered 2xx.

Each editor works as the editor page does: reads Staging (its revision as ``ETag``), changes
one field in its copy, and sends the whole settings form, or one instruction, with
``If-Match``. After every step, each field holds the value of the last edit to it that was
answered 2xx: a merge may keep others' work, a conflict may refuse an edit, but no answered
edit is ever undone by someone who had not seen it.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents import services
from agents.models import Instruction, StagingConfiguration
from tests import factories
from tests.conftest import client_for

FIELDS = ("name", "description", "temperature", "max_tokens", "first", "second")
STEP = st.tuples(
    st.sampled_from(("alice", "bob")),
    st.sampled_from(("read", *FIELDS)),
)


def current(agent: Any) -> dict[str, Any]:
    row = StagingConfiguration.objects.get(agent=agent)
    contents = dict(Instruction.objects.filter(agent=agent).values_list("title", "content"))
    return {
        "name": row.name,
        "description": row.description,
        "temperature": row.model_config.get("temperature"),
        "max_tokens": row.model_config.get("max_tokens"),
        "first": contents["first"],
        "second": contents["second"],
    }


def new_value(field: str, n: int) -> Any:
    if field == "temperature":
        return round(n / 1000, 3)
    if field == "max_tokens":
        return 100 + n
    return f"{field} {n}"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=2, max_size=14))
def test_no_answered_edit_is_lost(db, steps):
    owner = factories.UserFactory()
    agent = factories.AgentFactory(user=owner)
    ids = {
        title: services.add_instruction(
            agent=agent, acting_user=owner, title=title, content=f"{title} text"
        ).pk
        for title in ("first", "second")
    }
    clients = {}
    for name in ("alice", "bob"):
        user = factories.UserFactory()
        factories.join(agent.project.organization, user)
        services.grant_permission(
            agent=agent, acting_user=owner, target_user_id=user.pk, role="editor"
        )
        clients[name] = client_for(user)
    url = f"/api/v2/agents/{agent.pk}"
    views: dict[str, tuple[dict[str, Any], str]] = {}

    def read(name: str) -> None:
        response = clients[name].get(url)
        views[name] = (response.json(), response.headers["ETag"])

    for name in clients:
        read(name)
    expected = current(agent)
    for n, (name, action) in enumerate(steps):
        if action == "read":
            read(name)
            continue
        seen, tag = views[name]
        value = new_value(action, n)
        if action in ("first", "second"):
            response = clients[name].put(
                f"{url}/instructions",
                {"id": ids[action], "content": value},
                format="json",
                HTTP_IF_MATCH=tag,
            )
        else:
            config = dict(seen["model_config"])
            body = {k: seen[k] for k in ("name", "description")}
            if action in ("temperature", "max_tokens"):
                config[action] = value
            else:
                body[action] = value
            response = clients[name].put(
                url, {**body, "model_config": config}, format="json", HTTP_IF_MATCH=tag
            )
        assert response.status_code in (200, 409), response.json()
        if response.status_code == 200:
            expected[action] = value
            read(name)
        else:
            assert response.json()["code"] == "edit_conflict"
        assert current(agent) == expected
