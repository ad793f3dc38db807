"""The publishing services check the acting user's role themselves, whoever calls them.

Publish, rollback, discard and checkpoint restore each need ``publisher``; called directly
(no view in front), a weaker role is refused with ``PermissionDenied`` and someone who may
not see the agent with ``Agent.DoesNotExist``, and nothing is written either way.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from agents import services as agent_services
from agents.models import Agent
from publishing import services
from publishing.selectors import edit_history
from tests import factories
from tests.publishing.conftest import grant, production_of, records_of, staging_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_with_edit(agent, owner):
    """Published once, then edited: every one of the four operations has work to do."""
    first = services.publish_agent(agent=agent, acting_user=owner)
    agent_services.update_agent_settings(agent=agent, acting_user=owner, name="Edited since")
    return first


OPERATIONS = {
    "publish": lambda agent, user, record: services.publish_agent(agent=agent, acting_user=user),
    "rollback": lambda agent, user, record: services.rollback_agent(
        agent=agent, acting_user=user, record=record
    ),
    "discard": lambda agent, user, record: services.discard_staging(agent=agent, acting_user=user),
    "checkpoint restore": lambda agent, user, record: services.restore_checkpoint(
        agent=agent, acting_user=user, history_id=edit_history(agent).last().history_id
    ),
}


def _state(agent) -> tuple:
    return staging_of(agent), production_of(agent), records_of(agent)


def _fresh(agent) -> Agent:
    """The agent as a background task would load it: no role known for anyone yet."""
    return Agent.objects.get(pk=agent.pk)


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_a_role_weaker_than_publisher_is_refused(agent, published_with_edit, operation, role):
    weak = factories.UserFactory(username=role)
    grant(agent, weak, role)
    before = _state(agent)
    with pytest.raises(PermissionDenied, match="publisher role"):
        OPERATIONS[operation](_fresh(agent), weak, published_with_edit)
    assert _state(agent) == before


@pytest.mark.parametrize("operation", OPERATIONS)
def test_someone_who_may_not_see_the_agent_is_told_it_does_not_exist(
    agent, published_with_edit, stranger, operation
):
    before = _state(agent)
    for outsider in (stranger, AnonymousUser()):
        with pytest.raises(Agent.DoesNotExist):
            OPERATIONS[operation](_fresh(agent), outsider, published_with_edit)
    assert _state(agent) == before


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_publisher_called_directly_may(agent, published_with_edit, publisher, operation):
    OPERATIONS[operation](_fresh(agent), publisher, published_with_edit)
