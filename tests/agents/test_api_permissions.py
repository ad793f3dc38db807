"""GET/POST /agents/{id}/permissions and PUT/DELETE /agents/{id}/permissions/{permission_id}."""

from __future__ import annotations

import pytest

from agents.models import AgentPermission
from tests import factories
from tests.conftest import client_for


def url(agent, suffix=""):
    return f"/api/v2/agents/{agent.pk}/permissions{suffix}"


def owner_permission(agent, owner):
    return AgentPermission.objects.get(agent=agent, user=owner)


def test_owner_lists_the_permissions(owner_client, agent, owner, editor):
    response = owner_client.get(url(agent))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(p["user"]["username"], p["role"]) for p in results] == [
        ("owner", "owner"),
        ("editor", "editor"),
    ]
    assert results[1]["granted_by"] == {"id": owner.pk, "username": "owner"}
    assert results[1]["user_id"] == editor.pk


@pytest.mark.parametrize("who", ["editor", "publisher", "viewer"])
def test_only_owners_see_permissions(request, agent, published, who):
    response = client_for(request.getfixturevalue(who)).get(url(agent))
    assert response.status_code == 403
    assert "owner role" in response.json()["detail"]


def test_stranger_gets_a_404(stranger, agent):
    assert client_for(stranger).get(url(agent)).status_code == 404


def test_owner_grants_a_role_and_it_takes_effect(owner_client, owner, agent, member):
    response = owner_client.post(
        url(agent), {"user_id": member.pk, "role": "editor"}, format="json"
    )
    assert response.status_code == 201
    permission = AgentPermission.objects.get(agent=agent, user=member)
    assert response.json()["id"] == permission.pk
    assert (permission.role, permission.granted_by) == ("editor", owner)
    assert permission.history.latest().history_user == owner
    assert client_for(member).get(f"/api/v2/agents/{agent.pk}").status_code == 200


# --- red-team finding 3: grants reach members only, and say nothing about anyone else ------


def test_a_grant_to_a_non_member_is_refused_like_an_unknown_id(
    owner_client, agent, stranger, other_organization
):
    """Walking ids must not tell a user who exists elsewhere from an id that names nobody."""
    elsewhere = factories.UserFactory(username="elsewhere")
    factories.join(other_organization, elsewhere)
    missing = max(stranger.pk, elsewhere.pk) + 1000
    before = AgentPermission.objects.count()
    answers = [
        owner_client.post(url(agent), {"user_id": pk, "role": "owner"}, format="json")
        for pk in (stranger.pk, elsewhere.pk, missing)
    ]
    assert [a.status_code for a in answers] == [400, 400, 400]
    assert (
        answers[0].json()
        == answers[1].json()
        == answers[2].json()
        == {"user_id": ["No member of this agent's organization has this id."]}
    )
    for answer in answers:
        assert b"stranger" not in answer.content and b"elsewhere" not in answer.content
    assert AgentPermission.objects.count() == before
    assert client_for(stranger).get(f"/api/v2/agents/{agent.pk}").status_code == 404


def test_an_outsider_cannot_make_themselves_owner_of_an_agent(owner, agent, stranger):
    """The red team's path: a member creates an agent, grants an outsider owner, the outsider
    reads the organization's catalogue through it. Now the grant is refused."""
    response = client_for(owner).post(
        url(agent), {"user_id": stranger.pk, "role": "owner"}, format="json"
    )
    assert response.status_code == 400
    assert not AgentPermission.objects.filter(user=stranger).exists()
    assert client_for(stranger).get(f"/api/v2/agents/{agent.pk}").status_code == 404


def test_org_admin_and_superuser_grant_to_members_only(org_admin, superuser, agent, stranger):
    for caller in (org_admin, superuser):
        response = client_for(caller).post(
            url(agent), {"user_id": stranger.pk, "role": "viewer"}, format="json"
        )
        assert response.status_code == 400, caller
        assert "user_id" in response.json()
    assert not AgentPermission.objects.filter(user=stranger).exists()


def test_a_former_member_cannot_be_granted_a_role(owner_client, agent, member, organization):
    organization.memberships.filter(user=member).delete()
    response = owner_client.post(
        url(agent), {"user_id": member.pk, "role": "viewer"}, format="json"
    )
    assert response.status_code == 400
    assert not AgentPermission.objects.filter(user=member).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user_id": "stranger", "role": "admin"}, "role"),
        ({"user_id": 999_999, "role": "editor"}, "user_id"),
        ({"user_id": "12", "role": "editor"}, "user_id"),
        ({"user_id": 2**63, "role": "editor"}, "user_id"),
        ({"role": "editor"}, "user_id"),
        ({"user_id": "stranger"}, "role"),
        ({"user_id": "owner", "role": "viewer"}, "user_id"),
    ],
)
def test_grant_input_is_checked(owner_client, agent, owner, stranger, body, field):
    names = {"stranger": stranger.pk, "owner": owner.pk}
    body = {k: names.get(v, v) if k == "user_id" else v for k, v in body.items()}
    before = AgentPermission.objects.count()
    response = owner_client.post(url(agent), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert AgentPermission.objects.count() == before


def test_editor_may_not_grant(editor_client, agent, stranger):
    response = editor_client.post(
        url(agent), {"user_id": stranger.pk, "role": "owner"}, format="json"
    )
    assert response.status_code == 403
    assert not AgentPermission.objects.filter(user=stranger).exists()


def test_owner_changes_a_role(owner_client, owner, agent, editor):
    permission = AgentPermission.objects.get(agent=agent, user=editor)
    response = owner_client.put(
        url(agent, f"/{permission.pk}"), {"role": "publisher"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["role"] == "publisher"
    permission.refresh_from_db()
    assert permission.role == "publisher"
    assert permission.history.latest().history_user == owner


@pytest.mark.parametrize("method", ["put", "delete"])
def test_changing_a_permission_decides_the_callers_role_once(
    owner_client, agent, editor, method, monkeypatch
):
    """The view decides the caller's role; the service checks it again from what the view
    found, not with a second round of queries."""
    from agents import permissions

    decided = []
    role_for = permissions.role_for
    monkeypatch.setattr(
        permissions,
        "role_for",
        lambda user, agent: decided.append(user.pk) or role_for(user, agent),
    )
    permission = AgentPermission.objects.get(agent=agent, user=editor)
    response = getattr(owner_client, method)(
        url(agent, f"/{permission.pk}"), {"role": "viewer"}, format="json"
    )
    assert response.status_code in (200, 204)
    assert len(decided) == 1


def test_the_last_owner_cannot_be_demoted(owner_client, agent, owner):
    permission = owner_permission(agent, owner)
    response = owner_client.put(url(agent, f"/{permission.pk}"), {"role": "editor"}, format="json")
    assert response.status_code == 400
    assert "last owner" in response.json()["role"][0]
    permission.refresh_from_db()
    assert permission.role == "owner"


def test_an_owner_can_step_down_when_another_owner_remains(owner_client, agent, owner, editor):
    second = AgentPermission.objects.get(agent=agent, user=editor)
    owner_client.put(url(agent, f"/{second.pk}"), {"role": "owner"}, format="json")
    permission = owner_permission(agent, owner)
    response = owner_client.put(url(agent, f"/{permission.pk}"), {"role": "viewer"}, format="json")
    assert response.status_code == 200
    assert owner_client.get(url(agent)).status_code == 403


def test_the_last_owner_cannot_be_removed(owner_client, agent, owner):
    permission = owner_permission(agent, owner)
    response = owner_client.delete(url(agent, f"/{permission.pk}"))
    assert response.status_code == 400
    assert "last owner" in response.json()["permission_id"][0]
    assert AgentPermission.objects.filter(pk=permission.pk).exists()


def test_owner_revokes_a_role(owner_client, owner, agent, editor):
    permission = AgentPermission.objects.get(agent=agent, user=editor)
    assert owner_client.delete(url(agent, f"/{permission.pk}")).status_code == 204
    assert not AgentPermission.objects.filter(pk=permission.pk).exists()
    assert AgentPermission.history.filter(
        id=permission.pk, history_type="-"
    ).get().history_user == (owner)
    assert client_for(editor).get(f"/api/v2/agents/{agent.pk}").status_code == 404


def test_org_admin_manages_permissions_without_a_grant(org_admin, agent, editor):
    permission = AgentPermission.objects.get(agent=agent, user=editor)
    client = client_for(org_admin)
    assert client.get(url(agent)).status_code == 200
    assert client.put(
        url(agent, f"/{permission.pk}"), {"role": "viewer"}, format="json"
    ).status_code == (200)
    permission.refresh_from_db()
    assert permission.role == "viewer"


def test_a_permission_of_another_agent_is_a_404(owner_client, owner, agent, project):
    other = factories.AgentFactory(project=project, user=owner)
    theirs = owner_permission(other, owner)
    assert owner_client.put(
        url(agent, f"/{theirs.pk}"), {"role": "viewer"}, format="json"
    ).status_code == (404)
    assert owner_client.delete(url(agent, f"/{theirs.pk}")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == "owner"


@pytest.mark.parametrize("suffix", ["/abc", "/0", "/999999", "/99999999999999999999"])
def test_malformed_or_unknown_permission_id_is_a_404(owner_client, agent, suffix):
    assert owner_client.delete(url(agent, suffix)).status_code == 404


def test_change_refuses_an_unknown_role(owner_client, agent, editor):
    permission = AgentPermission.objects.get(agent=agent, user=editor)
    response = owner_client.put(url(agent, f"/{permission.pk}"), {"role": "god"}, format="json")
    assert response.status_code == 400
    assert "role" in response.json()


def test_permissions_need_credentials(api_client, agent):
    assert api_client.get(url(agent)).status_code == 401


# --- red-team finding 4: roles need current membership ---------------------------------------


def test_leaving_the_organization_ends_the_agent_role(editor, agent, organization, published):
    client = client_for(editor)
    assert client.get(f"/api/v2/agents/{agent.pk}").status_code == 200

    organization.memberships.filter(user=editor).delete()

    assert AgentPermission.objects.filter(agent=agent, user=editor).exists()
    assert client.get(f"/api/v2/agents/{agent.pk}").status_code == 404
    added = client.post(
        f"/api/v2/agents/{agent.pk}/instructions",
        {"title": "Sneaky", "content": "Still here"},
        format="json",
    )
    assert added.status_code == 404
    assert not agent.instructions.filter(title="Sneaky").exists()
    assert client.get(f"/api/v2/agents/{agent.pk}/production").status_code == 404
    assert client.get("/api/v2/agents").json()["results"] == []


def test_a_former_editor_sees_a_public_agent_as_a_viewer_only(editor, owner, agent, organization):
    from agents import services
    from publishing.services import publish_agent

    services.set_access_level(agent=agent, acting_user=owner, access_level="public")
    publish_agent(agent=agent, acting_user=owner)
    organization.memberships.filter(user=editor).delete()
    client = client_for(editor)

    assert client.get(f"/api/v2/agents/{agent.pk}").status_code == 403  # Staging
    production = client.get(f"/api/v2/agents/{agent.pk}?environment=production")
    assert production.status_code == 200
    assert production.json()["role"] == "viewer"
    listed = client.get("/api/v2/agents").json()["results"]
    assert [(a["id"], a["role"]) for a in listed] == [(agent.pk, "viewer")]
    assert client.get("/api/v2/agents?environment=staging").json()["results"] == []
