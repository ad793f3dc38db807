"""Changing a shared catalogue item: Staging of every agent that uses it, never Production.

DESIGN invariant 11: nothing an end-user's agent does changes without that agent's publish -
shared catalogue components included.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from agents import services
from agents.models import (
    Agent,
    Guardrail,
    StagingConfiguration,
    ToolAction,
)
from agents.staging import staging_fingerprint
from publishing.exceptions import DefinitionChanged
from publishing.models import ProductionConfiguration, PublishRecord
from publishing.selectors import review_staging
from publishing.services import plan_rollback, publish_agent, rollback_agent
from tests import factories

pytestmark = pytest.mark.django_db

LABEL = "Guardrail \u201cPII filter\u201d: catalogue config \u201cthreshold\u201d"


admin = factories.admin_fixture("catalogue-admin")


@pytest.fixture
def guardrail(organization):
    return factories.GuardrailFactory(
        organization=organization, name="PII filter", config={"threshold": 0.8, "mask": True}
    )


@pytest.fixture
def world(project, owner, guardrail):
    """Two agents use the guardrail (one live), one overrides the key, one is archived, one
    does not use it."""
    agents = {
        name: factories.AgentFactory(project=project, user=owner, name=name)
        for name in ("live", "draft", "overrides", "archived", "unrelated")
    }
    for name in ("live", "draft", "archived"):
        services.set_guardrail(
            agent=agents[name], acting_user=owner, guardrail_id=guardrail.pk, enabled=True
        )
    services.set_guardrail(
        agent=agents["overrides"],
        acting_user=owner,
        guardrail_id=guardrail.pk,
        enabled=True,
        settings={"threshold": 0.5},
    )
    for name in ("live", "overrides", "unrelated"):
        publish_agent(agent=agents[name], acting_user=owner)
    services.delete_agent(agent=agents["archived"], acting_user=owner)
    return agents


def production_rows() -> list[tuple]:
    return list(
        ProductionConfiguration.objects.order_by("agent_id").values_list(
            "agent_id", "snapshot", "fingerprint", "change_track_id", "published_at"
        )
    )


def live_read(agent: Agent, user) -> tuple[int, bytes, str]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(reverse("agent-production", kwargs={"agent_id": agent.pk}))
    return response.status_code, response.content, response["ETag"]


def revisions() -> dict[int, int]:
    return dict(StagingConfiguration.objects.values_list("agent_id", "revision"))


def change_threshold(admin, guardrail, value=0.9, reason="Fewer false positives"):
    return services.update_guardrail(
        acting_user=admin,
        guardrail_id=guardrail.pk,
        config={"threshold": value, "mask": True},
        reason=reason,
    )


@pytest.mark.parametrize("cache_kind", ["local", "shared"])
def test_an_edit_reaches_staging_and_leaves_production_and_the_live_read_alone(
    world, admin, owner, guardrail, cache_kind, monkeypatch
):
    from publishing.live import cache as live

    if cache_kind == "shared":
        monkeypatch.setattr(live, "shared_cache", lambda: True)
    production = production_rows()
    reads = {name: live_read(world[name], owner) for name in ("live", "overrides")}
    before = revisions()

    result = change_threshold(admin, guardrail)

    assert production_rows() == production
    assert {name: live_read(world[name], owner) for name in reads} == reads
    # Only the agents whose effective definition changed get an edit; the one that sets
    # the key itself, the archived one and the one not using it do not.
    assert set(result.edited_agents) == {world["live"].pk, world["draft"].pk}
    after = revisions()
    assert {pk for pk in after if after[pk] != before[pk]} == set(result.edited_agents)
    # A published agent shows it as a change against Production; one never published has it
    # in the guardrail it would add.
    assert LABEL in {c.label for c in review_staging(world["live"]).diff.changes}
    [draft_guardrail] = review_staging(world["draft"]).staging["guardrails"]
    assert draft_guardrail["definition"]["config"]["threshold"] == 0.9
    for name in ("live", "draft"):
        agent = world[name]
        staging = StagingConfiguration.objects.get(agent_id=agent.pk)
        assert staging.fingerprint == staging_fingerprint(agent, staging)
        checkpoint = StagingConfiguration.history.filter(agent_id=agent.pk).first()
        assert checkpoint.history_change_reason == (
            "Guardrail \u201cPII filter\u201d: config changed in the catalogue"
        )
        assert checkpoint.history_user == admin
    [change] = [c for c in review_staging(world["live"]).diff.changes]
    assert (change.field, change.before, change.after) == ("definition.config.threshold", 0.8, 0.9)
    # Then the agent's own publish takes it live, and only that agent's.
    publish_agent(agent=world["live"], acting_user=owner)
    assert live_read(world["live"], owner)[1] != reads["live"][1]
    assert live_read(world["overrides"], owner) == reads["overrides"]


def test_the_catalogue_keeps_who_when_and_why(world, admin, guardrail):
    change_threshold(admin, guardrail, reason="Fewer false positives")
    record = Guardrail.history.filter(id=guardrail.pk).order_by("-history_id").first()
    assert record.history_user == admin
    assert record.history_username == "catalogue-admin"
    assert record.history_change_reason == "Fewer false positives"
    assert record.config == {"threshold": 0.9, "mask": True}


def test_the_preview_lists_exactly_the_agents_using_it_and_writes_nothing(world, admin, guardrail):
    before = (revisions(), production_rows(), Guardrail.history.count())
    preview = services.preview_catalogue_change(
        acting_user=admin, component="guardrail", item_id=guardrail.pk, config={"threshold": 1}
    )
    assert (revisions(), production_rows(), Guardrail.history.count()) == before
    assert [(u.agent_id, u.live) for u in preview.uses] == [
        (world["live"].pk, True),
        (world["draft"].pk, False),
        (world["overrides"].pk, True),
    ]
    assert (preview.count, preview.live_count) == (3, 2)
    by_agent = {u.agent_id: u.diff for u in preview.uses}
    assert [c.label for c in by_agent[world["live"].pk].changes] == [
        "Guardrail \u201cPII filter\u201d: catalogue config \u201cmask\u201d",
        LABEL,
    ]
    # The agent that sets the threshold itself only loses the catalogue's mask.
    assert [c.field for c in by_agent[world["overrides"].pk].changes] == ["definition.config.mask"]


def test_a_member_is_refused_and_an_outsider_does_not_see_it(world, owner, guardrail):
    outsider = factories.UserFactory(username="outsider")
    before = (revisions(), Guardrail.history.count())
    with pytest.raises(PermissionDenied):
        change_threshold(owner, guardrail)
    with pytest.raises(Guardrail.DoesNotExist):
        change_threshold(outsider, guardrail)
    assert (revisions(), Guardrail.history.count()) == before
    assert Guardrail.objects.get(pk=guardrail.pk).config["threshold"] == 0.8


def test_bad_input_is_refused_per_field_and_nothing_is_written(world, admin, guardrail):
    before = (revisions(), Guardrail.history.count())
    with pytest.raises(ValidationError) as refused:
        services.update_guardrail(
            acting_user=admin, guardrail_id=guardrail.pk, config=[1], type="", reason=""
        )
    assert set(refused.value.message_dict) >= {"config", "type"}
    with pytest.raises(ValidationError) as refused:
        services.update_guardrail(
            acting_user=admin, guardrail_id=guardrail.pk, config={}, reason=""
        )
    assert set(refused.value.message_dict) == {"reason"}
    assert (revisions(), Guardrail.history.count()) == before


def test_a_rename_changes_no_configuration(world, admin, guardrail):
    before = revisions()
    result = services.update_guardrail(
        acting_user=admin, guardrail_id=guardrail.pk, name="PII guard", reason="Clearer name"
    )
    assert result.edited_agents == ()
    assert revisions() == before
    assert not review_staging(world["draft"]).diff.has_changes or all(
        c.field != "definition" for c in review_staging(world["draft"]).diff.changes
    )


def test_an_action_edit_reaches_only_the_agents_with_its_tool(project, owner, admin, organization):
    tool = factories.ToolFactory(organization=organization, name="CRM", actions=["search"])
    action = ToolAction.objects.get(tool=tool)
    user, other = (
        factories.AgentFactory(project=project, user=owner, name=name) for name in ("a", "b")
    )
    services.enable_tool(agent=user, acting_user=owner, tool_id=tool.pk)
    result = services.update_tool_action(
        acting_user=admin, action_id=action.pk, config={"url": "/v2"}, reason="New endpoint"
    )
    assert result.edited_agents == (user.pk,)
    publish_agent(agent=user, acting_user=owner)
    result = services.update_tool_action(
        acting_user=admin, action_id=action.pk, config={"url": "/v3"}, reason="Newer endpoint"
    )
    assert result.edited_agents == (user.pk,)
    [change] = review_staging(user).diff.changes
    assert change.label == (
        "Tool \u201cCRM\u201d: action \u201csearch\u201d: catalogue config \u201curl\u201d"
    )
    assert other.pk not in result.edited_agents


def test_restoring_a_publish_whose_definition_the_catalogue_changed_is_refused(
    world, admin, owner, guardrail
):
    agent = world["live"]
    record = PublishRecord.objects.filter(agent_id=agent.pk).latest("sequence")
    change_threshold(admin, guardrail)
    plan = plan_rollback(agent=agent, record=record, mode="restore")
    assert [c.label for c in plan.conflicts] == [LABEL]
    revision = revisions()[agent.pk]
    with pytest.raises(DefinitionChanged) as refused:
        rollback_agent(agent=agent, acting_user=owner, record=record, mode="restore")
    assert refused.value.as_dict()["code"] == "definition_changed"
    assert revisions()[agent.pk] == revision
    # Once the catalogue is back, the restore goes through.
    change_threshold(admin, guardrail, value=0.8, reason="Back")
    rollback_agent(agent=agent, acting_user=owner, record=record, mode="restore")


def test_checkpoints_show_the_definitions_of_their_time(world, admin, owner, guardrail):
    from publishing.selectors import checkpoint_snapshot

    agent = world["draft"]
    before = revisions()[agent.pk]
    change_threshold(admin, guardrail)
    after = revisions()[agent.pk]

    def threshold(revision: int) -> float:
        snapshot = checkpoint_snapshot(agent_id=agent.pk, revision=revision)
        return snapshot["guardrails"][0]["definition"]["config"]["threshold"]

    assert (threshold(before), threshold(after)) == (0.8, 0.9)
    stored = StagingConfiguration.history.filter(agent_id=agent.pk, revision=after).first()
    from configuration.snapshot import fingerprint

    assert fingerprint(checkpoint_snapshot(agent_id=agent.pk, revision=after)) == stored.fingerprint


def test_a_discard_keeps_catalogue_changes_and_says_so(world, admin, owner, guardrail):
    from publishing.exceptions import NothingToDiscard
    from publishing.services import ONLY_DEFINITIONS, discard_staging

    agent = world["live"]
    change_threshold(admin, guardrail)
    with pytest.raises(NothingToDiscard) as refused:
        discard_staging(agent=agent, acting_user=owner)
    assert refused.value.detail == ONLY_DEFINITIONS
    # With an own change too, the discard drops that one and keeps the catalogue's.
    services.set_guardrail(
        agent=agent,
        acting_user=owner,
        guardrail_id=guardrail.pk,
        enabled=True,
        settings={"mask": False},
    )
    discard_staging(agent=agent, acting_user=owner)
    assert [c.label for c in review_staging(agent).diff.changes] == [LABEL]


def test_a_checkpoint_needing_an_old_definition_is_refused_in_its_preview(
    world, admin, owner, guardrail
):
    from publishing.selectors import checkpoint_preview, edit_history
    from publishing.services import restore_checkpoint

    agent = world["draft"]
    checkpoint = edit_history(agent).first()
    change_threshold(admin, guardrail)
    preview = checkpoint_preview(agent=agent, checkpoint=checkpoint)
    assert [line.split(":")[0] for line in preview.refusal] == ["Guardrail \u201cPII filter\u201d"]
    with pytest.raises(DefinitionChanged):
        restore_checkpoint(agent=agent, acting_user=owner, history_id=checkpoint.history_id)


def test_a_corpus_description_reaches_the_agents_connected_to_it(project, owner, admin):
    corpus = factories.CorpusFactory(project=project, name="Handbook", description="Old")
    agent = factories.AgentFactory(project=project, user=owner, name="Reader")
    services.connect_corpora(agent=agent, acting_user=owner, corpus_ids=[corpus.pk])
    publish_agent(agent=agent, acting_user=owner)
    result = services.update_corpus(
        acting_user=admin, corpus_id=corpus.pk, description="New", reason="Clearer"
    )
    assert result.edited_agents == (agent.pk,)
    [change] = review_staging(agent).diff.changes
    assert (change.label, change.before, change.after) == (
        "Knowledge source \u201cHandbook\u201d: catalogue description",
        "Old",
        "New",
    )
