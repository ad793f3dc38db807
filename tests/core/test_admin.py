"""The admin is for auditing: everything listed, Staging/Production/publish records frozen."""

import pytest
from django.contrib import admin

from agents import services
from agents.models import Instruction, StagingConfiguration
from publishing.models import ProductionConfiguration, PublishRecord
from publishing.services import publish_agent
from tests import factories

pytestmark = pytest.mark.django_db


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
    ],
)
def test_audited_models_cannot_be_added_changed_or_deleted(rf, model):
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = factories.UserFactory(is_superuser=True, is_staff=True)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_every_model_of_both_apps_is_registered():
    from django.apps import apps

    for app in ("agents", "publishing"):
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
