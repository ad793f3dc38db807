"""Reads about an agent that several layers share (pages, API, publishing).

Production is read here only through the ``agent.production`` relation that
``publishing.models`` declares; this app never imports ``publishing``.
"""

from __future__ import annotations

from django.db.models import CharField, Value

from agents.models import (
    ActionSetting,
    Agent,
    CorpusConnection,
    GuardrailSetting,
    Instruction,
    ToolBinding,
)


def has_unpublished_changes(agent: Agent) -> bool:
    """Staging differs from Production (or there is none yet), without building a snapshot.

    Every Staging edit stores the configuration's fingerprint, and Production keeps the one
    it was published with, so this is a comparison of two loaded fields.
    """
    production = agent.production_or_none()
    return production is None or agent.staging.fingerprint != production.fingerprint


def staging_versions(agent_id: int) -> dict[str, int]:
    """Each Staging item's version (the revision of its last change), keyed as the diff keys
    items (``instruction:3``, ``corpus:7``, ``tool:2``, ``action:31``, ``guardrail:4``).

    One query whatever the configuration's size: the five kinds of rows in one UNION.
    """
    parts = [
        model.objects.filter(agent_id=agent_id)
        .order_by()
        .values_list(Value(kind, output_field=CharField()), key, "version")
        for model, kind, key in (
            (Instruction, "instruction", "id"),
            (CorpusConnection, "corpus", "corpus_id"),
            (ToolBinding, "tool", "tool_id"),
            (ActionSetting, "action", "action_id"),
            (GuardrailSetting, "guardrail", "guardrail_id"),
        )
    ]
    rows = parts[0].union(*parts[1:], all=True)
    return {f"{kind}:{pk}": version for kind, pk, version in rows}
