"""agents.services for an agent's instructions: rows, positions and their history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from agents import services
from agents.models import Instruction
from tests.agents.conftest import checkpoints, latest


def test_add_instruction_records_the_row_and_the_checkpoint(agent, editor):
    instruction = services.add_instruction(agent=agent, acting_user=editor, title="T", content="C")
    assert Instruction.objects.get().pk == instruction.pk
    record = latest(Instruction, id=instruction.pk)
    assert (record.history_type, record.history_user, record.staging_revision) == ("+", editor, 2)
    assert checkpoints(agent)[-1].revision == 2


def test_add_instruction_at_a_position_moves_the_later_ones(agent, editor):
    a = services.add_instruction(agent=agent, acting_user=editor, title="A", content="x")
    b = services.add_instruction(agent=agent, acting_user=editor, title="B", content="x")
    services.add_instruction(
        agent=agent, acting_user=editor, title="First", content="x", position=0
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.position, b.position) == (1, 2)
    assert latest(Instruction, id=a.pk).history_type == "~"


def test_update_instruction_moves_it_and_records_each_moved_row(agent, editor):
    a, b, c = (
        services.add_instruction(agent=agent, acting_user=editor, title=t, content="x")
        for t in "ABC"
    )
    services.update_instruction(agent=agent, acting_user=editor, instruction_id=c.pk, position=0)
    order = list(Instruction.objects.order_by("position").values_list("title", flat=True))
    assert order == ["C", "A", "B"]
    revision = checkpoints(agent)[-1].revision
    moved = Instruction.history.filter(staging_revision=revision)
    assert {r.id for r in moved} == {a.pk, b.pk, c.pk}


def test_update_instruction_of_an_unknown_id_is_refused(agent, editor):
    with pytest.raises(ValidationError) as error:
        services.update_instruction(agent=agent, acting_user=editor, instruction_id=999, title="x")
    assert "id" in error.value.message_dict


def test_delete_instruction_records_the_deletion(agent, editor):
    made = services.add_instruction(agent=agent, acting_user=editor, title="T", content="C")
    services.delete_instruction(agent=agent, acting_user=editor, instruction_id=made.pk)
    assert not Instruction.objects.exists()
    assert latest(Instruction, id=made.pk).history_type == "-"


def test_delete_instruction_of_an_unknown_id_is_not_found(agent, editor):
    with pytest.raises(Instruction.DoesNotExist):
        services.delete_instruction(agent=agent, acting_user=editor, instruction_id=999)
    assert len(checkpoints(agent)) == 1


def test_update_instruction_changes_only_the_fields_given(agent, editor):
    made = services.add_instruction(agent=agent, acting_user=editor, title="T", content="C")
    services.update_instruction(
        agent=agent, acting_user=editor, instruction_id=made.pk, content="New"
    )
    made.refresh_from_db()
    assert (made.title, made.content) == ("T", "New")


def test_add_instruction_reports_every_bad_field_at_once(agent, editor):
    with pytest.raises(ValidationError) as error:
        services.add_instruction(agent=agent, acting_user=editor, title="", content=None)
    assert set(error.value.message_dict) == {"title", "content"}
    assert len(checkpoints(agent)) == 1


@pytest.mark.parametrize("position", [-1, True, "1", 1.0])
def test_an_instruction_position_that_is_not_a_whole_number_is_refused(agent, editor, position):
    with pytest.raises(ValidationError) as error:
        services.add_instruction(
            agent=agent, acting_user=editor, title="T", content="C", position=position
        )
    assert error.value.message_dict == {"position": ["Must be a whole number, 0 or more."]}


def test_reorder_instructions_puts_them_in_the_given_order_in_one_checkpoint(agent, editor):
    a, b, c = (
        services.add_instruction(agent=agent, acting_user=editor, title=t, content="x")
        for t in "ABC"
    )
    services.reorder_instructions(agent=agent, acting_user=editor, ordered_ids=[c.pk, a.pk, b.pk])
    order = list(Instruction.objects.order_by("position").values_list("title", flat=True))
    assert order == ["C", "A", "B"]
    assert checkpoints(agent)[-1].history_change_reason == "Instructions reordered"


@pytest.mark.parametrize("which", ["missing", "twice", "unknown"])
def test_reorder_instructions_needs_every_id_exactly_once(agent, editor, which):
    a, b = (
        services.add_instruction(agent=agent, acting_user=editor, title=t, content="x")
        for t in "AB"
    )
    ids = {"missing": [a.pk], "twice": [a.pk, a.pk, b.pk], "unknown": [a.pk, b.pk, 999]}[which]
    before = len(checkpoints(agent))
    with pytest.raises(ValidationError) as error:
        services.reorder_instructions(agent=agent, acting_user=editor, ordered_ids=ids)
    assert "order" in error.value.message_dict
    assert len(checkpoints(agent)) == before
