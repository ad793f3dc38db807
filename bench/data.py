"""Agents of a given size and long publish histories, built fast with bulk operations.

Shared by the benchmark (``bench/run.py``) and the query-count tests
(``tests/performance``), so both measure the same shapes. The configuration goes in through
``agents.staging.staging_edit`` - bulk inserts plus one history row per child
(``agents.staging.record_history``) - so the edit history is what real edits leave behind.
"""

from __future__ import annotations

import copy
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from agents import services
from agents.models import (
    ActionSetting,
    Agent,
    Corpus,
    CorpusConnection,
    Guardrail,
    GuardrailSetting,
    Instruction,
    OrganizationMembership,
    Project,
    Tool,
    ToolAction,
    ToolBinding,
)
from agents.snapshot import staging_snapshot
from agents.staging import staging_edit
from configuration.diff import diff_snapshots
from configuration.snapshot import fingerprint
from publishing import live
from publishing.integrity import compute_record_hash
from publishing.models import ProductionConfiguration, PublishRecord


@dataclass(frozen=True)
class Size:
    instructions: int
    corpora: int
    tools: int
    actions_per_tool: int
    guardrails: int

    @property
    def rows(self) -> int:
        return (
            self.instructions
            + self.corpora
            + self.tools * (1 + self.actions_per_tool)
            + self.guardrails
        )


SMALL = Size(instructions=1, corpora=1, tools=1, actions_per_tool=1, guardrails=1)
LARGE = Size(instructions=200, corpora=300, tools=60, actions_per_tool=5, guardrails=20)

# About the length of a real instruction paragraph.
INSTRUCTION_TEXT = (
    "When the customer asks about an order, look it up by its number first, quote the "
    "status exactly as the order system gives it, and never promise a delivery date that "
    "the carrier has not confirmed. If the order cannot be found, ask for the e-mail "
    "address used at checkout and try again before handing over to a person. "
)
_WORDS = [
    *sorted(set(INSTRUCTION_TEXT.lower().replace(",", "").replace(".", "").split())),
    "refund",
    "invoice",
    "warranty",
    "escalate",
    "politely",
    "summarise",
    "verify",
    "account",
    "billing",
    "shipment",
    "return",
    "policy",
    "exception",
    "manager",
    "within",
    "days",
    "customer",
    "identity",
    "password",
    "reset",
    "language",
    "tone",
    "apologise",
    "clearly",
]


def instruction_text(number: int) -> str:
    """A distinct paragraph per instruction, so stored sizes compress like real text."""
    chooser = random.Random(number)
    words = [chooser.choice(_WORDS) for _ in range(70)]
    return f"{number}. " + " ".join(words).capitalize() + "."


def build_agent(*, project: Project, user: Any, size: Size, name: str) -> Agent:
    """A new agent whose Staging holds ``size`` of everything, with its catalogue."""
    organization = project.organization
    with transaction.atomic():
        corpora = Corpus.objects.bulk_create(
            [
                Corpus(project=project, name=f"{name} corpus {i}", description="Documents")
                for i in range(size.corpora)
            ]
        )
        tools = Tool.objects.bulk_create(
            [
                Tool(organization=organization, name=f"{name} tool {i}", kind=Tool.Kind.API)
                for i in range(size.tools)
            ]
        )
        actions = ToolAction.objects.bulk_create(
            [
                ToolAction(tool=tool, name=f"action_{k}", config={"timeout": 30})
                for tool in tools
                for k in range(size.actions_per_tool)
            ]
        )
        guardrails = Guardrail.objects.bulk_create(
            [
                Guardrail(
                    organization=organization,
                    name=f"{name} guardrail {i}",
                    type="pii",
                    config={"mask": True},
                )
                for i in range(size.guardrails)
            ]
        )
        # The creator owns the agent, which counts only while they belong to its organization.
        OrganizationMembership.objects.get_or_create(organization=organization, user=user)
        agent = services.create_agent(project=project, acting_user=user, name=name)
        with staging_edit(agent, acting_user=user, reason="Configuration loaded") as change:
            change.set_settings(
                description="Answers customer questions",
                tags=["support", "bench"],
                model_config={"model": "gpt-4o", "temperature": 0.2, "max_tokens": 1024},
            )
            for i in range(size.instructions):
                change.create(
                    Instruction(
                        agent_id=agent.pk,
                        title=f"Rule {i}",
                        content=instruction_text(i),
                        position=i,
                    )
                )
            for corpus in corpora:
                change.create(
                    CorpusConnection(agent_id=agent.pk, corpus=corpus, settings={"top_k": 5})
                )
            for tool in tools:
                change.create(ToolBinding(agent_id=agent.pk, tool=tool))
            for action in actions:
                change.create(
                    ActionSetting(agent_id=agent.pk, action=action, config={"retries": 1})
                )
            for guardrail in guardrails:
                change.create(GuardrailSetting(agent_id=agent.pk, guardrail=guardrail, settings={}))
    return agent


def first_instruction(agent: Agent) -> Instruction:
    return Instruction.objects.filter(agent_id=agent.pk).order_by("position", "id").first()


def edit_one_instruction(agent: Agent, user: Any, text: str) -> None:
    """The smallest real change: one instruction's content, through the service."""
    services.update_instruction(
        agent=agent,
        acting_user=user,
        instruction_id=first_instruction(agent).pk,
        content=f"{text} {INSTRUCTION_TEXT}",
    )


def bulk_publish_records(*, agent: Agent, user: Any, count: int) -> list[int]:
    """Append ``count`` chained publish records to ``agent``'s history in a few statements.

    Each record holds the agent's current Staging snapshot and a one-instruction change, as
    a real publish of a one-line edit would; the hash chain is valid. Production is left
    equal to the newest record. Returns the new records' ids.
    """
    snapshot = staging_snapshot(agent)
    print_ = fingerprint(snapshot)
    # What a real publish of a one-line edit records: the diff against the line before it.
    before = copy.deepcopy(snapshot)
    if before["instructions"]:
        before["instructions"][0]["content"] += " (earlier wording)"
    else:
        before["settings"]["description"] += " (earlier wording)"
    diff = diff_snapshots(before, snapshot)
    changes = [change.as_dict() for change in diff.changes]
    with transaction.atomic():
        last = (
            PublishRecord.objects.filter(agent_id=agent.pk)
            .order_by("-sequence")
            .only("id", "sequence", "record_hash")
            .first()
        )
        # Ids are given, not drawn, so each record can point at the one before it.
        newest_id = PublishRecord.objects.order_by("-id").values_list("id", flat=True).first()
        next_id = (newest_id or 0) + 1
        sequence = last.sequence if last else 0
        previous_id = last.id if last else None
        previous_hash = last.record_hash if last else ""
        start = timezone.now() - timedelta(minutes=count)
        records = []
        for n in range(count):
            sequence += 1
            record = PublishRecord(
                id=next_id + n,
                change_track_id=uuid.uuid4(),
                agent_id=agent.pk,
                sequence=sequence,
                published_by=user,
                published_by_username=user.username,
                published_at=start + timedelta(minutes=n),
                notes=f"Publish {sequence}",
                summary=diff.summary[:1000],
                counts=diff.counts,
                changes=changes,
                snapshot=snapshot,
                fingerprint=print_,
                previous_id=previous_id,
                previous_hash=previous_hash,
            )
            record.record_hash = compute_record_hash(record)
            previous_id, previous_hash = record.id, record.record_hash
            records.append(record)
        PublishRecord.objects.bulk_create(records, batch_size=1000)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [PublishRecord]):
                cursor.execute(sql)
        newest = records[-1]
        ProductionConfiguration.objects.update_or_create(
            agent_id=agent.pk,
            defaults={
                "snapshot": snapshot,
                "fingerprint": print_,
                "change_track_id": newest.change_track_id,
                "published_at": newest.published_at,
                "published_by": user,
            },
        )
        agent_id = agent.pk
        transaction.on_commit(lambda: live.invalidate(agent_id))
    return [r.id for r in records]
