"""An agent's instructions: add, edit, move, delete, reorder (editors; ``agents.permissions``).

Positions are always 0..n-1 in order: every edit that moves one renumbers the others.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from agents import validation
from agents.concurrency import refuse_if_deleted_since
from agents.models import (
    INSTRUCTION_CONTENT_MAX_LENGTH,
    INSTRUCTION_TITLE_MAX_LENGTH,
    Agent,
    Instruction,
)
from agents.permissions import Role, require_role
from agents.reasons import instruction_reason, named
from agents.services.common import update_changed
from agents.staging import StagingChanges, staging_edit
from ejento_staging.ids import parse_id


def _clean_instruction(title: Any, content: Any, *, partial: bool) -> dict[str, str]:
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for field, raw, max_length in (
        ("title", title, INSTRUCTION_TITLE_MAX_LENGTH),
        ("content", content, INSTRUCTION_CONTENT_MAX_LENGTH),
    ):
        if raw is None and partial:
            continue
        try:
            values[field] = validation.clean_text(raw, field, max_length=max_length)
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


def _in_order_with(agent: Agent, instruction_id: Any) -> tuple[list[Instruction], Any]:
    """The agent's instructions in order, and the one ``instruction_id`` names (or None)."""
    ordered = list(Instruction.objects.filter(agent_id=agent.pk).order_by("position", "id"))
    pk = parse_id(instruction_id)
    return ordered, next((i for i in ordered if i.pk == pk), None)


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
    *, agent: Agent, acting_user: Any, title: str, content: str, position: int | None = None
) -> Instruction:
    """Add an instruction at ``position`` (default: last); later ones move down one."""
    require_role(acting_user, agent, Role.EDITOR)
    values = _clean_instruction(title, content, partial=False)
    position = _clean_position(position)
    reason = f"{named('Instruction', values['title'])} added"
    with staging_edit(agent, acting_user=acting_user, reason=reason) as change:
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
    acting_user: Any,
    instruction_id: Any,
    title: str | None = None,
    content: str | None = None,
    position: int | None = None,
) -> Instruction:
    require_role(acting_user, agent, Role.EDITOR)
    values = _clean_instruction(title, content, partial=True)
    position = _clean_position(position)
    with staging_edit(agent, acting_user=acting_user, reason="Instruction edited") as change:
        ordered, instruction = _in_order_with(agent, instruction_id)
        if instruction is None:
            refuse_if_deleted_since(Instruction, agent.pk, parse_id(instruction_id))
            raise ValidationError({"id": ["No such instruction on this agent."]})
        title_before = instruction.title
        fields = set(update_changed(change, instruction, **values))
        if position is not None:
            before = instruction.position
            ordered.remove(instruction)
            ordered.insert(min(position, len(ordered)), instruction)
            _place(change, ordered)
            if instruction.position != before:
                fields.add("position")
        # Named as it was: a renamed instruction is found by the title it had.
        change.reason = instruction_reason(title_before, fields)
    return instruction


def delete_instruction(*, agent: Agent, acting_user: Any, instruction_id: Any) -> None:
    require_role(acting_user, agent, Role.EDITOR)
    with staging_edit(agent, acting_user=acting_user, reason="Instruction deleted") as change:
        ordered, instruction = _in_order_with(agent, instruction_id)
        if instruction is None:
            refuse_if_deleted_since(Instruction, agent.pk, parse_id(instruction_id))
            raise Instruction.DoesNotExist("No such instruction on this agent.")
        change.reason = f"{named('Instruction', instruction.title)} deleted"
        ordered.remove(instruction)
        change.delete(instruction)
        _place(change, ordered)


def reorder_instructions(*, agent: Agent, acting_user: Any, ordered_ids: list[int]) -> None:
    """Put the instructions in exactly this order (every id, once)."""
    require_role(acting_user, agent, Role.EDITOR)
    with staging_edit(agent, acting_user=acting_user, reason="Instructions reordered") as change:
        by_id = {i.pk: i for i in Instruction.objects.filter(agent_id=agent.pk)}
        if sorted(ordered_ids) != sorted(by_id):
            raise ValidationError({"order": ["Give every instruction of the agent exactly once."]})
        _place(change, [by_id[pk] for pk in ordered_ids])
