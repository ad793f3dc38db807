"""A realistic agent with a history, built through the services, for the browser tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agents import services
from agents.models import Agent, OrganizationMembership
from publishing.management.commands.seed_demo import stage_unpublished_work
from publishing.models import PublishRecord
from publishing.services import publish_agent
from tests import factories

TONE = (
    "Answer politely and briefly. Use the customer's name when you know it, and never "
    "promise a refund before checking the order in the CRM."
)
TONE_EDITED = (
    "Answer warmly and briefly. Use the customer's name when you know it, and never "
    "promise a refund or a discount before checking the order in the CRM."
)


@dataclass
class Demo:
    agent: Agent
    users: dict[str, Any]
    first: PublishRecord
    second: PublishRecord
    instructions: dict[str, int]


def build_demo(*, pending_changes: bool = True) -> Demo:
    organization = factories.OrganizationFactory(name="Acme Support")
    project = factories.ProjectFactory(organization=organization, name="Customer care")
    archive = factories.ProjectFactory(organization=organization, name="Knowledge base")
    users = {
        name: factories.UserFactory(username=name) for name in ("alice", "bob", "carol", "victor")
    }
    factories.MembershipFactory(
        organization=organization, user=users["alice"], role=OrganizationMembership.Role.MEMBER
    )
    faq = factories.CorpusFactory(project=project, name="Help centre FAQ")
    manuals = factories.CorpusFactory(project=archive, name="Product manuals")
    factories.CorpusFactory(project=archive, name="Release notes")
    crm = factories.ToolFactory(
        organization=organization, name="CRM", actions=["lookup_order", "update_ticket"]
    )
    factories.ToolFactory(organization=organization, name="Web search", actions=["search"])
    pii = factories.GuardrailFactory(organization=organization, name="PII redaction", type="pii")
    factories.GuardrailFactory(organization=organization, name="Toxicity filter", type="toxicity")

    alice = users["alice"]
    agent = services.create_agent(
        project=project,
        acting_user=alice,
        name="Support assistant",
        description="Answers customer questions about orders, returns and billing.",
        model_config={"model": "gpt-4o", "temperature": 0.3, "max_tokens": 800},
    )
    for who, role in (("bob", "publisher"), ("carol", "editor"), ("victor", "viewer")):
        factories.join(organization, users[who])
        services.grant_permission(
            agent=agent, acting_user=alice, target_user_id=users[who].pk, role=role
        )
    tone = services.add_instruction(agent=agent, acting_user=alice, title="Tone", content=TONE)
    scope = services.add_instruction(
        agent=agent,
        acting_user=alice,
        title="Scope",
        content="Only answer questions about Acme products, orders and accounts.",
    )
    services.connect_corpora(agent=agent, acting_user=alice, corpus_ids=[faq.pk])
    services.enable_tool(agent=agent, acting_user=alice, tool_id=crm.pk)
    services.set_tags(agent=agent, acting_user=alice, tags=["support", "billing"])
    first = publish_agent(
        agent=agent, acting_user=alice, notes="First version for the help centre."
    )

    bob = users["bob"]
    services.connect_corpora(agent=agent, acting_user=bob, corpus_ids=[manuals.pk])
    services.set_guardrail(agent=agent, acting_user=bob, guardrail_id=pii.pk, enabled=True)
    services.set_access_level(agent=agent, acting_user=bob, access_level="organization")
    second = publish_agent(
        agent=agent,
        acting_user=bob,
        notes="Adds the product manuals and PII redaction before the wider roll-out.",
    )

    if pending_changes:
        carol = users["carol"]
        services.update_instruction(
            agent=agent, acting_user=carol, instruction_id=tone.pk, content=TONE_EDITED
        )
        stage_unpublished_work(
            agent,
            carol,
            instruction=(
                "Escalation",
                "If the customer asks for a human, offer to open a ticket and say so.",
            ),
            model_config={"model": "gpt-4o", "temperature": 0.2, "max_tokens": 1200},
            disabled_action=(crm, "update_ticket"),
        )
    return Demo(
        agent=agent,
        users=users,
        first=first,
        second=second,
        instructions={"tone": tone.pk, "scope": scope.pk},
    )
