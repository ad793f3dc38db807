"""Agents: create, read (Staging / Production), list, settings edits, delete."""

from __future__ import annotations

import pytest

from agents import services
from agents.models import Agent, AgentPermission, StagingConfiguration
from publishing.models import ProductionConfiguration, PublishRecord
from publishing.services import publish_agent
from tests import factories
from tests.conftest import client_for

LIST_URL = "/api/v2/agents"


def url(agent, suffix=""):
    return f"/api/v2/agents/{agent.pk}{suffix}"


# --- create ----------------------------------------------------------------------------------


def test_member_creates_an_agent_and_owns_it(member, project):
    response = client_for(member).post(
        LIST_URL,
        {
            "project_id": project.pk,
            "name": "Helper",
            "description": "Helps",
            "model_config": {"model": "gpt-4o-mini", "temperature": 0.2},
        },
        format="json",
    )
    assert response.status_code == 201
    agent = Agent.objects.get()
    body = response.json()
    assert body["id"] == agent.pk
    assert body["environment"] == "staging"
    assert body["role"] == "owner"
    assert body["name"] == "Helper"
    assert body["model_config"] == {"model": "gpt-4o-mini", "temperature": 0.2}
    assert body["published"] is False
    assert body["has_unpublished_changes"] is True
    assert body["last_published_at"] is None
    assert body["instructions"] == []
    assert body["knowledge_sources"] == {"corpora": []}
    assert body["sharepoint"] is None
    assert body["updated_by"] == {"id": member.pk, "username": "member"}
    assert AgentPermission.objects.get(agent=agent).user == member
    assert not ProductionConfiguration.objects.filter(agent=agent).exists()
    history = StagingConfiguration.history.get(agent_id=agent.pk)
    assert history.history_user == member


def test_new_agent_gets_the_default_model_config(member, project):
    response = client_for(member).post(
        LIST_URL, {"project_id": project.pk, "name": "Helper"}, format="json"
    )
    assert response.json()["model_config"] == {
        "max_tokens": 1024,
        "model": "gpt-4o",
        "temperature": 0.7,
    }


def test_agent_in_an_unseen_project_is_refused_on_the_field(stranger, project):
    response = client_for(stranger).post(
        LIST_URL, {"project_id": project.pk, "name": "Helper"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"project_id": ["Unknown project."]}
    assert not Agent.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "  "}, "name"),
        ({"name": 5}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"description": "d" * 5001}, "description"),
        ({"model_config": {"colour": "blue"}}, "model_config"),
        ({"model_config": {"temperature": 9}}, "model_config"),
        ({"model_config": {"temperature": "hot"}}, "model_config"),
        ({"model_config": "gpt-4o"}, "model_config"),
        ({"project_id": "1"}, "project_id"),
        ({"project_id": None}, "project_id"),
    ],
)
def test_agent_creation_refuses_bad_input_per_field(member, project, body, field):
    payload = {"project_id": project.pk, "name": "Helper", **body}
    response = client_for(member).post(LIST_URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Agent.objects.exists()


def test_agent_creation_needs_credentials(project, api_client):
    response = api_client.post(LIST_URL, {"project_id": project.pk, "name": "x"}, format="json")
    assert response.status_code == 401


# --- read ------------------------------------------------------------------------------------


def test_editor_reads_staging(editor, agent, published):
    services.update_agent_settings(agent=agent, acting_user=editor, name="Renamed")
    body = client_for(editor).get(url(agent)).json()
    assert body["environment"] == "staging"
    assert body["role"] == "editor"
    assert body["name"] == "Renamed"
    assert body["revision"] == 2
    assert body["has_unpublished_changes"] is True
    assert body["published"] is True
    assert body["last_change_track_id"] == str(published.change_track_id)
    assert body["updated_by"] == {"id": editor.pk, "username": "editor"}


def test_staging_and_production_share_one_shape(editor, agent, published):
    client = client_for(editor)
    staging = client.get(url(agent)).json()
    production = client.get(url(agent, "?environment=production")).json()
    assert set(staging) == set(production)
    assert production["environment"] == "production"
    assert production["revision"] is None
    assert production["has_unpublished_changes"] is False
    assert staging["has_unpublished_changes"] is False


def test_production_shows_what_was_published_not_staging(editor, agent, published):
    services.update_agent_settings(agent=agent, acting_user=editor, name="Unpublished name")
    body = client_for(editor).get(url(agent, "?environment=production")).json()
    assert body["name"] == "Support bot"
    assert body["has_unpublished_changes"] is True
    assert body["updated_at"] == body["last_published_at"]


def test_viewer_is_refused_staging_with_a_clear_message(viewer, agent, published):
    response = client_for(viewer).get(url(agent))
    assert response.status_code == 403
    assert "environment=production" in response.json()["detail"]


def test_viewer_reads_production_without_learning_about_staging(viewer, agent, published):
    response = client_for(viewer).get(url(agent, "?environment=production"))
    assert response.status_code == 200
    assert response.json()["role"] == "viewer"
    assert response.json()["has_unpublished_changes"] is None


def test_production_before_the_first_publish_is_a_404(owner_client, agent):
    response = owner_client.get(url(agent, "?environment=production"))
    assert response.status_code == 404
    assert response.json()["code"] == "not_published"


def test_unknown_environment_is_a_400(owner_client, agent):
    response = owner_client.get(url(agent, "?environment=prod"))
    assert response.status_code == 400
    assert "environment" in response.json()


def test_public_agent_is_visible_in_production_to_any_user(agent, owner, stranger):
    services.set_access_level(agent=agent, acting_user=owner, access_level="public")
    publish_agent(agent=agent, user=owner)
    client = client_for(stranger)
    assert client.get(url(agent, "?environment=production")).status_code == 200
    assert client.get(url(agent)).status_code == 403


@pytest.mark.parametrize("suffix", ["999999", "abc", "-3", "0", "1.0", "99999999999999999999"])
def test_unknown_or_malformed_agent_ids_are_json_404s(owner_client, agent, suffix):
    response = owner_client.get(f"/api/v2/agents/{suffix}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Agent not found."}


def test_agent_invisible_to_the_caller_is_a_404_not_a_403(member, agent):
    assert client_for(member).get(url(agent)).status_code == 404


def test_reading_an_agent_needs_credentials(api_client, agent):
    assert api_client.get(url(agent)).status_code == 401


def test_reading_staging_costs_the_same_whatever_the_size(
    owner, owner_client, agent, project, django_assert_num_queries, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10) as small:
        owner_client.get(url(agent))
    tool = factories.ToolFactory(organization=project.organization, actions=["a", "b", "c"])
    services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    for n in range(15):
        services.add_instruction(agent=agent, acting_user=owner, title=f"T{n}", content="c")
    corpora = [factories.CorpusFactory(project=project).pk for _ in range(5)]
    services.connect_corpora(agent=agent, acting_user=owner, corpus_ids=corpora)
    with django_assert_num_queries(len(small.captured_queries)):
        body = owner_client.get(url(agent)).json()
    assert len(body["instructions"]) == 15
    assert len(body["tools"][0]["actions"]) == 3


# --- list ------------------------------------------------------------------------------------


def test_list_shows_only_visible_agents(member, agent, project):
    mine = factories.AgentFactory(project=project, user=member, name="Mine")
    response = client_for(member).get(LIST_URL)
    assert response.status_code == 200
    assert [a["id"] for a in response.json()["results"]] == [mine.pk]
    assert response.json()["count"] == 1


def test_list_items_are_light(owner_client, agent):
    item = owner_client.get(LIST_URL).json()["results"][0]
    assert set(item) == {
        "id",
        "project_id",
        "organization_id",
        "environment",
        "role",
        "name",
        "description",
        "access_level",
        "tags",
        "published",
        "last_published_at",
        "last_change_track_id",
    }


def test_list_shows_staging_to_editors_and_production_to_viewers(
    agent, owner, editor, viewer, published
):
    services.update_agent_settings(agent=agent, acting_user=owner, name="Draft name")
    as_editor = client_for(editor).get(LIST_URL).json()["results"][0]
    as_viewer = client_for(viewer).get(LIST_URL).json()["results"][0]
    assert (as_editor["environment"], as_editor["name"], as_editor["role"]) == (
        "staging",
        "Draft name",
        "editor",
    )
    assert (as_viewer["environment"], as_viewer["name"], as_viewer["role"]) == (
        "production",
        "Support bot",
        "viewer",
    )


def test_list_environment_filters(owner, owner_client, agent, project, published):
    unpublished = factories.AgentFactory(project=project, user=owner, name="Draft")
    production = owner_client.get(f"{LIST_URL}?environment=production").json()["results"]
    assert [(a["id"], a["environment"]) for a in production] == [(agent.pk, "production")]
    staging = owner_client.get(f"{LIST_URL}?environment=staging").json()["results"]
    assert [a["id"] for a in staging] == [agent.pk, unpublished.pk]


def test_list_staging_leaves_out_agents_the_caller_only_views(viewer, agent, published):
    assert client_for(viewer).get(f"{LIST_URL}?environment=staging").json()["count"] == 0


def test_list_search_matches_the_name_the_caller_may_see(agent, owner, viewer, published):
    services.update_agent_settings(agent=agent, acting_user=owner, name="Secret draft")
    assert client_for(owner).get(f"{LIST_URL}?search=secret").json()["count"] == 1
    assert client_for(viewer).get(f"{LIST_URL}?search=secret").json()["count"] == 0
    assert client_for(viewer).get(f"{LIST_URL}?search=SUPPORT").json()["count"] == 1


def test_list_filters_by_project(owner, owner_client, agent, organization):
    other = factories.AgentFactory(
        project=factories.ProjectFactory(organization=organization), user=owner
    )
    results = owner_client.get(f"{LIST_URL}?project_id={other.project_id}").json()["results"]
    assert [a["id"] for a in results] == [other.pk]


@pytest.mark.parametrize(
    "query",
    ["environment=dev", "project_id=x", "project_id=-1", "search=%00", "search=" + "s" * 201],
)
def test_list_refuses_bad_query_parameters(owner_client, agent, query):
    response = owner_client.get(f"{LIST_URL}?{query}")
    assert response.status_code == 400


def test_org_admin_and_superuser_see_every_agent_of_their_scope_as_owner(
    agent, org_admin, superuser
):
    for user in (org_admin, superuser):
        item = client_for(user).get(LIST_URL).json()["results"][0]
        assert (item["id"], item["role"], item["environment"]) == (agent.pk, "owner", "staging")


def test_list_query_count_does_not_grow_with_the_number_of_agents(
    member, project, organization, django_assert_max_num_queries
):
    def make(count):
        for _ in range(count):
            made = factories.AgentFactory(project=project, user=member)
            services.set_access_level(agent=made, acting_user=member, access_level="organization")
            publish_agent(agent=made, user=member)

    client = client_for(member)
    make(1)
    with django_assert_max_num_queries(2) as one:
        assert client.get(LIST_URL).json()["count"] == 1
    make(29)
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = client.get(LIST_URL).json()
    assert body["count"] == 30
    assert len(body["results"]) == 25
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get(f"{LIST_URL}?page=2").json()["results"]) == 5


def test_list_needs_credentials(api_client, db):
    assert api_client.get(LIST_URL).status_code == 401


# --- settings edits --------------------------------------------------------------------------


def test_put_changes_the_settings_and_answers_the_agent(editor_client, editor, agent, audit):
    record = audit()
    response = editor_client.put(
        url(agent),
        {"name": "New", "description": "Desc", "model_config": {"model": "m", "seed": 3}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["name"] == "New"
    assert response.json()["revision"] == 2
    staging = StagingConfiguration.objects.get(agent=agent)
    assert (staging.name, staging.description, staging.model_config) == (
        "New",
        "Desc",
        {"model": "m", "seed": 3},
    )
    assert staging.updated_by == editor
    record.assert_recorded_by(editor)


def test_put_requires_the_name(editor_client, agent, audit):
    record = audit()
    response = editor_client.put(url(agent), {"description": "Desc"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["This field is required."]}
    record.assert_nothing_written()


def test_patch_changes_only_what_is_given(editor_client, agent):
    response = editor_client.patch(url(agent), {"description": "Only this"}, format="json")
    assert response.status_code == 200
    staging = StagingConfiguration.objects.get(agent=agent)
    assert (staging.name, staging.description) == ("Support bot", "Only this")


@pytest.mark.parametrize(
    "body",
    [
        {"model_config": {"max_tokens": 0}},
        {"model_config": {"stop": ["a", "b", "c", "d", "e"]}},
        {"model_config": {"model": "bad\x00"}},
        {"name": None},
        {"description": None},
    ],
)
def test_patch_refuses_bad_input_and_writes_nothing(editor_client, agent, audit, body):
    record = audit()
    response = editor_client.patch(url(agent), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == set(body)
    record.assert_nothing_written()


def test_viewer_may_not_edit(viewer, agent, published, audit):
    record = audit()
    response = client_for(viewer).patch(url(agent), {"name": "Mine now"}, format="json")
    assert response.status_code == 403
    assert "editor role" in response.json()["detail"]
    record.assert_nothing_written()


def test_stranger_editing_gets_a_404(stranger, agent):
    response = client_for(stranger).patch(url(agent), {"name": "x"}, format="json")
    assert response.status_code == 404


# --- delete ----------------------------------------------------------------------------------


def test_owner_deletes_an_unpublished_agent(owner_client, agent):
    response = owner_client.delete(url(agent))
    assert response.status_code == 204
    assert owner_client.get(url(agent)).status_code == 404
    assert owner_client.get("/api/v2/agents").json()["count"] == 0
    assert Agent.objects.get(pk=agent.pk).deleted_at is not None


def test_org_admin_deletes_an_agent(org_admin, agent):
    assert client_for(org_admin).delete(url(agent)).status_code == 204
    archived = Agent.objects.get(pk=agent.pk)
    assert archived.deleted_at is not None
    assert archived.deleted_by == org_admin


@pytest.mark.parametrize("who", ["editor", "publisher"])
def test_only_owners_delete(request, agent, who):
    user = request.getfixturevalue(who)
    response = client_for(user).delete(url(agent))
    assert response.status_code == 403
    assert "owner role" in response.json()["detail"]
    assert Agent.objects.filter(pk=agent.pk).exists()


def test_deleting_an_unseen_agent_is_a_404(stranger, agent):
    assert client_for(stranger).delete(url(agent)).status_code == 404
    assert Agent.objects.filter(pk=agent.pk).exists()


def test_deleting_a_published_agent_archives_it_and_keeps_its_history(
    owner, owner_client, agent, published
):
    services.set_tags(agent=agent, acting_user=owner, tags=["second"])
    publish_agent(agent=agent, user=owner)
    response = owner_client.delete(url(agent))
    assert response.status_code == 204
    assert owner_client.get(f"{url(agent)}/production").status_code == 404
    assert owner_client.get(url(agent)).status_code == 404
    assert owner_client.delete(url(agent)).status_code == 404
    assert PublishRecord.objects.filter(agent_id=agent.pk).count() == 2
