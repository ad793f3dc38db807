"""The admin is for auditing: everything listed, Staging/Production/publish records frozen."""

import pytest
from django.contrib import admin
from django.urls import reverse

from agents import services
from agents.models import Instruction, StagingConfiguration
from publishing.models import ProductionConfiguration, PublishRecord
from publishing.selectors import review_staging
from publishing.services import publish_agent
from reviews import services as reviews
from reviews.models import CheckRun, PolicyChange, PublishPolicy, ReviewRequest, Verdict
from tests import factories

pytestmark = pytest.mark.django_db

# The review app's models, each with its own read-only admin list and page.
REVIEW_MODELS = [PublishPolicy, PolicyChange, ReviewRequest, Verdict, CheckRun]


@pytest.fixture
def admin_client(client):
    superuser = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    return client


@pytest.fixture
def published(agent, owner):
    services.add_instruction(agent=agent, acting_user=owner, title="Hello", content="World")
    record = publish_agent(agent=agent, acting_user=owner, notes="searchable release note")
    return record


@pytest.mark.parametrize(
    "model",
    [
        StagingConfiguration,
        Instruction,
        ProductionConfiguration,
        PublishRecord,
        StagingConfiguration.history.model,
        *REVIEW_MODELS,
    ],
)
def test_audited_models_cannot_be_added_changed_or_deleted(rf, model):
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = factories.UserFactory(is_superuser=True, is_staff=True)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_every_model_of_the_audited_apps_is_registered():
    from django.apps import apps

    for app in ("agents", "publishing", "reviews"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical") and model is not (
                StagingConfiguration.history.model
            ):
                continue
            assert model in admin.site._registry, model.__name__


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/agents/agent/",
        "/admin/agents/stagingconfiguration/",
        "/admin/agents/historicalstagingconfiguration/",
        "/admin/agents/instruction/",
        "/admin/agents/corpusconnection/",
        "/admin/agents/toolbinding/",
        "/admin/agents/actionsetting/",
        "/admin/agents/guardrailsetting/",
        "/admin/publishing/productionconfiguration/",
        "/admin/agents/tool/",
        "/admin/agents/agentpermission/",
        "/admin/publishing/publishrecord/",
        "/admin/publishing/publishrecord/?q=searchable",
    ],
)
def test_admin_lists_render(admin_client, published, url):
    response = admin_client.get(url)
    assert response.status_code == 200


def test_publish_record_detail_and_search(admin_client, published):
    detail = admin_client.get(f"/admin/publishing/publishrecord/{published.pk}/change/")
    assert detail.status_code == 200
    assert b"searchable release note" in detail.content
    found = admin_client.get("/admin/publishing/publishrecord/?q=searchable")
    assert b"1 publish record\n" in found.content
    missing = admin_client.get("/admin/publishing/publishrecord/?q=nomatchatall")
    assert b"0 publish records" in missing.content


def test_staging_history_page_shows_the_acting_user(admin_client, agent, owner):
    services.update_agent_settings(agent=agent, acting_user=owner, name="Audited name")
    response = admin_client.get(f"/admin/agents/stagingconfiguration/{agent.pk}/history/")
    assert response.status_code == 200
    assert b"owner" in response.content


def test_publish_record_cannot_be_deleted_through_the_admin(admin_client, published):
    response = admin_client.post(
        f"/admin/publishing/publishrecord/{published.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert PublishRecord.objects.filter(pk=published.pk).exists()


@pytest.fixture
def broke_glass(agent, owner, published, monkeypatch):
    """A policy, a review, a check result, and a publish past the policy by the owner."""

    reviews.set_policy(
        agent=agent,
        acting_user=owner,
        values={"required_approvals": 1, "required_checks": ["regression-eval"]},
    )
    services.add_instruction(agent=agent, acting_user=owner, title="More", content="Text")
    current = review_staging(agent).fingerprint
    reviews.request_review(agent=agent, acting_user=owner, description="look")
    reviews.post_check(
        agent=agent, acting_user=owner, fingerprint=current, name="regression-eval", state="failure"
    )
    reviews.give_verdict(
        agent=agent,
        acting_user=owner,
        verdict="changes_requested",
        expected_fingerprint=current,
        comment="hmm",
    )
    return publish_agent(agent=agent, acting_user=owner, break_glass_reason="Outage <now>")


@pytest.mark.parametrize(
    "url",
    [f"/admin/reviews/{model._meta.model_name}/" for model in REVIEW_MODELS]
    + ["/admin/publishing/publishrecord/?broke_glass__exact=1"],
)
def test_review_admin_lists_render(admin_client, broke_glass, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b'id="result_list"' in response.content  # the row is listed


@pytest.mark.parametrize("model", REVIEW_MODELS)
def test_review_admin_pages_render_read_only(admin_client, broke_glass, model):
    row = model.objects.first()
    name = model._meta.model_name
    response = admin_client.get(f"/admin/reviews/{name}/{row.pk}/change/")
    assert response.status_code == 200
    assert b'type="submit"' not in response.content.split(b'id="content-main"')[-1]


def test_a_break_glass_publish_is_flagged_first_on_its_admin_page(admin_client, broke_glass):
    listing = admin_client.get("/admin/publishing/publishrecord/?broke_glass__exact=1")
    assert b"1 publish record\n" in listing.content
    assert b'data-filter-title="broke glass"' in listing.content  # offered as a filter
    assert b"column-broke_glass" in listing.content  # and a column
    unflagged = admin_client.get("/admin/publishing/publishrecord/?broke_glass__exact=0")
    assert b"1 publish record\n" in unflagged.content
    html = admin_client.get(
        f"/admin/publishing/publishrecord/{broke_glass.pk}/change/"
    ).content.decode()
    assert "Published without approval (break glass):</strong> Outage &lt;now&gt;" in html
    assert "1 approval needed, 0 given on this state." in html
    assert "&quot;regression-eval&quot;" in html  # the gate, as kept
    assert html.index("Publish policy") < html.index("Change track id")


@pytest.mark.parametrize("kind", ["tool", "action", "guardrail", "corpus"])
def test_a_catalogue_item_is_changed_from_its_catalogue_page_not_the_admin(
    admin_client, project, kind
):
    """The admin shows a catalogue item read-only and links to the page with its impact
    preview, where a change reaches every agent that uses the item."""
    tool = factories.ToolFactory(organization=project.organization, actions=["lookup"])
    item = {
        "tool": lambda: tool,
        "action": lambda: tool.actions.get(),
        "guardrail": lambda: factories.GuardrailFactory(organization=project.organization),
        "corpus": lambda: factories.CorpusFactory(project=project),
    }[kind]()
    args = [tool.pk, item.pk] if kind == "action" else [item.pk]
    opts = item._meta
    response = admin_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[item.pk])
    )
    assert response.status_code == 200
    assert f'href="{reverse(f"agents:catalogue-{kind}", args=args)}"'.encode() in response.content
