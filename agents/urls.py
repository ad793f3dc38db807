"""Pages: the agent list, the Staging editor and one POST URL per edit, Production."""

from django.urls import path

from agents import views

app_name = "agents"

urlpatterns = [
    path("agents/", views.agent_list, name="list"),
    path("agents/new/", views.agent_create, name="create"),
    path("agents/<id:agent_id>/", views.editor, name="editor"),
    path("agents/<id:agent_id>/production/", views.production, name="production"),
    path("agents/<id:agent_id>/settings/", views.update_settings, name="settings"),
    path("agents/<id:agent_id>/instructions/", views.add_instruction, name="instruction-add"),
    path(
        "agents/<id:agent_id>/instructions/<id:instruction_id>/",
        views.edit_instruction,
        name="instruction-edit",
    ),
    path(
        "agents/<id:agent_id>/instructions/<id:instruction_id>/move/",
        views.move_instruction,
        name="instruction-move",
    ),
    path(
        "agents/<id:agent_id>/instructions/<id:instruction_id>/delete/",
        views.delete_instruction,
        name="instruction-delete",
    ),
    path("agents/<id:agent_id>/corpora/", views.connect_corpora, name="corpora-connect"),
    path("agents/<id:agent_id>/corpora/<id:corpus_id>/", views.update_corpus, name="corpus"),
    path(
        "agents/<id:agent_id>/corpora/<id:corpus_id>/disconnect/",
        views.disconnect_corpus,
        name="corpus-disconnect",
    ),
    path("agents/<id:agent_id>/sharepoint/", views.set_sharepoint, name="sharepoint"),
    path("agents/<id:agent_id>/sharepoint/clear/", views.clear_sharepoint, name="sharepoint-clear"),
    path("agents/<id:agent_id>/tools/<id:tool_id>/enable/", views.enable_tool, name="tool-enable"),
    path(
        "agents/<id:agent_id>/tools/<id:tool_id>/disable/",
        views.disable_tool,
        name="tool-disable",
    ),
    path(
        "agents/<id:agent_id>/tools/<id:tool_id>/actions/<id:action_id>/",
        views.update_action_config,
        name="action",
    ),
    path(
        "agents/<id:agent_id>/tools/<id:tool_id>/actions/<id:action_id>/enable/",
        views.enable_action,
        name="action-enable",
    ),
    path(
        "agents/<id:agent_id>/tools/<id:tool_id>/actions/<id:action_id>/disable/",
        views.disable_action,
        name="action-disable",
    ),
    path(
        "agents/<id:agent_id>/guardrails/<id:guardrail_id>/",
        views.update_guardrail,
        name="guardrail",
    ),
    path("agents/<id:agent_id>/access/", views.set_access, name="access"),
    path("agents/<id:agent_id>/tags/", views.set_tags, name="tags"),
]
