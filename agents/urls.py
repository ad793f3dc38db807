"""Pages: the agent list, the Staging editor and one POST URL per edit, Production, and the
catalogue (organization admins)."""

from django.urls import path

from agents.views import catalogue, editor, edits, lists

app_name = "agents"

AGENT = "agents/<id:agent_id>"
INSTRUCTION = f"{AGENT}/instructions/<id:instruction_id>"
CORPUS = f"{AGENT}/corpora/<id:corpus_id>"
TOOL = f"{AGENT}/tools/<id:tool_id>"
ACTION = f"{TOOL}/actions/<id:action_id>"

CATALOGUE_TOOL = "catalogue/tools/<id:tool_id>"

urlpatterns = [
    path("agents/", lists.agent_list, name="list"),
    path("catalogue/", catalogue.catalogue_list, name="catalogue"),
    path(f"{CATALOGUE_TOOL}/", catalogue.edit_tool, name="catalogue-tool"),
    path(
        f"{CATALOGUE_TOOL}/actions/<id:action_id>/",
        catalogue.edit_action,
        name="catalogue-action",
    ),
    path(
        "catalogue/guardrails/<id:guardrail_id>/",
        catalogue.edit_guardrail,
        name="catalogue-guardrail",
    ),
    path("catalogue/corpora/<id:corpus_id>/", catalogue.edit_corpus, name="catalogue-corpus"),
    path("agents/new/", lists.agent_create, name="create"),
    path(f"{AGENT}/", editor.editor, name="editor"),
    path(f"{AGENT}/production/", editor.production, name="production"),
    path(f"{AGENT}/staging-revision/", editor.staging_revision, name="staging-revision"),
    path(f"{AGENT}/settings/", edits.update_settings, name="settings"),
    path(f"{AGENT}/instructions/", edits.add_instruction, name="instruction-add"),
    path(f"{INSTRUCTION}/", edits.edit_instruction, name="instruction-edit"),
    path(f"{INSTRUCTION}/move/", edits.move_instruction, name="instruction-move"),
    path(f"{INSTRUCTION}/delete/", edits.delete_instruction, name="instruction-delete"),
    path(f"{AGENT}/corpora/", edits.connect_corpora, name="corpora-connect"),
    path(f"{CORPUS}/", edits.update_corpus, name="corpus"),
    path(f"{CORPUS}/disconnect/", edits.disconnect_corpus, name="corpus-disconnect"),
    path(f"{AGENT}/sharepoint/", edits.set_sharepoint, name="sharepoint"),
    path(f"{AGENT}/sharepoint/clear/", edits.clear_sharepoint, name="sharepoint-clear"),
    path(f"{TOOL}/enable/", edits.enable_tool, name="tool-enable"),
    path(f"{TOOL}/disable/", edits.disable_tool, name="tool-disable"),
    path(f"{ACTION}/", edits.update_action_config, name="action"),
    path(f"{ACTION}/enable/", edits.enable_action, name="action-enable"),
    path(f"{ACTION}/disable/", edits.disable_action, name="action-disable"),
    path(f"{AGENT}/guardrails/<id:guardrail_id>/", edits.update_guardrail, name="guardrail"),
    path(f"{AGENT}/access/", edits.set_access, name="access"),
    path(f"{AGENT}/tags/", edits.set_tags, name="tags"),
]
