"""Tamper evidence for the publish history: each record's hash covers its content and the
previous record's hash, so changing or deleting any record breaks every link after it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from configuration.snapshot import canonical_json


def record_content(record: Any) -> dict[str, Any]:
    # The publisher is covered by username, not by the foreign key: deleting a user sets
    # the key to NULL, and that must not look like tampering.
    content = {
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
    # The policy's word joins the content only when there is one, so every record made
    # before policies existed keeps its hash; once hashed, removing it breaks the link.
    if record.gate:
        content["gate"] = record.gate
        content["broke_glass"] = record.broke_glass
    # The same for what later records keep: absent from older ones, so they verify as made.
    if record.contributors:
        content["contributors"] = record.contributors
    if record.staging_revision is not None:
        content["staging_revision"] = record.staging_revision
    return content


def compute_record_hash(record: Any) -> str:
    return hashlib.sha256(canonical_json(record_content(record)).encode()).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    agent_id: int
    sequence: int
    change_track_id: str
    reason: str


def verify_chain(records: Iterable[Any]) -> BrokenLink | None:
    """The first broken link in one agent's records (in sequence order), or None.

    Besides the hash, the fields the hash leaves out are cross-checked, so none of them can
    be rewritten unnoticed: ``previous_id`` must name the record just before (same agent,
    previous sequence - a revert reads its base through it), and ``published_by_id`` must be
    the user the stored ``published_by_username`` names (the key may only go NULL, when that
    user is deleted). Records from before these checks need no rehash: nothing in the hash
    changed. Select ``published_by`` along (``select_related``) to avoid a query per record.
    """
    previous_hash = ""
    previous_pk = None
    expected_sequence = 1
    for record in records:
        where = (record.agent_id, record.sequence, str(record.change_track_id))
        if record.sequence != expected_sequence:
            return BrokenLink(*where, f"sequence {expected_sequence} is missing")
        if record.previous_hash != previous_hash:
            return BrokenLink(*where, "previous_hash does not match the record before it")
        if compute_record_hash(record) != record.record_hash:
            return BrokenLink(*where, "content does not match its hash")
        if record.broke_glass != bool((record.gate or {}).get("break_glass")):
            return BrokenLink(*where, "broke_glass does not match the policy record")
        if record.previous_id != previous_pk:
            return BrokenLink(*where, "previous_id does not name the record before it")
        if record.published_by_id is not None:
            publisher = record.published_by
            if publisher is None or publisher.get_username() != record.published_by_username:
                return BrokenLink(
                    *where, "published_by_id does not match the stored publisher username"
                )
        previous_hash = record.record_hash
        previous_pk = record.pk
        expected_sequence += 1
    return None
