"""Access level, tags (``/annotates``) and the SharePoint folder."""

from __future__ import annotations

import pytest

from agents import services
from agents.models import StagingConfiguration
from tests.conftest import client_for


def url(agent, suffix):
    return f"/api/v2/agents/{agent.pk}{suffix}"


def staging(agent):
    return StagingConfiguration.objects.get(agent=agent)


# --- access level ----------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["private", "project", "organization", "public"])
def test_access_level_is_set_and_the_agent_answered(editor_client, agent, owner, level):
    if level == "private":
        services.set_access_level(agent=agent, acting_user=owner, access_level="public")
    response = editor_client.put(url(agent, "/access"), {"access_level": level}, format="json")
    assert response.status_code == 200
    assert response.json()["access_level"] == level
    assert response.json()["environment"] == "staging"
    assert staging(agent).access_level == level


@pytest.mark.parametrize("body", [{"access_level": "everyone"}, {"access_level": None}, {}])
def test_access_level_is_checked(editor_client, agent, audit, body):
    record = audit()
    response = editor_client.put(url(agent, "/access"), body, format="json")
    record.assert_refused_on(response, "access_level")


def test_access_level_only_takes_effect_when_published(agent, owner, stranger, published):
    client_for(owner).put(url(agent, "/access"), {"access_level": "public"}, format="json")
    assert client_for(stranger).get(url(agent, "?environment=production")).status_code == 404


def test_viewer_may_not_set_access(viewer, agent, published):
    response = client_for(viewer).put(
        url(agent, "/access"), {"access_level": "public"}, format="json"
    )
    assert response.status_code == 403


# --- tags ------------------------------------------------------------------------------------


def test_annotates_replaces_the_tag_set(editor_client, agent, owner):
    services.set_tags(agent=agent, acting_user=owner, tags=["old"])
    response = editor_client.post(
        url(agent, "/annotates"), {"tags": ["support", " billing ", "support"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["tags"] == ["billing", "support"]
    assert staging(agent).tags == ["billing", "support"]


def test_annotates_with_an_empty_list_clears_the_tags(editor_client, agent, owner):
    services.set_tags(agent=agent, acting_user=owner, tags=["old"])
    response = editor_client.post(url(agent, "/annotates"), {"tags": []}, format="json")
    assert response.status_code == 200
    assert staging(agent).tags == []


@pytest.mark.parametrize(
    "tags",
    ["support", [1], [""], ["  "], ["t" * 51], [f"t{n}" for n in range(51)], None, ["nul\x00"]],
)
def test_tags_are_checked(editor_client, agent, audit, tags):
    record = audit()
    response = editor_client.post(url(agent, "/annotates"), {"tags": tags}, format="json")
    record.assert_refused_on(response, "tags")


def test_viewer_may_not_tag(viewer, agent, published):
    response = client_for(viewer).post(url(agent, "/annotates"), {"tags": ["x"]}, format="json")
    assert response.status_code == 403


# --- SharePoint folder -----------------------------------------------------------------------

FOLDER = {"site_url": "https://contoso.sharepoint.com/sites/help", "folder_path": "/Shared/Docs"}


@pytest.mark.parametrize("method", ["post", "put"])
def test_sharepoint_folder_is_set(editor_client, agent, method):
    response = getattr(editor_client, method)(
        url(agent, "/sharepoint/folder"), FOLDER, format="json"
    )
    assert response.status_code == 200
    assert response.json()["sharepoint"] == FOLDER
    row = staging(agent)
    assert (row.sharepoint_site_url, row.sharepoint_folder_path) == (
        FOLDER["site_url"],
        FOLDER["folder_path"],
    )


def test_sharepoint_folder_is_removed(editor_client, agent, owner):
    services.set_sharepoint_folder(agent=agent, acting_user=owner, **FOLDER)
    response = editor_client.delete(url(agent, "/sharepoint/folder"))
    assert response.status_code == 204
    row = staging(agent)
    assert (row.sharepoint_site_url, row.sharepoint_folder_path) == ("", "")
    assert editor_client.get(url(agent, "")).json()["sharepoint"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**FOLDER, "site_url": "http://contoso.sharepoint.com"}, "site_url"),
        ({**FOLDER, "site_url": "not a url"}, "site_url"),
        ({**FOLDER, "site_url": 3}, "site_url"),
        ({**FOLDER, "folder_path": ""}, "folder_path"),
        ({**FOLDER, "folder_path": "p" * 501}, "folder_path"),
        ({"site_url": FOLDER["site_url"]}, "folder_path"),
    ],
)
def test_sharepoint_folder_is_checked(editor_client, agent, audit, body, field):
    record = audit()
    response = editor_client.put(url(agent, "/sharepoint/folder"), body, format="json")
    record.assert_refused_on(response, field)


def test_viewer_may_not_touch_the_sharepoint_folder(viewer, agent, published):
    client = client_for(viewer)
    assert client.post(url(agent, "/sharepoint/folder"), FOLDER, format="json").status_code == 403
    assert client.delete(url(agent, "/sharepoint/folder")).status_code == 403


def test_stranger_gets_404s(stranger, agent):
    client = client_for(stranger)
    assert client.put(
        url(agent, "/access"), {"access_level": "public"}, format="json"
    ).status_code == (404)
    assert client.post(url(agent, "/annotates"), {"tags": []}, format="json").status_code == 404
    assert client.delete(url(agent, "/sharepoint/folder")).status_code == 404
