"""Who is behind each pending change: ``staging-diff`` entries' ``authors`` and the
``contributors`` of the pending publish, and the review page that shows them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents import services
from publishing.authors import attribute
from publishing.integrity import compute_record_hash, record_content, verify_chain
from publishing.models import PublishRecord
from publishing.selectors import production_row, review_staging
from publishing.services import discard_staging, publish_agent
from tests import factories
from tests.publishing.conftest import client_as, grant, records_of

pytestmark = pytest.mark.django_db


def people(agent) -> dict[tuple[str, str | None], list[str]]:
    """Each entry (key, field) with the usernames of its authors, newest first."""
    review = review_staging(agent, with_authors=True)
    return {
        (change.key, change.field): [a.username for a in authors] for change, authors in review.rows
    }


def contributors(agent) -> list[str]:
    return [a.username for a in review_staging(agent, with_authors=True).attribution.contributors]


@pytest.fixture
def alice(agent):
    user = factories.UserFactory(username="alice")
    grant(agent, user, "editor")
    return user


@pytest.fixture
def bob(agent):
    user = factories.UserFactory(username="bob")
    grant(agent, user, "editor")
    return user


@pytest.fixture
def published(agent, owner):
    services.add_instruction(agent=agent, acting_user=owner, title="Tone", content="Be kind.")
    publish_agent(agent=agent, acting_user=owner)
    return agent


def last_publish_of(agent):
    return production_row(agent)[2]


def instruction_of(agent):
    return agent.instructions.get()


def test_before_the_first_publish_the_creator_is_behind_every_change(agent, owner, alice):
    services.add_instruction(agent=agent, acting_user=alice, title="Tone", content="Be kind.")
    found = people(agent)
    assert found[("settings", "name")] == ["owner"]
    assert found[(f"instruction:{instruction_of(agent).pk}", None)] == ["alice"]
    assert contributors(agent) == ["alice", "owner"]


def test_each_field_names_who_changed_it_since_the_publish_newest_first(published, alice, bob):
    agent = published
    services.update_agent_settings(agent=agent, acting_user=alice, description="First try")
    services.update_agent_settings(agent=agent, acting_user=bob, description="Second try")
    services.update_agent_settings(agent=agent, acting_user=alice, name="Renamed")
    instruction = instruction_of(agent)
    services.update_instruction(
        agent=agent, acting_user=bob, instruction_id=instruction.pk, content="Be very kind."
    )
    found = people(agent)
    assert found == {
        ("settings", "name"): ["alice"],
        ("settings", "description"): ["bob", "alice"],
        (f"instruction:{instruction.pk}", "content"): ["bob"],
    }
    assert contributors(agent) == ["bob", "alice"]


def test_one_person_is_named_once_with_their_latest_change(published, alice):
    agent = published
    services.update_agent_settings(agent=agent, acting_user=alice, description="One")
    services.update_agent_settings(agent=agent, acting_user=alice, description="Two")
    review = review_staging(agent, with_authors=True)
    [(_change, authors)] = review.rows
    latest = agent.staging.history.order_by("-history_id").first().history_date
    assert [(a.username, a.changed_at) for a in authors] == [("alice", latest)]


def test_edits_before_the_publish_are_not_counted(agent, owner, alice, bob):
    services.update_agent_settings(agent=agent, acting_user=alice, description="Before")
    publish_agent(agent=agent, acting_user=owner)
    services.update_agent_settings(agent=agent, acting_user=bob, description="After")
    assert people(agent) == {("settings", "description"): ["bob"]}


def test_someone_whose_change_was_undone_is_no_contributor(published, alice, bob):
    agent = published
    services.set_tags(agent=agent, acting_user=alice, tags=["beta"])
    services.set_tags(agent=agent, acting_user=alice, tags=[])
    services.update_agent_settings(agent=agent, acting_user=bob, description="Kept")
    assert contributors(agent) == ["bob"]


def test_model_configuration_keys_are_attributed_one_by_one(published, alice, bob):
    agent = published
    config = dict(agent.staging.model_config)
    services.update_agent_settings(
        agent=agent, acting_user=alice, model_config={**config, "temperature": 0.1}
    )
    config = dict(agent.staging.model_config)
    services.update_agent_settings(
        agent=agent, acting_user=bob, model_config={**config, "top_p": 0.5}
    )
    found = people(agent)
    assert found[("settings", "model_config.temperature")] == ["alice"]
    assert found[("settings", "model_config.top_p")] == ["bob"]


def test_a_move_names_the_mover(published, owner, bob):
    agent = published
    second = services.add_instruction(agent=agent, acting_user=owner, title="Two", content="2")
    publish_agent(agent=agent, acting_user=owner)
    services.update_instruction(agent=agent, acting_user=bob, instruction_id=second.pk, position=0)
    [((_key, field), authors)] = people(agent).items()
    assert (field, authors) == ("position", ["bob"])


def test_tools_actions_corpora_and_removals(published, organization, project, alice, bob):
    agent = published
    tool = factories.ToolFactory(organization=organization, name="CRM", actions=["lookup"])
    action = tool.actions.get()
    services.enable_tool(agent=agent, acting_user=alice, tool_id=tool.pk)
    services.update_action(
        agent=agent, acting_user=bob, tool_id=tool.pk, action_id=action.pk, config={"limit": 3}
    )
    corpus = factories.CorpusFactory(project=project, name="FAQ")
    services.connect_corpora(agent=agent, acting_user=alice, corpus_ids=[corpus.pk])
    services.delete_instruction(
        agent=agent, acting_user=bob, instruction_id=instruction_of(agent).pk
    )
    found = people(agent)
    # A whole tool added carries its actions: both people are behind it.
    assert found[(f"tool:{tool.pk}", None)] == ["bob", "alice"]
    assert found[(f"corpus:{corpus.pk}", None)] == ["alice"]
    removed = [key for key, field in found if key.startswith("instruction:")]
    assert [found[(key, None)] for key in removed] == [["bob"]]


def test_an_action_changed_on_a_published_tool_names_its_author(
    agent, owner, organization, alice, bob
):
    tool = factories.ToolFactory(organization=organization, name="CRM", actions=["lookup", "send"])
    lookup, send = tool.actions.order_by("name")
    services.enable_tool(agent=agent, acting_user=owner, tool_id=tool.pk)
    publish_agent(agent=agent, acting_user=owner)
    services.update_action(
        agent=agent, acting_user=alice, tool_id=tool.pk, action_id=lookup.pk, config={"a": 1}
    )
    services.update_action(
        agent=agent, acting_user=bob, tool_id=tool.pk, action_id=send.pk, enabled=False
    )
    assert people(agent) == {
        (f"tool:{tool.pk}/action:{lookup.pk}", "config.a"): ["alice"],
        (f"tool:{tool.pk}/action:{send.pk}", "enabled"): ["bob"],
    }


def _settings(w):
    services.update_agent_settings(agent=w.agent, acting_user=w.user, description="Changed")


def _sharepoint(w):
    services.set_sharepoint_folder(
        agent=w.agent,
        acting_user=w.user,
        site_url="https://example.sharepoint.com",
        folder_path="/kb",
    )


def _instruction(w):
    services.add_instruction(agent=w.agent, acting_user=w.user, title="Scope", content="Support.")


def _corpus(w):
    corpus = factories.CorpusFactory(project=w.project, name="FAQ")
    services.connect_corpora(agent=w.agent, acting_user=w.user, corpus_ids=[corpus.pk])


def _tool(w):
    tool = factories.ToolFactory(organization=w.organization, name="CRM", actions=["lookup"])
    services.enable_tool(agent=w.agent, acting_user=w.user, tool_id=tool.pk)


def _action(w):
    tool = factories.ToolFactory(organization=w.organization, name="CRM", actions=["lookup"])
    services.enable_tool(agent=w.agent, acting_user=w.owner, tool_id=tool.pk)
    publish_agent(agent=w.agent, acting_user=w.owner)
    action = tool.actions.get()
    services.update_action(
        agent=w.agent, acting_user=w.user, tool_id=tool.pk, action_id=action.pk, config={"a": 1}
    )


def _guardrail(w):
    guardrail = factories.GuardrailFactory(organization=w.organization)
    services.set_guardrail(
        agent=w.agent, acting_user=w.user, guardrail_id=guardrail.pk, enabled=True
    )


@pytest.mark.parametrize(
    ("change", "histories"),
    [
        (_settings, 1),
        (_sharepoint, 1),
        (_instruction, 1),
        (_corpus, 1),
        # A whole tool carries its actions: the bindings' and the actions' records.
        (_tool, 2),
        (_action, 1),
        (_guardrail, 1),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)).strip("_"),
)
def test_each_kind_of_change_names_its_author_reading_only_its_own_history(
    published, owner, organization, project, alice, change, histories
):
    """Only the Staging models whose records can be behind the diff's changes are read;
    leaving one out would lose the author, reading the others costs a query each."""
    agent = published
    change(
        SimpleNamespace(
            agent=agent, user=alice, owner=owner, organization=organization, project=project
        )
    )
    review = review_staging(agent)
    with CaptureQueriesContext(connection) as captured:
        attribution = attribute(agent.pk, last_publish_of(agent), review.diff.changes)
    assert [[a.username for a in authors] for authors in attribution.authors] == [
        ["alice"] for _ in review.diff.changes
    ]
    assert [a.username for a in attribution.contributors] == ["alice"]
    history_reads = [q["sql"] for q in captured.captured_queries if "_historical" in q["sql"]]
    assert len(history_reads) == histories, history_reads


def test_a_deleted_user_is_still_named(published, alice):
    agent = published
    services.update_agent_settings(agent=agent, acting_user=alice, description="Gone soon")
    alice.delete()
    review = review_staging(agent, with_authors=True)
    [(_change, [author])] = review.rows
    assert (author.id, author.username) == (None, "alice")


def test_a_discard_leaves_nothing_to_attribute(published, owner, alice):
    agent = published
    services.update_agent_settings(agent=agent, acting_user=alice, description="Dropped")
    discard_staging(agent=agent, acting_user=owner)
    assert people(agent) == {}
    assert contributors(agent) == []


def test_the_api_carries_authors_and_contributors(published, owner, alice):
    agent = published
    services.update_agent_settings(agent=agent, acting_user=alice, description="Via API")
    response = client_as(owner).get(f"/api/v2/agents/{agent.pk}/staging-diff")
    assert response.status_code == 200
    body = response.json()
    [entry] = body["changes"]
    assert [(a["id"], a["username"]) for a in entry["authors"]] == [(alice.pk, "alice")]
    assert [c["username"] for c in body["contributors"]] == ["alice"]
    assert entry["authors"][0]["changed_at"] == body["contributors"][0]["changed_at"]


def test_the_review_page_shows_authors_beside_each_change(published, owner, alice, client):
    agent = published
    services.update_agent_settings(agent=agent, acting_user=alice, description="On the page")
    client.force_login(owner)
    html = client.get(f"/agents/{agent.pk}/review/").content.decode()
    assert 'class="diff-row__authors">by <span class="diff-author">alice' in html
    assert 'id="contributors"' in html and "alice" in html.split('id="contributors"')[1]


# --- the publish record keeps its contributors, inside the hash chain ------------------------


def test_a_publish_record_keeps_its_contributors(published, owner, alice, bob):
    agent = published
    services.update_agent_settings(agent=agent, acting_user=alice, description="A")
    services.update_agent_settings(agent=agent, acting_user=bob, name="B")
    expected = [
        {**a.as_dict(), "changed_at": a.changed_at.isoformat()}
        for a in review_staging(agent, with_authors=True).attribution.contributors
    ]
    record = publish_agent(agent=agent, acting_user=owner)
    record.refresh_from_db()
    assert [c["username"] for c in record.contributors] == ["bob", "alice"]
    assert record.contributors == expected
    assert record.staging_revision == agent.staging.revision
    assert verify_chain(records_of(agent)) is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: r.contributors.pop(),
        lambda r: r.contributors[0].update(username="mallory"),
        lambda r: setattr(r, "contributors", []),
        lambda r: setattr(r, "staging_revision", r.staging_revision + 1),
        lambda r: setattr(r, "staging_revision", None),
    ],
    ids=["drop one", "rename one", "empty them", "move the revision", "drop the revision"],
)
def test_rewriting_the_contributors_breaks_the_chain(published, owner, alice, bob, tamper):
    agent = published
    services.update_agent_settings(agent=agent, acting_user=alice, description="A")
    services.update_agent_settings(agent=agent, acting_user=bob, name="B")
    record = publish_agent(agent=agent, acting_user=owner)
    record.refresh_from_db()
    tamper(record)
    PublishRecord.objects.filter(pk=record.pk).update(
        contributors=record.contributors, staging_revision=record.staging_revision
    )
    broken = verify_chain(records_of(agent))
    assert broken is not None and broken.reason == "content does not match its hash"


def test_records_made_before_contributors_were_kept_still_verify(published, owner, alice):
    agent = published
    services.update_agent_settings(agent=agent, acting_user=alice, description="A")
    publish_agent(agent=agent, acting_user=owner)
    older = records_of(agent)
    for record in older:
        # As such a record is: neither field, and the hash made without them.
        record.contributors, record.staging_revision = [], None
        record.record_hash = ""
    previous = ""
    for record in older:
        record.previous_hash = previous
        record.record_hash = compute_record_hash(record)
        PublishRecord.objects.filter(pk=record.pk).update(
            contributors=[],
            staging_revision=None,
            previous_hash=previous,
            record_hash=record.record_hash,
        )
        previous = record.record_hash
    assert verify_chain(records_of(agent)) is None
    assert "contributors" not in record_content(older[-1])


def test_the_publish_record_api_and_page_show_the_contributors(published, owner, alice, client):
    agent = published
    services.update_agent_settings(agent=agent, acting_user=alice, description="A")
    record = publish_agent(agent=agent, acting_user=owner)
    body = client_as(owner).get(f"/api/v2/agents/{agent.pk}/publishes/{record.change_track_id}")
    assert [(c["id"], c["username"]) for c in body.json()["contributors"]] == [(alice.pk, "alice")]
    client.force_login(owner)
    html = client.get(f"/agents/{agent.pk}/publishes/{record.change_track_id}/").content.decode()
    shown = html.split('id="contributors"')[1].split("</dd>")[0]
    assert "alice" in shown and "<time" in shown
