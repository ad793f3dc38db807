"""A URLconf for tests/core/test_api_errors.py: the project's URLs plus a plain Django view
under /api/ (none of the project's own API views is one, but a future one may be)."""

from django.http import HttpResponse
from django.urls import path
from django.views import View

from ejento_staging.urls import handler404
from ejento_staging.urls import urlpatterns as project_urlpatterns

__all__ = ["handler404", "urlpatterns"]


class PlainView(View):
    def get(self, request):
        return HttpResponse("plain")


urlpatterns = [
    path("api/plain", PlainView.as_view()),
    path("pages/plain", PlainView.as_view()),
    *project_urlpatterns,
]
