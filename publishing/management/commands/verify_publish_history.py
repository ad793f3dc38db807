"""Check that no publish record was changed or deleted behind the application's back.

Records are append-only (DESIGN invariant 3), but a database administrator, a restored
backup or a stray script could still rewrite one. Each record's hash covers its content and
the previous record's hash, so walking an agent's records in sequence order finds the first
one that no longer fits: a changed field, a missing sequence number or a re-linked chain.

The hash chain alone cannot notice that its *newest* records were deleted, so the newest
record is also held against Production, which names the publish it came from and must equal
its snapshot, fingerprint, date and publisher (DESIGN invariant 2). The fields the hash leaves
out - ``previous_id`` and ``published_by_id`` - are cross-checked (see ``verify_chain``).

Exit status: 0 when every chain checked is intact, 1 when any is broken (so a cron job or a
deploy step can alert on it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from publishing.integrity import BrokenLink, verify_chain
from publishing.models import ProductionConfiguration, PublishRecord

# Records are streamed per agent in pages of this many, so a long history with full
# snapshots never has to fit in memory at once.
CHUNK_SIZE = 100

# Production's copies of the newest record's fields (snapshot and change_track_id first:
# their messages say more than a field name).
PRODUCTION_FIELDS = ("change_track_id", "snapshot", "fingerprint", "published_at")


class _Counting:
    """Passes records through to ``verify_chain`` while remembering the count and the last."""

    def __init__(self, records: Iterator[PublishRecord]) -> None:
        self._records = records
        self.count = 0
        self.last: PublishRecord | None = None

    def __iter__(self) -> Iterator[PublishRecord]:
        for record in self._records:
            self.count += 1
            self.last = record
            yield record

    def close(self) -> None:
        # verify_chain stops at the first break; closing the generator closes the
        # server-side cursor behind ``iterator()`` now rather than whenever it is collected
        # (on PostgreSQL a late close can land in another transaction and abort it).
        close = getattr(self._records, "close", None)
        if close is not None:
            close()


def check_production(agent_id: int, newest: PublishRecord | None) -> BrokenLink | None:
    """Production must come from, and equal, the newest record (or not exist without one)."""
    production = (
        ProductionConfiguration.objects.filter(agent_id=agent_id)
        .values(*PRODUCTION_FIELDS, "published_by_id")
        .first()
    )
    if newest is None:
        if production is None:
            return None
        return BrokenLink(
            agent_id,
            0,
            str(production["change_track_id"]),
            "Production exists but the agent has no publish record",
        )
    where = (agent_id, newest.sequence, str(newest.change_track_id))
    if production is None:
        return BrokenLink(*where, "the newest record has no Production")
    if production["change_track_id"] != newest.change_track_id:
        return BrokenLink(
            *where,
            f"Production comes from {production['change_track_id']}, not from the newest "
            "record (later records missing?)",
        )
    if production["snapshot"] != newest.snapshot:
        return BrokenLink(*where, "Production differs from the newest record's snapshot")
    # Every other field Production carries is a copy of the newest record's (publish_agent
    # writes both in one transaction); the live read serves them, so they are held too.
    for field in PRODUCTION_FIELDS:
        if production[field] != getattr(newest, field):
            return BrokenLink(*where, f"Production's {field} differs from the newest record's")
    if production["published_by_id"] != newest.published_by_id:
        return BrokenLink(*where, "Production's published_by differs from the newest record's")
    return None


class Command(BaseCommand):
    help = (
        "Verify the hash chain of every agent's publish records (or one agent's) and report "
        "the first broken link. Exits non-zero when a chain is broken."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--agent", type=int, help="Check only this agent's records.")

    def handle(self, *args: Any, agent: int | None = None, **options: Any) -> None:
        with_records = PublishRecord.objects.values_list("agent_id", flat=True)
        with_production = ProductionConfiguration.objects.values_list("agent_id", flat=True)
        if agent is not None:
            with_records = with_records.filter(agent_id=agent)
            with_production = with_production.filter(agent_id=agent)
        agent_ids = sorted(set(with_records.distinct()) | set(with_production))
        records_checked = 0
        broken: list[BrokenLink] = []
        for agent_id in agent_ids:
            records = _Counting(
                PublishRecord.objects.filter(agent_id=agent_id)
                .select_related("published_by")
                .order_by("sequence")
                .iterator(chunk_size=CHUNK_SIZE)
            )
            try:
                link = verify_chain(records)
            finally:
                records.close()
            records_checked += records.count
            if link is None:
                # verify_chain stopped early only when it found a break; otherwise it saw
                # every record and ``last`` is the newest.
                link = check_production(agent_id, records.last)
            if link is not None:
                broken.append(link)
                self.stderr.write(
                    f"BROKEN agent={link.agent_id} sequence={link.sequence} "
                    f"change_track_id={link.change_track_id}: {link.reason}"
                )
        summary = (
            f"{len(agent_ids)} agent(s) checked, {records_checked} record(s) checked, "
            f"{len(broken)} broken chain(s)."
        )
        if broken:
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(f"OK: {summary}"))
