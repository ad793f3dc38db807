"""Staging, loaded into the configuration's snapshot shape (``configuration.snapshot``)."""

from __future__ import annotations

from typing import Any

from agents.models import (
    ActionSetting,
    CorpusConnection,
    GuardrailSetting,
    Instruction,
    StagingConfiguration,
    ToolBinding,
)
from configuration.snapshot import Snapshot, build_snapshot


def staging_snapshot(agent: Any, *, staging: Any = None) -> Snapshot:
    """The agent's Staging configuration as a snapshot, in six queries whatever its size.

    ``staging`` may pass the settings row already in hand (five queries then), e.g. one
    being saved with its new fingerprint.
    """
    if staging is None:
        staging = StagingConfiguration.objects.get(agent_id=agent.pk)
    return build_snapshot(
        staging=staging,
        instructions=list(Instruction.objects.filter(agent_id=agent.pk)),
        corpus_connections=list(
            CorpusConnection.objects.filter(agent_id=agent.pk).select_related("corpus")
        ),
        tool_bindings=list(ToolBinding.objects.filter(agent_id=agent.pk).select_related("tool")),
        action_settings=list(
            ActionSetting.objects.filter(agent_id=agent.pk).select_related("action")
        ),
        guardrail_settings=list(
            GuardrailSetting.objects.filter(agent_id=agent.pk).select_related("guardrail")
        ),
    )
