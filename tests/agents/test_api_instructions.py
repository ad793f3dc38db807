"""POST/PUT /agents/{id}/instructions and DELETE /agents/{id}/instructions/{instruction_id}."""

from __future__ import annotations

import json

import pytest

from agents import services
from agents.models import INSTRUCTION_CONTENT_MAX_LENGTH, Instruction
from tests import factories
from tests.agents.conftest import fresh, with_own_id
from tests.conftest import client_for


def url(agent, suffix=""):
    return f"/api/v2/agents/{agent.pk}/instructions{suffix}"


def titles(agent):
    return list(
        Instruction.objects.filter(agent=agent).order_by("position").values_list("title", flat=True)
    )


@pytest.fixture
def three(agent, owner):
    return [
        services.add_instruction(agent=agent, acting_user=owner, title=t, content=f"{t} body")
        for t in ("A", "B", "C")
    ]


# --- add -------------------------------------------------------------------------------------


def test_add_answers_201_with_the_instruction(editor_client, agent):
    response = editor_client.post(
        url(agent), {"title": "Tone", "content": "Be kind."}, format="json"
    )
    assert response.status_code == 201
    made = Instruction.objects.get(agent=agent)
    assert fresh(response.json(), agent) == {
        "id": made.pk,
        "title": "Tone",
        "content": "Be kind.",
        "position": 0,
    }


def test_add_appends_by_default_and_inserts_at_a_position(editor_client, agent, three):
    editor_client.post(url(agent), {"title": "Last", "content": "x"}, format="json")
    response = editor_client.post(
        url(agent), {"title": "First", "content": "x", "position": 0}, format="json"
    )
    assert response.json()["position"] == 0
    assert titles(agent) == ["First", "A", "B", "C", "Last"]


def test_add_beyond_the_end_goes_last(editor_client, agent, three):
    response = editor_client.post(
        url(agent), {"title": "Z", "content": "x", "position": 1000}, format="json"
    )
    assert response.json()["position"] == 3


def test_content_of_exactly_the_limit_is_accepted(editor_client, agent):
    content = "x" * INSTRUCTION_CONTENT_MAX_LENGTH
    response = editor_client.post(url(agent), {"title": "Big", "content": content}, format="json")
    assert response.status_code == 201
    assert len(Instruction.objects.get(agent=agent).content) == INSTRUCTION_CONTENT_MAX_LENGTH


def test_content_over_100_kb_is_refused(editor_client, agent, audit):
    record = audit()
    content = "x" * (INSTRUCTION_CONTENT_MAX_LENGTH + 1)
    response = editor_client.post(url(agent), {"title": "Big", "content": content}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["content"]
    record.assert_nothing_written()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": "x"}, "title"),
        ({"title": "t"}, "content"),
        ({"title": "", "content": "x"}, "title"),
        ({"title": "   ", "content": "x"}, "title"),
        ({"title": "t" * 201, "content": "x"}, "title"),
        ({"title": "t", "content": 7}, "content"),
        ({"title": "t", "content": "nul\x00"}, "content"),
        ({"title": "t", "content": "x", "position": -1}, "position"),
        ({"title": "t", "content": "x", "position": "2"}, "position"),
        ({"title": "t", "content": "x", "position": True}, "position"),
        ({"title": "t", "content": "x", "position": 1.5}, "position"),
    ],
)
def test_add_refuses_bad_input_per_field(editor_client, agent, audit, body, field):
    record = audit()
    response = editor_client.post(url(agent), body, format="json")
    record.assert_refused_on(response, field)
    assert not Instruction.objects.filter(agent=agent).exists()


def test_body_that_is_not_an_object_is_a_400(editor_client, agent):
    response = editor_client.post(url(agent), ["title", "content"], format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_body_over_the_request_limit_is_a_413_and_nothing_written(
    editor_client, agent, audit, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    record = audit()
    body = json.dumps({"title": "Big", "content": "x" * 60_000})
    response = editor_client.generic("POST", url(agent), body, content_type="application/json")
    assert response.status_code == 413
    record.assert_nothing_written()


def test_a_four_megabyte_body_is_a_413(editor_client, agent):
    body = json.dumps({"title": "Big", "content": "x" * (4 * 1024 * 1024)})
    response = editor_client.generic("POST", url(agent), body, content_type="application/json")
    assert response.status_code == 413


def test_viewer_may_not_add(viewer, agent, published):
    response = client_for(viewer).post(url(agent), {"title": "t", "content": "c"}, format="json")
    assert response.status_code == 403


def test_stranger_adding_gets_a_404(stranger, agent):
    response = client_for(stranger).post(url(agent), {"title": "t", "content": "c"}, format="json")
    assert response.status_code == 404


def test_adding_needs_credentials(api_client, agent):
    response = api_client.post(url(agent), {"title": "t", "content": "c"}, format="json")
    assert response.status_code == 401


# --- edit ------------------------------------------------------------------------------------


def test_put_edits_title_and_content(editor_client, agent, three):
    response = editor_client.put(
        url(agent), {"id": three[1].pk, "title": "B2", "content": "new"}, format="json"
    )
    assert response.status_code == 200
    assert fresh(response.json(), agent) == {
        "id": three[1].pk,
        "title": "B2",
        "content": "new",
        "position": 1,
    }
    three[1].refresh_from_db()
    assert (three[1].title, three[1].content) == ("B2", "new")


def test_put_moves_an_instruction(editor_client, agent, three):
    response = editor_client.put(url(agent), {"id": three[2].pk, "position": 0}, format="json")
    assert response.json()["position"] == 0
    assert titles(agent) == ["C", "A", "B"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x"}, "id"),
        ({"id": "1", "title": "x"}, "id"),
        ({"id": 999_999, "title": "x"}, "id"),
        ({"id": "first", "title": "x"}, "id"),
        ({"id": 2**63, "title": "x"}, "id"),
        ({"id": "own", "title": ""}, "title"),
        ({"id": "own", "content": "c" * (INSTRUCTION_CONTENT_MAX_LENGTH + 1)}, "content"),
    ],
)
def test_put_refuses_bad_input(editor_client, agent, three, audit, body, field):
    body = with_own_id(body, "id", three[0].pk)
    record = audit()
    response = editor_client.put(url(agent), body, format="json")
    record.assert_refused_on(response, field)


def test_put_cannot_reach_another_agents_instruction(editor_client, agent, owner, project):
    other = factories.AgentFactory(project=project, user=owner)
    theirs = services.add_instruction(agent=other, acting_user=owner, title="Theirs", content="x")
    response = editor_client.put(url(agent), {"id": theirs.pk, "title": "Mine"}, format="json")
    assert response.status_code == 400
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"


# --- delete ----------------------------------------------------------------------------------


def test_delete_removes_and_renumbers(editor_client, agent, three):
    response = editor_client.delete(url(agent, f"/{three[0].pk}"))
    assert response.status_code == 204
    assert list(
        Instruction.objects.filter(agent=agent)
        .order_by("position")
        .values_list("title", "position")
    ) == [("B", 0), ("C", 1)]


@pytest.mark.parametrize("suffix", ["/999999", "/abc", "/-1", "/99999999999999999999"])
def test_delete_of_unknown_or_malformed_id_is_a_404(editor_client, agent, three, suffix):
    response = editor_client.delete(url(agent, suffix))
    assert response.status_code == 404
    assert Instruction.objects.filter(agent=agent).count() == 3


def test_delete_cannot_reach_another_agents_instruction(editor_client, agent, owner, project):
    other = factories.AgentFactory(project=project, user=owner)
    theirs = services.add_instruction(agent=other, acting_user=owner, title="Theirs", content="x")
    assert editor_client.delete(url(agent, f"/{theirs.pk}")).status_code == 404
    assert Instruction.objects.filter(pk=theirs.pk).exists()


def test_viewer_may_not_delete(viewer, agent, three, published):
    assert client_for(viewer).delete(url(agent, f"/{three[0].pk}")).status_code == 403
    assert Instruction.objects.filter(agent=agent).count() == 3
