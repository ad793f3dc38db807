"""The project's URLs with the live read mounted, as the root URLconf will mount it."""

from django.urls import include, path

from ejento_staging.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("api/v2/", include("publishing.live_urls")),
    *project_urlpatterns,
]
