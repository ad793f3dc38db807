"""Knowledge sources: bulk connect/disconnect and one connection's settings."""

from __future__ import annotations

import pytest

from agents import services
from agents.models import CorpusConnection
from tests import factories
from tests.agents.conftest import fresh
from tests.conftest import client_for


def url(agent, suffix=""):
    return f"/api/v2/agents/{agent.pk}/corpora{suffix}"


def connections(agent):
    return {
        c.corpus_id: (c.enabled, c.settings) for c in CorpusConnection.objects.filter(agent=agent)
    }


# --- bulk connect ----------------------------------------------------------------------------


def test_bulk_connect_answers_201_with_the_connections(editor_client, agent, corpus, corpus2):
    response = editor_client.post(
        url(agent), {"corpus_ids": [corpus2.pk, corpus.pk]}, format="json"
    )
    assert response.status_code == 201
    assert fresh(response.json(), agent) == [
        {
            "corpus_id": item.pk,
            "name": item.name,
            "enabled": True,
            "settings": {"top_k": 5},
            "definition": {"description": "Documents"},
        }
        for item in (corpus2, corpus)
    ]
    assert connections(agent) == {corpus.pk: (True, {"top_k": 5}), corpus2.pk: (True, {"top_k": 5})}


def test_bulk_connect_with_settings(editor_client, agent, corpus):
    response = editor_client.post(
        url(agent),
        {"corpus_ids": [corpus.pk], "settings": {"top_k": 8, "search_type": "hybrid"}},
        format="json",
    )
    assert response.status_code == 201
    assert connections(agent)[corpus.pk] == (True, {"search_type": "hybrid", "top_k": 8})


def test_corpus_of_another_organization_is_refused_and_nothing_connected(
    editor_client, agent, corpus, foreign_corpus, audit
):
    record = audit()
    response = editor_client.post(
        url(agent), {"corpus_ids": [corpus.pk, foreign_corpus.pk]}, format="json"
    )
    assert response.status_code == 400
    assert str(foreign_corpus.pk) in response.json()["corpus_ids"][0]
    assert connections(agent) == {}
    record.assert_nothing_written()


def test_connecting_the_same_corpus_twice_is_refused(editor_client, agent, corpus, corpus2, audit):
    editor_client.post(url(agent), {"corpus_ids": [corpus.pk]}, format="json")
    record = audit()
    response = editor_client.post(
        url(agent), {"corpus_ids": [corpus2.pk, corpus.pk]}, format="json"
    )
    assert response.status_code == 400
    assert "Already connected" in response.json()["corpus_ids"][0]
    assert set(connections(agent)) == {corpus.pk}
    record.assert_nothing_written()


@pytest.mark.parametrize(
    "body",
    [
        {"corpus_ids": []},
        {"corpus_ids": "1"},
        {"corpus_ids": ["1"]},
        {"corpus_ids": [True]},
        {"corpus_ids": [0]},
        {"corpus_ids": [2**64]},
        {},
        {"corpus_ids": "dup"},
    ],
)
def test_bulk_connect_refuses_bad_ids(editor_client, agent, corpus, body):
    if body.get("corpus_ids") == "dup":
        body = {"corpus_ids": [corpus.pk, corpus.pk]}
    response = editor_client.post(url(agent), body, format="json")
    assert response.status_code == 400
    assert "corpus_ids" in response.json()
    assert connections(agent) == {}


def test_bulk_connect_refuses_unknown_settings(editor_client, agent, corpus):
    response = editor_client.post(
        url(agent), {"corpus_ids": [corpus.pk], "settings": {"top_k": 0}}, format="json"
    )
    assert response.status_code == 400
    assert "settings" in response.json()


def test_viewer_may_not_connect(viewer, agent, corpus, published):
    response = client_for(viewer).post(url(agent), {"corpus_ids": [corpus.pk]}, format="json")
    assert response.status_code == 403


# --- bulk disconnect -------------------------------------------------------------------------


@pytest.fixture
def connected(agent, owner, corpus, corpus2):
    services.connect_corpora(agent=agent, acting_user=owner, corpus_ids=[corpus.pk, corpus2.pk])
    return [corpus, corpus2]


def test_bulk_disconnect_with_a_body(editor_client, agent, connected):
    response = editor_client.delete(url(agent), {"corpus_ids": [connected[0].pk]}, format="json")
    assert response.status_code == 204
    assert set(connections(agent)) == {connected[1].pk}


def test_bulk_disconnect_is_refused_whole_if_one_is_not_connected(
    editor_client, agent, connected, project, audit
):
    loose = factories.CorpusFactory(project=project)
    record = audit()
    response = editor_client.delete(
        url(agent), {"corpus_ids": [connected[0].pk, loose.pk]}, format="json"
    )
    assert response.status_code == 400
    assert "Not connected" in response.json()["corpus_ids"][0]
    assert len(connections(agent)) == 2
    record.assert_nothing_written()


def test_bulk_disconnect_without_a_body_is_a_400(editor_client, agent, connected):
    response = editor_client.delete(url(agent))
    assert response.status_code == 400
    assert "corpus_ids" in response.json()


# --- one connection --------------------------------------------------------------------------


def test_post_connects_one_corpus_with_flat_settings(editor_client, agent, corpus):
    response = editor_client.post(
        url(agent, f"/{corpus.pk}"), {"top_k": 3, "enabled": False}, format="json"
    )
    assert response.status_code == 201
    assert fresh(response.json(), agent) == {
        "corpus_id": corpus.pk,
        "name": "Handbook",
        "enabled": False,
        "settings": {"top_k": 3},
        "definition": {"description": "Documents"},
    }
    assert connections(agent) == {corpus.pk: (False, {"top_k": 3})}


def test_post_on_a_connected_corpus_updates_it_with_200(editor_client, agent, connected):
    response = editor_client.post(url(agent, f"/{connected[0].pk}"), {"top_k": 9}, format="json")
    assert response.status_code == 200
    assert connections(agent)[connected[0].pk] == (True, {"top_k": 9})


def test_put_replaces_settings_and_keeps_them_when_none_given(editor_client, agent, connected):
    pk = connected[0].pk
    response = editor_client.put(
        url(agent, f"/{pk}"), {"min_score": 0.5, "citations": True}, format="json"
    )
    assert response.status_code == 200
    assert connections(agent)[pk] == (True, {"citations": True, "min_score": 0.5})
    response = editor_client.put(url(agent, f"/{pk}"), {"enabled": False}, format="json")
    assert response.json()["settings"] == {"citations": True, "min_score": 0.5}
    assert connections(agent)[pk] == (False, {"citations": True, "min_score": 0.5})


def test_put_on_a_corpus_not_connected_is_a_404(editor_client, agent, corpus, audit):
    record = audit()
    response = editor_client.put(url(agent, f"/{corpus.pk}"), {"top_k": 2}, format="json")
    assert response.status_code == 404
    assert "not connected" in response.json()["detail"]
    record.assert_nothing_written()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_corpus_of_another_organization_in_the_path_is_a_404(
    editor_client, agent, foreign_corpus, method
):
    response = getattr(editor_client, method)(
        url(agent, f"/{foreign_corpus.pk}"), {}, format="json"
    )
    assert response.status_code == 404
    assert connections(agent) == {}


@pytest.mark.parametrize("suffix", ["/abc", "/0", "/999999"])
def test_malformed_or_unknown_corpus_in_the_path_is_a_404(editor_client, agent, suffix):
    assert editor_client.post(url(agent, suffix), {}, format="json").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"top_k": 0},
        {"top_k": 101},
        {"top_k": "5"},
        {"min_score": 2},
        {"min_score": "high"},
        {"search_type": "psychic"},
        {"citations": "yes"},
        {"enabled": 1},
    ],
)
def test_connection_settings_are_checked(editor_client, agent, connected, body, audit):
    record = audit()
    response = editor_client.put(url(agent, f"/{connected[0].pk}"), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == set(body)
    record.assert_nothing_written()


def test_delete_disconnects_one(editor_client, agent, connected):
    assert editor_client.delete(url(agent, f"/{connected[0].pk}")).status_code == 204
    assert set(connections(agent)) == {connected[1].pk}


def test_delete_of_a_corpus_not_connected_is_a_404(editor_client, agent, corpus):
    response = editor_client.delete(url(agent, f"/{corpus.pk}"))
    assert response.status_code == 404


def test_viewer_may_not_change_a_connection(viewer, agent, connected, published):
    client = client_for(viewer)
    assert client.put(
        url(agent, f"/{connected[0].pk}"), {"top_k": 1}, format="json"
    ).status_code == (403)
    assert client.delete(url(agent, f"/{connected[0].pk}")).status_code == 403
