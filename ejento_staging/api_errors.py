"""JSON, never an HTML page, for every error under ``/api/``.

DRF answers errors raised inside its views as JSON (``exceptions.api_exception_handler``).
Two kinds of error never reach a DRF view: a path that matches no URL (Django's 404
handler) and a method a plain Django view does not take (``HttpResponseNotAllowed``, an
empty ``text/html`` body). API clients parse every answer as JSON, so both are answered
``{"detail": ...}`` here when the path is under ``/api/``; the pages keep their HTML.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

API_PREFIX = "/api/"
NOT_FOUND = "Not found."


def is_api_path(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: JSON under /api/, the site's 404 page elsewhere."""
    if is_api_path(request):
        return JsonResponse({"detail": NOT_FOUND}, status=404)
    return defaults.page_not_found(request, exception)


class ApiJsonErrorsMiddleware:
    """A 404 or 405 under /api/ that is not JSON becomes DRF's JSON form (Allow kept).

    A plain Django view's 405 is an empty HTML answer; with ``DEBUG`` on, an unknown path
    gets Django's technical 404 page instead of ``handler404``: both are caught here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code in (404, 405)
            and is_api_path(request)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            if response.status_code == 404:
                return JsonResponse({"detail": NOT_FOUND}, status=404)
            answer = JsonResponse({"detail": f'Method "{request.method}" not allowed.'}, status=405)
            if response.has_header("Allow"):
                answer["Allow"] = response["Allow"]
            return answer
        return response
