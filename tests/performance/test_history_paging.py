"""A long publish history: the last page costs what the first costs, and uses the index.

(The time of each page at 10,000 records is measured by ``bench/run.py``; here, the query
count and the plan, which do not depend on the machine.)
"""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from rest_framework.test import APIClient

from bench.data import SMALL, build_agent, bulk_publish_records
from publishing import selectors
from publishing.models import PublishRecord
from tests import factories

pytestmark = [pytest.mark.urls("tests.performance.urls"), pytest.mark.django_db]

RECORDS = 300
PAGE_SIZE = 25
PAGE_QUERIES = 2  # COUNT(*) and the page


@pytest.fixture
def long_history(project, owner):
    agent = build_agent(project=project, user=owner, size=SMALL, name="Busy")
    bulk_publish_records(agent=agent, user=owner, count=RECORDS)
    # Another agent's records share the table, as in production.
    other = build_agent(project=project, user=owner, size=SMALL, name="Other")
    bulk_publish_records(agent=other, user=owner, count=50)
    return agent


def test_bulk_history_is_a_valid_chain(long_history):
    from publishing.integrity import verify_chain

    records = list(PublishRecord.objects.filter(agent=long_history).order_by("sequence"))

    assert len(records) == RECORDS
    assert verify_chain(records) is None


def test_first_and_last_page_cost_the_same_queries(long_history, django_assert_max_num_queries):
    paginator = Paginator(selectors.publish_records(agent=long_history), PAGE_SIZE)
    counts = {}
    for number in (1, paginator.num_pages):
        paginator = Paginator(selectors.publish_records(agent=long_history), PAGE_SIZE)
        with django_assert_max_num_queries(PAGE_QUERIES) as captured:
            page = paginator.page(number)
            rows = [(r.sequence, r.previous, r.restored_from) for r in page.object_list]
        counts[number] = len(captured)
        assert rows
    assert counts[1] == counts[paginator.num_pages]
    assert rows[-1][0] == 1  # the last page ends with the first publish


def test_api_first_and_last_page_cost_the_same_queries(long_history, owner, same_bound_pages):
    token = factories.api_token(owner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    base = f"/api/v2/agents/{long_history.pk}/publishes"
    last = -(-RECORDS // PAGE_SIZE)

    counts = same_bound_pages(client, [f"{base}?page=1", f"{base}?page={last}"])

    assert len(set(counts.values())) == 1, counts


@pytest.fixture
def same_bound_pages(django_assert_max_num_queries):
    from django.urls import Resolver404, resolve

    def run(client, paths):
        try:
            resolve(paths[0].split("?")[0])
        except Resolver404:
            pytest.skip("the publishes endpoint is not routed yet")
        counts = {}
        for path in paths:
            with django_assert_max_num_queries(6) as captured:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            assert response.json()["results"]
            counts[path] = len(captured)
        return counts

    return run


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_first_page_reads_the_agent_sequence_index_without_sorting(long_history):
    if connection.vendor != "postgresql":
        pytest.skip("the plan checked is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {PublishRecord._meta.db_table}")

    plan = explain(selectors.publish_records(agent=long_history)[:PAGE_SIZE])

    assert "publish_agent_seq" in plan or "unique_publish_sequence" in plan, plan
    assert "Sort" not in plan, plan
