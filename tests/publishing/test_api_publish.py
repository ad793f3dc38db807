"""POST publish: 201 with the record, 409 refusals with their bodies, 400 for bad input."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from agents import services
from publishing.live import cache as live
from publishing.models import ProductionConfiguration, PublishRecord
from publishing.selectors import review_staging
from publishing.services import publish_agent
from tests.publishing.conftest import (
    PUBLISH_ROW_FIELDS,
    assert_invariants,
    client_as,
    production_of,
    staging_of,
)


def publish_url(agent) -> str:
    return f"/api/v2/agents/{agent.pk}/publish"


def nothing_written(agent, records: int = 0) -> bool:
    return PublishRecord.objects.filter(agent=agent).count() == records


def test_publish_answers_201_with_the_whole_record(agent, owner, publisher):
    services.add_instruction(agent=agent, acting_user=owner, title="Greet", content="Hello")
    staging = staging_of(agent)

    response = client_as(publisher).post(publish_url(agent), {"notes": "Launch"}, format="json")

    assert response.status_code == 201
    data = response.json()
    assert set(data) == PUBLISH_ROW_FIELDS | {"changes", "snapshot", "gate", "contributors"}
    record = PublishRecord.objects.get(agent=agent)
    assert data["change_track_id"] == str(record.change_track_id)
    assert data["sequence"] == 1
    assert data["published_by"] == {"id": publisher.pk, "username": "publisher"}
    assert data["notes"] == "Launch"
    assert data["summary"] == record.summary
    assert data["counts"] == record.counts
    assert data["changes"] == record.changes
    assert data["snapshot"] == staging == production_of(agent)
    assert data["previous_change_track_id"] is None
    assert data["restored_from"] is None
    assert data["restored_mode"] is None
    assert_invariants(agent)


def test_second_publish_names_the_previous_one(agent, owner, publisher):
    first = publish_agent(agent=agent, acting_user=owner)
    services.update_agent_settings(agent=agent, acting_user=owner, name="Renamed")

    data = client_as(publisher).post(publish_url(agent), {}, format="json").json()

    assert data["sequence"] == 2
    assert data["previous_change_track_id"] == str(first.change_track_id)
    assert data["summary"] == "Name changed"


def test_publish_with_no_body_at_all(agent, publisher):
    response = client_as(publisher).post(publish_url(agent))
    assert response.status_code == 201
    assert production_of(agent) == staging_of(agent)
    assert response.json()["change_track_id"] == str(
        ProductionConfiguration.objects.get(agent=agent).change_track_id
    )


def test_nothing_to_publish_is_409_with_has_changes_false(agent, owner, publisher):
    publish_agent(agent=agent, acting_user=owner)

    response = client_as(publisher).post(publish_url(agent), {}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "has_changes": False,
        "code": "nothing_to_publish",
        "detail": "Staging is identical to Production; there is nothing to publish.",
    }
    assert nothing_written(agent, records=1)


def test_stale_review_is_409_with_the_current_fingerprint(agent, owner, publisher):
    client = client_as(publisher)
    reviewed = client.get(f"/api/v2/agents/{agent.pk}/staging-diff").json()["fingerprint"]
    services.update_agent_settings(agent=agent, acting_user=owner, name="Changed meanwhile")

    response = client.post(publish_url(agent), {"expected_fingerprint": reviewed}, format="json")

    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "stale_review"
    assert data["has_changes"] is True
    assert data["fingerprint"] == review_staging(agent).fingerprint != reviewed
    assert data["detail"]
    assert nothing_written(agent)
    assert not ProductionConfiguration.objects.filter(agent_id=agent.pk).exists()


def test_publish_with_the_reviewed_fingerprint_goes_through(agent, owner, publisher):
    client = client_as(publisher)
    review = client.get(f"/api/v2/agents/{agent.pk}/staging-diff").json()

    response = client.post(
        publish_url(agent), {"expected_fingerprint": review["fingerprint"]}, format="json"
    )

    assert response.status_code == 201
    # The staging-diff's entries also name their authors; the record keeps those apart.
    reviewed = [{k: v for k, v in c.items() if k != "authors"} for c in review["changes"]]
    assert response.json()["changes"] == reviewed


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"notes": 5}, "notes"),
        ({"notes": ["a"]}, "notes"),
        ({"notes": "x" * 5001}, "notes"),
        ({"notes": "a\x00b"}, "notes"),
        ({"expected_fingerprint": "abc"}, "expected_fingerprint"),
        ({"expected_fingerprint": "G" * 64}, "expected_fingerprint"),
        ({"expected_fingerprint": 12}, "expected_fingerprint"),
        ({"expected_fingerprint": "a" * 65}, "expected_fingerprint"),
    ],
    ids=[
        "notes-number",
        "notes-list",
        "notes-too-long",
        "notes-nul",
        "fingerprint-short",
        "fingerprint-not-hex",
        "fingerprint-number",
        "fingerprint-long",
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(agent, publisher, payload, field):
    response = client_as(publisher).post(publish_url(agent), payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert nothing_written(agent)


@pytest.mark.parametrize("payload", ["[]", '"text"', "3", "null", "true"])
def test_a_body_that_is_not_an_object_is_400(agent, publisher, payload):
    response = client_as(publisher).post(
        publish_url(agent), payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert nothing_written(agent)


def test_malformed_json_is_400(agent, publisher):
    response = client_as(publisher).post(
        publish_url(agent), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert nothing_written(agent)


@pytest.mark.parametrize("blank", ["", None])
def test_blank_fingerprint_publishes_whatever_staging_is(agent, publisher, blank):
    response = client_as(publisher).post(
        publish_url(agent), {"expected_fingerprint": blank}, format="json"
    )
    assert response.status_code == 201
    assert production_of(agent) == staging_of(agent)
    assert nothing_written(agent, records=1)


def test_notes_are_trimmed(agent, publisher):
    data = client_as(publisher).post(publish_url(agent), {"notes": "  why \n"}, format="json")
    assert data.json()["notes"] == "why"


def test_unknown_fields_are_ignored(agent, publisher):
    response = client_as(publisher).post(publish_url(agent), {"sequence": 99}, format="json")
    assert response.status_code == 201
    assert response.json()["sequence"] == 1


def test_publish_drops_the_live_cache(agent, publisher, django_capture_on_commit_callbacks):
    cache.set(live.cache_key(agent.pk), {"body": "old"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(publisher).post(publish_url(agent), {}, format="json")
    assert response.status_code == 201
    assert cache.get(live.cache_key(agent.pk)) is None


def test_production_moves_only_on_publish(agent, owner, publisher, catalogue):
    client = client_as(publisher)
    client.post(publish_url(agent), {}, format="json")
    live_config = production_of(agent)
    first = PublishRecord.objects.get(agent=agent)

    services.enable_tool(agent=agent, acting_user=owner, tool_id=catalogue["tools"][0].pk)
    client.get(f"/api/v2/agents/{agent.pk}/staging-diff")
    assert production_of(agent) == live_config
    client.post(publish_url(agent), {}, format="json")
    second_config = production_of(agent)
    assert second_config != live_config
    client.put(
        f"/api/v2/agents/{agent.pk}/rollback",
        {"change_track_id": str(first.change_track_id)},
        format="json",
    )
    assert production_of(agent) == second_config
    client.post(publish_url(agent), {}, format="json")
    assert production_of(agent) == live_config
    assert_invariants(agent)
