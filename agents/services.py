"""The one way in for every write to the hierarchy, the catalogue and Staging.

Views, viewsets, the admin and management commands call these functions; none saves a model
itself. Every function is keyword-only, validates what it is given (raising
``django.core.exceptions.ValidationError`` keyed by field, which the API answers with 400 and
the pages show inline), and returns what it made. Staging edits go through
``agents.staging.staging_edit``: locked, attributed to ``user``, recorded in the history.
None of them touches Production.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings as project_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from agents import validation
from agents.models import (
    DESCRIPTION_MAX_LENGTH,
    INSTRUCTION_CONTENT_MAX_LENGTH,
    INSTRUCTION_TITLE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    ActionSetting,
    Agent,
    AgentPermission,
    Corpus,
    CorpusConnection,
    Guardrail,
    GuardrailSetting,
    Instruction,
    Organization,
    OrganizationMembership,
    Project,
    StagingConfiguration,
    Tool,
    ToolAction,
    ToolBinding,
)
from agents.signals import agent_archived
from agents.staging import StagingChanges, record_history, staging_edit, staging_fingerprint
from ejento_staging import text
from ejento_staging.ids import parse_id

User = get_user_model()


# --- users, hierarchy and catalogue (not staged) -------------------------------------------


def require_may_create_users(user: Any) -> None:
    """Superusers and organization admins may create accounts; anyone else is refused (403).

    Called by ``create_user`` and, before it validates the body, by the API (401 -> 403 ->
    400 is the order of refusals).
    """
    if user.is_superuser:
        return
    if not OrganizationMembership.objects.filter(
        user_id=user.pk, role=OrganizationMembership.Role.ADMIN
    ).exists():
        raise PermissionDenied("Only superusers and organization admins can create users.")


def clean_new_username(username: Any) -> str:
    """A username for a new account, as stored: normalised, unique whatever its case, and not
    a look-alike of an existing one. Every way an account is made (API, admin) uses it."""
    username = validation.clean_name(username, "username", max_length=150)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": ["A user with that username already exists."]})
    text.clean_identity_name(
        username, "username", existing=_lookalike_candidates(User.objects, "username", username)
    )
    return username


def create_user(
    *,
    username: str,
    password: str,
    email: str = "",
    user: Any,
    organization: Organization | None = None,
) -> Any:
    """Create an account on behalf of ``user``, as a member of ``organization`` if given.

    A superuser may create anyone, in an organization or in none. An organization admin may
    create users only into an organization they administer, so an account never exists that
    nobody answers for: without ``organization`` they are refused (400), and with one they
    do not administer, 403.
    """
    require_may_create_users(user)
    if not user.is_superuser:
        if organization is None:
            raise ValidationError(
                {"organization_id": ["Name the organization (one you administer) to join."]}
            )
        if not OrganizationMembership.objects.filter(
            user_id=user.pk,
            organization_id=organization.pk,
            role=OrganizationMembership.Role.ADMIN,
        ).exists():
            raise PermissionDenied("Only this organization's admins can add users to it.")
    username = clean_new_username(username)
    candidate = User(username=username, email=email or "")
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    candidate.set_password(password)
    candidate.full_clean(exclude=["password"])
    with transaction.atomic():
        candidate.save()
        if organization is not None:
            OrganizationMembership.objects.create(organization=organization, user=candidate)
    return candidate


def require_may_create_organizations(user: Any) -> None:
    """Superusers create organizations; everyone else only if the deployment allows it.

    Creating an organization makes its creator an admin, and admins create users, so
    self-service organizations would let any account mint accounts. Off unless
    ``ALLOW_SELF_SERVICE_ORGANIZATIONS`` (env ``DJANGO_ALLOW_SELF_SERVICE_ORGANIZATIONS``).
    """
    if user.is_superuser or project_settings.ALLOW_SELF_SERVICE_ORGANIZATIONS:
        return
    raise PermissionDenied("Only superusers can create organizations.")


def create_organization(*, name: str, user: Any) -> Organization:
    """Create an organization; its creator becomes its first admin."""
    require_may_create_organizations(user)
    name = validation.clean_name(name, "name", max_length=NAME_MAX_LENGTH)
    if Organization.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": ["An organization with this name already exists."]})
    text.clean_identity_name(
        name, "name", existing=_lookalike_candidates(Organization.objects, "name", name)
    )
    with transaction.atomic():
        organization = Organization.objects.create(name=name)
        OrganizationMembership.objects.create(
            organization=organization, user=user, role=OrganizationMembership.Role.ADMIN
        )
    return organization


def _lookalike_candidates(rows: Any, field: str, name: str) -> list[str]:
    """The existing names that could share ``name``'s skeleton, without reading them all:
    the plain-ASCII ones equal to it case-insensitively, and the few with any non-ASCII
    character (whose skeletons are then computed in Python)."""
    skeleton = text.skeleton(name)
    query = (
        Q(**{f"{field}__iexact": name})
        | Q(**{f"{field}__iexact": skeleton})
        | Q(**{f"{field}__regex": r"[^ -~]"})
    )
    return list(rows.filter(query).values_list(field, flat=True))


def add_organization_member(
    *, organization: Organization, user: Any, role: str = OrganizationMembership.Role.MEMBER
) -> OrganizationMembership:
    if role not in OrganizationMembership.Role.values:
        raise ValidationError({"role": ["Unknown organization role."]})
    membership, _ = OrganizationMembership.objects.update_or_create(
        organization=organization, user=user, defaults={"role": role}
    )
    return membership


def create_project(*, organization: Organization, name: str) -> Project:
    name = validation.clean_name(name, "name", max_length=NAME_MAX_LENGTH)
    if Project.objects.filter(organization=organization, name__iexact=name).exists():
        raise ValidationError({"name": ["This organization already has a project of that name."]})
    return Project.objects.create(organization=organization, name=name)


def create_corpus(*, project: Project, name: str, description: str = "") -> Corpus:
    return Corpus.objects.create(
        project=project,
        name=validation.clean_name(name, "name", max_length=NAME_MAX_LENGTH),
        description=validation.clean_text(
            description, "description", max_length=DESCRIPTION_MAX_LENGTH, required=False
        ),
    )


def create_tool(
    *,
    organization: Organization,
    name: str,
    kind: str,
    actions: Iterable[dict[str, Any]] = (),
    description: str = "",
) -> Tool:
    errors: dict[str, list[str]] = {}
    if kind not in Tool.Kind.values:
        errors["kind"] = [f"Must be one of: {', '.join(Tool.Kind.values)}."]
    actions = list(actions)
    names = [a.get("name") for a in actions]
    if len(names) != len(set(names)):
        errors["actions"] = ["Action names must be unique within a tool."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        tool = Tool.objects.create(
            organization=organization,
            name=validation.clean_name(name, "name", max_length=NAME_MAX_LENGTH),
            kind=kind,
            description=validation.clean_text(
                description, "description", max_length=DESCRIPTION_MAX_LENGTH, required=False
            ),
        )
        ToolAction.objects.bulk_create(
            [
                ToolAction(
                    tool=tool,
                    name=validation.clean_name(
                        a.get("name"), "actions", max_length=NAME_MAX_LENGTH
                    ),
                    config=validation.clean_json_object(a.get("config"), "actions"),
                )
                for a in actions
            ]
        )
    return tool


def create_guardrail(
    *, organization: Organization, name: str, type: str, config: dict[str, Any] | None = None
) -> Guardrail:
    return Guardrail.objects.create(
        organization=organization,
        name=validation.clean_name(name, "name", max_length=NAME_MAX_LENGTH),
        type=validation.clean_text(type, "type", max_length=64),
        config=validation.clean_json_object(config, "config"),
    )


# --- agents ----------------------------------------------------------------------------------


def create_agent(
    *,
    project: Project,
    user: Any,
    name: str,
    description: str = "",
    model_config: dict[str, Any] | None = None,
) -> Agent:
    """Create an agent with a Staging configuration and no Production; the creator owns it."""
    cleaned_name = validation.clean_name(name, "name", max_length=NAME_MAX_LENGTH)
    cleaned_description = validation.clean_text(
        description, "description", max_length=DESCRIPTION_MAX_LENGTH, required=False
    )
    config = validation.clean_model_config(
        model_config if model_config is not None else dict(validation.DEFAULT_MODEL_CONFIG)
    )
    actor = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        agent = Agent.objects.create(project=project, created_by=actor)
        staging = StagingConfiguration(
            agent=agent,
            name=cleaned_name,
            description=cleaned_description,
            model_config=config,
            updated_by=actor,
            updated_by_username=actor.get_username() if actor is not None else "",
        )
        staging.fingerprint = staging_fingerprint(agent, staging)
        staging.skip_history_when_saving = True
        staging.save(force_insert=True)
        del staging.skip_history_when_saving
        record_history(
            StagingConfiguration,
            [staging],
            kind="+",
            user=actor,
            reason="Agent created",
            when=staging.updated_at,
            revision=staging.revision,
        )
        if actor is not None:
            AgentPermission.objects.create(
                agent=agent, user=actor, role=AgentPermission.Role.OWNER, granted_by=actor
            )
    agent.staging = staging
    return agent


def delete_agent(*, agent: Agent, user: Any) -> None:
    """Archive the agent: gone from the API, the pages and the live read at once.

    Nothing is erased: the publish records are an append-only audit trail (DESIGN
    invariant 3) and stay browsable in the admin, as do the Staging history records.
    """
    with transaction.atomic():
        locked = Agent.objects.select_for_update().get(pk=agent.pk)
        if locked.deleted_at is not None:
            raise Agent.DoesNotExist("Agent not found.")
        locked.deleted_at = timezone.now()
        locked.deleted_by = user if getattr(user, "is_authenticated", False) else None
        locked.save(update_fields=["deleted_at", "deleted_by"])
        transaction.on_commit(lambda: agent_archived.send(sender=Agent, agent_id=locked.pk))
    agent.deleted_at = locked.deleted_at


def update_agent_settings(
    *,
    agent: Agent,
    user: Any,
    name: str | None = None,
    description: str | None = None,
    model_config: dict[str, Any] | None = None,
) -> StagingConfiguration:
    """Change name, description or model configuration; only what is given changes."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field, check in (
        ("name", lambda v: validation.clean_name(v, "name", max_length=NAME_MAX_LENGTH)),
        (
            "description",
            lambda v: validation.clean_text(
                v, "description", max_length=DESCRIPTION_MAX_LENGTH, required=False
            ),
        ),
        ("model_config", validation.clean_model_config),
    ):
        raw = {"name": name, "description": description, "model_config": model_config}[field]
        if raw is None:
            continue
        try:
            values[field] = check(raw)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with staging_edit(agent, user=user, reason=_reason("Settings changed", values)) as change:
        change.set_settings(**values)
    return change.staging


def _reason(prefix: str, values: dict[str, Any]) -> str:
    return f"{prefix}: {', '.join(sorted(values))}" if values else prefix


def set_access_level(*, agent: Agent, user: Any, access_level: str) -> StagingConfiguration:
    level = validation.clean_access_level(access_level)
    with staging_edit(agent, user=user, reason=f"Access level set to {level}") as change:
        change.set_settings(access_level=level)
    return change.staging


def set_tags(*, agent: Agent, user: Any, tags: list[str]) -> StagingConfiguration:
    cleaned = validation.clean_tags(tags)
    with staging_edit(agent, user=user, reason="Tags replaced") as change:
        change.set_settings(tags=cleaned)
    return change.staging


def set_sharepoint_folder(
    *, agent: Agent, user: Any, site_url: str, folder_path: str
) -> StagingConfiguration:
    url, path = validation.clean_sharepoint(site_url, folder_path)
    with staging_edit(agent, user=user, reason="SharePoint folder set") as change:
        change.set_settings(sharepoint_site_url=url, sharepoint_folder_path=path)
    return change.staging


def clear_sharepoint_folder(*, agent: Agent, user: Any) -> StagingConfiguration:
    with staging_edit(agent, user=user, reason="SharePoint folder removed") as change:
        change.set_settings(sharepoint_site_url="", sharepoint_folder_path="")
    return change.staging


# --- instructions ----------------------------------------------------------------------------


def _clean_instruction(title: Any, content: Any, *, partial: bool) -> dict[str, str]:
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if title is not None or not partial:
        try:
            values["title"] = validation.clean_text(
                title, "title", max_length=INSTRUCTION_TITLE_MAX_LENGTH
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if content is not None or not partial:
        try:
            values["content"] = validation.clean_text(
                content, "content", max_length=INSTRUCTION_CONTENT_MAX_LENGTH
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return values


def _clean_position(position: Any) -> int | None:
    if position is None:
        return None
    if isinstance(position, bool) or not isinstance(position, int) or position < 0:
        raise ValidationError({"position": ["Must be a whole number, 0 or more."]})
    return position


def _place(change: StagingChanges, ordered: list[Instruction]) -> None:
    """Renumber instructions 0..n-1 in the given order, updating only those that moved."""
    for index, instruction in enumerate(ordered):
        if instruction.position != index:
            instruction.position = index
            if instruction.pk is not None and instruction not in change.created.get(
                Instruction, []
            ):
                change.update(instruction, ["position"])


def add_instruction(
    *, agent: Agent, user: Any, title: str, content: str, position: int | None = None
) -> Instruction:
    """Add an instruction at ``position`` (default: last); later ones move down one."""
    values = _clean_instruction(title, content, partial=False)
    position = _clean_position(position)
    with staging_edit(agent, user=user, reason=f"Instruction added: {values['title']}") as change:
        # Positions are 0..n-1 (every edit renumbers), so only the instructions at or after
        # the new one move, and an append reads none of them: the add no longer loads every
        # instruction under the row lock.
        siblings = Instruction.objects.filter(agent_id=agent.pk)
        count = siblings.count()
        index = count if position is None else min(position, count)
        later = (
            list(siblings.filter(position__gte=index).order_by("position", "id"))
            if index < count
            else []
        )
        instruction = Instruction(agent_id=agent.pk, position=index, **values)
        change.create(instruction)
        for new_position, row in enumerate(later, start=index + 1):
            if row.position != new_position:
                row.position = new_position
                change.update(row, ["position"])
    return instruction


def update_instruction(
    *,
    agent: Agent,
    user: Any,
    instruction_id: Any,
    title: str | None = None,
    content: str | None = None,
    position: int | None = None,
) -> Instruction:
    values = _clean_instruction(title, content, partial=True)
    position = _clean_position(position)
    with staging_edit(agent, user=user, reason="Instruction edited") as change:
        ordered = list(Instruction.objects.filter(agent_id=agent.pk).order_by("position", "id"))
        instruction = next((i for i in ordered if str(i.pk) == str(instruction_id)), None)
        if instruction is None:
            raise ValidationError({"id": ["No such instruction on this agent."]})
        _update_fields(change, instruction, **values)
        if position is not None:
            ordered.remove(instruction)
            ordered.insert(min(position, len(ordered)), instruction)
            _place(change, ordered)
    return instruction


def delete_instruction(*, agent: Agent, user: Any, instruction_id: Any) -> None:
    with staging_edit(agent, user=user, reason="Instruction deleted") as change:
        ordered = list(Instruction.objects.filter(agent_id=agent.pk).order_by("position", "id"))
        instruction = next((i for i in ordered if str(i.pk) == str(instruction_id)), None)
        if instruction is None:
            raise Instruction.DoesNotExist("No such instruction on this agent.")
        ordered.remove(instruction)
        change.delete(instruction)
        _place(change, ordered)


def reorder_instructions(*, agent: Agent, user: Any, ordered_ids: list[int]) -> None:
    """Put the instructions in exactly this order (every id, once)."""
    with staging_edit(agent, user=user, reason="Instructions reordered") as change:
        by_id = {i.pk: i for i in Instruction.objects.filter(agent_id=agent.pk)}
        if sorted(ordered_ids) != sorted(by_id):
            raise ValidationError({"order": ["Give every instruction of the agent exactly once."]})
        _place(change, [by_id[pk] for pk in ordered_ids])


# --- knowledge sources -----------------------------------------------------------------------


def _corpora_of_project(agent: Agent, corpus_ids: Iterable[Any]) -> dict[int, Corpus]:
    """The corpora, which must exist in the agent's organization; 400 naming the others."""
    ids: list[int] = []
    for raw in corpus_ids:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValidationError({"corpus_ids": ["Must be a list of corpus ids."]})
        ids.append(raw)
    if len(ids) != len(set(ids)):
        raise ValidationError({"corpus_ids": ["The same corpus is listed twice."]})
    found = {
        c.pk: c
        for c in Corpus.objects.filter(
            pk__in=ids, project__organization_id=agent.project.organization_id
        )
    }
    unknown = [pk for pk in ids if pk not in found]
    if unknown:
        raise ValidationError(
            {"corpus_ids": [f"Unknown corpus id(s) for this organization: {unknown}."]}
        )
    return found


def connect_corpora(
    *, agent: Agent, user: Any, corpus_ids: list[int], settings: dict[str, Any] | None = None
) -> list[CorpusConnection]:
    """Connect several corpora at once; refused whole if any is unknown or already connected."""
    if not corpus_ids:
        raise ValidationError({"corpus_ids": ["Give at least one corpus id."]})
    corpora = _corpora_of_project(agent, corpus_ids)
    cleaned = validation.clean_corpus_settings(
        settings if settings is not None else dict(validation.DEFAULT_CORPUS_SETTINGS)
    )
    with staging_edit(agent, user=user, reason=f"{len(corpora)} corpus(es) connected") as change:
        already = set(
            CorpusConnection.objects.filter(agent_id=agent.pk, corpus_id__in=corpora).values_list(
                "corpus_id", flat=True
            )
        )
        if already:
            raise ValidationError(
                {"corpus_ids": [f"Already connected to this agent: {sorted(already)}."]}
            )
        made = [
            change.create(
                CorpusConnection(agent_id=agent.pk, corpus=corpora[pk], settings=dict(cleaned))
            )
            for pk in corpus_ids
        ]
    return made


def disconnect_corpora(*, agent: Agent, user: Any, corpus_ids: list[int]) -> int:
    if not corpus_ids:
        raise ValidationError({"corpus_ids": ["Give at least one corpus id."]})
    if any(isinstance(pk, bool) or not isinstance(pk, int) for pk in corpus_ids):
        raise ValidationError({"corpus_ids": ["Must be a list of corpus ids."]})
    corpus_ids = [_int_id(pk, "corpus_ids") for pk in corpus_ids]
    with staging_edit(agent, user=user, reason="Corpora disconnected") as change:
        connections = list(
            CorpusConnection.objects.filter(agent_id=agent.pk, corpus_id__in=corpus_ids)
        )
        missing = sorted(set(corpus_ids) - {c.corpus_id for c in connections})
        if missing:
            raise ValidationError({"corpus_ids": [f"Not connected to this agent: {missing}."]})
        for connection in connections:
            change.delete(connection)
    return len(connections)


def set_corpus_connection(
    *,
    agent: Agent,
    user: Any,
    corpus_id: Any,
    enabled: bool | None = None,
    settings: dict[str, Any] | None = None,
    create: bool = False,
) -> tuple[CorpusConnection, bool]:
    """Change one connection's settings (``create=True``: connect it first; 409-free upsert).

    Answers the connection and whether it was made by this call, decided under the agent's
    lock, so a caller reporting "created" cannot be told otherwise by a concurrent edit.
    """
    pk = _int_id(corpus_id, "corpus_id")
    corpus = _corpora_of_project(agent, [pk])[pk]
    if enabled is not None and not isinstance(enabled, bool):
        raise ValidationError({"enabled": ["Must be true or false."]})
    cleaned = validation.clean_corpus_settings(settings) if settings is not None else None
    with staging_edit(agent, user=user, reason=f"Knowledge source “{corpus.name}” set") as change:
        connection = CorpusConnection.objects.filter(agent_id=agent.pk, corpus_id=corpus.pk).first()
        if connection is None:
            if not create:
                raise CorpusConnection.DoesNotExist("This corpus is not connected to the agent.")
            connection = CorpusConnection(
                agent_id=agent.pk,
                corpus=corpus,
                enabled=True if enabled is None else enabled,
                settings=cleaned
                if cleaned is not None
                else dict(validation.DEFAULT_CORPUS_SETTINGS),
            )
            change.create(connection)
            return connection, True
        _update_fields(change, connection, enabled=enabled, settings=cleaned)
    connection.corpus = corpus
    return connection, False


def _update_fields(change: StagingChanges, row: Any, **values: Any) -> None:
    """Set each given value (None: leave as is) that differs; record the row if any did."""
    changed = [f for f, v in values.items() if v is not None and getattr(row, f) != v]
    for field in changed:
        setattr(row, field, values[field])
    change.update(row, changed)


def _int_id(value: Any, field: str) -> int:
    number = parse_id(value)
    if number is None:
        raise ValidationError({field: ["Must be an id."]})
    return number


# --- tools and actions -----------------------------------------------------------------------


def _tool_of_organization(agent: Agent, tool_id: Any) -> Tool:
    tool = Tool.objects.filter(
        pk=_int_id(tool_id, "tool_id"), organization_id=agent.project.organization_id
    ).first()
    if tool is None:
        raise Tool.DoesNotExist("No such tool in this agent's organization.")
    return tool


def enable_tool(*, agent: Agent, user: Any, tool_id: Any) -> ToolBinding:
    """Bind and enable a tool; on first binding every action of the tool starts enabled."""
    tool = _tool_of_organization(agent, tool_id)
    with staging_edit(agent, user=user, reason=f"Tool “{tool.name}” enabled") as change:
        binding = ToolBinding.objects.filter(agent_id=agent.pk, tool_id=tool.pk).first()
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
        for action in tool.actions.all():
            if action.pk not in existing:
                change.create(ActionSetting(agent_id=agent.pk, action=action, enabled=True))
    return binding


def disable_tool(*, agent: Agent, user: Any, tool_id: Any) -> ToolBinding:
    """Disable a bound tool; its action states are kept for when it is enabled again."""
    tool = _tool_of_organization(agent, tool_id)
    with staging_edit(agent, user=user, reason=f"Tool “{tool.name}” disabled") as change:
        binding = ToolBinding.objects.filter(agent_id=agent.pk, tool_id=tool.pk).first()
        if binding is None:
            raise ToolBinding.DoesNotExist("This tool is not connected to the agent.")
        if binding.enabled:
            binding.enabled = False
            change.update(binding, ["enabled"])
    return binding


def update_action(
    *,
    agent: Agent,
    user: Any,
    tool_id: Any,
    action_id: Any,
    enabled: bool | None = None,
    config: dict[str, Any] | None = None,
) -> ActionSetting:
    """Enable/disable one action of a bound tool, or replace its config."""
    tool = _tool_of_organization(agent, tool_id)
    action = ToolAction.objects.filter(pk=_int_id(action_id, "action_id"), tool=tool).first()
    if action is None:
        raise ToolAction.DoesNotExist("No such action on this tool.")
    if enabled is not None and not isinstance(enabled, bool):
        raise ValidationError({"enabled": ["Must be true or false."]})
    cleaned = validation.clean_json_object(config, "config") if config is not None else None
    verb = "changed" if enabled is None else ("enabled" if enabled else "disabled")
    reason = f"Tool “{tool.name}”: action “{action.name}” {verb}"
    with staging_edit(agent, user=user, reason=reason) as change:
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
        _update_fields(change, setting, enabled=enabled, config=cleaned)
    setting.action = action
    return setting


# --- guardrails ------------------------------------------------------------------------------


def set_guardrail(
    *,
    agent: Agent,
    user: Any,
    guardrail_id: Any,
    enabled: bool,
    settings: dict[str, Any] | None = None,
) -> GuardrailSetting:
    guardrail = Guardrail.objects.filter(
        pk=_int_id(guardrail_id, "guardrail_id"),
        organization_id=agent.project.organization_id,
    ).first()
    if guardrail is None:
        raise ValidationError({"guardrail_id": ["Unknown guardrail for this organization."]})
    if not isinstance(enabled, bool):
        raise ValidationError({"enabled": ["Must be true or false."]})
    cleaned = validation.clean_json_object(settings, "settings") if settings is not None else None
    verb = "enabled" if enabled else "disabled"
    with staging_edit(agent, user=user, reason=f"Guardrail “{guardrail.name}” {verb}") as change:
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
        _update_fields(change, setting, enabled=enabled, settings=cleaned)
    setting.guardrail = guardrail
    return setting


# --- permissions -----------------------------------------------------------------------------


# One answer for an id that names nobody and for one that names someone outside the
# organization, so the grant form cannot be used to list the users of other organizations.
NOT_A_MEMBER = "No member of this agent's organization has this id."


def grant_permission(*, agent: Agent, user: Any, target_user_id: Any, role: str) -> AgentPermission:
    """Give a current member of the agent's organization a role on the agent.

    Roles count only while their holder belongs to the agent's organization
    (``agents.permissions``), so a grant to anyone else is refused rather than stored.
    """
    if role not in AgentPermission.Role.values:
        raise ValidationError(
            {"role": [f"Must be one of: {', '.join(AgentPermission.Role.values)}."]}
        )
    target = User.objects.filter(
        pk=_int_id(target_user_id, "user_id"),
        org_memberships__organization_id=agent.project.organization_id,
    ).first()
    if target is None:
        raise ValidationError({"user_id": [NOT_A_MEMBER]})
    try:
        with transaction.atomic():
            permission = AgentPermission(agent=agent, user=target, role=role, granted_by=user)
            permission._history_user = user
            permission.save()
    except IntegrityError:
        raise ValidationError(
            {"user_id": ["This user already has a role on this agent."]}
        ) from None
    return permission


def _refuse_losing_last_owner(permission: AgentPermission, field: str) -> None:
    """An agent keeps at least one explicit owner, or only admins could manage it."""
    if permission.role != AgentPermission.Role.OWNER:
        return
    others = AgentPermission.objects.filter(
        agent_id=permission.agent_id, role=AgentPermission.Role.OWNER
    ).exclude(pk=permission.pk)
    if not others.exists():
        raise ValidationError(
            {field: ["This is the agent's last owner: make someone else owner first."]}
        )


def change_permission(*, permission: AgentPermission, user: Any, role: str) -> AgentPermission:
    """Change a user's role; the agent's last owner cannot be demoted."""
    if role not in AgentPermission.Role.values:
        raise ValidationError(
            {"role": [f"Must be one of: {', '.join(AgentPermission.Role.values)}."]}
        )
    with transaction.atomic():
        # Under the agent's lock, so two owners demoting each other cannot both succeed.
        Agent.objects.select_for_update().filter(pk=permission.agent_id).first()
        permission.refresh_from_db(fields=["role"])
        if role != AgentPermission.Role.OWNER:
            _refuse_losing_last_owner(permission, "role")
        permission.role = role
        permission.granted_by = user
        permission._history_user = user
        permission.save(update_fields=["role", "granted_by"])
    return permission


def revoke_permission(*, permission: AgentPermission, user: Any) -> None:
    """Take a role away; the agent's last owner cannot be removed."""
    with transaction.atomic():
        Agent.objects.select_for_update().filter(pk=permission.agent_id).first()
        permission.refresh_from_db(fields=["role"])
        _refuse_losing_last_owner(permission, "permission_id")
        permission._history_user = user
        permission.delete()


# --- whole-configuration writes (restore, revert, discard) -----------------------------------


def apply_snapshot_to_staging(
    *,
    agent: Agent,
    user: Any,
    snapshot: dict[str, Any],
    reason: str,
    restored_from: Any = None,
    restored_mode: str = "",
) -> StagingConfiguration:
    """Make Staging exactly the configuration in ``snapshot``, in one recorded edit.

    Only rows that differ are written, with bulk operations, so the cost does not grow with
    the parts that stay the same. Instructions keep their ids (a deleted one comes back under
    its old id), so the diff matches them across a restore. A catalogue object that no
    longer exists is refused with a ValidationError naming it, and nothing is written.
    """
    with staging_edit(agent, user=user, reason=reason) as change:
        _apply_settings(change, snapshot["settings"], snapshot["knowledge_sources"]["sharepoint"])
        _apply_instructions(change, agent, snapshot["instructions"])
        _apply_keyed(
            change,
            model=CorpusConnection,
            agent=agent,
            key="corpus_id",
            wanted={
                c["corpus_id"]: {"enabled": c["enabled"], "settings": c["settings"]}
                for c in snapshot["knowledge_sources"]["corpora"]
            },
            catalogue=Corpus.objects.filter(project__organization_id=agent.project.organization_id),
            label="knowledge source",
        )
        _apply_keyed(
            change,
            model=ToolBinding,
            agent=agent,
            key="tool_id",
            wanted={t["tool_id"]: {"enabled": t["enabled"]} for t in snapshot["tools"]},
            catalogue=Tool.objects.filter(organization_id=agent.project.organization_id),
            label="tool",
        )
        _apply_keyed(
            change,
            model=ActionSetting,
            agent=agent,
            key="action_id",
            wanted={
                a["action_id"]: {"enabled": a["enabled"], "config": a["config"]}
                for t in snapshot["tools"]
                for a in t["actions"]
            },
            catalogue=ToolAction.objects.filter(
                tool__organization_id=agent.project.organization_id
            ),
            label="tool action",
        )
        _apply_keyed(
            change,
            model=GuardrailSetting,
            agent=agent,
            key="guardrail_id",
            wanted={
                g["guardrail_id"]: {"enabled": g["enabled"], "settings": g["settings"]}
                for g in snapshot["guardrails"]
            },
            catalogue=Guardrail.objects.filter(organization_id=agent.project.organization_id),
            label="guardrail",
        )
        # A rollback names its record as the source of the next publish - unless it changed
        # nothing (no checkpoint either). Any other whole-configuration write clears it.
        if restored_from is None:
            _set_pending_restore(change.agent, None)
        elif not change.is_empty:
            _set_pending_restore(change.agent, (restored_from, restored_mode))
    return change.staging


def _set_pending_restore(agent: Agent, pending: tuple[Any, str] | None) -> None:
    restored_from, mode = pending or (None, "")
    if (agent.pending_restored_from, agent.pending_restored_mode) != (restored_from, mode):
        agent.pending_restored_from, agent.pending_restored_mode = restored_from, mode
        agent.save(update_fields=["pending_restored_from", "pending_restored_mode"])


def _apply_settings(
    change: StagingChanges, settings: dict[str, Any], sharepoint: dict[str, str] | None
) -> None:
    change.set_settings(
        name=settings["name"],
        description=settings["description"],
        model_config=settings["model_config"],
        access_level=settings["access_level"],
        tags=list(settings["tags"]),
        sharepoint_site_url=(sharepoint or {}).get("site_url", ""),
        sharepoint_folder_path=(sharepoint or {}).get("folder_path", ""),
    )


def _apply_instructions(change: StagingChanges, agent: Agent, wanted: list[dict[str, Any]]) -> None:
    current = {i.pk: i for i in Instruction.objects.filter(agent_id=agent.pk)}
    wanted_ids = {item["id"] for item in wanted}
    for pk, instruction in current.items():
        if pk not in wanted_ids:
            change.delete(instruction)
    # An id that now belongs to another agent (impossible through the services, but a
    # snapshot is data) must not be overwritten: it is re-created under a fresh id.
    foreign = set(
        Instruction.objects.filter(pk__in=wanted_ids - set(current))
        .exclude(agent_id=agent.pk)
        .values_list("pk", flat=True)
    )
    for index, item in enumerate(wanted):
        fields = {"title": item["title"], "content": item["content"], "position": index}
        existing = current.get(item["id"])
        if existing is None:
            pk = None if item["id"] in foreign else item["id"]
            change.create(Instruction(pk=pk, agent_id=agent.pk, **fields))
            continue
        _update_fields(change, existing, **fields)


def _apply_keyed(
    change: StagingChanges,
    *,
    model: type,
    agent: Agent,
    key: str,
    wanted: dict[int, dict[str, Any]],
    catalogue: Any,
    label: str,
) -> None:
    current = {getattr(row, key): row for row in model.objects.filter(agent_id=agent.pk)}
    for ref, row in current.items():
        if ref not in wanted:
            change.delete(row)
    missing = set(wanted) - set(current)
    if missing:
        available = set(catalogue.filter(pk__in=missing).values_list("pk", flat=True))
        gone = sorted(missing - available)
        if gone:
            raise ValidationError(
                {"snapshot": [f"The {label}(s) {gone} no longer exist in the catalogue."]}
            )
    for ref, fields in wanted.items():
        row = current.get(ref)
        if row is None:
            change.create(model(agent_id=agent.pk, **{key: ref}, **fields))
            continue
        _update_fields(change, row, **fields)
