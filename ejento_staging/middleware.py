"""Response headers the pages and the API need on top of Django's own."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInMiddleware:
    """``Cache-Control: no-store`` on everything a signed-in user gets, and on every API answer.

    Those responses hold Staging, roles and tokens: no shared proxy and no browser disk cache
    may keep them (a signed-out user's back button must not show them either). A response
    that already says how to cache it keeps its own header - the live read's
    ``private, no-cache`` with its ETag is the point of that endpoint - and so do static
    files, which WhiteNoise serves before this middleware runs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        # After the view: DRF sets request.user for token callers on the way through.
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or getattr(user, "is_authenticated", False):
            add_never_cache_headers(response)
        return response
