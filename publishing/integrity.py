"""Tamper evidence for the publish history: each record's hash covers its content and the
previous record's hash, so changing or deleting any record breaks every link after it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from publishing.snapshot import canonical_json


def record_content(record: Any) -> dict[str, Any]:
    # The publisher is covered by username, not by the foreign key: deleting a user sets
    # the key to NULL, and that must not look like tampering.
    return {
        "agent_id": record.agent_id,
        "sequence": record.sequence,
        "change_track_id": str(record.change_track_id),
        "published_by_username": record.published_by_username,
        "published_at": record.published_at.isoformat(),
        "notes": record.notes,
        "summary": record.summary,
        "counts": record.counts,
        "changes": record.changes,
        "snapshot": record.snapshot,
        "fingerprint": record.fingerprint,
        "restored_from_id": record.restored_from_id,
        "restored_mode": record.restored_mode,
        "previous_hash": record.previous_hash,
    }


def compute_record_hash(record: Any) -> str:
    return hashlib.sha256(canonical_json(record_content(record)).encode()).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    agent_id: int
    sequence: int
    change_track_id: str
    reason: str


def verify_chain(records: list[Any]) -> BrokenLink | None:
    """The first broken link in one agent's records (in sequence order), or None."""
    previous_hash = ""
    expected_sequence = 1
    for record in records:
        where = (record.agent_id, record.sequence, str(record.change_track_id))
        if record.sequence != expected_sequence:
            return BrokenLink(*where, f"sequence {expected_sequence} is missing")
        if record.previous_hash != previous_hash:
            return BrokenLink(*where, "previous_hash does not match the record before it")
        if compute_record_hash(record) != record.record_hash:
            return BrokenLink(*where, "content does not match its hash")
        previous_hash = record.record_hash
        expected_sequence += 1
    return None
