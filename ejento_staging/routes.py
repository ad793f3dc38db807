"""URL tables: the routes of an app written as rows (route, view, name) under one prefix.

The order of the rows is the order Django tries them in, and the order the API schema lists
the operations in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.urls import URLPattern, path

Route = tuple[str, Any, str]


def routes_under(prefix: str, rows: Iterable[Route]) -> list[URLPattern]:
    """A ``path`` per row, at ``prefix/route``; a class-based view is made one with
    ``as_view()``."""
    return [path(f"{prefix}/{route}", _view(view), name=name) for route, view, name in rows]


def _view(view: Any) -> Callable[..., Any]:
    return view.as_view() if isinstance(view, type) else view
