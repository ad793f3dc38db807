"""Edges of rollback bookkeeping: no-op restores, and records of another agent."""

import pytest

from agents import services
from agents.models import Agent, StagingConfiguration
from publishing.models import PublishRecord
from publishing.services import publish_agent, rollback_agent
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_restore_that_changes_nothing_is_not_named_by_the_next_publish(agent, owner):
    first = publish_agent(agent=agent, user=owner)
    revision = StagingConfiguration.objects.get(agent=agent).revision
    rollback_agent(agent=agent, user=owner, record=first, mode="restore")  # Staging == #1
    assert StagingConfiguration.objects.get(agent=agent).revision == revision
    assert Agent.objects.get(pk=agent.pk).pending_restored_from is None
    services.set_tags(agent=agent, acting_user=owner, tags=["later"])
    assert publish_agent(agent=agent, user=owner).restored_from is None


def test_a_restore_that_changes_staging_is_named_by_the_next_publish(agent, owner):
    first = publish_agent(agent=agent, user=owner)
    services.set_tags(agent=agent, acting_user=owner, tags=["later"])
    publish_agent(agent=agent, user=owner)
    rollback_agent(agent=agent, user=owner, record=first, mode="restore")
    assert Agent.objects.get(pk=agent.pk).pending_restored_from == first.change_track_id
    assert publish_agent(agent=agent, user=owner).restored_from == first


def test_a_record_of_another_agent_is_refused_by_the_service(agent, owner, project):
    other = factories.AgentFactory(project=project, user=owner)
    foreign = publish_agent(agent=other, user=owner)
    with pytest.raises(PublishRecord.DoesNotExist):
        rollback_agent(agent=agent, user=owner, record=foreign)
