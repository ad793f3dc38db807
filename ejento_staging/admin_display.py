"""How the admin's audit pages show a stored JSON value: indented, non-ASCII kept as is."""

import json
from typing import Any

from django.utils.html import format_html


def pretty_json(value: Any) -> str:
    """``value`` as indented JSON in a ``<pre>``, escaped (it holds what users typed)."""
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False))
