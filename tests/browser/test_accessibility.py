"""Every page a person uses passes axe-core with no serious or critical violations.

One test visits them all on one demo, collecting every problem and asserting once: the
demo is built a single time and the report lists everything at once.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from publishing.selectors import edit_history
from reviews import services as reviews
from tests.browser.conftest import sign_in
from tests.browser.demo import build_demo
from tests.factories import PASSWORD
from webhooks import services as webhooks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}

# Rules left out on pages the project does not own: only Django's admin templates, whose
# markup is Django's to fix. Never add the project's own pages here.
ADMIN_EXCLUSIONS: dict[str, str] = {}


def _problems(axe: Axe, page, path: str, *, disabled: tuple[str, ...] = ()) -> list[str]:
    response = page.goto(path)
    # An error page would pass axe just as well: it must be the page itself.
    if not response.ok:
        return [f"{path}: answered {response.status}"]
    options = {"resultTypes": ["violations"]}
    if disabled:
        options["rules"] = {rule: {"enabled": False} for rule in disabled}
    violations = axe.run(page, options=options).response["violations"]
    return [
        f"{path}: {v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}"
        for v in violations
        if v["impact"] in SERIOUS
    ]


def test_every_page_has_no_serious_accessibility_violations(page):
    demo = build_demo()
    agent = demo.agent
    alice = demo.users["alice"]
    # The review page shows its policy card only under a policy with a request waiting.
    reviews.set_policy(
        agent=agent,
        acting_user=alice,
        values={
            "required_approvals": 1,
            "required_checks": ["regression-eval"],
            "blocking_builtin_checks": ["no_secrets"],
        },
    )
    reviews.request_review(
        agent=agent, acting_user=demo.users["carol"], description="Friendlier tone."
    )
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
        "/webhooks/",
    ]
    for path in paths:
        problems += _problems(axe, page, path)
    for path in ("/admin/", "/admin/agents/agent/"):
        problems += _problems(axe, page, path, disabled=tuple(ADMIN_EXCLUSIONS))
    assert problems == [], "\n".join(problems)
    assert page.problems == []
