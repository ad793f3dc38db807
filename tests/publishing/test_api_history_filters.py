"""GET history: each checkpoint's publish, and the filters by person and by date."""

from __future__ import annotations

from datetime import timedelta

from drf_spectacular.generators import SchemaGenerator

from agents import services
from agents.models import StagingConfiguration
from publishing.models import ProductionConfiguration
from publishing.services import publish_agent
from tests.publishing.conftest import client_as

URL = "/api/v2/agents/{}/history"


def rows(agent, user, query=""):
    response = client_as(user).get(URL.format(agent.pk) + query)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_the_published_checkpoint_carries_its_publish(agent, owner, editor):
    services.add_instruction(agent=agent, acting_user=editor, title="Greet", content="Hi")
    first = publish_agent(agent=agent, acting_user=owner)
    services.set_tags(agent=agent, acting_user=editor, tags=["a"])
    services.set_tags(agent=agent, acting_user=editor, tags=["b"])
    second = publish_agent(agent=agent, acting_user=owner)
    services.set_tags(agent=agent, acting_user=editor, tags=["c"])

    marks = {row["revision"]: row["published"] for row in rows(agent, editor)}
    assert marks == {
        5: None,
        4: {"change_track_id": str(second.change_track_id), "sequence": 2},
        3: None,
        2: {"change_track_id": str(first.change_track_id), "sequence": 1},
        1: None,
    }
    # The same checkpoint the live configuration says it took live.
    assert ProductionConfiguration.objects.get(agent=agent).staging_revision == 4


def test_a_checkpoint_detail_carries_its_publish(agent, owner, editor):
    services.add_instruction(agent=agent, acting_user=editor, title="Greet", content="Hi")
    record = publish_agent(agent=agent, acting_user=owner)
    newest = rows(agent, editor)[0]
    detail = client_as(editor).get(URL.format(agent.pk) + f"/{newest['history_id']}").json()
    assert detail["published"] == {"change_track_id": str(record.change_track_id), "sequence": 1}


def test_a_checkpoint_whose_fingerprint_matches_no_publish_is_not_marked(agent, owner, editor):
    services.add_instruction(agent=agent, acting_user=editor, title="Greet", content="Hi")
    publish_agent(agent=agent, acting_user=owner)
    # A history row from before fingerprints were kept: what it published cannot be known.
    StagingConfiguration.history.filter(agent_id=agent.pk, revision=2).update(fingerprint="")
    assert all(row["published"] is None for row in rows(agent, editor))


def test_history_filters_by_person(agent, owner, editor):
    services.set_tags(agent=agent, acting_user=editor, tags=["a"])
    services.set_tags(agent=agent, acting_user=owner, tags=["b"])
    assert [r["revision"] for r in rows(agent, editor, f"?changed_by={editor.pk}")] == [2]
    assert [r["revision"] for r in rows(agent, editor, f"?changed_by={owner.pk}")] == [3, 1]


def test_history_filters_by_date_range(agent, editor):
    services.set_tags(agent=agent, acting_user=editor, tags=["a"])
    services.set_tags(agent=agent, acting_user=editor, tags=["b"])
    history = StagingConfiguration.history.filter(agent_id=agent.pk)
    base = history.get(revision=3).history_date
    history.filter(revision=1).update(history_date=base - timedelta(days=10))
    history.filter(revision=2).update(history_date=base - timedelta(days=5))
    day = (base - timedelta(days=5)).date().isoformat()
    assert [r["revision"] for r in rows(agent, editor, f"?changed_after={day}")] == [3, 2]
    assert [r["revision"] for r in rows(agent, editor, f"?changed_before={day}")] == [2, 1]
    both = f"?changed_after={day}&changed_before={day}"
    assert [r["revision"] for r in rows(agent, editor, both)] == [2]


def test_a_bad_date_or_person_is_a_400_naming_the_parameter(agent, editor):
    for query, field in (
        ("?changed_after=yesterday", "changed_after"),
        ("?changed_before=2024-13-01", "changed_before"),
        ("?changed_by=me", "changed_by"),
    ):
        response = client_as(editor).get(URL.format(agent.pk) + query)
        assert response.status_code == 400
        assert field in response.json()


def test_the_schema_documents_the_history_filters_and_the_publish():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v2/agents/{agent_id}/history"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert {"changed_by", "changed_after", "changed_before", "page"} <= set(parameters)
    assert parameters["changed_before"]["schema"] == {
        "oneOf": [
            {"type": "string", "format": "date"},
            {"type": "string", "format": "date-time"},
        ]
    }
    checkpoint = schema["components"]["schemas"]["Checkpoint"]["properties"]
    assert "published" in checkpoint
