"""Configuration as code through the services: export, import (and its dry run), copy."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agents import services
from agents.models import Agent, Guardrail, StagingConfiguration, Tool
from agents.selectors_transfer import PRODUCTION, STAGING, Source, parse_source
from agents.snapshot import staging_snapshot
from configuration.document import SCHEMA_VERSION
from publishing.services import publish_agent
from tests import factories
from tests.agents.conftest import grant
from tests.agents.transfer_world import exported, without_origin
from tests.reliability.helpers import stored_state


@pytest.fixture
def fresh(project, owner):
    return Agent.objects.select_related("project__organization", "staging").get(
        pk=factories.AgentFactory(project=project, user=owner, name="Fresh").pk
    )


# --- export -----------------------------------------------------------------------------------


def test_the_document_names_components_by_key_and_carries_their_definitions(rich):
    document = exported(rich)
    assert document["schema_version"] == SCHEMA_VERSION
    assert document["origin"] == {
        "agent_id": rich.pk,
        "source": "staging",
        "change_track_id": None,
    }
    assert document["instructions"] == [
        {"title": "Tone", "content": "Be kind."},
        {"title": "Scope", "content": "Support only."},
    ]
    assert document["tools"] == [
        {
            "tool": "CRM",
            "enabled": True,
            "actions": [
                {"action": "create", "enabled": True, "config": {"limit": 5}},
                {"action": "search", "enabled": True, "config": {}},
            ],
        }
    ]
    assert document["components"] == {
        "corpora": [{"name": "Handbook", "description": "FAQ"}],
        "tools": [
            {
                "name": "CRM",
                "kind": "api",
                "description": "",
                "actions": [
                    {"name": "create", "config": {}},
                    {"name": "search", "config": {"endpoint": "https://crm.example.com"}},
                ],
            }
        ],
        "guardrails": [{"name": "PII filter", "type": "pii", "config": {"mask": True}}],
    }
    assert document["knowledge_sources"]["corpora"] == [
        {"corpus": "Handbook", "enabled": True, "settings": {"top_k": 3}}
    ]
    assert "id" not in str(without_origin(document)).replace("'", " ").split()


def test_a_definition_frozen_in_the_snapshot_wins_over_the_catalogue(rich, owner):
    record = publish_agent(agent=rich, acting_user=owner)
    snapshot = copy.deepcopy(record.snapshot)
    snapshot["guardrails"][0]["definition"] = {"type": "pii", "config": {"mask": False}}
    type(record).objects.filter(pk=record.pk).update(snapshot=snapshot)
    document = exported(rich, str(record.change_track_id))
    assert document["components"]["guardrails"][0]["config"] == {"mask": False}


def test_production_before_a_publish_is_not_found(rich):
    from agents.exceptions import NotPublished

    with pytest.raises(NotPublished):
        exported(rich, PRODUCTION)


@pytest.mark.parametrize("value", ["", "Staging", "prod", "1234", "x" * 36, 5])
def test_an_unknown_source_is_refused(value):
    with pytest.raises(ValidationError) as error:
        parse_source(value)
    assert "source" in error.value.message_dict


# --- round trips ------------------------------------------------------------------------------


def test_export_import_export_gives_the_same_document(rich, fresh, owner):
    document = exported(rich)
    services.import_document(agent=fresh, acting_user=owner, document=document)
    assert without_origin(exported(fresh)) == without_origin(document)


def test_a_publish_exported_and_imported_publishes_that_content(rich, owner):
    record = publish_agent(agent=rich, acting_user=owner)
    document = exported(rich, str(record.change_track_id))
    services.update_agent_settings(agent=rich, acting_user=owner, description="Changed")
    services.add_instruction(agent=rich, acting_user=owner, title="Extra", content="More.")
    services.disable_tool(
        agent=rich, acting_user=owner, tool_id=record.snapshot["tools"][0]["tool_id"]
    )
    publish_agent(agent=rich, acting_user=owner)

    services.import_document(agent=rich, acting_user=owner, document=document)
    again = publish_agent(agent=rich, acting_user=owner)
    assert again.fingerprint == record.fingerprint


def test_the_import_is_one_staging_edit_with_its_reason(rich, fresh, owner):
    before = StagingConfiguration.objects.get(agent=fresh).revision
    result = services.import_document(agent=fresh, acting_user=owner, document=exported(rich))
    staging = StagingConfiguration.objects.get(agent=fresh)
    assert staging.revision == before + 1 == result.staging.revision
    row = StagingConfiguration.history.filter(agent_id=fresh.pk).order_by("-history_id").first()
    assert row.history_change_reason == f"Imported from document (agent {rich.pk}, staging)"
    assert row.history_user_id == owner.pk
    assert result.diff.has_changes and not result.dry_run
    assert fresh.production_or_none() is None


def test_an_import_keeps_the_ids_of_instructions_it_matches(rich, owner):
    ids = [i["id"] for i in staging_snapshot(rich)["instructions"]]
    document = exported(rich)
    document["instructions"][0]["content"] = "Be very kind."
    document["instructions"].reverse()
    result = services.import_document(agent=rich, acting_user=owner, document=document)
    after = staging_snapshot(rich)["instructions"]
    assert [i["id"] for i in after] == list(reversed(ids))
    # One instruction's text changed and one moved: two changes, nothing removed or added.
    assert sorted((c.key, c.field, c.change) for c in result.diff.changes) == [
        (f"instruction:{ids[0]}", "content", "modified"),
        (f"instruction:{ids[1]}", "position", "modified"),
    ]


# --- dry run ----------------------------------------------------------------------------------


def test_a_dry_run_answers_the_diff_and_writes_nothing(rich, fresh, owner):
    state = stored_state(fresh)
    result = services.import_document(
        agent=fresh, acting_user=owner, document=exported(rich), dry_run=True
    )
    assert result.dry_run and result.staging is None
    assert result.diff.counts == {
        "settings": result.diff.counts["settings"],
        "instructions": 2,
        "knowledge_sources": 2,
        "tools": 1,
        "guardrails": 1,
    }
    assert stored_state(fresh) == state
    real = services.import_document(agent=fresh, acting_user=owner, document=exported(rich))
    assert real.diff.summary == result.diff.summary


def test_a_dry_run_that_would_create_components_creates_none(
    rich, owner, elsewhere, other_organization
):
    document = exported(rich)
    result = services.import_document(
        agent=elsewhere,
        acting_user=owner,
        document=document,
        dry_run=True,
        create_missing_components=True,
    )
    assert sorted(result.created) == ["corpus 'Handbook'", "guardrail 'PII filter'", "tool 'CRM'"]
    assert not Tool.objects.filter(organization=other_organization).exists()


# --- components -------------------------------------------------------------------------------


def test_components_missing_in_another_organization_are_refused_and_nothing_written(
    rich, owner, elsewhere
):
    state = stored_state(elsewhere)
    with pytest.raises(services.ComponentsUnresolved) as error:
        services.import_document(agent=elsewhere, acting_user=owner, document=exported(rich))
    problems = {(c["kind"], c["name"], c["problem"]) for c in error.value.extra["components"]}
    assert problems == {
        ("corpus", "Handbook", "missing"),
        ("tool", "CRM", "missing"),
        ("guardrail", "PII filter", "missing"),
    }
    assert error.value.code == "components_unresolved"
    assert stored_state(elsewhere) == state


def test_missing_components_are_created_when_asked(rich, owner, elsewhere, other_organization):
    document = exported(rich)
    result = services.import_document(
        agent=elsewhere, acting_user=owner, document=document, create_missing_components=True
    )
    assert len(result.created) == 3
    tool = Tool.objects.get(organization=other_organization, name="CRM")
    assert {a.name: a.config for a in tool.actions.all()} == {
        "create": {},
        "search": {"endpoint": "https://crm.example.com"},
    }
    assert without_origin(exported(elsewhere)) == without_origin(document)


def test_a_component_that_differs_is_refused_even_when_creating(
    rich, fresh, owner, transfer_catalogue
):
    document = exported(rich)
    Guardrail.objects.filter(pk=transfer_catalogue["guardrail"].pk).update(config={"mask": False})
    with pytest.raises(services.ComponentsUnresolved) as error:
        services.import_document(
            agent=fresh, acting_user=owner, document=document, create_missing_components=True
        )
    assert [(c["name"], c["problem"]) for c in error.value.extra["components"]] == [
        ("PII filter", "different")
    ]


def test_two_catalogue_objects_of_one_name_are_ambiguous(rich, fresh, owner, organization):
    factories.GuardrailFactory(organization=organization, name="PII filter", type="pii")
    with pytest.raises(services.ComponentsUnresolved) as error:
        services.import_document(agent=fresh, acting_user=owner, document=exported(rich))
    assert [c["problem"] for c in error.value.extra["components"]] == ["ambiguous"]


def test_an_action_missing_from_an_existing_tool_cannot_be_created(rich, fresh, owner):
    document = exported(rich)
    document["tools"][0]["actions"].append({"action": "delete", "enabled": True, "config": {}})
    document["components"]["tools"][0]["actions"].append({"name": "delete", "config": {}})
    with pytest.raises(services.ComponentsUnresolved) as error:
        services.import_document(
            agent=fresh, acting_user=owner, document=document, create_missing_components=True
        )
    assert [(c["kind"], c["tool"], c["name"]) for c in error.value.extra["components"]] == [
        ("action", "CRM", "delete")
    ]


# --- validation -------------------------------------------------------------------------------


def test_every_problem_is_listed_by_its_path_and_nothing_written(rich, fresh, owner):
    document = exported(rich)
    document["settings"]["model_config"]["temperature"] = 9
    document["settings"]["tags"] = ["ok", ""]
    document["instructions"][1]["title"] = "  "
    document["guardrails"][0]["settings"] = {"x": [[[[[[[1]]]]]]]}
    document["knowledge_sources"]["sharepoint"]["site_url"] = "http://insecure.example.com"
    document["components"]["tools"][0]["kind"] = "robot"
    state = stored_state(fresh)
    with pytest.raises(ValidationError) as error:
        services.import_document(agent=fresh, acting_user=owner, document=document)
    assert set(error.value.message_dict) == {
        "settings.model_config",
        "settings.tags",
        "instructions[1].title",
        "guardrails[0].settings",
        "knowledge_sources.sharepoint.site_url",
        "components.tools[0].kind",
    }
    assert stored_state(fresh) == state


def test_an_import_past_the_configuration_bound_is_refused(rich, fresh, owner, settings):
    document = exported(rich)
    document["instructions"] = [{"title": f"T{n}", "content": "x" * 900} for n in range(10)]
    settings.MAX_CONFIGURATION_BYTES = 6000
    state = stored_state(fresh)
    with pytest.raises(ValidationError) as error:
        services.import_document(agent=fresh, acting_user=owner, document=document)
    assert list(error.value.message_dict) == ["configuration"]
    assert stored_state(fresh) == state


# --- roles ------------------------------------------------------------------------------------


def test_an_editor_imports_and_a_viewer_may_not(rich, fresh, owner):
    editor = grant(fresh, owner, "fresh-editor", "editor")
    viewer = grant(fresh, owner, "fresh-viewer", "viewer")
    document = exported(rich)
    with pytest.raises(PermissionDenied):
        services.import_document(agent=fresh, acting_user=viewer, document=document)
    result = services.import_document(agent=fresh, acting_user=editor, document=document)
    assert result.diff.has_changes


def test_restore_still_needs_a_publisher(rich, owner):
    editor = grant(rich, owner, "rich-editor", "editor")
    with pytest.raises(PermissionDenied):
        services.apply_snapshot_to_staging(
            agent=rich, acting_user=editor, snapshot=staging_snapshot(rich), reason="x"
        )


# --- copy -------------------------------------------------------------------------------------


def test_copy_makes_staging_equal_to_the_other_agents(rich, fresh, owner):
    result = services.copy_configuration(
        agent=fresh, acting_user=owner, source_agent=rich, source=Source(STAGING)
    )
    assert without_origin(exported(fresh)) == without_origin(exported(rich))
    row = StagingConfiguration.history.filter(agent_id=fresh.pk).order_by("-history_id").first()
    assert row.history_change_reason.startswith(f"Copied from agent {rich.pk}")
    assert result.diff.has_changes


def test_copy_of_production_takes_what_was_published(rich, fresh, owner):
    publish_agent(agent=rich, acting_user=owner)
    published = exported(rich, PRODUCTION)
    services.update_agent_settings(agent=rich, acting_user=owner, description="Not published")
    services.copy_configuration(
        agent=fresh, acting_user=owner, source_agent=rich, source=Source(PRODUCTION)
    )
    assert without_origin(exported(fresh)) == without_origin(published)


def test_a_copy_dry_run_writes_nothing(rich, fresh, owner):
    state = stored_state(fresh)
    result = services.copy_configuration(
        agent=fresh, acting_user=owner, source_agent=rich, source=Source(STAGING), dry_run=True
    )
    assert result.diff.has_changes
    assert stored_state(fresh) == state


def test_copy_needs_a_role_on_both_agents(rich, fresh, owner):
    # An editor of the target only: Staging of the source is not theirs to read.
    editor = grant(fresh, owner, "target-editor", "editor")
    with pytest.raises(Agent.DoesNotExist):
        services.copy_configuration(
            agent=fresh, acting_user=editor, source_agent=rich, source=Source(STAGING)
        )
    grant(rich, owner, "target-editor", "viewer")
    rich = Agent.objects.select_related("project", "staging").get(pk=rich.pk)
    with pytest.raises(PermissionDenied):
        services.copy_configuration(
            agent=fresh, acting_user=editor, source_agent=rich, source=Source(STAGING)
        )


def test_copy_stays_within_one_organization(rich, superuser, elsewhere):
    with pytest.raises(ValidationError) as error:
        services.copy_configuration(
            agent=elsewhere, acting_user=superuser, source_agent=rich, source=Source(STAGING)
        )
    assert "source_agent_id" in error.value.message_dict
