"""The publishing API under ``/api/v2/`` (see ``publishing.api``).

Ids are matched as plain path segments and checked by the views, so a malformed id gets the
API's JSON answer (404 for an agent, 400 for a change_track_id or history_id) rather than the
site's HTML 404 page.
"""

from django.urls import path

from publishing.api import history, publishes, review, rollback, status

AGENT = "agents/<str:agent_id>"

urlpatterns = [
    path(f"{AGENT}/staging-diff", review.StagingDiffView.as_view(), name="api-staging-diff"),
    path(f"{AGENT}/publish", review.PublishView.as_view(), name="api-publish"),
    path(f"{AGENT}/publishes", publishes.PublishListView.as_view(), name="api-publishes"),
    path(
        f"{AGENT}/publishes/<str:change_track_id>",
        publishes.PublishDetailView.as_view(),
        name="api-publish-detail",
    ),
    path(
        f"{AGENT}/publishes/<str:change_track_id>/diff",
        rollback.PublishPreviewView.as_view(),
        name="api-publish-diff",
    ),
    path(f"{AGENT}/rollback", rollback.RollbackView.as_view(), name="api-rollback"),
    path(f"{AGENT}/discard", review.DiscardView.as_view(), name="api-discard"),
    path(f"{AGENT}/history", history.HistoryListView.as_view(), name="api-history"),
    path(
        f"{AGENT}/history/<str:history_id>",
        history.HistoryDetailView.as_view(),
        name="api-history-detail",
    ),
    path(
        f"{AGENT}/history/<str:history_id>/restore",
        history.HistoryRestoreView.as_view(),
        name="api-history-restore",
    ),
    path(f"{AGENT}/status", status.StatusView.as_view(), name="api-status"),
]
