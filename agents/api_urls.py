"""URLs of the agents API, under ``/api/v2/`` (see /work/shared/API.md for the contract).

Ids in paths are matched as any segment and parsed by the views, so a malformed or
out-of-range id answers a JSON 404 like an unknown one, never an HTML page or a 500.
"""

from django.urls import path

from agents import api

AGENT = "agents/<str:agent_id>"
TOOL = f"{AGENT}/tools/<str:tool_id>"
ACTION = f"{TOOL}/actions/<str:action_id>"

urlpatterns = [
    path("auth/token", api.AuthTokenView.as_view(), name="api-token"),
    path("auth/tokens", api.ApiTokenListView.as_view(), name="api-tokens"),
    path("auth/tokens/<str:token_id>", api.ApiTokenDetailView.as_view(), name="api-token-detail"),
    path("users", api.UserCreateView.as_view(), name="api-users"),
    path("users/me", api.MeView.as_view(), name="api-me"),
    path("organizations", api.OrganizationListView.as_view(), name="api-organizations"),
    path("projects", api.ProjectListView.as_view(), name="api-projects"),
    path("projects/<str:project_id>", api.ProjectDetailView.as_view(), name="api-project"),
    path("corpora", api.CorpusListView.as_view(), name="api-corpora"),
    path("tools", api.ToolListView.as_view(), name="api-tools"),
    path("guardrails", api.GuardrailListView.as_view(), name="api-guardrails"),
    path("agents", api.AgentListView.as_view(), name="api-agents"),
    path(AGENT, api.AgentDetailView.as_view(), name="api-agent"),
    path(f"{AGENT}/instructions", api.InstructionsView.as_view(), name="api-instructions"),
    path(
        f"{AGENT}/instructions/<str:instruction_id>",
        api.InstructionDetailView.as_view(),
        name="api-instruction",
    ),
    path(f"{AGENT}/corpora", api.CorporaView.as_view(), name="api-agent-corpora"),
    path(
        f"{AGENT}/corpora/<str:corpus_id>",
        api.CorpusConnectionView.as_view(),
        name="api-agent-corpus",
    ),
    path(f"{TOOL}/enable", api.ToolEnableView.as_view(), name="api-tool-enable"),
    path(f"{TOOL}/disable", api.ToolDisableView.as_view(), name="api-tool-disable"),
    path(ACTION, api.ActionView.as_view(), name="api-action"),
    path(f"{ACTION}/enable", api.ActionEnableView.as_view(), name="api-action-enable"),
    path(f"{ACTION}/disable", api.ActionDisableView.as_view(), name="api-action-disable"),
    path(f"{AGENT}/guardrails", api.GuardrailsView.as_view(), name="api-agent-guardrails"),
    path(f"{AGENT}/access", api.AccessView.as_view(), name="api-access"),
    path(f"{AGENT}/annotates", api.AnnotatesView.as_view(), name="api-annotates"),
    path(f"{AGENT}/sharepoint/folder", api.SharePointFolderView.as_view(), name="api-sharepoint"),
    path(f"{AGENT}/permissions", api.PermissionsView.as_view(), name="api-permissions"),
    path(
        f"{AGENT}/permissions/<str:permission_id>",
        api.PermissionDetailView.as_view(),
        name="api-permission",
    ),
]
