"""The publish history's paging queries at 10,000 records, timed in-process, with their plans.

Timed without HTTP so the query itself shows, next to the alternatives that were weighed
against it (sequence ranges, prefetching instead of self-joins) and the cost of COUNT(*).
"""

from __future__ import annotations

from bench.database import Data
from bench.environment import PAGE_SIZE, last_page
from bench.report import Report, say
from bench.timing import median_ms


def history_queries(report: Report, data: Data, records: int) -> None:
    """The selector's queries at 10,000 records, and the alternatives, timed in-process."""
    # Django models import only after django.setup(), which the entry point calls.
    from django.core.paginator import Paginator
    from django.db import connection

    from agents.models import Agent
    from publishing import selectors
    from publishing.models import PublishRecord

    agent = Agent.objects.get(pk=data.history)
    last = last_page(records)

    def page(number: int) -> None:
        list(Paginator(selectors.publish_records(agent=agent), PAGE_SIZE).page(number))

    def count() -> None:
        selectors.publish_records(agent=agent).count()

    def offset_only(number: int) -> None:
        start = (number - 1) * PAGE_SIZE
        list(selectors.publish_records(agent=agent)[start : start + PAGE_SIZE])

    def sequence_range(number: int) -> None:
        # Sequences run 1..N without gaps per agent, so page k is a range of the index.
        newest = (
            PublishRecord.objects.filter(agent_id=agent.pk)
            .order_by("-sequence")
            .values_list("sequence", flat=True)
            .first()
        )
        top = newest - (number - 1) * PAGE_SIZE
        list(
            selectors.publish_records(agent=agent).filter(
                sequence__lte=top, sequence__gt=top - PAGE_SIZE
            )
        )

    def prefetch_instead_of_join(number: int) -> None:
        start = (number - 1) * PAGE_SIZE
        rows = (
            PublishRecord.objects.filter(agent_id=agent.pk)
            .only(*selectors.LIST_FIELDS)
            .order_by("-sequence")
            .prefetch_related("previous", "restored_from")[start : start + PAGE_SIZE]
        )
        list(rows)

    for name, call in (
        ("selector page (COUNT + page)", page),
        ("page query alone, OFFSET", offset_only),
        ("proposed: sequence range", sequence_range),
        ("proposed: no self-joins (prefetch)", prefetch_instead_of_join),
    ):
        call(1), call(last)
        first = median_ms(lambda c=call: c(1), 30)
        deepest = median_ms(lambda c=call: c(last), 30)
        report.info(
            f"{name}: first / last page",
            f"{deepest / first:.2f}x",
            f"{first:.2f} ms / {deepest:.2f} ms",
        )
    report.info("COUNT(*) of 10,000 records", f"{median_ms(count, 30):.2f} ms")

    def plan(number: int) -> str:
        start = (number - 1) * PAGE_SIZE
        query = selectors.publish_records(agent=agent)[start : start + PAGE_SIZE]
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}", params)
            return "\n".join(r[0] for r in cursor.fetchall())

    report.figures["plan_first_page"] = plan(1)
    report.figures["plan_last_page"] = plan(last)
    say("plan of the first page:\n" + plan(1))
    say("plan of the last page:\n" + plan(last))
