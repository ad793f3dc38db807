"""Pages: review and publish, publish history, restore/revert preview, edit history."""

from django.urls import path

from publishing import views

app_name = "publishing"

# (path under agents/<id:agent_id>/, view, name), in the order Django tries them.
PAGES = [
    ("review/", views.review, "review"),
    ("publish/", views.publish, "publish"),
    ("discard/", views.discard, "discard"),
    ("publishes/", views.publishes, "publishes"),
    ("publishes/<uuid:change_track_id>/", views.publish_detail, "publish-detail"),
    ("publishes/<uuid:change_track_id>/restore/", views.restore, "restore"),
    ("history/", views.history, "history"),
    ("history/<id:history_id>/", views.checkpoint, "checkpoint"),
    ("history/<id:history_id>/restore/", views.restore_checkpoint, "checkpoint-restore"),
]

urlpatterns = [
    path(f"agents/<id:agent_id>/{route}", view, name=name) for route, view, name in PAGES
]
