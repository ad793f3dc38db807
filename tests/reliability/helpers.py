"""Building blocks shared by the reliability tests: a configured agent, a full picture of
an agent's stored state (to prove "nothing changed"), and thread plumbing."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from django.db import connection

from agents import services
from agents.models import Agent, StagingConfiguration
from agents.snapshot import staging_snapshot
from agents.staging import CHILD_MODELS
from publishing.models import ProductionConfiguration, PublishRecord
from tests import factories

# Every Staging model keeps an edit history: the configuration row and each kind of child row
# (taken from the app, so a new kind of child row is covered without touching this list).
HISTORY_MODELS = (StagingConfiguration, *CHILD_MODELS)


def make_rich_agent(owner: Any, *, name: str = "Support bot") -> Agent:
    """An agent with instructions, a corpus, a tool with actions and a guardrail."""
    project = factories.ProjectFactory()
    organization = project.organization
    agent = factories.AgentFactory(project=project, user=owner, name=name)
    corpus = factories.CorpusFactory(project=project)
    tool = factories.ToolFactory(organization=organization, actions=["search", "create"])
    guardrail = factories.GuardrailFactory(organization=organization)
    services.add_instruction(agent=agent, acting_user=owner, title="Tone", content="Be kind.")
    services.add_instruction(agent=agent, acting_user=owner, title="Scope", content="Only support.")
    services.connect_corpora(agent=agent, acting_user=owner, corpus_ids=[corpus.pk])
    services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    services.set_guardrail(agent=agent, acting_user=owner, guardrail_id=guardrail.pk, enabled=True)
    services.set_tags(agent=agent, acting_user=owner, tags=["support", "faq"])
    return Agent.objects.select_related("project").get(pk=agent.pk)


def stored_state(agent: Agent) -> dict[str, Any]:
    """Everything a publish, a rollback or a discard could write for this agent."""
    agent_row = (
        Agent.objects.filter(pk=agent.pk)
        .values("pending_restored_from", "pending_restored_mode")
        .get()
    )
    production = (
        ProductionConfiguration.objects.filter(agent_id=agent.pk)
        .values("snapshot", "fingerprint", "change_track_id", "published_at", "published_by_id")
        .first()
    )
    return {
        "agent": agent_row,
        "staging": staging_snapshot(agent),
        "staging_revision": StagingConfiguration.objects.get(agent_id=agent.pk).revision,
        "production": production,
        "records": list(
            PublishRecord.objects.filter(agent_id=agent.pk)
            .order_by("sequence")
            .values_list("change_track_id", "record_hash")
        ),
        "history_counts": {
            model.__name__: model.history.filter(agent_id=agent.pk).count()
            for model in HISTORY_MODELS
        },
    }


class Crew:
    """Runs callables in threads that start together, each with its own DB connection.

    Every outcome (return value or exception) is kept; a thread that does not finish within
    ``timeout`` seconds is reported as hung, which is how a deadlock shows up.
    """

    def __init__(self, jobs: list[Callable[[], Any]], *, timeout: float = 60.0) -> None:
        self.jobs = jobs
        self.timeout = timeout
        self.results: list[Any] = [None] * len(jobs)
        self.errors: list[BaseException | None] = [None] * len(jobs)
        self.tracebacks: list[str] = [""] * len(jobs)
        self.barrier = threading.Barrier(len(jobs))

    def _run(self, index: int) -> None:
        try:
            self.barrier.wait(timeout=self.timeout)
            self.results[index] = self.jobs[index]()
        except BaseException as exc:
            self.errors[index] = exc
            self.tracebacks[index] = traceback.format_exc()
        finally:
            # Each thread has its own connection; leaving it open would keep the test
            # database busy and make its teardown (DROP DATABASE) fail.
            connection.close()

    def run(self) -> Crew:
        threads = [
            threading.Thread(target=self._run, args=(i,), daemon=True)
            for i in range(len(self.jobs))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=self.timeout)
        hung = [i for i, t in enumerate(threads) if t.is_alive()]
        assert not hung, f"threads {hung} still running after {self.timeout}s (deadlock?)"
        return self

    def outcomes(self) -> list[str]:
        """One word per job: 'ok' or the exception's class name."""
        return ["ok" if e is None else type(e).__name__ for e in self.errors]

    def unexpected(self, *allowed: type[BaseException]) -> list[str]:
        return [
            self.tracebacks[i]
            for i, e in enumerate(self.errors)
            if e is not None and not isinstance(e, allowed)
        ]
