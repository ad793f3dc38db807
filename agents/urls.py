"""Pages: the agent list, the Staging editor and one POST URL per edit, Production."""

from django.urls import path

from agents.views import editor, edits, lists

app_name = "agents"

urlpatterns = [
    path("agents/", lists.agent_list, name="list"),
    path("agents/new/", lists.agent_create, name="create"),
    path("agents/<id:agent_id>/", editor.editor, name="editor"),
    path("agents/<id:agent_id>/production/", editor.production, name="production"),
    path("agents/<id:agent_id>/settings/", edits.update_settings, name="settings"),
    path("agents/<id:agent_id>/instructions/", edits.add_instruction, name="instruction-add"),
    path(
        "agents/<id:agent_id>/instructions/<id:instruction_id>/",
        edits.edit_instruction,
        name="instruction-edit",
    ),
    path(
        "agents/<id:agent_id>/instructions/<id:instruction_id>/move/",
        edits.move_instruction,
        name="instruction-move",
    ),
    path(
        "agents/<id:agent_id>/instructions/<id:instruction_id>/delete/",
        edits.delete_instruction,
        name="instruction-delete",
    ),
    path("agents/<id:agent_id>/corpora/", edits.connect_corpora, name="corpora-connect"),
    path("agents/<id:agent_id>/corpora/<id:corpus_id>/", edits.update_corpus, name="corpus"),
    path(
        "agents/<id:agent_id>/corpora/<id:corpus_id>/disconnect/",
        edits.disconnect_corpus,
        name="corpus-disconnect",
    ),
    path("agents/<id:agent_id>/sharepoint/", edits.set_sharepoint, name="sharepoint"),
    path("agents/<id:agent_id>/sharepoint/clear/", edits.clear_sharepoint, name="sharepoint-clear"),
    path("agents/<id:agent_id>/tools/<id:tool_id>/enable/", edits.enable_tool, name="tool-enable"),
    path(
        "agents/<id:agent_id>/tools/<id:tool_id>/disable/",
        edits.disable_tool,
        name="tool-disable",
    ),
    path(
        "agents/<id:agent_id>/tools/<id:tool_id>/actions/<id:action_id>/",
        edits.update_action_config,
        name="action",
    ),
    path(
        "agents/<id:agent_id>/tools/<id:tool_id>/actions/<id:action_id>/enable/",
        edits.enable_action,
        name="action-enable",
    ),
    path(
        "agents/<id:agent_id>/tools/<id:tool_id>/actions/<id:action_id>/disable/",
        edits.disable_action,
        name="action-disable",
    ),
    path(
        "agents/<id:agent_id>/guardrails/<id:guardrail_id>/",
        edits.update_guardrail,
        name="guardrail",
    ),
    path("agents/<id:agent_id>/access/", edits.set_access, name="access"),
    path("agents/<id:agent_id>/tags/", edits.set_tags, name="tags"),
]
