"""The project's URLs, the live read, and the bench's comparison views (bench only)."""

from django.urls import include, path

from bench import views
from ejento_staging.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("bench/bare/<int:agent_id>", views.bare_production),
    path("bench/drf/<int:agent_id>", views.DrfProductionView.as_view()),
    path("bench/drf-cached/<int:agent_id>", views.DrfCachedBodyView.as_view()),
    path("api/v2/", include("publishing.live_urls")),
    *project_urlpatterns,
]
