"""The reviews API as its tests call it: a client whose every answer is held to the schema."""

from __future__ import annotations

import pytest

from tests import factories
from tests.publishing.conftest import CheckedClient, client_as


class ReviewsClient(CheckedClient):
    api_package = "reviews.api"


def checked(user) -> ReviewsClient:
    return client_as(user, ReviewsClient)


def assert_refused_naming(response, field: str) -> None:
    """A 400 whose messages name ``field`` and nothing else."""
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]


@pytest.fixture
def other_agent(db):
    """An agent of another organization, with unpublished changes of its own."""
    other_owner = factories.UserFactory(username="other-owner")
    return factories.AgentFactory(user=other_owner, name="Other bot")
