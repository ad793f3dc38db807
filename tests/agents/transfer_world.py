"""An agent with something in every section, for the configuration-as-code tests."""

from __future__ import annotations

from typing import Any

from agents import services
from agents.models import Agent
from agents.selectors_transfer import STAGING, export_document, parse_source
from tests import factories


def configure(agent: Agent, user: Any, parts: dict[str, Any]) -> Agent:
    """Fill every section of the agent's Staging with the tool, corpus and guardrail of
    ``parts`` (what ``catalogue`` makes)."""
    tool, corpus, guardrail = parts["tool"], parts["corpus"], parts["guardrail"]
    services.update_agent_settings(
        agent=agent,
        acting_user=user,
        description="Answers support questions",
        model_config={"model": "gpt-4o", "temperature": 0.3, "max_tokens": 800},
    )
    services.add_instruction(agent=agent, acting_user=user, title="Tone", content="Be kind.")
    services.add_instruction(agent=agent, acting_user=user, title="Scope", content="Support only.")
    services.connect_corpora(
        agent=agent, acting_user=user, corpus_ids=[corpus.pk], settings={"top_k": 3}
    )
    services.set_sharepoint_folder(
        agent=agent,
        acting_user=user,
        site_url="https://contoso.sharepoint.com/sites/help",
        folder_path="/Shared/FAQ",
    )
    services.enable_tool(agent=agent, acting_user=user, tool_id=tool.pk)
    first = tool.actions.order_by("name").first()
    services.update_action(
        agent=agent, acting_user=user, tool_id=tool.pk, action_id=first.pk, config={"limit": 5}
    )
    services.set_guardrail(
        agent=agent,
        acting_user=user,
        guardrail_id=guardrail.pk,
        enabled=True,
        settings={"strict": True},
    )
    services.set_tags(agent=agent, acting_user=user, tags=["support", "faq"])
    services.set_access_level(agent=agent, acting_user=user, access_level="organization")
    return Agent.objects.select_related("project__organization", "staging").get(pk=agent.pk)


def catalogue(organization: Any, project: Any, *, tools: int = 1) -> dict[str, Any]:
    """A tool (two actions, one configured in the catalogue), a corpus and a guardrail; with
    ``tools`` > 1, as many more tools (for agents that grow)."""
    tool = factories.ToolFactory(
        organization=organization, name="CRM", kind="api", actions=["create", "search"]
    )
    action = tool.actions.get(name="search")
    action.config = {"endpoint": "https://crm.example.com"}
    action.save()
    extra = [
        factories.ToolFactory(organization=organization, name=f"Tool {n}", actions=["run"])
        for n in range(1, tools)
    ]
    return {
        "tool": tool,
        "extra_tools": extra,
        "corpus": factories.CorpusFactory(project=project, name="Handbook", description="FAQ"),
        "guardrail": factories.GuardrailFactory(
            organization=organization, name="PII filter", type="pii", config={"mask": True}
        ),
    }


def without_origin(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "origin"}


def exported(agent: Agent, source: Any = STAGING) -> dict[str, Any]:
    """The document the export answers for ``source`` of ``agent``."""
    return export_document(agent, parse_source(source))
