"""Paging an agent's publish history at the same cost for the first and the last page.

An agent's records are numbered 1..N without gaps (``sequence``: unique per agent, written
under the agent's lock, never deleted), so the unfiltered history needs neither COUNT(*)
nor OFFSET: N is the newest sequence and page k is a range of sequences, both read from
the (agent, sequence) index. With OFFSET the database reads and sorts every record before
the page (2.8x slower on the last of 10,000; docs/performance.md).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator

from ejento_staging.pagination import StrictPageNumberPagination


class SequencePaginator(Paginator):
    """A Django paginator over ``publish_records(agent=...)`` with no filters applied."""

    @cached_property
    def count(self) -> int:
        newest = self.object_list.order_by("-sequence").values_list("sequence", flat=True).first()
        return newest or 0

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        top = self.count - (number - 1) * self.per_page
        rows = list(self.object_list.filter(sequence__lte=top, sequence__gt=top - self.per_page))
        return self._get_page(rows, number, self)


class SequencePagination(StrictPageNumberPagination):
    django_paginator_class = SequencePaginator
