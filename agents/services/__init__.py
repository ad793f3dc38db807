"""The write layer: the one way in for every write to the hierarchy, the catalogue and Staging.

This package is its index. Views, viewsets, the admin and management commands call
``agents.services.<function>`` and none saves a model itself; each function lives in the
module of its subject:

* ``accounts`` - users, organizations and their members;
* ``catalogue`` - projects, corpora, tools and guardrails;
* ``catalogue_changes`` - changes to catalogue items, which reach the Staging of every agent
  that uses them (organization admins), and their impact preview;
* ``agents`` - create, archive, and the agent's settings, access level and tags;
* ``instructions``, ``knowledge`` (corpora, SharePoint), ``tools`` (tools and actions),
  ``guardrails`` - the parts of an agent's Staging;
* ``permissions`` - roles on an agent;
* ``apply`` - Staging made exactly a snapshot (restore, revert, discard);
* ``transfer`` - configuration as code: import a document, copy another agent's configuration.

Every function is keyword-only, validates what it is given (raising
``django.core.exceptions.ValidationError`` keyed by field, which the API answers with 400 and
the pages show inline), and returns what it made. A function that acts on an agent on behalf
of someone takes them as ``acting_user`` and checks their role itself
(``agents.permissions.require_role``): ``Agent.DoesNotExist`` when the agent is not theirs to
see, ``PermissionDenied`` when the role is too weak - whoever calls it. Staging edits go
through ``agents.staging.staging_edit``: locked, attributed to ``acting_user``, recorded in
the history. None of them touches Production.
"""

from agents.services.accounts import (
    add_organization_member,
    clean_new_username,
    create_organization,
    create_user,
    require_may_create_organizations,
    require_may_create_users,
)
from agents.services.agents import (
    create_agent,
    delete_agent,
    require_may_create_agents,
    set_access_level,
    set_tags,
    update_agent_settings,
)
from agents.services.apply import apply_snapshot_to_staging, replace_staging
from agents.services.catalogue import create_corpus, create_guardrail, create_project, create_tool
from agents.services.catalogue_changes import (
    PREVIEW_PAGE_SIZE,
    CatalogueChange,
    change_catalogue_item,
    preview_catalogue_change,
    update_corpus,
    update_guardrail,
    update_tool,
    update_tool_action,
)
from agents.services.guardrails import set_guardrail
from agents.services.instructions import (
    add_instruction,
    delete_instruction,
    reorder_instructions,
    update_instruction,
)
from agents.services.knowledge import (
    clear_sharepoint_folder,
    connect_corpora,
    disconnect_corpora,
    set_corpus_connection,
    set_sharepoint_folder,
)
from agents.services.permissions import (
    NOT_A_MEMBER,
    change_permission,
    grant_permission,
    revoke_permission,
)
from agents.services.tools import disable_tool, enable_tool, update_action
from agents.services.transfer import (
    ComponentsUnresolved,
    TransferResult,
    copy_configuration,
    import_document,
)

__all__ = [
    "NOT_A_MEMBER",
    "PREVIEW_PAGE_SIZE",
    "CatalogueChange",
    "ComponentsUnresolved",
    "TransferResult",
    "add_instruction",
    "add_organization_member",
    "apply_snapshot_to_staging",
    "change_catalogue_item",
    "change_permission",
    "clean_new_username",
    "clear_sharepoint_folder",
    "connect_corpora",
    "copy_configuration",
    "create_agent",
    "create_corpus",
    "create_guardrail",
    "create_organization",
    "create_project",
    "create_tool",
    "create_user",
    "delete_agent",
    "delete_instruction",
    "disable_tool",
    "disconnect_corpora",
    "enable_tool",
    "grant_permission",
    "import_document",
    "preview_catalogue_change",
    "reorder_instructions",
    "replace_staging",
    "require_may_create_agents",
    "require_may_create_organizations",
    "require_may_create_users",
    "revoke_permission",
    "set_access_level",
    "set_corpus_connection",
    "set_guardrail",
    "set_sharepoint_folder",
    "set_tags",
    "update_action",
    "update_agent_settings",
    "update_corpus",
    "update_guardrail",
    "update_instruction",
    "update_tool",
    "update_tool_action",
]
