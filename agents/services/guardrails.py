"""An agent's guardrails: which of its organization's guardrails apply, and how (editors)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from agents import validation
from agents.models import Agent, Guardrail, GuardrailSetting
from agents.permissions import Role, require_role
from agents.reasons import ON_OFF, item_reason, named
from agents.services.common import require_flag, require_id, update_changed
from agents.staging import staging_edit


def set_guardrail(
    *,
    agent: Agent,
    acting_user: Any,
    guardrail_id: Any,
    enabled: bool,
    settings: dict[str, Any] | None = None,
) -> GuardrailSetting:
    """Turn one guardrail on or off for the agent, with its settings if given."""
    require_role(acting_user, agent, Role.EDITOR)
    guardrail = Guardrail.objects.filter(
        pk=require_id(guardrail_id, "guardrail_id"),
        organization_id=agent.project.organization_id,
    ).first()
    if guardrail is None:
        raise ValidationError({"guardrail_id": ["Unknown guardrail for this organization."]})
    require_flag(enabled)
    cleaned = validation.clean_json_object(settings, "settings") if settings is not None else None
    reason = f"{named('Guardrail', guardrail.name)} {ON_OFF[enabled]}"
    with staging_edit(agent, acting_user=acting_user, reason=reason) as change:
        setting = GuardrailSetting.objects.filter(
            agent_id=agent.pk, guardrail_id=guardrail.pk
        ).first()
        if setting is None:
            setting = change.create(
                GuardrailSetting(
                    agent_id=agent.pk, guardrail=guardrail, enabled=enabled, settings=cleaned or {}
                )
            )
            return setting
        before = update_changed(change, setting, enabled=enabled, settings=cleaned)
        change.reason = item_reason(
            "Guardrail", guardrail.name, before, {"enabled": enabled, "settings": cleaned}
        )
    setting.guardrail = guardrail
    return setting
