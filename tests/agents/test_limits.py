"""Bounds on an agent's size (red-team finding 12).

``MAX_INSTRUCTIONS_PER_AGENT`` and ``MAX_CONFIGURATION_BYTES`` are enforced where every
staging edit is written (``agents.staging.StagingChanges.flush``), so the API, the pages,
restore, revert and checkpoint restore all refuse with 400 and write nothing. The bounds are
lowered here so the tests stay small; the defaults are documented in README.md.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from agents import services
from agents.models import Instruction, StagingConfiguration
from publishing import selectors
from publishing.services import publish_agent, restore_checkpoint, rollback_agent
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def revision(agent) -> int:
    return StagingConfiguration.objects.get(agent_id=agent.pk).revision


def add(agent, user, n: int, content: str = "Be brief.") -> None:
    for i in range(n):
        services.add_instruction(agent=agent, acting_user=user, title=f"Rule {i}", content=content)


def test_the_defaults_are_the_documented_ones(settings):
    assert settings.MAX_INSTRUCTIONS_PER_AGENT == 200
    assert settings.MAX_CONFIGURATION_BYTES == 2 * 1024 * 1024


@override_settings(MAX_INSTRUCTIONS_PER_AGENT=3)
def test_the_service_refuses_an_instruction_past_the_bound(agent, owner):
    add(agent, owner, 3)
    before = revision(agent)
    with pytest.raises(ValidationError) as refused:
        services.add_instruction(agent=agent, acting_user=owner, title="Fourth", content="x")
    assert "at most 3 instructions" in refused.value.message_dict["instructions"][0]
    assert revision(agent) == before
    assert Instruction.objects.filter(agent=agent).count() == 3
    assert not Instruction.history.filter(agent_id=agent.pk, title="Fourth").exists()


@override_settings(MAX_INSTRUCTIONS_PER_AGENT=3)
def test_the_api_answers_400_past_the_instruction_bound(agent, owner):
    add(agent, owner, 3)
    before = revision(agent)
    response = client_for(owner).post(
        reverse("api-instructions", kwargs={"agent_id": agent.pk}),
        {"title": "Fourth", "content": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "at most 3 instructions" in response.json()["instructions"][0]
    assert revision(agent) == before


@override_settings(MAX_INSTRUCTIONS_PER_AGENT=3)
def test_the_page_shows_the_bound_inline(agent, owner):
    add(agent, owner, 3)
    before = revision(agent)
    client = Client()
    client.force_login(owner)
    response = client.post(
        reverse("agents:instruction-add", kwargs={"agent_id": agent.pk}),
        {"instruction-new-title": "Fourth", "instruction-new-content": "x"},
    )
    assert response.status_code == 400
    assert "at most 3 instructions" in response.content.decode()
    assert revision(agent) == before


@override_settings(MAX_CONFIGURATION_BYTES=4_000)
def test_the_configuration_size_is_bounded(agent, owner):
    add(agent, owner, 1, content="x" * 1_000)
    before = revision(agent)
    response = client_for(owner).post(
        reverse("api-instructions", kwargs={"agent_id": agent.pk}),
        {"title": "Big", "content": "y" * 3_000},
        format="json",
    )
    assert response.status_code == 400
    assert "at most 4,000 bytes" in response.json()["configuration"][0]
    assert revision(agent) == before
    # Settings count too, not only instructions.
    with pytest.raises(ValidationError) as refused:
        services.update_agent_settings(agent=agent, acting_user=owner, description="z" * 3_500)
    assert "configuration" in refused.value.message_dict
    assert revision(agent) == before


def test_an_agent_over_a_lowered_bound_can_still_be_cut_down(agent, owner):
    add(agent, owner, 4)
    with override_settings(MAX_INSTRUCTIONS_PER_AGENT=2):
        first = Instruction.objects.filter(agent=agent).first()
        services.delete_instruction(agent=agent, acting_user=owner, instruction_id=first.pk)
        assert Instruction.objects.filter(agent=agent).count() == 3
        with pytest.raises(ValidationError):
            services.add_instruction(agent=agent, acting_user=owner, title="More", content="x")


def test_restoring_an_old_publish_past_todays_bound_is_refused(agent, owner):
    """An old publish larger than today's bound is refused whole with 400, not trimmed."""
    add(agent, owner, 4)
    big = publish_agent(agent=agent, user=owner, notes="Four rules")
    for instruction in list(Instruction.objects.filter(agent=agent))[1:]:
        services.delete_instruction(agent=agent, acting_user=owner, instruction_id=instruction.pk)
    cut = publish_agent(agent=agent, user=owner, notes="One rule")
    before = revision(agent)
    with override_settings(MAX_INSTRUCTIONS_PER_AGENT=3):
        response = client_for(owner).put(
            reverse("api-rollback", kwargs={"agent_id": agent.pk}),
            {"change_track_id": str(big.change_track_id), "mode": "restore"},
            format="json",
        )
        assert response.status_code == 400
        assert "at most 3 instructions" in response.json()["instructions"][0]
        with pytest.raises(ValidationError):
            # Reverting the publish that removed three rules would bring them back.
            rollback_agent(agent=agent, user=owner, record=cut, mode="revert")
        checkpoint = (
            selectors.edit_history(agent).filter(revision=before - 3).values("history_id").get()
        )
        with pytest.raises(ValidationError):
            restore_checkpoint(agent=agent, user=owner, history_id=checkpoint["history_id"])
    assert revision(agent) == before
    assert Instruction.objects.filter(agent=agent).count() == 1
