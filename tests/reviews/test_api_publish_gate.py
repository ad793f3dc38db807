"""Publishing under a publish policy, through the API: the 409s that say what is missing,
the publish once it is there, an owner's break glass, and what the records keep.

Publishing answers are held to the schema by ``client_as`` (publishing API); reviews-API
answers by ``checked``.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents import services as agent_services
from configuration.checks import run_builtin_checks
from publishing import selectors as publishing_selectors
from publishing.models import ProductionConfiguration, PublishRecord
from publishing.services import publish_agent
from reviews import services
from reviews.models import ReviewRequest
from reviews.selectors import review_state
from tests import factories
from tests.publishing.conftest import (
    assert_invariants,
    client_as,
    grant,
    staging_of,
)
from tests.reviews.api_client import assert_refused_naming, checked


def publish(user, agent, **body):
    return client_as(user).post(f"/api/v2/agents/{agent.pk}/publish", body, format="json")


def current(agent) -> str:
    return review_state(agent).fingerprint


def nothing_published(agent) -> bool:
    return (
        not PublishRecord.objects.filter(agent_id=agent.pk).exists()
        and not ProductionConfiguration.objects.filter(agent_id=agent.pk).exists()
    )


def set_policy(agent, owner, **values):
    services.set_policy(agent=agent, acting_user=owner, values=values)


@pytest.fixture
def second_publisher(agent):
    user = factories.UserFactory(username="publisher2")
    grant(agent, user, "publisher")
    return user


def test_without_a_policy_publishing_is_as_before(agent, publisher):
    response = publish(publisher, agent, notes="Launch")

    assert response.status_code == 201
    record = PublishRecord.objects.get(agent_id=agent.pk)
    assert (record.gate, record.broke_glass) == ({}, False)
    assert (response.json()["gate"], response.json()["broke_glass"]) == ({}, False)
    assert_invariants(agent)


def test_approvals_required_then_given_by_two_non_authors(
    agent,
    owner,
    editor,
    publisher,
    second_publisher,
):
    set_policy(agent, owner, required_approvals=2)
    agent_services.update_agent_settings(agent=agent, acting_user=editor, name="Renamed")
    fingerprint = current(agent)

    refused = publish(publisher, agent)

    assert refused.status_code == 409
    assert refused.json() == {
        "has_changes": True,
        "code": "approval_required",
        "detail": "2 approvals needed, 0 given on this state.",
        "fingerprint": fingerprint,
        "blockers": ["2 approvals needed, 0 given on this state."],
        "required_approvals": 2,
        "approvals": [],
        "checks": [],
    }
    assert nothing_published(agent)

    url = f"/api/v2/agents/{agent.pk}/verdicts"
    body = {"verdict": "approved", "expected_fingerprint": fingerprint}
    assert checked(publisher).post(url, body, format="json").status_code == 201
    one_short = publish(publisher, agent).json()
    assert one_short["code"] == "approval_required"
    assert [(a["reviewer"]["username"], a["counted"]) for a in one_short["approvals"]] == [
        ("publisher", True)
    ]
    assert nothing_published(agent)

    assert checked(second_publisher).post(url, body, format="json").status_code == 201

    response = publish(publisher, agent, expected_fingerprint=fingerprint)

    assert response.status_code == 201, response.content
    record = PublishRecord.objects.get(agent_id=agent.pk)
    assert record.broke_glass is False
    assert record.gate["met"] is True
    assert record.gate["fingerprint"] == fingerprint
    assert sorted((a["reviewer"]["username"], a["counted"]) for a in record.gate["approvals"]) == [
        ("publisher", True),
        ("publisher2", True),
    ]
    assert record.gate["break_glass"] is None
    assert response.json()["gate"] == record.gate
    assert_invariants(agent)


def test_a_failing_required_check_is_409_naming_it_until_it_passes(
    agent,
    owner,
    editor,
    publisher,
):
    set_policy(agent, owner, required_checks=["regression-eval"])
    reporter = checked(editor)
    url = f"/api/v2/agents/{agent.pk}/checks"
    result = {"fingerprint": current(agent), "name": "regression-eval"}
    assert reporter.post(url, {**result, "state": "success"}, format="json").status_code == 201
    assert reporter.post(url, {**result, "state": "failure"}, format="json").status_code == 201

    refused = publish(publisher, agent)

    assert refused.status_code == 409
    data = refused.json()
    assert data["code"] == "checks_not_passed"
    assert data["blockers"] == ["Required check 'regression-eval': failure."]
    assert [(c["name"], c["state"], c["required"]) for c in data["checks"]] == [
        ("regression-eval", "failure", True)
    ]
    assert nothing_published(agent)

    reporter.post(url, {**result, "state": "success"}, format="json")
    assert publish(publisher, agent).status_code == 201
    assert PublishRecord.objects.get().gate["checks"] == [
        {"name": "regression-eval", "state": "success", "required": True, "target_url": ""}
    ]


def test_a_blocking_builtin_check_is_listed_in_the_refusal(agent, owner, publisher):
    set_policy(agent, owner, blocking_builtin_checks=["instructions"])

    refused = publish(publisher, agent)

    assert refused.status_code == 409
    data = refused.json()
    assert data["code"] == "checks_not_passed"
    [builtin] = data["checks"]
    assert (builtin["name"], builtin["passed"], builtin["blocking"]) == (
        "instructions",
        False,
        True,
    )
    assert nothing_published(agent)


def test_an_owner_breaks_glass_and_the_record_says_why(agent, owner, editor):
    set_policy(agent, owner, required_approvals=1)
    asked = services.request_review(agent=agent, acting_user=editor)

    response = publish(owner, agent, break_glass_reason="  Outage: revert the prompt  ")

    assert response.status_code == 201, response.content
    record = PublishRecord.objects.get(agent_id=agent.pk)
    assert record.broke_glass is True
    assert record.gate["met"] is False
    assert record.gate["break_glass"] == {
        "reason": "Outage: revert the prompt",
        "blockers": ["1 approval needed, 0 given on this state."],
    }
    data = response.json()
    assert data["broke_glass"] is True
    assert data["gate"]["break_glass"]["reason"] == "Outage: revert the prompt"
    assert ReviewRequest.objects.get(pk=asked.pk).status == "published"
    assert_invariants(agent)


def test_a_publisher_may_not_break_glass_and_nothing_is_written(
    agent,
    owner,
    editor,
    publisher,
):
    set_policy(agent, owner, required_approvals=1)
    asked = services.request_review(agent=agent, acting_user=editor)

    response = publish(publisher, agent, break_glass_reason="I am sure")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only an owner can publish without meeting the publish policy."
    }
    assert nothing_published(agent)
    assert ReviewRequest.objects.get(pk=asked.pk).status == "open"


def test_a_reason_given_when_the_policy_is_met_is_not_breaking_glass(agent, owner):
    response = publish(owner, agent, break_glass_reason="Just in case")
    assert response.status_code == 201
    record = PublishRecord.objects.get(agent_id=agent.pk)
    assert (record.broke_glass, record.gate) == (False, {})


@pytest.mark.parametrize(
    "reason", [5, ["a"], "x" * 1001, "a\x00b"], ids=["number", "list", "too-long", "nul"]
)
def test_a_bad_break_glass_reason_is_400(agent, owner, reason):
    set_policy(agent, owner, required_approvals=1)
    response = publish(owner, agent, break_glass_reason=reason)
    assert_refused_naming(response, "break_glass_reason")
    assert nothing_published(agent)


# --- the staging-diff and the publish history ------------------------------------------------


def test_the_staging_diff_shows_the_builtin_checks(agent, editor):
    data = client_as(editor).get(f"/api/v2/agents/{agent.pk}/staging-diff").json()
    assert data["builtin_checks"] == [r.as_dict() for r in run_builtin_checks(staging_of(agent))]
    assert data["builtin_checks"][0]["passed"] is False  # no instructions yet


def test_the_builtin_checks_cost_the_staging_diff_no_query(agent, editor, monkeypatch):
    client = client_as(editor)
    url = f"/api/v2/agents/{agent.pk}/staging-diff"
    client.get(url)  # warm what a first request loads once
    with CaptureQueriesContext(connection) as with_checks:
        client.get(url)
    monkeypatch.setattr(publishing_selectors, "run_builtin_checks", lambda snapshot: ())
    with CaptureQueriesContext(connection) as without:
        client.get(url)
    assert len(with_checks) == len(without)


@pytest.fixture
def two_publishes(agent, owner):
    """The agent's first publish broke glass; its second met the policy."""
    set_policy(agent, owner, required_approvals=1)
    broken = publish_agent(agent=agent, acting_user=owner, break_glass_reason="Hotfix")
    set_policy(agent, owner, required_approvals=0)
    agent_services.update_agent_settings(agent=agent, acting_user=owner, name="Second")
    plain = publish_agent(agent=agent, acting_user=owner)
    return broken, plain


def test_the_history_filters_on_broke_glass(agent, editor, two_publishes):
    broken, plain = two_publishes
    client = client_as(editor)
    url = f"/api/v2/agents/{agent.pk}/publishes"

    everything = client.get(url).json()["results"]
    assert [(r["sequence"], r["broke_glass"]) for r in everything] == [(2, False), (1, True)]
    assert "gate" not in everything[0]
    only = client.get(url + "?broke_glass=true").json()["results"]
    assert [r["change_track_id"] for r in only] == [str(broken.change_track_id)]
    others = client.get(url + "?broke_glass=false").json()["results"]
    assert [r["change_track_id"] for r in others] == [str(plain.change_track_id)]


@pytest.mark.parametrize(
    "query",
    ["broke_glass=", "broke_glass=1", "broke_glass=yes", "broke_glass=true&broke_glass=true"],
)
def test_a_bad_broke_glass_filter_is_400(agent, editor, two_publishes, query):
    response = client_as(editor).get(f"/api/v2/agents/{agent.pk}/publishes?{query}")
    assert_refused_naming(response, "broke_glass")


def test_one_publish_shows_its_gate(agent, editor, two_publishes):
    broken, _plain = two_publishes
    data = (
        client_as(editor)
        .get(f"/api/v2/agents/{agent.pk}/publishes/{broken.change_track_id}")
        .json()
    )
    assert data["broke_glass"] is True
    assert data["gate"] == PublishRecord.objects.get(pk=broken.pk).gate
    assert data["gate"]["break_glass"]["reason"] == "Hotfix"


def test_the_history_list_does_not_load_the_gate(agent, two_publishes):
    for row in publishing_selectors.publish_records(agent=agent):
        assert "gate" in row.get_deferred_fields()
        assert "broke_glass" not in row.get_deferred_fields()
