"""The project's URLs, plus a stand-in for the check-results route that the review events
link to (``api-checks``), for as long as no API module registers it: the events are the core's,
the route is the API's, and these tests must not wait for the one to test the other."""

from django.http import HttpResponse
from django.urls import path

from ejento_staging.urls import handler404  # noqa: F401
from ejento_staging.urls import urlpatterns as project_urlpatterns


def _stand_in(request, agent_id):
    return HttpResponse(status=501)


urlpatterns = [
    *project_urlpatterns,
    path("api/v2/agents/<str:agent_id>/checks", _stand_in, name="api-checks"),
]
