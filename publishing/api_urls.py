"""The publishing API under ``/api/v2/`` (see ``publishing.api``).

Ids are matched as plain path segments and checked by the views, so a malformed id gets the
API's JSON answer (404 for an agent, 400 for a change_track_id or history_id) rather than the
site's HTML 404 page.
"""

from ejento_staging.routes import routes_under
from publishing.api import blame, compare, history, publishes, review, rollback, schedules, status

AGENT = "agents/<str:agent_id>"

# (path under AGENT, view class, name), in the order Django tries them.
ENDPOINTS = [
    ("staging-diff", review.StagingDiffView, "api-staging-diff"),
    ("publish", review.PublishView, "api-publish"),
    ("publishes", publishes.PublishListView, "api-publishes"),
    ("publishes/<str:change_track_id>", publishes.PublishDetailView, "api-publish-detail"),
    ("publishes/<str:change_track_id>/diff", rollback.PublishPreviewView, "api-publish-diff"),
    ("rollback", rollback.RollbackView, "api-rollback"),
    ("discard", review.DiscardView, "api-discard"),
    ("history", history.HistoryListView, "api-history"),
    ("history/<str:history_id>", history.HistoryDetailView, "api-history-detail"),
    ("history/<str:history_id>/restore", history.HistoryRestoreView, "api-history-restore"),
    ("status", status.StatusView, "api-status"),
    ("compare", compare.CompareView, "api-compare"),
    (
        "instructions/<str:instruction_id>/blame",
        blame.InstructionBlameView,
        "api-instruction-blame",
    ),
    ("schedules", schedules.ScheduleListView, "api-schedules"),
    ("schedules/<str:schedule_id>", schedules.ScheduleDetailView, "api-schedule"),
    ("schedules/<str:schedule_id>/cancel", schedules.ScheduleCancelView, "api-schedule-cancel"),
]

urlpatterns = routes_under(AGENT, ENDPOINTS)
