"""The live read, mounted at ``api/v2/`` by the root URLconf.

Included before the other ``api/v2/`` URLconfs, so that this path is served here.
"""

from django.urls import path

from publishing.live_views import LiveProductionView

urlpatterns = [
    path(
        "agents/<int:agent_id>/production",
        LiveProductionView.as_view(),
        name="agent-production",
    ),
]
