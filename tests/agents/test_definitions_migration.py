"""The migration that records effective definitions: stored history stays valid.

An agent published before definitions were recorded keeps its Production and its publish
records exactly as stored (the hash chain verifies); its Staging fingerprint is recomputed,
so it honestly shows unpublished changes, and its next publish records the definitions as
the one-time change it is.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from agents import snapshot as agents_snapshot
from agents.models import Guardrail, StagingConfiguration
from agents.services import set_guardrail
from publishing.integrity import verify_chain
from publishing.models import ProductionConfiguration, PublishRecord
from publishing.selectors import review_staging
from publishing.services import publish_agent
from tests import factories

pytestmark = pytest.mark.django_db

migration = importlib.import_module("agents.migrations.0009_record_definitions")


def without_definitions(build):
    def legacy(**rows):
        snapshot = build(**rows)
        for item in (
            *snapshot["knowledge_sources"]["corpora"],
            *snapshot["guardrails"],
            *snapshot["tools"],
            *[a for t in snapshot["tools"] for a in t["actions"]],
        ):
            item.pop("definition", None)
        return snapshot

    return legacy


def test_old_records_verify_and_the_next_publish_records_definitions(
    agent, owner, organization, monkeypatch
):
    guardrail = factories.GuardrailFactory(organization=organization, name="PII filter")
    with monkeypatch.context() as legacy:
        legacy.setattr(
            agents_snapshot, "build_snapshot", without_definitions(agents_snapshot.build_snapshot)
        )
        set_guardrail(agent=agent, acting_user=owner, guardrail_id=guardrail.pk, enabled=True)
        publish_agent(agent=agent, acting_user=owner, notes="Before definitions")
    Guardrail.history.all().delete()
    production = ProductionConfiguration.objects.values().get(agent_id=agent.pk)
    assert "definition" not in production["snapshot"]["guardrails"][0]
    stored = StagingConfiguration.objects.get(agent_id=agent.pk)
    assert stored.fingerprint == production["fingerprint"]  # "no unpublished changes"
    revision = stored.revision

    migration.record_definitions(apps, None)

    assert ProductionConfiguration.objects.values().get(agent_id=agent.pk) == production
    records = PublishRecord.objects.filter(agent_id=agent.pk).order_by("sequence")
    assert verify_chain(records.select_related("published_by")) is None
    staging = StagingConfiguration.objects.get(agent_id=agent.pk)
    assert staging.revision == revision + 1
    assert staging.fingerprint != production["fingerprint"]
    checkpoint = StagingConfiguration.history.filter(agent_id=agent.pk).first()
    assert checkpoint.history_change_reason == migration.REASON
    assert Guardrail.history.filter(id=guardrail.pk).count() == 1
    review = review_staging(agent)
    assert review.diff.summary == "Definitions now recorded with the configuration"
    assert [c.label for c in review.diff.changes] == [
        "Guardrail \u201cPII filter\u201d: definition now recorded with the configuration"
    ]

    record = publish_agent(agent=agent, acting_user=owner, notes="With definitions")
    assert record.summary == "Definitions now recorded with the configuration"
    assert verify_chain(records.select_related("published_by")) is None
    assert (
        "definition"
        in ProductionConfiguration.objects.get(agent_id=agent.pk).snapshot["guardrails"][0]
    )
