"""Every page a person uses passes axe-core with no serious or critical violations.

One test visits them all on one demo, collecting every problem and asserting once: the
demo is built a single time and the report lists everything at once.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from agents import services as agent_services
from agents.models import Corpus, Guardrail
from publishing.management.commands.seed_demo import REVIEW_POLICY, request_review
from publishing.selectors import edit_history
from reviews import services as reviews
from tests.browser.conftest import sign_in
from tests.browser.demo import build_demo
from tests.factories import PASSWORD
from webhooks import services as webhooks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}


def _problems(axe: Axe, page, path: str | None) -> list[str]:
    """The serious and critical violations on ``path``, or on the page as it is when None."""
    if path is not None:
        response = page.goto(path)
        # An error page would pass axe just as well: it must be the page itself.
        if not response.ok:
            return [f"{path}: answered {response.status}"]
        # axe skips what is hidden: unfolded, the diffs' context and the forms in
        # <details> are checked too.
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    violations = axe.run(page).response["violations"]
    return [
        f"{path or page.url}: {v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}"
        for v in violations
        if v["impact"] in SERIOUS
    ]


def test_every_page_has_no_serious_accessibility_violations(page):
    demo = build_demo()
    agent = demo.agent
    alice = demo.users["alice"]
    # The review page shows its policy card only under a policy with a request waiting.
    reviews.set_policy(agent=agent, acting_user=alice, values=REVIEW_POLICY)
    request_review(agent, demo.users["carol"], description="Friendlier tone.")
    webhooks.create_endpoint(
        acting_user=alice,
        organization_id=agent.project.organization_id,
        agent=agent,
        url="http://127.0.0.1:9/hook",
        event_types=["publish.created"],
        description="Deploy notifier",
    )
    # The admin needs a staff account; Alice already owns the organization.
    alice.is_staff = alice.is_superuser = True
    alice.save(update_fields=["is_staff", "is_superuser"])
    checkpoint = list(edit_history(agent))[1]
    # Another agent to copy from, for the copy page's preview.
    dev = agent_services.create_agent(
        project=agent.project, acting_user=alice, name="Support assistant (dev)"
    )
    agent_services.add_instruction(
        agent=dev, acting_user=alice, title="Tone", content="Answer warmly, in one paragraph."
    )

    axe = Axe()
    problems = _problems(axe, page, "/accounts/login/")
    sign_in(page, "alice", PASSWORD)
    a = agent.pk
    paths = [
        "/agents/",
        f"/agents/{a}/",
        f"/agents/{a}/review/",
        f"/agents/{a}/publishes/",
        f"/agents/{a}/publishes/{demo.second.change_track_id}/",
        f"/agents/{a}/publishes/{demo.first.change_track_id}/restore/?mode=restore",
        f"/agents/{a}/history/",
        reverse("publishing:checkpoint", args=[a, checkpoint.history_id]),
        f"/agents/{a}/production/",
        f"/agents/{a}/policy/",
        f"/agents/{a}/reviews/",
        f"/agents/{a}/copy-from/",
        f"/agents/{a}/copy-from/?source={dev.pk}:staging",
        f"/agents/{a}/compare/",
        f"/agents/{a}/compare/?from={demo.first.change_track_id}&to=staging",
        reverse("publishing:instruction-blame", args=[a, demo.instructions["tone"]]),
        "/webhooks/",
        # The catalogue (Alice is a superuser here, so she administers it): the list and the
        # edit pages of a guardrail and a corpus.
        "/catalogue/",
        reverse(
            "agents:catalogue-guardrail", args=[Guardrail.objects.get(name="PII redaction").pk]
        ),
        reverse("agents:catalogue-corpus", args=[Corpus.objects.get(name="Help centre FAQ").pk]),
    ]
    for path in paths:
        problems += _problems(axe, page, path)
    # Django's own admin: the index and one change list.
    problems += _problems(axe, page, "/admin/")
    problems += _problems(axe, page, "/admin/agents/agent/")
    # The confirmation dialog of static/js/confirm.js, open over the editor.
    page.goto(f"/agents/{a}/")
    tone = page.locator(f"#instruction-{demo.instructions['tone']}")
    tone.get_by_role("button", name="Delete “Tone”").click()
    page.get_by_role("dialog").wait_for()
    problems += _problems(axe, page, None)
    # The conflict panel of a save on an older revision (agents/views/conflicts.py).
    page.goto(f"/agents/{a}/")
    agent_services.update_agent_settings(agent=agent, acting_user=alice, name="Renamed meanwhile")
    page.locator("#id_settings-name").fill("Mine")
    page.get_by_role("button", name="Save settings").click()
    page.locator(".edit-conflict").wait_for()
    problems += _problems(axe, page, None)
    assert problems == [], "\n".join(problems)
    # The conflict page answers 409, which Chromium reports as a failed load.
    assert [p for p in page.problems if "status of 409" not in p] == []
