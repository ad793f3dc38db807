"""An instruction's blame (API and page): each line with the edit that last changed it and
the publish that first took it live - exact after edits, moves, restores and reverts.

The property test drives the services at random and keeps its own replay of what happened:
after every step it reads the instruction as it stands and, when its content changed,
notes the new version with who made the step and the revision it made, and notes each
publish's revision. The blame the API gives must be ``configuration.blame`` of that replay.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from agents import services
from agents.models import Instruction, StagingConfiguration
from configuration.blame import blame, split_lines
from publishing.exceptions import NothingToDiscard, NothingToPublish, RevertConflict
from publishing.services import discard_staging, publish_agent, restore_checkpoint, rollback_agent
from tests import factories
from tests.publishing.conftest import client_as

pytestmark = pytest.mark.django_db

LINES = ["Be kind.", "Be brief.", "Refund within 30 days.", "Escalate to a human.", ""]


def url(agent, instruction_id) -> str:
    return f"/api/v2/agents/{agent.pk}/instructions/{instruction_id}/blame"


def blamed(agent, instruction_id, user) -> list[dict[str, Any]]:
    response = client_as(user).get(url(agent, instruction_id))
    assert response.status_code == 200, response.content
    return response.json()["lines"]


def revision_of(agent) -> int:
    return StagingConfiguration.objects.get(agent_id=agent.pk).revision


class BlameMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.owner = factories.UserFactory()
        self.editor = factories.UserFactory()
        organization = factories.OrganizationFactory()
        project = factories.ProjectFactory(organization=organization)
        self.agent = factories.AgentFactory(project=project, user=self.owner)
        factories.join(organization, self.editor)
        services.grant_permission(
            agent=self.agent, acting_user=self.owner, target_user_id=self.editor.pk, role="editor"
        )
        self.other = services.add_instruction(
            agent=self.agent, acting_user=self.owner, title="Other", content="Other"
        )
        self.target = services.add_instruction(
            agent=self.agent, acting_user=self.editor, title="Target", content="Be kind."
        )
        # The replay: (content or None, (username, revision)) per change of the content.
        self.versions: list[tuple[str | None, tuple[str, int]]] = [
            ("Be kind.", (self.editor.username, revision_of(self.agent)))
        ]
        self.publishes: list[tuple[int, str, int]] = []  # (sequence, track id, revision)

    def current(self) -> str | None:
        row = Instruction.objects.filter(pk=self.target.pk).values_list("content", flat=True)
        return row.first()

    def step(self, user: Any, action) -> None:
        try:
            action()
        except (
            ValidationError,
            ObjectDoesNotExist,
            NothingToPublish,
            NothingToDiscard,
            RevertConflict,
        ):
            return
        content = self.current()
        if content != self.versions[-1][0]:
            self.versions.append((content, (user.username, revision_of(self.agent))))

    def actor(self, data) -> Any:
        return data.draw(st.sampled_from([self.owner, self.editor]), label="user")

    @rule(data=st.data())
    def edit(self, data) -> None:
        user = self.actor(data)
        lines = split_lines(self.current() or "")
        at = data.draw(st.integers(0, len(lines)), label="at")
        cut = data.draw(st.integers(0, 2), label="cut")
        lines[at : at + cut] = data.draw(st.lists(st.sampled_from(LINES), max_size=3))
        content = "\n".join(lines) or "x"
        self.step(
            user,
            lambda: services.update_instruction(
                agent=self.agent, acting_user=user, instruction_id=self.target.pk, content=content
            ),
        )

    @rule(data=st.data())
    def move(self, data) -> None:
        user = self.actor(data)
        self.step(
            user,
            lambda: services.update_instruction(
                agent=self.agent,
                acting_user=user,
                instruction_id=self.target.pk,
                position=data.draw(st.integers(0, 1), label="position"),
            ),
        )

    @rule(data=st.data())
    def edit_the_other(self, data) -> None:
        user = self.actor(data)
        text = data.draw(st.sampled_from(LINES[:4]), label="other")
        self.step(
            user,
            lambda: services.update_instruction(
                agent=self.agent, acting_user=user, instruction_id=self.other.pk, content=text
            ),
        )

    @rule()
    def publish(self) -> None:
        def go():
            record = publish_agent(agent=self.agent, acting_user=self.owner)
            self.publishes.append(
                (record.sequence, str(record.change_track_id), revision_of(self.agent))
            )

        self.step(self.owner, go)

    @precondition(lambda self: self.publishes)
    @rule(data=st.data())
    def roll_back(self, data) -> None:
        sequence = data.draw(st.sampled_from([p[0] for p in self.publishes]), label="publish")
        mode = data.draw(st.sampled_from(["restore", "revert"]), label="mode")
        record = self.agent.publish_records.get(sequence=sequence)
        self.step(
            self.owner,
            lambda: rollback_agent(
                agent=self.agent, acting_user=self.owner, record=record, mode=mode
            ),
        )

    @rule(data=st.data())
    def restore_a_checkpoint(self, data) -> None:
        ids = list(
            StagingConfiguration.history.filter(agent_id=self.agent.pk).values_list(
                "history_id", flat=True
            )
        )
        history_id = data.draw(st.sampled_from(ids), label="checkpoint")
        self.step(
            self.owner,
            lambda: restore_checkpoint(
                agent=self.agent, acting_user=self.owner, history_id=history_id
            ),
        )

    @precondition(lambda self: self.publishes)
    @rule()
    def discard(self) -> None:
        self.step(self.owner, lambda: discard_staging(agent=self.agent, acting_user=self.owner))

    @invariant()
    def blame_is_the_replay(self) -> None:
        if self.current() is None:
            response = client_as(self.owner).get(url(self.agent, self.target.pk))
            assert response.status_code == 404
            return
        expected = blame(self.versions)
        lines = blamed(self.agent, self.target.pk, self.owner)
        assert [line["text"] for line in lines] == [line.text for line in expected]
        assert [(line["author"]["username"], line["staging_revision"]) for line in lines] == [
            line.origin for line in expected
        ]
        for line, want in zip(lines, expected, strict=True):
            live = next((p for p in self.publishes if p[2] >= want.origin[1]), None)
            got = line["published"]
            assert (got["sequence"], got["change_track_id"]) == live[:2] if live else got is None


def test_blame_is_exact_after_any_history():
    """Edits, moves, publishes, restores and reverts of publishes, checkpoint restores and
    discards, in any order: the blame is that of the replayed versions."""
    run_state_machine_as_test(
        BlameMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


# --- the API and the page --------------------------------------------------------------------


@pytest.fixture
def history(agent, owner, editor):
    """Three lines by the owner, published; the middle one changed by the editor since."""
    instruction = services.add_instruction(
        agent=agent, acting_user=owner, title="Tone", content="One\nTwo\nThree"
    )
    record = publish_agent(agent=agent, acting_user=owner)
    services.update_instruction(
        agent=agent, acting_user=editor, instruction_id=instruction.pk, content="One\n2\nThree"
    )
    return instruction, record


def test_each_line_names_its_author_revision_and_publish(agent, owner, editor, history):
    instruction, record = history
    lines = blamed(agent, instruction.pk, editor)
    assert [(line["number"], line["text"], line["author"]["username"]) for line in lines] == [
        (1, "One", "owner"),
        (2, "2", "editor"),
        (3, "Three", "owner"),
    ]
    assert lines[0]["published"] == {
        "change_track_id": str(record.change_track_id),
        "sequence": 1,
    }
    assert lines[1]["published"] is None
    assert lines[1]["staging_revision"] == revision_of(agent)
    assert lines[0]["staging_revision"] < lines[1]["staging_revision"]


def test_unknown_or_foreign_instructions_are_404(agent, owner, other_agent, history):
    theirs = services.add_instruction(
        agent=other_agent, acting_user=other_agent.created_by, title="T", content="c"
    )
    client = client_as(owner)
    for instruction_id in (theirs.pk, 999999, "abc", "0", "9" * 30):
        assert client.get(url(agent, instruction_id)).status_code == 404, instruction_id


def test_a_deleted_instruction_has_no_blame(agent, owner, history):
    instruction, _record = history
    services.delete_instruction(agent=agent, acting_user=owner, instruction_id=instruction.pk)
    assert client_as(owner).get(url(agent, instruction.pk)).status_code == 404


def test_editors_only(agent, viewer, stranger, history):
    instruction, _record = history
    assert client_as(viewer).get(url(agent, instruction.pk)).status_code == 403
    assert client_as(stranger).get(url(agent, instruction.pk)).status_code == 404


def test_the_page_shows_each_run_of_lines_with_its_author(agent, editor, client, history):
    instruction, record = history
    client.force_login(editor)
    response = client.get(f"/agents/{agent.pk}/instructions/{instruction.pk}/blame/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="blame-origin"') == 3
    assert "Live since #1" in html and "Not published yet" in html
    assert f"/agents/{agent.pk}/publishes/{record.change_track_id}/" in html
    assert client.get(f"/agents/{agent.pk}/instructions/999999/blame/").status_code == 404


def test_the_cost_grows_with_neither_the_history_nor_the_configuration(agent, owner):
    counts = []
    instruction = services.add_instruction(
        agent=agent, acting_user=owner, title="Long", content="start"
    )
    for rounds in (2, 20):
        for n in range(rounds):
            # The configuration grows too.
            services.add_instruction(agent=agent, acting_user=owner, title=f"O{n}", content="o")
            services.update_instruction(
                agent=agent,
                acting_user=owner,
                instruction_id=instruction.pk,
                content=f"v{rounds}.{n}\nx",
            )
            if n % 5 == 0:
                publish_agent(agent=agent, acting_user=owner)
        client = client_as(owner)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(agent, instruction.pk)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 6, counts


def test_the_review_page_links_each_changed_instruction_to_its_blame(
    agent, owner, editor, client, history
):
    instruction, _record = history
    gone = services.add_instruction(agent=agent, acting_user=owner, title="Gone", content="g")
    publish_agent(agent=agent, acting_user=owner)
    services.update_instruction(
        agent=agent, acting_user=editor, instruction_id=instruction.pk, content="Changed"
    )
    services.delete_instruction(agent=agent, acting_user=editor, instruction_id=gone.pk)
    client.force_login(editor)
    html = client.get(f"/agents/{agent.pk}/review/").content.decode()
    assert f"/agents/{agent.pk}/instructions/{instruction.pk}/blame/" in html
    assert f"/instructions/{gone.pk}/blame/" not in html  # removed: nothing to blame
