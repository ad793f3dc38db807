"""An agent's tools and their actions (editors; ``agents.permissions``).

A tool is bound only from the agent's own organization. Disabling a tool keeps its actions'
states, so enabling it again brings them back as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError

from agents import validation
from agents.models import ActionSetting, Agent, Tool, ToolAction, ToolBinding
from agents.permissions import Role, require_role
from agents.reasons import ON_OFF, item_reason, named, plural
from agents.services.common import require_flag, require_id, update_changed
from agents.staging import StagingChanges, staging_edit


def _tool_of_organization(agent: Agent, tool_id: Any) -> Tool:
    tool = Tool.objects.filter(
        pk=require_id(tool_id, "tool_id"), organization_id=agent.project.organization_id
    ).first()
    if tool is None:
        raise Tool.DoesNotExist("No such tool in this agent's organization.")
    return tool


@contextmanager
def _binding_edit(
    agent: Agent, acting_user: Any, tool_id: Any, verb: str
) -> Iterator[tuple[StagingChanges, Tool, ToolBinding | None]]:
    """One edit of the agent's binding of a tool: the change, the tool, its binding if any."""
    require_role(acting_user, agent, Role.EDITOR)
    tool = _tool_of_organization(agent, tool_id)
    reason = f"{named('Tool', tool.name)} {verb}"
    with staging_edit(agent, acting_user=acting_user, reason=reason) as change:
        yield change, tool, ToolBinding.objects.filter(agent_id=agent.pk, tool_id=tool.pk).first()


def enable_tool(*, agent: Agent, acting_user: Any, tool_id: Any) -> ToolBinding:
    """Bind and enable a tool; on first binding every action of the tool starts enabled."""
    with _binding_edit(agent, acting_user, tool_id, "turned on") as (change, tool, binding):
        turned_on = binding is None or not binding.enabled
        if binding is None:
            binding = change.create(ToolBinding(agent_id=agent.pk, tool=tool, enabled=True))
        elif not binding.enabled:
            binding.enabled = True
            change.update(binding, ["enabled"])
        existing = set(
            ActionSetting.objects.filter(agent_id=agent.pk, action__tool_id=tool.pk).values_list(
                "action_id", flat=True
            )
        )
        added = 0
        for action in tool.actions.all():
            if action.pk not in existing:
                change.create(ActionSetting(agent_id=agent.pk, action=action, enabled=True))
                added += 1
        if not turned_on and added:
            # Already on: only the actions the catalogue gained since were taken in.
            actions = plural(added, "action", "actions")
            change.reason = f"{named('Tool', tool.name)}: {actions} added"
    return binding


def disable_tool(*, agent: Agent, acting_user: Any, tool_id: Any) -> ToolBinding:
    """Disable a bound tool; its action states are kept for when it is enabled again."""
    with _binding_edit(agent, acting_user, tool_id, "turned off") as (change, _tool, binding):
        if binding is None:
            raise ToolBinding.DoesNotExist("This tool is not connected to the agent.")
        if binding.enabled:
            binding.enabled = False
            change.update(binding, ["enabled"])
    return binding


def update_action(
    *,
    agent: Agent,
    acting_user: Any,
    tool_id: Any,
    action_id: Any,
    enabled: bool | None = None,
    config: dict[str, Any] | None = None,
) -> ActionSetting:
    """Enable/disable one action of a bound tool, or replace its config."""
    require_role(acting_user, agent, Role.EDITOR)
    tool = _tool_of_organization(agent, tool_id)
    action = ToolAction.objects.filter(pk=require_id(action_id, "action_id"), tool=tool).first()
    if action is None:
        raise ToolAction.DoesNotExist("No such action on this tool.")
    enabled = require_flag(enabled, optional=True)
    cleaned = validation.clean_json_object(config, "config") if config is not None else None
    noun = f"{named('Tool', tool.name)}: action"
    reason = f"{named(noun, action.name)} {ON_OFF[enabled is not False]}"
    with staging_edit(agent, acting_user=acting_user, reason=reason) as change:
        if not ToolBinding.objects.filter(agent_id=agent.pk, tool_id=tool.pk).exists():
            raise ValidationError({"tool_id": ["Enable this tool on the agent first."]})
        setting = ActionSetting.objects.filter(agent_id=agent.pk, action_id=action.pk).first()
        if setting is None:
            setting = change.create(
                ActionSetting(
                    agent_id=agent.pk,
                    action=action,
                    enabled=True if enabled is None else enabled,
                    config=cleaned or {},
                )
            )
            return setting
        before = update_changed(change, setting, enabled=enabled, config=cleaned)
        change.reason = item_reason(
            noun, action.name, before, {"enabled": enabled, "config": cleaned}, nested="config"
        )
    setting.action = action
    return setting
