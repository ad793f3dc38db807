"""Comparing two effective definitions of one catalogue item (``configuration.snapshot``).

A definition is compared per key, and its ``config`` per config key, leaving out the keys the
agent's own settings set on either side: those changes are the agent's own (the diff reports
them as such), and what is left is exactly what came from the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from configuration.equality import MISSING, same

_MISSING = MISSING

DEFINITION = "definition"
CONFIG = "config"


def own_keys(old: Mapping[str, Any], new: Mapping[str, Any], own_field: str | None) -> set[str]:
    """The config keys the agent's own settings set on either side (not the catalogue's)."""
    keys: set[str] = set()
    if own_field is None:
        return keys
    for item in (old, new):
        own = item.get(own_field)
        if isinstance(own, dict):
            keys.update(own)
    return keys


def definition_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], own_field: str | None
) -> list[tuple[str, Any, Any]]:
    """The differences in the effective definitions of one item present on both sides, as
    (field key, before, after): ``None`` for the whole definition (one side has none), the
    definition's key, or ``config.<key>`` for a key of its config the catalogue set.
    Values missing on a side are ``_MISSING``."""
    b, a = old.get(DEFINITION, _MISSING), new.get(DEFINITION, _MISSING)
    if b is _MISSING and a is _MISSING:
        return []
    if not (isinstance(b, dict) and isinstance(a, dict)):
        return [] if same(b, a) else [(None, b, a)]
    found: list[tuple[str | None, Any, Any]] = []
    own = own_keys(old, new, own_field)
    for name in sorted(b.keys() | a.keys()):
        bv, av = b.get(name, _MISSING), a.get(name, _MISSING)
        if name == CONFIG and isinstance(bv, dict) and isinstance(av, dict):
            for sub in sorted((bv.keys() | av.keys()) - own):
                bs, as_ = bv.get(sub, _MISSING), av.get(sub, _MISSING)
                if not same(bs, as_):
                    found.append((f"{CONFIG}.{sub}", bs, as_))
        elif not same(bv, av):
            found.append((name, bv, av))
    return found
