"""Fingerprints the tests compute from whole snapshots, the way publishing combines the
stored ones."""

from __future__ import annotations

from configuration.snapshot import Snapshot, combine_fingerprints, fingerprint


def review_fingerprint(before: Snapshot | None, after: Snapshot) -> str:
    """The review fingerprint of Staging ``after`` against Production ``before`` (None: never
    published), from the snapshots themselves."""
    return combine_fingerprints(
        fingerprint(before) if before is not None else None, fingerprint(after)
    )
