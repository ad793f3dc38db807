"""The catalogue pages: the list, the edit page with its impact preview, confirmation and
history, and who may use them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from agents import services
from agents.models import Corpus, Guardrail, StagingConfiguration
from publishing.services import publish_agent
from tests import factories
from tests.agents.catalogue_users import production_snapshots

pytestmark = pytest.mark.django_db


admin = factories.admin_fixture("org-admin")


@pytest.fixture
def guardrail(organization, agent, owner):
    guardrail = factories.GuardrailFactory(
        organization=organization, name="PII filter", config={"threshold": 0.8}
    )
    services.set_guardrail(agent=agent, acting_user=owner, guardrail_id=guardrail.pk, enabled=True)
    publish_agent(agent=agent, acting_user=owner)
    return guardrail


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(guardrail) -> str:
    return reverse("agents:catalogue-guardrail", args=[guardrail.pk])


def form(**extra):
    return {"name": "PII filter", "type": "pii", "config": '{"threshold": 0.9}', **extra}


def test_the_list_shows_the_items_of_organizations_the_user_administers(admin, guardrail):
    page = signed_in(admin).get(reverse("agents:catalogue"))
    assert page.status_code == 200
    assert url(guardrail) in page.content.decode()


def assert_previewed_then_confirmed_then_saved(
    client, agent, page_url, form, *, label, stored, old, new
):
    """The two steps and the confirmation every catalogue edit page takes, for an item of
    ``agent``'s (live) Staging: ``form`` (with its reason) is previewed, showing the agent
    and the change ``label``, then confirmed and saved; ``stored()`` reads the item's
    changed field, ``old`` until the save and ``new`` after it."""
    revision = StagingConfiguration.objects.get(agent_id=agent.pk).revision
    production = production_snapshots()

    preview = client.post(page_url, form)
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "Support bot" in text and "Live" in text
    assert label in text
    assert stored() == old

    # Previewed but not confirmed (no JavaScript): the confirmation page, nothing written.
    asked = client.post(page_url, {**form, "previewed": "1"})
    assert asked.status_code == 200 and 'name="confirmed"' in asked.content.decode()
    assert stored() == old

    saved = client.post(page_url, {**form, "previewed": "1", "confirmed": "1"})
    assert saved.status_code == 302
    assert stored() == new
    assert StagingConfiguration.objects.get(agent_id=agent.pk).revision == revision + 1
    assert production_snapshots() == production
    history = client.get(page_url).content.decode()
    assert form["reason"] in history and "org-admin" in history


def test_preview_then_confirm_then_saved(admin, guardrail, agent):
    assert_previewed_then_confirmed_then_saved(
        signed_in(admin),
        agent,
        url(guardrail),
        form(reason="Fewer false positives"),
        label="catalogue config \u201cthreshold\u201d",
        stored=lambda: Guardrail.objects.get(pk=guardrail.pk).config,
        old={"threshold": 0.8},
        new={"threshold": 0.9},
    )


def test_bad_input_is_shown_inline_and_nothing_is_written(admin, guardrail):
    response = signed_in(admin).post(url(guardrail), form(config="[1]", reason="x"))
    assert response.status_code == 400
    assert "Must be a JSON object." in response.content.decode()
    response = signed_in(admin).post(url(guardrail), form(reason=""))
    assert response.status_code == 400
    assert Guardrail.objects.get(pk=guardrail.pk).config == {"threshold": 0.8}


def test_a_member_gets_403_and_an_outsider_404(owner, guardrail):
    assert signed_in(owner).get(url(guardrail)).status_code == 403
    assert (
        signed_in(owner).post(url(guardrail), form(reason="x", previewed="1", confirmed="1"))
    ).status_code == 403
    outsider = factories.UserFactory(username="stranger")
    assert signed_in(outsider).get(url(guardrail)).status_code == 404
    assert Guardrail.objects.get(pk=guardrail.pk).config == {"threshold": 0.8}


def test_tool_and_action_pages_open(admin, organization):
    tool = factories.ToolFactory(organization=organization, name="CRM", actions=["search"])
    action = tool.actions.get()
    client = signed_in(admin)
    assert client.get(reverse("agents:catalogue-tool", args=[tool.pk])).status_code == 200
    action_url = reverse("agents:catalogue-action", args=[tool.pk, action.pk])
    assert client.get(action_url).status_code == 200
    other = factories.ToolFactory(organization=organization, name="Other", actions=[])
    wrong = reverse("agents:catalogue-action", args=[other.pk, action.pk])
    assert client.get(wrong).status_code == 404


def test_the_admin_shows_catalogue_items_read_only_with_a_link_to_the_page(guardrail):
    root = factories.UserFactory(username="root-admin", is_staff=True, is_superuser=True)
    client = signed_in(root)
    change = reverse("admin:agents_guardrail_change", args=[guardrail.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert url(guardrail) in page.content.decode()
    response = client.post(change, {"name": "x", "type": "y", "config": "{}"})
    assert response.status_code == 403
    assert Guardrail.objects.get(pk=guardrail.pk).name == "PII filter"
    assert client.get(reverse("admin:agents_guardrail_add")).status_code == 403


@pytest.fixture
def corpus(project, agent, owner):
    corpus = factories.CorpusFactory(project=project, name="Handbook", description="Old")
    services.connect_corpora(agent=agent, acting_user=owner, corpus_ids=[corpus.pk])
    publish_agent(agent=agent, acting_user=owner)
    return corpus


def corpus_url(corpus) -> str:
    return reverse("agents:catalogue-corpus", args=[corpus.pk])


def corpus_form(**extra):
    return {"name": "Handbook", "description": "New", **extra}


def test_the_list_links_each_corpus_to_its_edit_page(admin, corpus):
    page = signed_in(admin).get(reverse("agents:catalogue"))
    assert page.status_code == 200
    assert corpus_url(corpus) in page.content.decode()


def test_a_corpus_is_previewed_then_confirmed_then_saved(admin, corpus, agent):
    client = signed_in(admin)
    assert client.get(corpus_url(corpus)).status_code == 200
    assert_previewed_then_confirmed_then_saved(
        client,
        agent,
        corpus_url(corpus),
        corpus_form(reason="Clearer"),
        label="catalogue description",
        stored=lambda: Corpus.objects.get(pk=corpus.pk).description,
        old="Old",
        new="New",
    )


def test_a_bad_corpus_form_is_shown_inline_and_nothing_is_written(admin, corpus):
    response = signed_in(admin).post(corpus_url(corpus), corpus_form(name="", reason="x"))
    assert response.status_code == 400
    response = signed_in(admin).post(corpus_url(corpus), corpus_form(reason=""))
    assert response.status_code == 400
    assert Corpus.objects.get(pk=corpus.pk).description == "Old"


def test_a_member_gets_403_and_an_outsider_404_on_a_corpus(owner, corpus):
    assert signed_in(owner).get(corpus_url(corpus)).status_code == 403
    confirmed = corpus_form(reason="x", previewed="1", confirmed="1")
    assert signed_in(owner).post(corpus_url(corpus), confirmed).status_code == 403
    outsider = factories.UserFactory(username="stranger")
    assert signed_in(outsider).get(corpus_url(corpus)).status_code == 404
    assert Corpus.objects.get(pk=corpus.pk).description == "Old"
