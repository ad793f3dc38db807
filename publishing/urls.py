"""Pages: review and publish, publish history, restore/revert preview, edit history."""

from django.urls import path

from publishing import views

app_name = "publishing"

urlpatterns = [
    path("agents/<id:agent_id>/review/", views.review, name="review"),
    path("agents/<id:agent_id>/publish/", views.publish, name="publish"),
    path("agents/<id:agent_id>/discard/", views.discard, name="discard"),
    path("agents/<id:agent_id>/publishes/", views.publishes, name="publishes"),
    path(
        "agents/<id:agent_id>/publishes/<uuid:change_track_id>/",
        views.publish_detail,
        name="publish-detail",
    ),
    path(
        "agents/<id:agent_id>/publishes/<uuid:change_track_id>/restore/",
        views.restore,
        name="restore",
    ),
    path("agents/<id:agent_id>/history/", views.history, name="history"),
    path("agents/<id:agent_id>/history/<id:history_id>/", views.checkpoint, name="checkpoint"),
    path(
        "agents/<id:agent_id>/history/<id:history_id>/restore/",
        views.restore_checkpoint,
        name="checkpoint-restore",
    ),
]
