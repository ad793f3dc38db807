"""Random sequences of edits, publishes, rollbacks, discards and checkpoint restores.

Hypothesis drives the services the way many people would over weeks, and after every step
checks the DESIGN.md invariants:

1. Production equals the snapshot of the newest publish record (and nothing but a publish
   moves it: rollbacks, discards and checkpoint restores leave it exactly as it was);
2. publish records are append-only: every earlier record is unchanged, the hash chain holds;
3. the staging-diff is empty exactly when a publish would be refused ``nothing_to_publish``;
4. a publish with a stale review publishes nothing;
5. every write is attributed: each checkpoint to the user who made it, each record to its
   publisher; a refused write writes nothing.

The machine runs inside one test's database transaction (the ``db`` fixture); every example
starts from an organization, a catalogue and an agent of its own, so examples do not share
state.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from agents import services
from agents.models import Agent, Instruction, StagingConfiguration
from agents.snapshot import staging_snapshot
from agents.staging import CHILD_MODELS
from configuration.snapshot import fingerprint
from publishing.exceptions import NothingToDiscard, NothingToPublish, RevertConflict, StaleReview
from publishing.integrity import verify_chain
from publishing.models import ProductionConfiguration, PublishRecord
from publishing.selectors import checkpoint_snapshot, edit_history, review_staging
from publishing.services import (
    discard_staging,
    plan_rollback,
    publish_agent,
    restore_checkpoint,
    rollback_agent,
)
from tests import factories

NAMES = ["Support bot", "Helper", "Concierge"]
TEXTS = ["", "Answers questions", "Be brief."]
TITLES = ["Greet", "Refunds", "Tone", "Escalate"]
TAGS = ["beta", "sales", "support"]
EDITS = [
    "change_settings",
    "change_model",
    "add_instruction",
    "change_instruction",
    "delete_instruction",
    "corpus",
    "corpus_settings",
    "tool",
    "tool_action",
    "guardrail",
    "tags",
    "access",
    "sharepoint",
]


class PublishingMachine(RuleBasedStateMachine):
    """One agent, three people (owner, editor, publisher), and a small catalogue."""

    def __init__(self) -> None:
        super().__init__()
        self.owner = factories.UserFactory()
        self.editor = factories.UserFactory()
        self.publisher = factories.UserFactory()
        organization = factories.OrganizationFactory()
        project = factories.ProjectFactory(organization=organization)
        self.corpora = [factories.CorpusFactory(project=project) for _ in range(2)]
        self.tools = [
            factories.ToolFactory(organization=organization, actions=["lookup", "create"])
            for _ in range(2)
        ]
        self.guardrails = [factories.GuardrailFactory(organization=organization) for _ in range(2)]
        self.agent = factories.AgentFactory(project=project, user=self.owner, name=NAMES[0])
        factories.join(organization, self.editor, self.publisher)
        for user, role in ((self.editor, "editor"), (self.publisher, "publisher")):
            services.grant_permission(
                agent=self.agent, acting_user=self.owner, target_user_id=user.pk, role=role
            )
        # What the machine knows independently of the code under test.
        self.records: list[dict[str, Any]] = []  # every record as first written
        self.pending_restore: PublishRecord | None = None

    # --- helpers --------------------------------------------------------------------------

    def revision(self) -> int:
        return StagingConfiguration.objects.get(agent_id=self.agent.pk).revision

    def production(self) -> dict[str, Any] | None:
        return ProductionConfiguration.objects.filter(agent_id=self.agent.pk).values().first()

    def staging(self) -> dict[str, Any]:
        return staging_snapshot(self.agent)

    def actor(self, data: st.DataObject, *, publishing: bool = False) -> Any:
        people = [self.owner, self.publisher] if publishing else [self.owner, self.editor]
        return data.draw(st.sampled_from(people), label="user")

    def assert_attributed(self, revision_before: int, user: Any) -> None:
        """Every history row written since ``revision_before`` names ``user``."""
        revision = self.revision()
        if revision == revision_before:
            return
        assert revision == revision_before + 1
        rows = list(StagingConfiguration.history.filter(agent_id=self.agent.pk, revision=revision))
        for model in CHILD_MODELS:
            rows += list(model.history.filter(agent_id=self.agent.pk, staging_revision=revision))
        assert rows, "a new revision without a checkpoint"
        assert {row.history_user_id for row in rows} == {user.pk}

    def edit(self, user: Any, action) -> None:
        """Run one staging edit; a refused one (bad for the current state) writes nothing."""
        before = self.revision()
        staging = self.staging()
        try:
            action()
        except (ValidationError, ObjectDoesNotExist):
            assert self.revision() == before
            assert self.staging() == staging
            return
        self.assert_attributed(before, user)

    def instruction_ids(self) -> list[int]:
        return list(
            Instruction.objects.filter(agent_id=self.agent.pk)
            .order_by("position", "id")
            .values_list("pk", flat=True)
        )

    # --- staging edits --------------------------------------------------------------------

    @initialize()
    def start(self) -> None:
        assert self.production() is None

    @rule(data=st.data(), count=st.integers(1, 3))
    def edit_staging(self, data, count):
        """One to three staging edits of any kind, by an editor or the owner."""
        for _ in range(count):
            user = self.actor(data)
            kind = data.draw(st.sampled_from(EDITS), label="edit")
            self.edit(user, lambda kind=kind, user=user: getattr(self, kind)(data, user))

    def change_settings(self, data, user):
        services.update_agent_settings(
            agent=self.agent,
            acting_user=user,
            name=data.draw(st.sampled_from(NAMES)),
            description=data.draw(st.sampled_from(TEXTS)),
        )

    def change_model(self, data, user):
        temperature = data.draw(st.sampled_from([0.0, 0.7, 1.2]))
        services.update_agent_settings(
            agent=self.agent,
            acting_user=user,
            model_config={"model": "gpt-4o", "temperature": temperature, "max_tokens": 1024},
        )

    def add_instruction(self, data, user):
        title = data.draw(st.sampled_from(TITLES))
        services.add_instruction(
            agent=self.agent,
            acting_user=user,
            title=title,
            content=f"{title}.",
            position=data.draw(st.none() | st.integers(0, 4)),
        )

    def change_instruction(self, data, user):
        ids = self.instruction_ids()
        if ids:
            services.update_instruction(
                agent=self.agent,
                acting_user=user,
                instruction_id=data.draw(st.sampled_from(ids)),
                content=data.draw(st.sampled_from(TEXTS[1:])),
                position=data.draw(st.none() | st.integers(0, 4)),
            )

    def delete_instruction(self, data, user):
        ids = self.instruction_ids()
        if ids:
            services.delete_instruction(
                agent=self.agent, acting_user=user, instruction_id=data.draw(st.sampled_from(ids))
            )

    def corpus(self, data, user):
        change = data.draw(st.sampled_from([services.connect_corpora, services.disconnect_corpora]))
        corpus = data.draw(st.sampled_from(self.corpora))
        change(agent=self.agent, acting_user=user, corpus_ids=[corpus.pk])

    def corpus_settings(self, data, user):
        services.set_corpus_connection(
            agent=self.agent,
            acting_user=user,
            corpus_id=data.draw(st.sampled_from(self.corpora)).pk,
            enabled=data.draw(st.booleans()),
            settings={"top_k": data.draw(st.integers(1, 3))},
        )

    def tool(self, data, user):
        change = data.draw(st.sampled_from([services.enable_tool, services.disable_tool]))
        change(
            agent=self.agent, acting_user=user, tool_id=data.draw(st.sampled_from(self.tools)).pk
        )

    def tool_action(self, data, user):
        tool = data.draw(st.sampled_from(self.tools))
        timeout = data.draw(st.none() | st.sampled_from([5, 30]))
        services.update_action(
            agent=self.agent,
            acting_user=user,
            tool_id=tool.pk,
            action_id=data.draw(st.sampled_from(list(tool.actions.order_by("pk")))).pk,
            enabled=data.draw(st.none() | st.booleans()),
            config=None if timeout is None else {"timeout": timeout},
        )

    def guardrail(self, data, user):
        level = data.draw(st.none() | st.sampled_from(["low", "high"]))
        services.set_guardrail(
            agent=self.agent,
            acting_user=user,
            guardrail_id=data.draw(st.sampled_from(self.guardrails)).pk,
            enabled=data.draw(st.booleans()),
            settings=None if level is None else {"level": level},
        )

    def tags(self, data, user):
        tags = data.draw(st.lists(st.sampled_from(TAGS), max_size=3))
        services.set_tags(agent=self.agent, acting_user=user, tags=tags)

    def access(self, data, user):
        level = data.draw(st.sampled_from(["private", "project", "organization"]))
        services.set_access_level(agent=self.agent, acting_user=user, access_level=level)

    def sharepoint(self, data, user):
        folder = data.draw(st.none() | st.sampled_from(["/hr", "/docs"]))
        if folder is None:
            services.clear_sharepoint_folder(agent=self.agent, acting_user=user)
        else:
            services.set_sharepoint_folder(
                agent=self.agent,
                acting_user=user,
                site_url="https://example.sharepoint.com/sites/a",
                folder_path=folder,
            )

    # --- publishing -----------------------------------------------------------------------

    @rule(data=st.data(), reviewed=st.booleans(), notes=st.sampled_from(["", "release"]))
    def publish(self, data, reviewed, notes):
        user = self.actor(data, publishing=True)
        review = review_staging(self.agent)
        staging = self.staging()
        try:
            record = publish_agent(
                agent=self.agent,
                user=user,
                notes=notes,
                expected_fingerprint=review.fingerprint if reviewed else None,
            )
        except NothingToPublish:
            event("publish: nothing to publish")
            assert not review.diff.has_changes
            return
        event("publish: published")
        assert review.diff.has_changes
        assert record.snapshot == staging
        assert record.published_by == user
        assert record.sequence == len(self.records) + 1
        assert record.changes == [c.as_dict() for c in review.diff.changes]
        assert record.restored_from == self.pending_restore
        self.pending_restore = None
        self.records.append(PublishRecord.objects.filter(pk=record.pk).values().get())

    @rule(data=st.data(), name=st.sampled_from(["Edited after review", "Another name"]))
    def publish_a_stale_review(self, data, name):
        user = self.actor(data, publishing=True)
        reviewed = review_staging(self.agent).fingerprint
        self.edit(
            self.editor,
            lambda: services.update_agent_settings(
                agent=self.agent, acting_user=self.editor, name=name
            ),
        )
        if review_staging(self.agent).fingerprint == reviewed:
            return  # the edit changed nothing, so the review is not stale
        production = self.production()
        # Back to exactly what is live: nothing to publish, which is said before staleness.
        expected = (
            NothingToPublish if not review_staging(self.agent).diff.has_changes else StaleReview
        )
        with pytest.raises(expected):
            publish_agent(agent=self.agent, user=user, expected_fingerprint=reviewed)
        assert self.production() == production
        assert PublishRecord.objects.filter(agent_id=self.agent.pk).count() == len(self.records)

    @precondition(lambda self: self.records)
    @rule(data=st.data(), index=st.integers(0, 20), mode=st.sampled_from(["restore", "revert"]))
    def rollback(self, data, index, mode):
        user = self.actor(data, publishing=True)
        # Index 0 (where Hypothesis starts) is the newest record: the one most often rolled
        # back, and the one whose changes are most likely to have been edited again since.
        record = PublishRecord.objects.get(pk=self.records[-1 - index % len(self.records)]["id"])
        plan = plan_rollback(agent=self.agent, record=record, mode=mode)
        production, staging, revision = self.production(), self.staging(), self.revision()
        try:
            rollback_agent(agent=self.agent, user=user, record=record, mode=mode)
        except RevertConflict as refused:
            event("rollback: revert conflict")
            assert mode == "revert"
            assert refused.as_dict()["conflicts"] == [c.as_dict() for c in plan.conflicts]
            assert self.staging() == staging
            assert self.revision() == revision
        else:
            event(f"rollback: {mode}")
            assert not plan.conflicts
            assert fingerprint(self.staging()) == fingerprint(plan.target)
            if mode == "restore":
                assert fingerprint(self.staging()) == record.fingerprint
            self.assert_attributed(revision, user)
            # A rollback that changed nothing made no checkpoint and names no source; one
            # that did is named by the next publish.
            if self.revision() != revision:
                self.pending_restore = record
            elif staging != self.staging():
                raise AssertionError("Staging changed without a new revision")
        assert self.production() == production

    # Not the first publish: reverting that one keeps the agent's settings by design (there
    # was no configuration before it to go back to), so a setting is never its conflict.
    @precondition(lambda self: len(self.records) >= 2)
    @rule(data=st.data())
    def revert_what_was_edited_again(self, data):
        """Change again a setting the newest publish changed, then revert that publish."""
        record = PublishRecord.objects.get(pk=self.records[-1]["id"])
        touched = [
            c
            for c in record.changes
            if c["section"] == "settings" and c["field"] in ("name", "description")
        ]
        if not touched:
            return
        change = data.draw(st.sampled_from(touched))
        field = change["field"]
        pool = [*NAMES, "Renamed"] if field == "name" else [*TEXTS, "Rewritten"]
        value = data.draw(
            st.sampled_from([v for v in pool if v not in (change["before"], change["after"])])
        )
        self.edit(
            self.editor,
            lambda: services.update_agent_settings(
                agent=self.agent, acting_user=self.editor, **{field: value}
            ),
        )
        user = self.actor(data, publishing=True)
        production, staging, revision = self.production(), self.staging(), self.revision()
        with pytest.raises(RevertConflict) as refused:
            rollback_agent(agent=self.agent, user=user, record=record, mode="revert")
        event("rollback: revert conflict")
        assert any(c["field"] == field for c in refused.value.as_dict()["conflicts"])
        assert self.staging() == staging
        assert self.revision() == revision
        assert self.production() == production

    @precondition(lambda self: self.records)
    @rule(data=st.data())
    def discard(self, data):
        user = self.actor(data, publishing=True)
        production, revision = self.production(), self.revision()
        has_changes = review_staging(self.agent).diff.has_changes
        try:
            discard_staging(agent=self.agent, user=user)
        except NothingToDiscard:
            event("discard: nothing to discard")
            assert not has_changes
            assert self.revision() == revision
        else:
            event("discard: discarded")
            assert has_changes
            assert self.staging() == production["snapshot"]
            self.assert_attributed(revision, user)
            self.pending_restore = None
        assert self.production() == production

    @rule(data=st.data(), index=st.integers(0, 50))
    def restore_a_checkpoint(self, data, index):
        user = self.actor(data, publishing=True)
        history = list(edit_history(self.agent))
        checkpoint = history[index % len(history)]
        wanted = checkpoint_snapshot(agent_id=self.agent.pk, revision=checkpoint.revision)
        production, revision = self.production(), self.revision()

        restore_checkpoint(agent=self.agent, user=user, history_id=checkpoint.history_id)

        assert self.staging() == wanted
        assert self.production() == production
        self.assert_attributed(revision, user)
        self.pending_restore = None

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def production_is_the_newest_record(self):
        production = self.production()
        if not self.records:
            assert production is None
            return
        newest = self.records[-1]
        assert production["snapshot"] == newest["snapshot"]
        assert production["change_track_id"] == newest["change_track_id"]

    @invariant()
    def records_are_append_only(self):
        stored = list(
            PublishRecord.objects.filter(agent_id=self.agent.pk).order_by("sequence").values()
        )
        assert stored == self.records
        records = list(PublishRecord.objects.filter(agent_id=self.agent.pk).order_by("sequence"))
        assert verify_chain(records) is None

    @invariant()
    def staging_diff_is_empty_exactly_when_publish_is_refused(self):
        review = review_staging(self.agent)
        savepoint = transaction.savepoint()
        try:
            publish_agent(agent=self.agent, user=self.publisher)
            would_publish = True
        except NothingToPublish:
            would_publish = False
        finally:
            transaction.savepoint_rollback(savepoint)
        assert review.diff.has_changes == would_publish
        assert review.as_dict()["has_changes"] == would_publish

    @invariant()
    def every_write_is_attributed(self):
        assert not StagingConfiguration.history.filter(
            agent_id=self.agent.pk, history_user__isnull=True
        ).exists()
        assert not PublishRecord.objects.filter(
            agent_id=self.agent.pk, published_by__isnull=True
        ).exists()
        latest = edit_history(self.agent).first()
        assert latest.revision == self.revision()

    @invariant()
    def restore_bookkeeping_matches(self):
        pending = Agent.objects.get(pk=self.agent.pk).pending_restored_from
        expected = self.pending_restore.change_track_id if self.pending_restore else None
        assert pending == expected


@pytest.mark.slow
def test_publishing_invariants_hold_under_random_use(db):
    run_state_machine_as_test(
        PublishingMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=15,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
