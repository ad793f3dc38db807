from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ejento_staging.auth_views import ThrottledLoginView

# JSON under /api/, the site's 404 page elsewhere (see ejento_staging.api_errors).
handler404 = "ejento_staging.api_errors.page_not_found"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="agents:list", permanent=False)),
    path("admin/", admin.site.urls),
    # The live read first: it is the hot path and must not fall into a broader pattern.
    path("api/v2/", include("publishing.live_urls")),
    path("api/v2/", include("agents.api_urls")),
    path("api/v2/", include("publishing.api_urls")),
    path("api/v2/", include("webhooks.api_urls")),
    path("api/v2/", include("reviews.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script from ?script rather than inline, and the
    # template keeps its styles in a stylesheet: the docs need no CSP exemption.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="api_docs/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("agents.urls")),
    path("", include("publishing.urls")),
    path("", include("reviews.urls")),
    path("", include("webhooks.urls")),
]
