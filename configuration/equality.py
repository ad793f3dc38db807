"""Equality as stored JSON, and the marker of a key that is not there."""

from __future__ import annotations

from typing import Any

from configuration.snapshot import canonical_json

MISSING: Any = object()


def same(a: Any, b: Any) -> bool:
    """Equal as stored JSON: ``True`` is not ``1``, ``1`` is not ``1.0``.

    Plain ``==`` would call those equal while the fingerprint (canonical JSON) does not,
    and "no changes" must mean "same fingerprint".
    """
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, str | int | bool) or a is None:
        return a == b
    if isinstance(a, float):
        return repr(a) == repr(b)
    return a == b and canonical_json(a) == canonical_json(b)
