"""Pages: review, publish and schedule, what changed since a verdict, publish history,
restore/revert preview, edit history."""

from ejento_staging.routes import routes_under
from publishing import (
    blame_views,
    compare_views,
    history_views,
    policy_views,
    schedule_views,
    transfer_views,
    views,
)

app_name = "publishing"

# (path under agents/<id:agent_id>/, view, name), in the order Django tries them.
PAGES = [
    ("review/", views.review, "review"),
    ("review/verdicts/<id:verdict_id>/", policy_views.verdict_changes, "verdict-changes"),
    ("publish/", views.publish, "publish"),
    ("discard/", views.discard, "discard"),
    ("schedule/", schedule_views.schedule, "schedule"),
    ("schedules/<id:schedule_id>/cancel/", schedule_views.cancel, "schedule-cancel"),
    ("publishes/", views.publishes, "publishes"),
    ("publishes/<uuid:change_track_id>/", views.publish_detail, "publish-detail"),
    ("publishes/<uuid:change_track_id>/restore/", views.restore, "restore"),
    ("compare/", compare_views.compare_page, "compare"),
    ("instructions/<id:instruction_id>/blame/", blame_views.blame, "instruction-blame"),
    ("history/", history_views.history, "history"),
    ("history/<id:history_id>/", history_views.checkpoint, "checkpoint"),
    ("history/<id:history_id>/restore/", history_views.restore_checkpoint, "checkpoint-restore"),
    ("copy-from/", transfer_views.copy_from, "copy-from"),
]

urlpatterns = routes_under("agents/<id:agent_id>", PAGES)
