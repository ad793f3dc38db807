"""The publishing API under ``/api/v2/`` (see ``publishing.apis``).

Ids are matched as plain path segments and checked by the views, so a malformed id gets the
API's JSON answer (404 for an agent, 400 for a change_track_id or history_id) rather than the
site's HTML 404 page.
"""

from django.urls import path

from publishing import apis

AGENT = "agents/<str:agent_id>"

urlpatterns = [
    path(f"{AGENT}/staging-diff", apis.StagingDiffView.as_view(), name="api-staging-diff"),
    path(f"{AGENT}/publish", apis.PublishView.as_view(), name="api-publish"),
    path(f"{AGENT}/publishes", apis.PublishListView.as_view(), name="api-publishes"),
    path(
        f"{AGENT}/publishes/<str:change_track_id>",
        apis.PublishDetailView.as_view(),
        name="api-publish-detail",
    ),
    path(
        f"{AGENT}/publishes/<str:change_track_id>/diff",
        apis.PublishPreviewView.as_view(),
        name="api-publish-diff",
    ),
    path(f"{AGENT}/rollback", apis.RollbackView.as_view(), name="api-rollback"),
    path(f"{AGENT}/discard", apis.DiscardView.as_view(), name="api-discard"),
    path(f"{AGENT}/history", apis.HistoryListView.as_view(), name="api-history"),
    path(
        f"{AGENT}/history/<str:history_id>",
        apis.HistoryDetailView.as_view(),
        name="api-history-detail",
    ),
    path(
        f"{AGENT}/history/<str:history_id>/restore",
        apis.HistoryRestoreView.as_view(),
        name="api-history-restore",
    ),
    path(f"{AGENT}/status", apis.StatusView.as_view(), name="api-status"),
]
