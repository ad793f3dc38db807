"""Bytes stored per publish record of the large agent when one instruction changed, and what
storing snapshot pieces once (content-addressed) would save."""

from __future__ import annotations

from typing import Any

from bench.database import Data
from bench.report import Report

# Items per content-addressed piece: small enough that one changed instruction rewrites
# little, large enough that the manifest of piece hashes stays short.
CHUNK = 32


def storage(report: Report, data: Data) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT pg_column_size(snapshot), octet_length(snapshot::text),
                   pg_column_size(changes), octet_length(changes::text),
                   pg_column_size(r.*)
            FROM publishing_publishrecord r
            WHERE agent_id = %s AND sequence = 2
            """,
            [data.large],
        )
        snap, snap_text, changes, changes_text, row = cursor.fetchone()
        cursor.execute(
            "SELECT pg_total_relation_size('publishing_publishrecord'), count(*) "
            "FROM publishing_publishrecord"
        )
        total, count = cursor.fetchone()
    report.info("publish record, large agent, 1 instruction changed", f"{row / 1024:.1f} KiB")
    report.info(
        "  snapshot stored (compressed) / as text",
        f"{snap / 1024:.1f} KiB",
        f"{snap_text / 1024:.1f} KiB as text",
    )
    report.info("  changes stored / as text", f"{changes} B", f"{changes_text} B as text")
    report.info("  snapshot share of the record", f"{snap / row * 100:.0f} %")
    report.info(
        "publish record table, all records",
        f"{total / 1024 / 1024:.1f} MiB",
        f"{count} records",
    )
    new_bytes, manifest_bytes, pieces = dedup_estimate(data)
    report.info(
        "  proposed content-addressed dedup: new bytes per publish",
        f"{(new_bytes + manifest_bytes) / 1024:.1f} KiB",
        f"{pieces} pieces; manifest {manifest_bytes} B",
    )
    report.figures["dedup_estimate"] = {"new_bytes": new_bytes, "manifest_bytes": manifest_bytes}
    report.figures["bytes_per_publish_large"] = {
        "row": row,
        "snapshot": snap,
        "snapshot_text": snap_text,
        "changes": changes,
        "changes_text": changes_text,
    }


def pieces_of(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot cut into content-addressed pieces: settings, then runs of CHUNK items."""
    import hashlib

    from configuration.snapshot import canonical_json

    ks = snapshot["knowledge_sources"]
    pieces: list[Any] = [snapshot["settings"], ks["sharepoint"]]
    lists = (snapshot["instructions"], ks["corpora"], snapshot["tools"], snapshot["guardrails"])
    for items in lists:
        pieces += [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
    return {hashlib.sha256(canonical_json(p).encode()).hexdigest(): p for p in pieces}


def dedup_estimate(data: Data) -> tuple[int, int, int]:
    """What a publish of one changed instruction would add if pieces were stored once."""
    from django.db import connection

    from configuration.snapshot import canonical_json
    from publishing.models import PublishRecord

    first, second = (
        PublishRecord.objects.filter(agent_id=data.large, sequence=n).get().snapshot for n in (1, 2)
    )
    before, after = pieces_of(first), pieces_of(second)
    new = [after[h] for h in after.keys() - before.keys()]
    manifest = list(after)
    # Sized by PostgreSQL itself, so the estimate counts the same TOAST compression as the
    # stored snapshot it is compared with.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_blob (data jsonb)")
        for piece in [*new, manifest]:
            cursor.execute("INSERT INTO bench_blob VALUES (%s::jsonb)", [canonical_json(piece)])
        cursor.execute("SELECT pg_column_size(data) FROM bench_blob")
        sizes = [row[0] for row in cursor.fetchall()]
        cursor.execute("DROP TABLE bench_blob")
    return sum(sizes[:-1]), sizes[-1], len(after)
