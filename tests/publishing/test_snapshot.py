"""The canonical snapshot of Staging and its fingerprint."""

import pytest

from agents import services
from agents.snapshot import staging_snapshot
from configuration.snapshot import empty_snapshot, fingerprint, without_labels
from tests import factories
from tests.configuration.fingerprints import review_fingerprint

pytestmark = pytest.mark.django_db


@pytest.fixture
def configured(agent, owner, project):
    services.add_instruction(agent=agent, acting_user=owner, title="B", content="second")
    services.add_instruction(agent=agent, acting_user=owner, title="A", content="first", position=0)
    corpus = factories.CorpusFactory(project=project, name="Manuals")
    services.connect_corpora(agent=agent, acting_user=owner, corpus_ids=[corpus.pk])
    tool = factories.ToolFactory(organization=project.organization, name="CRM", actions=["a", "b"])
    services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    guardrail = factories.GuardrailFactory(organization=project.organization, name="PII")
    services.set_guardrail(agent=agent, acting_user=owner, guardrail_id=guardrail.pk, enabled=True)
    services.set_tags(agent=agent, acting_user=owner, tags=["zeta", "alpha", "alpha"])
    return {"corpus": corpus, "tool": tool, "guardrail": guardrail}


def test_snapshot_holds_every_part_in_canonical_order(agent, configured):
    snapshot = staging_snapshot(agent)
    assert [i["title"] for i in snapshot["instructions"]] == ["A", "B"]
    assert [i["position"] for i in snapshot["instructions"]] == [0, 1]
    assert snapshot["settings"]["tags"] == ["alpha", "zeta"]
    assert snapshot["knowledge_sources"]["corpora"][0]["name"] == "Manuals"
    assert [a["name"] for a in snapshot["tools"][0]["actions"]] == ["a", "b"]
    assert snapshot["guardrails"][0]["enabled"] is True
    assert snapshot["knowledge_sources"]["sharepoint"] is None


def test_snapshot_costs_six_queries_whatever_the_size(agent, configured, django_assert_num_queries):
    with django_assert_num_queries(6):
        staging_snapshot(agent)


def test_sharepoint_folder_appears_when_set(agent, owner):
    services.set_sharepoint_folder(
        agent=agent,
        acting_user=owner,
        site_url="https://acme.sharepoint.com/sites/kb",
        folder_path="/x",
    )
    assert staging_snapshot(agent)["knowledge_sources"]["sharepoint"] == {
        "site_url": "https://acme.sharepoint.com/sites/kb",
        "folder_path": "/x",
    }


def test_fingerprint_ignores_catalogue_labels(agent, configured):
    before = staging_snapshot(agent)
    configured["tool"].name = "Renamed CRM"
    configured["tool"].save()
    after = staging_snapshot(agent)
    assert after["tools"][0]["name"] == "Renamed CRM"
    assert fingerprint(before) == fingerprint(after)
    assert without_labels(before) == without_labels(after)


def test_fingerprint_changes_with_configuration(agent, owner, configured):
    before = fingerprint(staging_snapshot(agent))
    services.update_agent_settings(agent=agent, acting_user=owner, description="different")
    assert fingerprint(staging_snapshot(agent)) != before


def test_review_fingerprint_moves_when_either_side_moves(agent, configured):
    staging = staging_snapshot(agent)
    production = empty_snapshot(name="x")
    base = review_fingerprint(production, staging)
    assert review_fingerprint(None, staging) != base
    moved = {**production, "settings": {**production["settings"], "name": "y"}}
    assert review_fingerprint(moved, staging) != base
    assert review_fingerprint(production, staging) == base


def test_review_from_stored_fingerprints_equals_the_computed_one(agent, owner, configured):
    from publishing.selectors import review_staging
    from publishing.services import publish_agent

    publish_agent(agent=agent, user=owner)
    services.update_agent_settings(agent=agent, acting_user=owner, description="moved on")
    review = review_staging(agent)
    assert review.fingerprint == review_fingerprint(review.production, review.staging)
