"""Who may open which page and send which form: roles, outsiders, sign-in, CSRF."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agents import services
from agents.models import Agent, StagingConfiguration
from publishing.models import PublishRecord
from publishing.selectors import edit_history
from publishing.services import publish_agent
from tests import factories
from tests.pages.conftest import cast, stock_catalogue
from tests.reliability.fuzz_world import built_once

pytestmark = pytest.mark.django_db


# --- one world for the module ------------------------------------------------------------------
#
# Every test here asks one question of the same published agent, and each runs in a savepoint
# rolled back after it (so a form that is let through changes nothing for the next test).
# Building the agent, its people, catalogue and first publish once instead of for each of
# the 162 tests took two thirds of the module's time off.


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    def build() -> dict:
        organization = factories.OrganizationFactory()
        project = factories.ProjectFactory(organization=organization)
        owner = factories.UserFactory(username="owner")
        factories.join(organization, owner)
        agent = factories.AgentFactory(project=project, user=owner, name="Support bot")
        instruction = services.add_instruction(
            agent=agent, acting_user=owner, title="Tone", content="Answer politely and briefly."
        )
        published = publish_agent(agent=agent, acting_user=owner, notes="First version")
        return {
            "agent": agent,
            "users": cast(agent, owner),
            "instruction": instruction,
            "published": published,
            "catalogue": stock_catalogue(organization, project),
        }

    with built_once(django_db_blocker, build) as built:
        yield built


@pytest.fixture
def agent(world, db):
    """The module's agent, read again: a test must not meet another's in-memory changes."""
    return Agent.objects.select_related("project").get(pk=world["agent"].pk)


def _from_world(name: str):
    """The fixture ``name`` of the pages' conftest, taken from the module's world."""

    @pytest.fixture(name=name)
    def taken(world, db):
        return world[name]

    return taken


users = _from_world("users")
instruction = _from_world("instruction")
published = _from_world("published")
catalogue = _from_world("catalogue")


# Page -> the weakest role that may open it.
PAGES = {
    "production": "viewer",
    "editor": "editor",
    "review": "editor",
    "publishes": "editor",
    "publish-detail": "editor",
    "restore": "editor",
    "history": "editor",
    "checkpoint": "editor",
}
ORDER = ["viewer", "editor", "publisher", "owner"]


def page_url(name: str, agent, record, checkpoint_id: int) -> str:
    if name == "production":
        return reverse("agents:production", args=[agent.pk])
    if name == "editor":
        return reverse("agents:editor", args=[agent.pk])
    if name in ("publish-detail", "restore"):
        return reverse(f"publishing:{name}", args=[agent.pk, record.change_track_id])
    if name == "checkpoint":
        return reverse("publishing:checkpoint", args=[agent.pk, checkpoint_id])
    return reverse(f"publishing:{name}", args=[agent.pk])


@pytest.fixture
def urls(agent, published):
    checkpoint_id = edit_history(agent).first().history_id
    return lambda name: page_url(name, agent, published, checkpoint_id)


@pytest.mark.parametrize("who", ORDER)
@pytest.mark.parametrize("name", PAGES)
def test_each_page_opens_exactly_for_the_roles_that_may_see_it(client_as, urls, name, who):
    response = client_as(who).get(urls(name))
    allowed = ORDER.index(who) >= ORDER.index(PAGES[name])
    if allowed:
        assert response.status_code == 200
    elif name == "editor":
        # A viewer asking for Staging is sent to Production instead.
        assert response.status_code == 302
        assert response["Location"].endswith("/production/")
    else:
        assert response.status_code == 403
        assert b"Not allowed" in response.content


@pytest.mark.parametrize("name", PAGES)
def test_an_outsider_gets_404_so_the_agent_does_not_leak(client_as, urls, name):
    response = client_as("outsider").get(urls(name))
    assert response.status_code == 404
    assert b"Support bot" not in response.content


@pytest.mark.parametrize("name", PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(client, urls, name):
    response = client.get(urls(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_unknown_agent_is_404(client_as):
    assert client_as("owner").get("/agents/999999/").status_code == 404
    assert client_as("owner").get("/agents/999999/review/").status_code == 404


# --- every POST: CSRF, role, method ----------------------------------------------------------

# Editor-level forms that post no fields of their own (the ids are in the URL).
BARE_EDITOR_POSTS = (
    "agents:instruction-edit",
    "agents:instruction-move",
    "agents:instruction-delete",
    "agents:corpora-connect",
    "agents:corpus",
    "agents:corpus-disconnect",
    "agents:sharepoint-clear",
    "agents:tool-enable",
    "agents:tool-disable",
    "agents:action",
    "agents:action-enable",
    "agents:action-disable",
    "agents:guardrail",
)

# name -> (weakest role, form data); ids are filled in by ``post_url``.
POSTS = {
    "agents:settings": ("editor", {"settings-name": "X", "settings-model": "gpt-4o"}),
    "agents:instruction-add": (
        "editor",
        {"instruction-new-title": "T", "instruction-new-content": "C"},
    ),
    **{name: ("editor", {}) for name in BARE_EDITOR_POSTS},
    "agents:sharepoint": (
        "editor",
        {"sharepoint-site_url": "https://acme.sharepoint.com", "sharepoint-folder_path": "/a"},
    ),
    "agents:access": ("editor", {"access-access_level": "public"}),
    "agents:tags": ("editor", {"tags-tags": "a, b"}),
    "publishing:publish": ("publisher", {"notes": "n", "fingerprint": "x"}),
    "publishing:discard": ("publisher", {}),
    "publishing:restore": ("publisher", {"mode": "restore"}),
    "publishing:checkpoint-restore": ("publisher", {}),
}


@pytest.fixture
def post_url(agent, published, catalogue, instruction):
    tool = catalogue["crm"]
    action = tool.actions.first()
    checkpoint_id = edit_history(agent).last().history_id
    ids = {
        "instruction_id": instruction.pk,
        "corpus_id": catalogue["faq"].pk,
        "tool_id": tool.pk,
        "action_id": action.pk,
        "guardrail_id": catalogue["pii"].pk,
        "change_track_id": published.change_track_id,
        "history_id": checkpoint_id,
    }
    needs = {
        "agents:instruction-edit": ["instruction_id"],
        "agents:instruction-move": ["instruction_id"],
        "agents:instruction-delete": ["instruction_id"],
        "agents:corpus": ["corpus_id"],
        "agents:corpus-disconnect": ["corpus_id"],
        "agents:tool-enable": ["tool_id"],
        "agents:tool-disable": ["tool_id"],
        "agents:action": ["tool_id", "action_id"],
        "agents:action-enable": ["tool_id", "action_id"],
        "agents:action-disable": ["tool_id", "action_id"],
        "agents:guardrail": ["guardrail_id"],
        "publishing:restore": ["change_track_id"],
        "publishing:checkpoint-restore": ["history_id"],
    }

    def make(name: str) -> str:
        kwargs = {"agent_id": agent.pk, **{key: ids[key] for key in needs.get(name, [])}}
        return reverse(name, kwargs=kwargs)

    return make


def _state(agent):
    staging = StagingConfiguration.objects.get(agent_id=agent.pk)
    return staging.revision, PublishRecord.objects.filter(agent_id=agent.pk).count()


@pytest.mark.parametrize("name", POSTS)
def test_every_post_is_refused_without_a_csrf_token(client_as, agent, post_url, name):
    before = _state(agent)
    response = client_as("owner", csrf=True).post(post_url(name), POSTS[name][1])
    assert response.status_code == 403
    assert b"This form has expired" in response.content
    assert _state(agent) == before


@pytest.mark.parametrize("name", POSTS)
def test_every_post_accepts_the_token_the_page_carries(client_as, agent, post_url, name):
    client = client_as("owner", csrf=True)
    client.get(reverse("agents:editor", args=[agent.pk]))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(post_url(name), {**POSTS[name][1], "csrfmiddlewaretoken": token})
    assert response.status_code != 403


@pytest.mark.parametrize("name", POSTS)
def test_every_post_is_refused_below_its_role(client_as, agent, post_url, name):
    required = POSTS[name][0]
    weaker = ORDER[ORDER.index(required) - 1]
    before = _state(agent)
    response = client_as(weaker).post(post_url(name), POSTS[name][1])
    assert response.status_code == 403
    assert _state(agent) == before


@pytest.mark.parametrize("name", POSTS)
def test_every_post_is_404_for_an_outsider(client_as, agent, post_url, name):
    before = _state(agent)
    assert client_as("outsider").post(post_url(name), POSTS[name][1]).status_code == 404
    assert _state(agent) == before


@pytest.mark.parametrize("name", [n for n in POSTS if n != "publishing:restore"])
def test_post_only_urls_refuse_get(client_as, post_url, name):
    assert client_as("owner").get(post_url(name)).status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/agents/99999999999999999999999/",
        "/agents/{agent}/tools/99999999999999999999999/enable/",
        "/agents/{agent}/instructions/99999999999999999999999/delete/",
        "/agents/{agent}/history/99999999999999999999999/",
    ],
)
def test_ids_beyond_the_database_range_are_refused_not_500(client_as, agent, path):
    client = client_as("owner")
    url = path.format(agent=agent.pk)
    before = _state(agent)
    response = client.post(url) if url.endswith(("enable/", "delete/")) else client.get(url)
    # Unknown (404) or, where the service names the id as bad input, refused inline (400).
    assert response.status_code in (400, 404)
    assert _state(agent) == before
