"""Pages: review and publish, publish history, restore/revert preview, edit history."""

from django.urls import path

from publishing import views

app_name = "publishing"

urlpatterns = [
    path("agents/<int:agent_id>/review/", views.review, name="review"),
    path("agents/<int:agent_id>/publish/", views.publish, name="publish"),
    path("agents/<int:agent_id>/discard/", views.discard, name="discard"),
    path("agents/<int:agent_id>/publishes/", views.publishes, name="publishes"),
    path(
        "agents/<int:agent_id>/publishes/<uuid:change_track_id>/",
        views.publish_detail,
        name="publish-detail",
    ),
    path(
        "agents/<int:agent_id>/publishes/<uuid:change_track_id>/restore/",
        views.restore,
        name="restore",
    ),
    path("agents/<int:agent_id>/history/", views.history, name="history"),
    path("agents/<int:agent_id>/history/<int:history_id>/", views.checkpoint, name="checkpoint"),
    path(
        "agents/<int:agent_id>/history/<int:history_id>/restore/",
        views.restore_checkpoint,
        name="checkpoint-restore",
    ),
]
