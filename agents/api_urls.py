"""URLs of the agents API, under ``/api/v2/`` (see /work/shared/API.md for the contract).

Ids in paths are matched as any segment and parsed by the views, so a malformed or
out-of-range id answers a JSON 404 like an unknown one, never an HTML page or a 500.
"""

from django.urls import path

from agents.api import (
    agents,
    auth,
    catalogue,
    catalogue_edits,
    hierarchy,
    instructions,
    knowledge,
    permissions,
    settings,
    tools,
    transfer,
)

AGENT = "agents/<str:agent_id>"
TOOL = f"{AGENT}/tools/<str:tool_id>"
ACTION = f"{TOOL}/actions/<str:action_id>"
INSTRUCTION = f"{AGENT}/instructions/<str:instruction_id>"
CORPUS = f"{AGENT}/corpora/<str:corpus_id>"
PERMISSION = f"{AGENT}/permissions/<str:permission_id>"

urlpatterns = [
    path("auth/token", auth.AuthTokenView.as_view(), name="api-token"),
    path("auth/tokens", auth.ApiTokenListView.as_view(), name="api-tokens"),
    path("auth/tokens/<str:token_id>", auth.ApiTokenDetailView.as_view(), name="api-token-detail"),
    path("users", auth.UserCreateView.as_view(), name="api-users"),
    path("users/me", auth.MeView.as_view(), name="api-me"),
    path("organizations", hierarchy.OrganizationListView.as_view(), name="api-organizations"),
    path("projects", hierarchy.ProjectListView.as_view(), name="api-projects"),
    path("projects/<str:project_id>", hierarchy.ProjectDetailView.as_view(), name="api-project"),
    path("corpora", catalogue.CorpusListView.as_view(), name="api-corpora"),
    path("tools", catalogue.ToolListView.as_view(), name="api-tools"),
    path("guardrails", catalogue.GuardrailListView.as_view(), name="api-guardrails"),
    path("tools/<str:tool_id>", catalogue_edits.ToolChangeView.as_view(), name="api-tool"),
    path(
        "tools/<str:tool_id>/actions/<str:action_id>",
        catalogue_edits.ToolActionChangeView.as_view(),
        name="api-tool-action",
    ),
    path(
        "guardrails/<str:guardrail_id>",
        catalogue_edits.GuardrailChangeView.as_view(),
        name="api-guardrail",
    ),
    path(
        "corpora/<str:corpus_id>",
        catalogue_edits.CorpusChangeView.as_view(),
        name="api-corpus",
    ),
    path("agents", agents.AgentListView.as_view(), name="api-agents"),
    path(AGENT, agents.AgentDetailView.as_view(), name="api-agent"),
    path(f"{AGENT}/instructions", instructions.InstructionsView.as_view(), name="api-instructions"),
    path(INSTRUCTION, instructions.InstructionDetailView.as_view(), name="api-instruction"),
    path(f"{AGENT}/corpora", knowledge.CorporaView.as_view(), name="api-agent-corpora"),
    path(CORPUS, knowledge.CorpusConnectionView.as_view(), name="api-agent-corpus"),
    path(f"{TOOL}/enable", tools.ToolEnableView.as_view(), name="api-tool-enable"),
    path(f"{TOOL}/disable", tools.ToolDisableView.as_view(), name="api-tool-disable"),
    path(ACTION, tools.ActionView.as_view(), name="api-action"),
    path(f"{ACTION}/enable", tools.ActionEnableView.as_view(), name="api-action-enable"),
    path(f"{ACTION}/disable", tools.ActionDisableView.as_view(), name="api-action-disable"),
    path(f"{AGENT}/guardrails", settings.GuardrailsView.as_view(), name="api-agent-guardrails"),
    path(f"{AGENT}/access", settings.AccessView.as_view(), name="api-access"),
    path(f"{AGENT}/annotates", settings.AnnotatesView.as_view(), name="api-annotates"),
    path(
        f"{AGENT}/sharepoint/folder",
        knowledge.SharePointFolderView.as_view(),
        name="api-sharepoint",
    ),
    path(f"{AGENT}/export", transfer.ExportView.as_view(), name="api-export"),
    path(f"{AGENT}/import", transfer.ImportView.as_view(), name="api-import"),
    path(f"{AGENT}/copy-from", transfer.CopyFromView.as_view(), name="api-copy-from"),
    path(f"{AGENT}/permissions", permissions.PermissionsView.as_view(), name="api-permissions"),
    path(PERMISSION, permissions.PermissionDetailView.as_view(), name="api-permission"),
]
