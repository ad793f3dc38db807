"""Demo data: an organization, a project, a catalogue, three agents and one user per role;
one agent has a publish policy and a change waiting for its review.

Everything is made through the services, exactly as the API and the pages make it, so the
demo's edit and publish histories look like real ones. Running it again changes nothing.
"""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from agents import services
from agents.models import AgentPermission, Organization, OrganizationMembership
from publishing.services import publish_agent
from reviews import services as reviews


def create_configured_agent(
    project, owner, *, name, description, model_config, instructions, corpora, tool, guardrail
):
    """Create an agent with its instructions, knowledge, one tool and one guardrail switched on.

    The steps run in the order an owner would take them on the pages, so each becomes its own
    entry in the agent's edit history.
    """
    agent = services.create_agent(
        project=project,
        acting_user=owner,
        name=name,
        description=description,
        model_config=model_config,
    )
    for title, content in instructions:
        services.add_instruction(agent=agent, acting_user=owner, title=title, content=content)
    services.connect_corpora(
        agent=agent, acting_user=owner, corpus_ids=[corpus.pk for corpus in corpora]
    )
    services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    services.set_guardrail(agent=agent, acting_user=owner, guardrail_id=guardrail.pk, enabled=True)
    return agent


def stage_unpublished_work(agent, editor, *, instruction, model_config, disabled_action):
    """Edit Staging after the last publish, one change of each kind the review page shows: an
    instruction added, the model configuration changed, an action of a bound tool off.

    ``instruction`` is (title, content); ``disabled_action`` is (tool, action name).
    """
    title, content = instruction
    services.add_instruction(agent=agent, acting_user=editor, title=title, content=content)
    services.update_agent_settings(agent=agent, acting_user=editor, model_config=model_config)
    tool, action_name = disabled_action
    action = tool.actions.get(name=action_name)
    services.update_action(
        agent=agent, acting_user=editor, tool_id=tool.pk, action_id=action.pk, enabled=False
    )


# One approval from someone who did not edit, the regression evaluation green, no secrets.
REVIEW_POLICY = {
    "required_approvals": 1,
    "required_checks": ["regression-eval"],
    "blocking_builtin_checks": ["no_secrets"],
}


def request_review(agent, editor, *, description, check=None):
    """The editor asks publishers to review Staging as it stands; with ``check`` (its
    ``state``, ``description`` and ``target_url``), the regression evaluation reports its
    result on that state too."""
    request = reviews.request_review(agent=agent, acting_user=editor, description=description)
    if check is not None:
        reviews.post_check(
            agent=agent,
            acting_user=editor,
            fingerprint=request.fingerprint,
            name="regression-eval",
            **check,
        )
    return request


def put_under_review(agent, *, owner, editor):
    """The review policy, and an editor's change waiting for both an approval and the
    evaluation: what the review page shows when a team reviews before it publishes."""
    reviews.set_policy(agent=agent, acting_user=owner, values=REVIEW_POLICY)
    services.add_instruction(
        agent=agent,
        acting_user=editor,
        title="Annual plans",
        content="Mention that annual plans save two months, and link to the pricing page.",
    )
    request_review(
        agent,
        editor,
        description="Adds the annual-plan pitch.",
        check={
            "state": "pending",
            "description": "120 conversations queued",
            "target_url": "https://ci.example.com/evals/sales-helper",
        },
    )


DEMO_PASSWORD = "demo-pass-2026"
ORGANIZATION = "Acme Support"

ROLE_USERS = [
    ("orgadmin", "Organization admin: every role on every agent of Acme Support"),
    ("owner", "owner of every demo agent: permissions and delete"),
    ("publisher", "publisher: edit, review, publish, roll back"),
    ("editor", "editor: edit Staging and review, no publish"),
    ("viewer", "viewer: sees Production only"),
]


DEFAULT_PORT = "8000"


def demo_url(addrport: str) -> str:
    """Where the demo's ``runserver addrport`` answers: ``8001``, ``0.0.0.0:8001`` and
    ``127.0.0.1:8001`` all answer on http://127.0.0.1:8001/ from this machine."""
    host, _, port = addrport.strip().rpartition(":")
    host = host.strip("[]")
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port or DEFAULT_PORT}/"


class Command(BaseCommand):
    help = "Create demo data (idempotent) and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument(
            "--addrport",
            # The demo script serves on $PORT; the printed address must be the one it serves.
            default=os.environ.get("PORT") or DEFAULT_PORT,
            help="What the demo passes to runserver (PORT, default 8000): the URL printed.",
        )

    def handle(self, *args, **options):
        self.url = demo_url(options["addrport"])
        User = get_user_model()
        if Organization.objects.filter(name=ORGANIZATION).exists():
            self.stdout.write("Demo data already present.")
            self._print_logins()
            return
        with transaction.atomic():
            self._seed(User)
        self.stdout.write(self.style.SUCCESS("Demo data created."))
        self._print_logins()

    def _seed(self, User):
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            admin = User.objects.create_superuser("admin", "admin@example.com", DEMO_PASSWORD)
        users = {"admin": admin}
        # Organizations and accounts are the superuser's to create (ALLOW_SELF_SERVICE_...
        # aside); each demo user joins Acme Support as it is made.
        org = services.create_organization(name=ORGANIZATION, acting_user=admin)
        for username, _ in ROLE_USERS:
            users[username] = services.create_user(
                username=username,
                password=DEMO_PASSWORD,
                email=f"{username}@example.com",
                acting_user=admin,
                organization=org,
            )
        services.add_organization_member(
            organization=org, user=users["orgadmin"], role=OrganizationMembership.Role.ADMIN
        )
        project = services.create_project(organization=org, name="Customer Care")
        corpora = [
            services.create_corpus(project=project, name=name, description=description)
            for name, description in [
                ("Product manuals", "User guides and spec sheets for every product line."),
                ("Refund policy", "Current refund, return and warranty policies."),
                ("Support macros", "Approved answers to the 200 most common questions."),
                ("Release notes", "What changed in each release, newest first."),
            ]
        ]
        crm = services.create_tool(
            organization=org,
            name="CRM",
            kind="api",
            description="Customer records and tickets.",
            actions=[
                {"name": "lookup_customer", "config": {"fields": ["name", "plan"]}},
                {"name": "create_ticket", "config": {"queue": "support"}},
                {"name": "close_ticket"},
            ],
        )
        web = services.create_tool(
            organization=org,
            name="Web search",
            kind="web_search",
            actions=[{"name": "search", "config": {"safe": True}}],
        )
        files = services.create_tool(
            organization=org, name="Attachments", kind="attachment", actions=[{"name": "read"}]
        )
        pii = services.create_guardrail(
            organization=org, name="PII filter", type="pii", config={"redact": ["email", "phone"]}
        )
        tone = services.create_guardrail(
            organization=org, name="Tone check", type="moderation", config={"threshold": 0.8}
        )
        jailbreak = services.create_guardrail(
            organization=org, name="Jailbreak shield", type="prompt_injection"
        )

        owner = users["owner"]
        support = create_configured_agent(
            project,
            owner,
            name="Support Assistant",
            description="Answers customer questions using the manuals and the refund policy.",
            model_config={"model": "gpt-4o", "temperature": 0.3, "max_tokens": 1024, "top_p": 1},
            instructions=[
                ("Role", "You are Acme's support assistant. Be concise, friendly and accurate."),
                (
                    "Sources",
                    "Answer only from the connected knowledge sources. When unsure, say so and "
                    "offer to open a ticket.",
                ),
                ("Escalation", "Escalate billing disputes over $500 to a human agent."),
            ],
            corpora=[corpora[0], corpora[1]],
            tool=crm,
            guardrail=pii,
        )
        services.set_tags(agent=support, acting_user=owner, tags=["support", "customer-facing"])
        services.set_access_level(agent=support, acting_user=owner, access_level="organization")
        publish_agent(
            agent=support, acting_user=owner, notes="First release of the support assistant."
        )
        # Work in progress, not yet published: what the review page shows.
        stage_unpublished_work(
            support,
            owner,
            instruction=(
                "Refunds",
                "Quote the refund policy verbatim and link to the refund form.",
            ),
            model_config={"model": "gpt-4o", "temperature": 0.2, "max_tokens": 2048, "top_p": 1},
            disabled_action=(crm, "close_ticket"),
        )

        sales = create_configured_agent(
            project,
            owner,
            name="Sales Helper",
            description="Helps prospects choose a plan.",
            model_config={"model": "gpt-4o-mini", "temperature": 0.7, "max_tokens": 800},
            instructions=[("Goal", "Help prospects pick the right plan. Never promise discounts.")],
            corpora=[corpora[3]],
            tool=web,
            guardrail=tone,
        )
        services.set_access_level(agent=sales, acting_user=owner, access_level="public")
        publish_agent(agent=sales, acting_user=owner, notes="Launch.")
        services.set_tags(agent=sales, acting_user=owner, tags=["sales"])
        publish_agent(agent=sales, acting_user=owner, notes="Tagged for the catalogue.")

        triage = create_configured_agent(
            project,
            owner,
            name="Ticket Triage",
            description="Sorts incoming tickets by urgency and product (never published).",
            model_config={"model": "gpt-4o-mini", "temperature": 0, "max_tokens": 256},
            instructions=[
                ("Labels", "Label each ticket: urgent, normal or low, and name the product.")
            ],
            corpora=[corpora[2]],
            tool=files,
            guardrail=jailbreak,
        )

        for agent in (support, sales, triage):
            for username, role in (
                ("publisher", AgentPermission.Role.PUBLISHER),
                ("editor", AgentPermission.Role.EDITOR),
                ("viewer", AgentPermission.Role.VIEWER),
            ):
                services.grant_permission(
                    agent=agent, acting_user=owner, target_user_id=users[username].pk, role=role
                )
        put_under_review(sales, owner=owner, editor=users["editor"])

    def _print_logins(self):
        self.stdout.write(
            f"\nOpen {self.url} and log in with any of these (password: {DEMO_PASSWORD}):"
        )
        self.stdout.write("  admin      superuser; Django admin at /admin/")
        for username, description in ROLE_USERS:
            self.stdout.write(f"  {username:<10} {description}")
        self.stdout.write("API: POST /api/v2/auth/token; docs at /api/docs/\n")
