"""The unfiltered publish history pages by sequence range: right rows, same cost per page."""

import pytest

from agents import services
from publishing.pagination import SequencePaginator
from publishing.selectors import publish_records
from publishing.services import publish_agent
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven_publishes(agent, owner):
    for n in range(7):
        services.set_tags(agent=agent, acting_user=owner, tags=[f"v{n}"])
        publish_agent(agent=agent, user=owner)
    return agent


def test_sequence_pages_hold_the_same_rows_as_offset_pages(seven_publishes):
    from django.core.paginator import Paginator

    records = publish_records(agent=seven_publishes)
    by_range, by_offset = SequencePaginator(records, 3), Paginator(records, 3)
    assert by_range.count == by_offset.count == 7
    assert by_range.num_pages == 3
    for number in (1, 2, 3):
        assert [r.sequence for r in by_range.page(number)] == [
            r.sequence for r in by_offset.page(number)
        ]
    assert [r.sequence for r in by_range.page(3)] == [1]


def test_first_and_last_page_cost_the_same_queries(seven_publishes, django_assert_num_queries):
    records = publish_records(agent=seven_publishes)
    with django_assert_num_queries(2):
        list(SequencePaginator(records, 3).page(1))
    with django_assert_num_queries(2):
        list(SequencePaginator(records, 3).page(3))


def test_api_and_page_use_sequence_ranges_only_without_filters(seven_publishes, owner):
    client = client_for(owner)
    url = f"/api/v2/agents/{seven_publishes.pk}/publishes"
    body = client.get(url, {"page": 1}).json()
    assert body["count"] == 7
    assert [r["sequence"] for r in body["results"]] == [7, 6, 5, 4, 3, 2, 1]
    filtered = client.get(url, {"published_by": owner.pk}).json()
    assert filtered["count"] == 7
    assert client.get(url, {"page": 2}).status_code == 404


def test_empty_history_has_no_pages(agent):
    paginator = SequencePaginator(publish_records(agent=agent), 3)
    assert paginator.count == 0
    assert list(paginator.get_page(1)) == []
