"""The live read, mounted at ``api/v2/`` by the root URLconf.

The id is matched as any segment and parsed by the view, as in the rest of the API, so a
malformed id answers the same JSON 404 as an unknown agent.
"""

from django.urls import path

from publishing.live.views import LiveProductionView

urlpatterns = [
    path(
        "agents/<str:agent_id>/production",
        LiveProductionView.as_view(),
        name="agent-production",
    ),
]
