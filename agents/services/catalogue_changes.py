"""Changing shared components: a catalogue item, and the Staging of every agent using it.

What a catalogue item means to an agent - its effective definition (``configuration.snapshot``)
- is part of the agent's configuration, so a change to one (``change_catalogue_item`` and its
``update_*`` forms, organization admins only) reaches the Staging of every agent that uses it,
as a recorded edit of each, and never their Production: each agent takes it live with its
next publish. ``preview_catalogue_change`` shows first which agents that is, which are live,
and the diff each would get.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agents import validation
from agents.models import (
    NAME_MAX_LENGTH,
    Agent,
    Tool,
    ToolAction,
)
from agents.permissions import require_catalogue_admin
from agents.reasons import REASON_MAX_LENGTH, clip, named
from agents.services import catalogue_impact as impact
from agents.services.catalogue_impact import KINDS, Use, uses_query
from agents.services.common import clean_description
from agents.staging import staging_edit
from ejento_staging.ids import parse_id

PREVIEW_PAGE_SIZE = 50
REASON_FIELD = "reason"
_UNSET: Any = object()


# The agent's Staging settings row, as far as ``build_snapshot`` reads it for one item.
@dataclass(frozen=True)
class CatalogueChange:
    """A catalogue edit, previewed or made: the item as it is (or would be), the fields it
    changes, and the agents that use the item - on a preview one page of them."""

    item: Any
    kind: str
    changed: tuple[str, ...]
    count: int
    live_count: int
    uses: tuple[Use, ...]
    page: int = 1
    edited_agents: tuple[int, ...] = ()

    @property
    def has_next(self) -> bool:
        return self.page * PREVIEW_PAGE_SIZE < self.count


def _clean(kind: str, item: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The given fields, validated (a ValidationError keyed by field lists every problem)."""
    cleaners = {
        "name": lambda v: validation.clean_name(v, "name", max_length=NAME_MAX_LENGTH),
        "description": clean_description,
        "config": lambda v: validation.clean_json_object(v, "config"),
        "kind": _clean_kind,
        "type": lambda v: validation.clean_text(v, "type", max_length=64),
    }
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field, value in values.items():
        if value is _UNSET:
            continue
        try:
            cleaned[field] = cleaners[field](value)
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)
    if kind == "action" and "name" in cleaned:
        taken = (
            ToolAction.objects.filter(tool_id=item.tool_id, name=cleaned["name"])
            .exclude(pk=item.pk)
            .exists()
        )
        if taken:
            errors.setdefault("name", []).append("This tool already has an action of that name.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_kind(value: Any) -> str:
    if value not in Tool.Kind.values:
        raise ValidationError(f"Must be one of: {', '.join(Tool.Kind.values)}.")
    return value


def clean_reason(value: Any) -> str:
    """Why the catalogue changes: required, as it lands in the edit history of every agent
    that uses the item (at most ``REASON_MAX_LENGTH`` characters, as the history keeps)."""
    return validation.clean_text(value, REASON_FIELD, max_length=REASON_MAX_LENGTH)


def _changed_copy(item: Any, values: dict[str, Any]) -> tuple[Any, tuple[str, ...]]:
    after = copy.copy(item)
    changed = []
    for field, value in values.items():
        if getattr(item, field) != value or type(getattr(item, field)) is not type(value):
            setattr(after, field, value)
            changed.append(field)
    return after, tuple(sorted(changed))


def _catalogue_item(kind: str, pk: Any, acting_user: Any) -> Any:
    """The item, for its organization's admins only (``require_catalogue_admin``)."""
    spec = KINDS[kind]
    related = {"action": ("tool",), "corpus": ("project",)}.get(kind, ())
    item = spec.model.objects.select_related(*related).filter(pk=parse_id(pk) or 0).first()
    if item is None:
        raise spec.model.DoesNotExist(f"No such {kind}.")
    require_catalogue_admin(acting_user, spec.organization_id(item), spec.model.DoesNotExist)
    return item


def preview_catalogue_change(
    *, acting_user: Any, component: str, item_id: Any, page: int = 1, **values: Any
) -> CatalogueChange:
    """What changing a catalogue item would do, without writing anything: the agents that
    use it (``PREVIEW_PAGE_SIZE`` a page, by agent id), which of them are live, and the diff
    the change would add to each one's Staging. Refused like the change itself.

    Four queries whatever the agents' configurations and the page's length.
    """
    kind = component
    item = _catalogue_item(kind, item_id, acting_user)
    after, changed = _changed_copy(item, _clean(kind, item, values))
    rows = uses_query(kind, item)
    page = max(int(page), 1)
    start = (page - 1) * PREVIEW_PAGE_SIZE
    listed = list(rows[start : start + PREVIEW_PAGE_SIZE])
    return CatalogueChange(
        item=after,
        kind=kind,
        changed=changed,
        count=rows.count(),
        live_count=rows.filter(agent__production__isnull=False).count(),
        uses=tuple(impact.uses(kind, item, after, listed)),
        page=page,
    )


def change_catalogue_item(
    *, acting_user: Any, component: str, item_id: Any, reason: Any, **values: Any
) -> CatalogueChange:
    """Change a catalogue item and bring it into the Staging of every agent that uses it.

    Only superusers and the organization's admins (``require_catalogue_admin``). In one
    transaction: the item is written with its history record (who, when, ``reason``), and
    every agent (not archived) whose effective definition changes gets one recorded Staging
    edit - a checkpoint attributed to ``acting_user``, the reason naming the component, the
    stored fingerprint recomputed - the agents locked in id order first. Production and the
    live read are untouched: each agent takes the change live with its next publish. A
    change of labels only (a name) changes no agent's configuration and records no edit.
    Bad input raises a ValidationError by field, and nothing is written.
    """
    kind = component
    spec = KINDS[kind]
    item = _catalogue_item(kind, item_id, acting_user)
    cleaned = _clean(kind, item, values)
    reason = clean_reason(reason)
    with transaction.atomic():
        item = spec.model.objects.select_for_update().get(pk=item.pk)
        _, changed = _changed_copy(item, cleaned)
        if not changed:
            return CatalogueChange(item, kind, (), 0, 0, ())
        before = copy.copy(item)
        if kind == "action":
            before.tool = item.tool
        candidates = list(uses_query(kind, item).values_list("agent_id", flat=True))
        # Agents locked in id order, as every multi-agent write does, then their rows read
        # again under the locks.
        list(
            Agent.objects.select_for_update()
            .filter(pk__in=candidates)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for field in changed:
            setattr(item, field, cleaned[field])
        when = timezone.now()
        item.skip_history_when_saving = True
        item.save(update_fields=list(changed))
        del item.skip_history_when_saving
        record_catalogue_history(item, acting_user=acting_user, reason=reason, when=when)
        uses = impact.uses(kind, before, item, uses_query(kind, item))
        what = ", ".join(f for f in changed if f in spec.definition_fields)
        label = named(spec.noun, item_label(kind, item))
        agent_reason = clip(f"{label}: {what} changed in the catalogue")
        edited = []
        for use in uses:
            if not use.diff.has_changes:
                continue
            agent = Agent(pk=use.agent_id)
            with staging_edit(agent, acting_user=acting_user, reason=agent_reason) as change:
                change.definitions_changed = True
            edited.append(use.agent_id)
    return CatalogueChange(
        item=item,
        kind=kind,
        changed=changed,
        count=len(uses),
        live_count=sum(use.live for use in uses),
        uses=tuple(uses),
        edited_agents=tuple(edited),
    )


def item_label(kind: str, item: Any) -> str:
    """An item's name as the agents' edit history names it (an action with its tool's)."""
    if kind == "action":
        return f"{item.tool.name}: {item.name}"
    return item.name


def record_catalogue_history(item: Any, *, acting_user: Any, reason: str, when: Any) -> None:
    """One history record of ``item`` as it now stands: who, when and why."""
    historical = type(item).history.model
    actor = acting_user if getattr(acting_user, "is_authenticated", False) else None
    historical.objects.create(
        history_date=when,
        history_user=actor,
        history_username=actor.get_username() if actor is not None else "",
        history_change_reason=clip(reason),
        history_type="~",
        **{f.attname: getattr(item, f.attname) for f in historical.tracked_fields},
    )


def update_tool(
    *,
    acting_user: Any,
    tool_id: Any,
    reason: Any,
    name: Any = _UNSET,
    kind: Any = _UNSET,
    description: Any = _UNSET,
) -> CatalogueChange:
    """Change a tool of the catalogue; its kind and description make its definition."""
    return change_catalogue_item(
        acting_user=acting_user,
        component="tool",
        item_id=tool_id,
        reason=reason,
        name=name,
        kind=kind,
        description=description,
    )


def update_tool_action(
    *, acting_user: Any, action_id: Any, reason: Any, name: Any = _UNSET, config: Any = _UNSET
) -> CatalogueChange:
    """Change an action of a catalogue tool; its config (with each agent's own config over
    it) makes its definition."""
    return change_catalogue_item(
        acting_user=acting_user,
        component="action",
        item_id=action_id,
        reason=reason,
        name=name,
        config=config,
    )


def update_guardrail(
    *,
    acting_user: Any,
    guardrail_id: Any,
    reason: Any,
    name: Any = _UNSET,
    type: Any = _UNSET,
    config: Any = _UNSET,
) -> CatalogueChange:
    """Change a guardrail of the catalogue; its type and config (with each agent's own
    settings over it) make its definition."""
    return change_catalogue_item(
        acting_user=acting_user,
        component="guardrail",
        item_id=guardrail_id,
        reason=reason,
        name=name,
        type=type,
        config=config,
    )


def update_corpus(
    *,
    acting_user: Any,
    corpus_id: Any,
    reason: Any,
    name: Any = _UNSET,
    description: Any = _UNSET,
) -> CatalogueChange:
    """Change a corpus of the catalogue; its description makes its definition."""
    return change_catalogue_item(
        acting_user=acting_user,
        component="corpus",
        item_id=corpus_id,
        reason=reason,
        name=name,
        description=description,
    )
