"""The one parser of database ids, for path segments, query filters and JSON bodies.

An id is written in ASCII digits only and fits the databases' signed 64-bit key. Python's
``int()`` is far more lenient - it takes ``"0_6"``, ``"+1"``, ``" 1"``, ``"1\\n"`` and
fullwidth or Arabic-Indic digits - so every place that reads an id from a client goes
through ``parse_id`` instead, and all of them agree on what names an object.
"""

from __future__ import annotations

import re
from typing import Any

# The largest key the databases can hold (signed 64-bit): a bigger number names nothing and
# must never reach the database driver as an out-of-range parameter.
MAX_ID = 2**63 - 1

# ASCII digits, at most as many as MAX_ID has (re's \d would match any Unicode digit).
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value: Any, *, max_id: int = MAX_ID) -> int | None:
    """``value`` as an id in 1..max_id, or None when it is not one.

    Takes a string of ASCII digits (from a URL or a query string) or a JSON integer (from a
    body; ``True`` is not 1 here).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= max_id else None
