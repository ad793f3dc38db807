"""An agent's life and its settings: create, archive, and the Staging settings row.

Creating needs membership of the project's organization; archiving needs the owner role;
changing settings needs the editor role (``agents.permissions``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from agents import validation
from agents.models import NAME_MAX_LENGTH, Agent, AgentPermission, Project, StagingConfiguration
from agents.permissions import Role, organizations_for, require_role
from agents.reasons import settings_reason
from agents.services.common import clean_description
from agents.signals import agent_archived
from agents.staging import record_history, staging_edit, staging_fingerprint


def require_may_create_agents(acting_user: Any, project: Project) -> None:
    """Members of the project's organization (and superusers) create agents in it (else 403).

    The API and the pages offer only such projects; this holds every other caller to it.
    """
    if not getattr(acting_user, "is_authenticated", False) or (
        not organizations_for(acting_user).filter(pk=project.organization_id).exists()
    ):
        raise PermissionDenied(
            "Only members of the project's organization can create agents in it."
        )


def create_agent(
    *,
    project: Project,
    acting_user: Any,
    name: str,
    description: str = "",
    model_config: dict[str, Any] | None = None,
) -> Agent:
    """Create an agent with a Staging configuration and no Production; the creator owns it."""
    require_may_create_agents(acting_user, project)
    cleaned_name = validation.clean_name(name, "name", max_length=NAME_MAX_LENGTH)
    cleaned_description = clean_description(description)
    config = validation.clean_model_config(
        model_config if model_config is not None else dict(validation.DEFAULT_MODEL_CONFIG)
    )
    with transaction.atomic():
        agent = Agent.objects.create(project=project, created_by=acting_user)
        staging = StagingConfiguration(
            agent=agent,
            name=cleaned_name,
            description=cleaned_description,
            model_config=config,
            updated_by=acting_user,
            updated_by_username=acting_user.get_username(),
        )
        staging.fingerprint = staging_fingerprint(agent, staging)
        staging.skip_history_when_saving = True
        staging.save(force_insert=True)
        del staging.skip_history_when_saving
        record_history(
            StagingConfiguration,
            [staging],
            kind="+",
            acting_user=acting_user,
            reason="Agent created",
            when=staging.updated_at,
            revision=staging.revision,
        )
        AgentPermission.objects.create(
            agent=agent, user=acting_user, role=AgentPermission.Role.OWNER, granted_by=acting_user
        )
    agent.staging = staging
    return agent


def delete_agent(*, agent: Agent, acting_user: Any) -> None:
    """Archive the agent: gone from the API, the pages and the live read at once.

    Nothing is erased: the publish records are an append-only audit trail (DESIGN
    invariant 3) and stay browsable in the admin, as do the Staging history records.
    """
    require_role(acting_user, agent, Role.OWNER)
    with transaction.atomic():
        locked = Agent.objects.select_for_update().get(pk=agent.pk)
        if locked.deleted_at is not None:
            raise Agent.DoesNotExist("Agent not found.")
        locked.deleted_at = timezone.now()
        locked.deleted_by = acting_user
        locked.save(update_fields=["deleted_at", "deleted_by"])
        transaction.on_commit(lambda: agent_archived.send(sender=Agent, agent_id=locked.pk))
    agent.deleted_at = locked.deleted_at


def update_agent_settings(
    *,
    agent: Agent,
    acting_user: Any,
    name: str | None = None,
    description: str | None = None,
    model_config: dict[str, Any] | None = None,
) -> StagingConfiguration:
    """Change name, description or model configuration; only what is given changes."""
    require_role(acting_user, agent, Role.EDITOR)
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field, raw, check in (
        ("name", name, lambda v: validation.clean_name(v, "name", max_length=NAME_MAX_LENGTH)),
        ("description", description, clean_description),
        ("model_config", model_config, validation.clean_model_config),
    ):
        if raw is None:
            continue
        try:
            values[field] = check(raw)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with staging_edit(agent, acting_user=acting_user, reason="Settings changed") as change:
        change.set_settings(**values)
        # A form sends every field: the reason names those whose values moved.
        change.reason = settings_reason(change.settings_before, values)
    return change.staging


def set_access_level(*, agent: Agent, acting_user: Any, access_level: str) -> StagingConfiguration:
    require_role(acting_user, agent, Role.EDITOR)
    level = validation.clean_access_level(access_level)
    with staging_edit(
        agent, acting_user=acting_user, reason=f"Access level set to {level}"
    ) as change:
        change.set_settings(access_level=level)
    return change.staging


def set_tags(*, agent: Agent, acting_user: Any, tags: list[str]) -> StagingConfiguration:
    require_role(acting_user, agent, Role.EDITOR)
    cleaned = validation.clean_tags(tags)
    with staging_edit(agent, acting_user=acting_user, reason="Tags replaced") as change:
        change.set_settings(tags=cleaned)
    return change.staging
