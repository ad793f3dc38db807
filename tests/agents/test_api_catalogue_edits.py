"""PATCH /api/v2/tools/{id}, /tools/{id}/actions/{action_id}, /guardrails/{id} (and dry runs);
the refusals of a bad query or id, for guardrails and corpora alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agents import services
from agents.models import Guardrail, Tool, ToolAction
from publishing.models import PublishRecord
from tests import factories
from tests.agents.catalogue_users import (
    agents_using,
    catalogue_state,
    live_by_agent,
    production_snapshots,
    staging_diff_labels,
)
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


admin = factories.admin_fixture("catalogue-admin")


@pytest.fixture
def guardrail(organization):
    return factories.GuardrailFactory(
        organization=organization, name="PII filter", config={"threshold": 0.8}
    )


@pytest.fixture
def users(project, owner, guardrail):
    return agents_using(
        project,
        owner,
        lambda agent: services.set_guardrail(
            agent=agent, acting_user=owner, guardrail_id=guardrail.pk, enabled=True
        ),
    )


def guardrail_url(guardrail, query=""):
    return reverse("api-guardrail", kwargs={"guardrail_id": guardrail.pk}) + query


def state():
    return catalogue_state(Guardrail, "id", "name", "type", "config")


def test_patch_changes_the_guardrail_and_each_users_staging(admin, guardrail, users):
    production = production_snapshots()
    response = client_for(admin).patch(
        guardrail_url(guardrail),
        {"config": {"threshold": 0.9}, "reason": "Fewer false positives"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["item"]["config"] == {"threshold": 0.9}
    assert body["changed"] == ["config"]
    assert (body["count"], body["live_count"]) == (3, 1)
    assert body["edited_agents"] == [a.pk for a in users]
    assert production_snapshots() == production
    assert staging_diff_labels(client_for(admin), users[0]) == [
        "Guardrail \u201cPII filter\u201d: catalogue config \u201cthreshold\u201d"
    ]


def test_dry_run_answers_the_preview_and_writes_nothing(admin, guardrail, users):
    before = state()
    response = client_for(admin).patch(
        guardrail_url(guardrail, "?dry_run=1"), {"config": {"threshold": 1}}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert state() == before
    assert body["dry_run"] is True
    assert live_by_agent(body) == [
        (users[0].pk, True),
        (users[1].pk, False),
        (users[2].pk, False),
    ]
    assert body["results"][0]["changes"][0]["field"] == "definition.config.threshold"
    assert (body["next"], body["previous"]) == (None, None)


def test_the_preview_pages_fifty_agents(admin, guardrail, project, owner, monkeypatch):
    from agents.services import catalogue_changes

    monkeypatch.setattr(catalogue_changes, "PREVIEW_PAGE_SIZE", 2)
    for i in range(3):
        agent = factories.AgentFactory(project=project, user=owner, name=f"P{i}")
        services.set_guardrail(
            agent=agent, acting_user=owner, guardrail_id=guardrail.pk, enabled=True
        )
    first = client_for(admin).patch(guardrail_url(guardrail, "?dry_run=1"), {}, format="json")
    assert len(first.json()["results"]) == 2 and first.json()["next"].endswith("page=2")
    second = client_for(admin).patch(first.json()["next"], {}, format="json").json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert second["previous"] is not None


@pytest.mark.parametrize(
    "body, field",
    [
        ({"config": [1], "reason": "x"}, "config"),
        ({"type": "", "reason": "x"}, "type"),
        ({"config": {}}, "reason"),
        ({"config": {}, "reason": "x" * 101}, "reason"),
        ({"name": 3, "reason": "x"}, "name"),
    ],
)
def test_bad_input_is_a_400_per_field(admin, guardrail, users, body, field):
    before = state()
    response = client_for(admin).patch(guardrail_url(guardrail), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert state() == before


# The guardrail and corpus changes, which refuse a bad query or id the same way.
ITEM_URLS = {
    "guardrail": lambda pk: reverse("api-guardrail", kwargs={"guardrail_id": pk}),
    "corpus": lambda pk: reverse("api-corpus", kwargs={"corpus_id": pk}),
}


@pytest.mark.parametrize("kind", ITEM_URLS)
@pytest.mark.parametrize(
    "query",
    [
        "?dry_run=yes",
        "?dry_run=1&page=0",
        "?dry_run=1&page=x",
        # Past any real page, and an offset no database column holds (was a 500 on PostgreSQL).
        "?dry_run=1&page=100001",
        "?dry_run=1&page=2403457510283798528",
    ],
)
def test_bad_query_is_a_400(admin, organization, project, kind, query):
    item = {
        "guardrail": lambda: factories.GuardrailFactory(organization=organization),
        "corpus": lambda: factories.CorpusFactory(project=project),
    }[kind]()
    response = client_for(admin).patch(ITEM_URLS[kind](item.pk) + query, {}, format="json")
    assert response.status_code == 400


def test_a_member_gets_403_and_an_outsider_404(owner, guardrail, users):
    before = state()
    body = {"config": {"threshold": 0.1}, "reason": "x"}
    assert client_for(owner).patch(guardrail_url(guardrail), body, format="json").status_code == 403
    assert (
        client_for(owner)
        .patch(guardrail_url(guardrail, "?dry_run=1"), body, format="json")
        .status_code
        == 403
    )
    outsider = factories.UserFactory(username="outsider")
    assert (
        client_for(outsider).patch(guardrail_url(guardrail), body, format="json").status_code == 404
    )
    assert state() == before


@pytest.mark.parametrize("kind", ITEM_URLS)
@pytest.mark.parametrize("item_id", ["0", "abc", "99999999999999999999", "424242"])
def test_unknown_ids_are_404(admin, kind, item_id):
    response = client_for(admin).patch(ITEM_URLS[kind](item_id), {"reason": "x"}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_tool_and_action_patches(admin, organization, project, owner):
    tool = factories.ToolFactory(organization=organization, name="CRM", actions=["search"])
    action = ToolAction.objects.get(tool=tool)
    agent = factories.AgentFactory(project=project, user=owner, name="T")
    services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    client = client_for(admin)
    response = client.patch(
        reverse("api-tool", kwargs={"tool_id": tool.pk}),
        {"kind": "rag", "description": "Records", "reason": "Reclassified"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["edited_agents"] == [agent.pk]
    assert Tool.objects.get(pk=tool.pk).kind == "rag"
    url = reverse("api-tool-action", kwargs={"tool_id": tool.pk, "action_id": action.pk})
    response = client.patch(url, {"config": {"url": "/v2"}, "reason": "New URL"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["item"] == {
        "id": action.pk,
        "name": "search",
        "config": {"url": "/v2"},
        "tool_id": tool.pk,
    }
    other = factories.ToolFactory(organization=organization, name="Other", actions=[])
    wrong = reverse("api-tool-action", kwargs={"tool_id": other.pk, "action_id": action.pk})
    assert client.patch(wrong, {"reason": "x"}, format="json").status_code == 404
    response = client.patch(
        reverse("api-tool", kwargs={"tool_id": tool.pk}),
        {"kind": "nope", "reason": "x"},
        format="json",
    )
    assert response.status_code == 400 and "kind" in response.json()


def test_a_rollback_needing_an_old_definition_is_a_409_naming_the_component(
    admin, guardrail, users, owner
):
    agent = users[0]
    record = PublishRecord.objects.get(agent_id=agent.pk)
    client_for(admin).patch(
        guardrail_url(guardrail), {"config": {"threshold": 0.9}, "reason": "Up"}, format="json"
    )
    before = state()
    response = client_for(owner).put(
        reverse("api-rollback", kwargs={"agent_id": agent.pk}),
        {"change_track_id": str(record.change_track_id)},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "definition_changed"
    assert [c["label"] for c in body["conflicts"]] == [
        "Guardrail \u201cPII filter\u201d: catalogue config \u201cthreshold\u201d"
    ]
    assert state() == before
    preview = client_for(owner).get(
        reverse(
            "api-publish-diff",
            kwargs={"agent_id": agent.pk, "change_track_id": record.change_track_id},
        )
    )
    assert [c["key"] for c in preview.json()["conflicts"]] == [f"guardrail:{guardrail.pk}"]
