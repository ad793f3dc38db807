"""PATCH /api/v2/corpora/{id} (and its dry run): changing a corpus of the catalogue. Its refusals
of a bad query or id are asked with the guardrail's (``test_api_catalogue_edits``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agents import services
from agents.models import Corpus
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
def corpus(project):
    return factories.CorpusFactory(project=project, name="Handbook", description="Old")


@pytest.fixture
def users(project, owner, corpus):
    return agents_using(
        project,
        owner,
        lambda agent: services.connect_corpora(
            agent=agent, acting_user=owner, corpus_ids=[corpus.pk]
        ),
    )


def corpus_url(corpus, query=""):
    return reverse("api-corpus", kwargs={"corpus_id": corpus.pk}) + query


def state():
    return catalogue_state(Corpus, "id", "name", "description")


def test_patch_changes_the_corpus_and_each_users_staging(admin, corpus, users, project):
    production = production_snapshots()
    response = client_for(admin).patch(
        corpus_url(corpus), {"description": "New", "reason": "Clearer"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["item"]["description"] == "New"
    assert body["item"]["organization_id"] == project.organization_id
    assert body["changed"] == ["description"]
    assert (body["count"], body["live_count"]) == (3, 1)
    assert body["edited_agents"] == [a.pk for a in users]
    assert Corpus.objects.get(pk=corpus.pk).description == "New"
    assert production_snapshots() == production
    assert staging_diff_labels(client_for(admin), users[0]) == [
        "Knowledge source \u201cHandbook\u201d: catalogue description"
    ]


def test_dry_run_answers_the_preview_and_writes_nothing(admin, corpus, users):
    before = state()
    response = client_for(admin).patch(
        corpus_url(corpus, "?dry_run=1"), {"description": "New"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert state() == before
    assert body["dry_run"] is True
    assert body["item"]["description"] == "New"
    assert live_by_agent(body) == [
        (users[0].pk, True),
        (users[1].pk, False),
        (users[2].pk, False),
    ]
    assert body["results"][0]["changes"][0]["after"] == "New"
    assert (body["next"], body["previous"]) == (None, None)


def test_the_preview_pages_by_page_number(admin, corpus, users, monkeypatch):
    from agents.services import catalogue_changes

    monkeypatch.setattr(catalogue_changes, "PREVIEW_PAGE_SIZE", 2)
    first = client_for(admin).patch(corpus_url(corpus, "?dry_run=1"), {}, format="json")
    assert len(first.json()["results"]) == 2 and first.json()["next"].endswith("page=2")
    second = client_for(admin).patch(first.json()["next"], {}, format="json").json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert second["previous"] is not None


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "", "reason": "x"}, "name"),
        ({"name": 3, "reason": "x"}, "name"),
        ({"description": "x" * 5001, "reason": "x"}, "description"),
        ({"description": ["New"], "reason": "x"}, "description"),
        ({"description": "New"}, "reason"),
        ({"description": "New", "reason": "x" * 101}, "reason"),
    ],
)
def test_bad_input_is_a_400_per_field(admin, corpus, users, body, field):
    before = state()
    response = client_for(admin).patch(corpus_url(corpus), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert state() == before


def test_a_member_gets_403_and_an_outsider_404(owner, corpus, users):
    before = state()
    body = {"description": "New", "reason": "x"}
    assert client_for(owner).patch(corpus_url(corpus), body, format="json").status_code == 403
    dry_run = client_for(owner).patch(corpus_url(corpus, "?dry_run=1"), body, format="json")
    assert dry_run.status_code == 403
    outsider = factories.UserFactory(username="outsider")
    response = client_for(outsider).patch(corpus_url(corpus), body, format="json")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert state() == before


def test_the_schema_describes_the_corpus_change(admin):
    schema = client_for(admin).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v2/corpora/{corpus_id}"]["patch"]
    parameters = {p["name"] for p in operation["parameters"]}
    assert {"corpus_id", "dry_run", "page"} <= parameters
    assert "CorpusUpdate" in str(operation["requestBody"])
    answers = schema["components"]["schemas"]["CorpusChangeAnswer"]["oneOf"]
    assert [a["$ref"].rsplit("/", 1)[1] for a in answers] == [
        "CorpusChange",
        "CorpusChangePreview",
    ]
