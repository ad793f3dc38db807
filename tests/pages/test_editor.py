"""The Staging editor: every form writes Staging only, or shows why not (400, nothing written)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agents import services
from agents.models import StagingConfiguration
from agents.snapshot import staging_snapshot
from tests import factories
from tests.pages.conftest import production_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client_as):
    return client_as("editor")


@pytest.fixture
def post(editor, agent):
    def send(name: str, data: dict | None = None, **ids):
        return editor.post(reverse(name, kwargs={"agent_id": agent.pk, **ids}), data or {})

    return send


@pytest.fixture
def live(agent, published):
    """Production as published; every test checks it is untouched by editing."""
    return production_of(agent)


def revision(agent) -> int:
    return StagingConfiguration.objects.get(agent_id=agent.pk).revision


def assert_saved(response, agent, live):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("agents:editor", args=[agent.pk]))
    assert production_of(agent) == live


@pytest.fixture
def refused(post, agent):
    """POST an edit that must be refused: 400 saying ``says``, nothing saved. The response."""

    def send(name, data=None, *, says: str, **ids):
        before = revision(agent)
        response = post(name, data, **ids)
        assert_refused(response, agent, before, says)
        return response

    return send


def assert_refused(response, agent, before: int, *messages: str):
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html
    for message in messages:
        assert message in html
    assert revision(agent) == before


# --- the page ---------------------------------------------------------------------------------


def test_editor_shows_staging_with_a_form_for_every_part(editor, agent, published, catalogue):
    services.update_agent_settings(agent=agent, acting_user=agent.created_by, name="Support bot v2")
    html = editor.get(reverse("agents:editor", args=[agent.pk])).content.decode()
    assert "Support bot v2" in html
    assert "Staging" in html and "You are editing Staging" in html
    for section in ("settings", "instructions", "knowledge", "tools", "guardrails", "access"):
        assert f'id="{section}"' in html
    assert "Answer politely and briefly." in html
    assert "FAQ" in html and "CRM" in html and "PII filter" in html
    assert "Your role: <strong>Editor</strong>" in html


def test_a_viewer_never_sees_staging(client_as, agent, published, owner):
    services.update_agent_settings(agent=agent, acting_user=owner, name="Secret new name")
    client = client_as("viewer")
    response = client.get(reverse("agents:editor", args=[agent.pk]), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("agents:production", args=[agent.pk])
    assert "Secret new name" not in html
    assert "Support bot" in html
    assert "Staging editor" not in html


def test_production_view_before_the_first_publish(client_as, agent):
    html = client_as("editor").get(reverse("agents:production", args=[agent.pk])).content.decode()
    assert "Not published yet" in html


def test_environment_production_shows_production_to_editors(editor, agent, published):
    response = editor.get(reverse("agents:editor", args=[agent.pk]) + "?environment=production")
    assert response["Location"] == reverse("agents:production", args=[agent.pk])


# --- settings and model configuration --------------------------------------------------------

SETTINGS = {
    "settings-name": "Support bot",
    "settings-description": "Answers questions",
    "settings-model": "gpt-4o-mini",
    "settings-temperature": "0.4",
    "settings-max_tokens": "2048",
    "settings-top_p": "0.9",
    "settings-stop": "END\nSTOP",
    "settings-reasoning_effort": "low",
}


def test_settings_form_saves_model_configuration_to_staging(post, agent, live):
    response = post("agents:settings", SETTINGS)
    assert_saved(response, agent, live)
    config = staging_snapshot(agent)["settings"]["model_config"]
    assert config == {
        "max_tokens": 2048,
        "model": "gpt-4o-mini",
        "reasoning_effort": "low",
        "stop": ["END", "STOP"],
        "temperature": 0.4,
        "top_p": 0.9,
    }


# case -> (fields changed from SETTINGS, what the page says, what else it shows)
BAD_SETTINGS = {
    "out of range, shown beside the field": (
        {"settings-temperature": "5"},
        "Must be between 0 and 2.",
        'id="id_settings-temperature_error_1"',
    ),
    "blank name, keeping what was typed": (
        {"settings-name": "  "},
        "This field is required.",
        'value="gpt-4o-mini"',
    ),
}


@pytest.mark.parametrize(
    ("change", "says", "shown"), BAD_SETTINGS.values(), ids=BAD_SETTINGS.keys()
)
def test_bad_settings_are_refused_on_the_form(refused, agent, live, change, says, shown):
    response = refused("agents:settings", {**SETTINGS, **change}, says=says)
    assert shown in response.content.decode()


def test_saving_the_untouched_form_changes_nothing(post, editor, agent, live):
    # Stored as the whole number 1: the browser sends "1", which must not become 1.0.
    services.update_agent_settings(
        agent=agent,
        acting_user=agent.created_by,
        model_config={"model": "gpt-4o", "temperature": 1},
    )
    before = revision(agent)
    response = post(
        "agents:settings",
        {
            "settings-name": "Support bot",
            "settings-description": "Answers questions",
            "settings-model": "gpt-4o",
            "settings-temperature": "1",
        },
    )
    assert response.status_code == 302
    assert revision(agent) == before
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Nothing changed: Staging already had these values."]


# --- instructions ------------------------------------------------------------------------------


def test_add_instruction(post, agent, live):
    response = post(
        "agents:instruction-add",
        {"instruction-new-title": "Escalation", "instruction-new-content": "Offer a human."},
    )
    assert_saved(response, agent, live)
    titles = [i["title"] for i in staging_snapshot(agent)["instructions"]]
    assert titles == ["Tone", "Escalation"]


def test_edit_instruction(post, agent, live, instruction):
    response = post(
        "agents:instruction-edit",
        {
            f"instruction-{instruction.pk}-title": "Tone",
            f"instruction-{instruction.pk}-content": "Be warm.",
        },
        instruction_id=instruction.pk,
    )
    assert_saved(response, agent, live)
    assert staging_snapshot(agent)["instructions"][0]["content"] == "Be warm."


def test_edit_instruction_too_long_title_is_refused(refused, agent, live, instruction):
    refused(
        "agents:instruction-edit",
        {
            f"instruction-{instruction.pk}-title": "x" * 201,
            f"instruction-{instruction.pk}-content": "Be warm.",
        },
        instruction_id=instruction.pk,
        says="Ensure this value has at most 200 characters",
    )


def test_edit_another_agents_instruction_is_refused(refused, agent, live, project):
    stranger = factories.AgentFactory(project=project)
    foreign = services.add_instruction(
        agent=stranger, acting_user=stranger.created_by, title="T", content="C"
    )
    refused(
        "agents:instruction-edit",
        {f"instruction-{foreign.pk}-title": "Mine", f"instruction-{foreign.pk}-content": "now"},
        instruction_id=foreign.pk,
        says="No such instruction on this agent.",
    )
    assert staging_snapshot(stranger)["instructions"][0]["title"] == "T"


def test_move_instruction_down_and_up(post, agent, live, instruction, owner):
    second = services.add_instruction(
        agent=agent, acting_user=owner, title="Scope", content="Only Acme."
    )
    response = post(
        "agents:instruction-move",
        {f"instruction-{instruction.pk}-action-position": "1"},
        instruction_id=instruction.pk,
    )
    assert_saved(response, agent, live)
    assert [i["title"] for i in staging_snapshot(agent)["instructions"]] == ["Scope", "Tone"]
    post(
        "agents:instruction-move",
        {f"instruction-{instruction.pk}-action-position": "0"},
        instruction_id=instruction.pk,
    )
    assert [i["id"] for i in staging_snapshot(agent)["instructions"]] == [
        instruction.pk,
        second.pk,
    ]


def test_move_buttons_carry_the_neighbouring_positions(editor, agent, instruction, owner):
    second = services.add_instruction(agent=agent, acting_user=owner, title="Scope", content="x")
    html = editor.get(reverse("agents:editor", args=[agent.pk])).content.decode()
    assert f'name="instruction-{instruction.pk}-action-position" value="1"' in html
    assert f'name="instruction-{second.pk}-action-position" value="0"' in html
    assert "Move “Tone” up" not in html  # the first has no "up"


def test_move_to_a_negative_position_is_refused(refused, agent, live, instruction):
    refused(
        "agents:instruction-move",
        {f"instruction-{instruction.pk}-action-position": "-1"},
        instruction_id=instruction.pk,
        says="Ensure this value is greater than or equal to 0.",
    )


def test_delete_instruction(post, agent, live, instruction):
    response = post("agents:instruction-delete", {"confirmed": "1"}, instruction_id=instruction.pk)
    assert_saved(response, agent, live)
    assert staging_snapshot(agent)["instructions"] == []


def test_delete_unknown_instruction_is_404(post, agent, live):
    before = revision(agent)
    assert post("agents:instruction-delete", instruction_id=99999).status_code == 404
    assert revision(agent) == before


def test_instruction_content_is_escaped_in_the_editor(editor, agent, owner):
    services.add_instruction(
        agent=agent, acting_user=owner, title="<b>x</b>", content="<script>alert(1)</script>"
    )
    html = editor.get(reverse("agents:editor", args=[agent.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- knowledge sources ------------------------------------------------------------------------


def test_connect_corpora(post, agent, live, catalogue):
    response = post(
        "agents:corpora-connect",
        {"connect-corpora": [catalogue["faq"].pk, catalogue["manuals"].pk], "connect-top_k": "8"},
    )
    assert_saved(response, agent, live)
    corpora = staging_snapshot(agent)["knowledge_sources"]["corpora"]
    assert {c["corpus_id"]: c["settings"] for c in corpora} == {
        catalogue["faq"].pk: {"top_k": 8},
        catalogue["manuals"].pk: {"top_k": 8},
    }


def test_connect_a_corpus_of_another_organization_is_refused(refused, agent, live):
    foreign = factories.CorpusFactory()
    refused(
        "agents:corpora-connect",
        {"connect-corpora": [foreign.pk]},
        says="Select a valid choice.",
    )


def test_connect_with_top_k_out_of_range_is_refused(refused, agent, live, catalogue):
    refused(
        "agents:corpora-connect",
        {"connect-corpora": [catalogue["faq"].pk], "connect-top_k": "0"},
        says="Must be between 1 and 100.",
    )


@pytest.fixture
def connected(agent, owner, catalogue, published):
    services.connect_corpora(agent=agent, acting_user=owner, corpus_ids=[catalogue["faq"].pk])
    return catalogue["faq"]


def test_corpus_settings(post, agent, connected):
    live = production_of(agent)
    key = f"corpus-{connected.pk}"
    response = post(
        "agents:corpus",
        {f"{key}-top_k": "3", f"{key}-search_type": "hybrid", f"{key}-citations": "true"},
        corpus_id=connected.pk,
    )
    assert_saved(response, agent, live)
    (corpus,) = staging_snapshot(agent)["knowledge_sources"]["corpora"]
    assert corpus["enabled"] is False  # the box was left unticked
    assert corpus["settings"] == {"citations": True, "search_type": "hybrid", "top_k": 3}


def test_corpus_settings_out_of_range(post, agent, connected):
    before = revision(agent)
    key = f"corpus-{connected.pk}"
    response = post(
        "agents:corpus", {f"{key}-enabled": "on", f"{key}-top_k": "500"}, corpus_id=connected.pk
    )
    assert_refused(response, agent, before, "Must be between 1 and 100.")


def test_settings_of_a_corpus_that_is_not_connected_is_404(post, agent, catalogue, published):
    before = revision(agent)
    key = f"corpus-{catalogue['faq'].pk}"
    response = post("agents:corpus", {f"{key}-top_k": "3"}, corpus_id=catalogue["faq"].pk)
    assert response.status_code == 404
    assert revision(agent) == before


def test_disconnect_corpus(post, agent, connected):
    live = production_of(agent)
    response = post("agents:corpus-disconnect", {"confirmed": "1"}, corpus_id=connected.pk)
    assert_saved(response, agent, live)
    assert staging_snapshot(agent)["knowledge_sources"]["corpora"] == []


def test_disconnect_a_corpus_that_is_not_connected_is_refused(refused, agent, catalogue, published):
    refused(
        "agents:corpus-disconnect",
        corpus_id=catalogue["faq"].pk,
        says="Not connected to this agent",
    )


def test_sharepoint_folder_set_and_cleared(post, agent, live):
    response = post(
        "agents:sharepoint",
        {
            "sharepoint-site_url": "https://acme.sharepoint.com/sites/help",
            "sharepoint-folder_path": "/Shared Documents/FAQ",
        },
    )
    assert_saved(response, agent, live)
    assert staging_snapshot(agent)["knowledge_sources"]["sharepoint"] == {
        "site_url": "https://acme.sharepoint.com/sites/help",
        "folder_path": "/Shared Documents/FAQ",
    }
    assert_saved(post("agents:sharepoint-clear"), agent, live)
    assert staging_snapshot(agent)["knowledge_sources"]["sharepoint"] is None


# --- tools and actions ------------------------------------------------------------------------


def test_enable_and_disable_a_tool(post, agent, live, catalogue):
    crm = catalogue["crm"]
    assert_saved(post("agents:tool-enable", tool_id=crm.pk), agent, live)
    (tool,) = staging_snapshot(agent)["tools"]
    assert tool["enabled"] is True and len(tool["actions"]) == 2
    assert_saved(post("agents:tool-disable", tool_id=crm.pk), agent, live)
    assert staging_snapshot(agent)["tools"][0]["enabled"] is False


def test_a_tool_of_another_organization_is_404(post, agent, live):
    foreign = factories.ToolFactory()
    before = revision(agent)
    assert post("agents:tool-enable", tool_id=foreign.pk).status_code == 404
    assert revision(agent) == before


@pytest.fixture
def crm(agent, owner, catalogue, published):
    services.enable_tool(agent=agent, acting_user=owner, tool_id=catalogue["crm"].pk)
    return catalogue["crm"]


def test_disable_and_enable_an_action(post, agent, crm):
    live = production_of(agent)
    action = crm.actions.get(name="update")
    assert_saved(post("agents:action-disable", tool_id=crm.pk, action_id=action.pk), agent, live)
    states = {a["name"]: a["enabled"] for a in staging_snapshot(agent)["tools"][0]["actions"]}
    assert states == {"lookup": True, "update": False}
    assert_saved(post("agents:action-enable", tool_id=crm.pk, action_id=action.pk), agent, live)
    assert all(a["enabled"] for a in staging_snapshot(agent)["tools"][0]["actions"])


def test_action_config_json(post, agent, crm):
    live = production_of(agent)
    action = crm.actions.get(name="lookup")
    response = post(
        "agents:action",
        {f"action-{action.pk}-config": '{"timeout": 30, "fields": ["id"]}'},
        tool_id=crm.pk,
        action_id=action.pk,
    )
    assert_saved(response, agent, live)
    lookup = staging_snapshot(agent)["tools"][0]["actions"][0]
    assert lookup["config"] == {"fields": ["id"], "timeout": 30}


def test_action_of_a_tool_not_on_the_agent_is_refused(refused, agent, catalogue, published):
    crm = catalogue["crm"]
    action = crm.actions.first()
    refused(
        "agents:action-enable",
        tool_id=crm.pk,
        action_id=action.pk,
        says="Enable this tool on the agent first.",
    )


# --- guardrails, access, tags -----------------------------------------------------------------


def test_guardrail_enabled_with_settings(post, agent, live, catalogue):
    pii = catalogue["pii"]
    response = post(
        "agents:guardrail",
        {f"guardrail-{pii.pk}-enabled": "on", f"guardrail-{pii.pk}-settings": '{"mask": "***"}'},
        guardrail_id=pii.pk,
    )
    assert_saved(response, agent, live)
    (guardrail,) = staging_snapshot(agent)["guardrails"]
    assert guardrail["enabled"] is True and guardrail["settings"] == {"mask": "***"}


def test_guardrail_of_another_organization_is_refused(refused, agent, live):
    foreign = factories.GuardrailFactory()
    refused(
        "agents:guardrail",
        {f"guardrail-{foreign.pk}-enabled": "on"},
        guardrail_id=foreign.pk,
        says="Unknown guardrail for this organization.",
    )


def test_access_level(post, agent, live):
    assert_saved(post("agents:access", {"access-access_level": "public"}), agent, live)
    assert staging_snapshot(agent)["settings"]["access_level"] == "public"


def test_tags(post, agent, live):
    assert_saved(post("agents:tags", {"tags-tags": "billing, support , billing"}), agent, live)
    assert staging_snapshot(agent)["settings"]["tags"] == ["billing", "support"]


def test_a_saved_edit_says_production_is_unchanged(editor, agent, live):
    response = editor.post(
        reverse("agents:tags", args=[agent.pk]), {"tags-tags": "faq"}, follow=True
    )
    assert "Tags updated. Saved to Staging. Production is not affected until you publish." in (
        response.content.decode()
    )


# --- forms refused for one bad field ---------------------------------------------------------

# form -> (the data posted, what the page says about it)
PLAIN_REFUSALS = {
    "agents:settings": ({**SETTINGS, "settings-max_tokens": "lots"}, "Enter a whole number."),
    "agents:instruction-add": (
        {"instruction-new-title": "Escalation", "instruction-new-content": ""},
        "This field is required.",
    ),
    "agents:sharepoint": (
        {"sharepoint-site_url": "http://acme.example", "sharepoint-folder_path": "/x"},
        "Enter a valid https URL.",
    ),
    "agents:access": ({"access-access_level": "everyone"}, "Select a valid choice."),
    "agents:tags": ({"tags-tags": "x" * 51}, "Each tag has at most 50 characters."),
}


@pytest.mark.parametrize("form", PLAIN_REFUSALS)
def test_a_bad_field_is_refused(refused, agent, live, form):
    data, says = PLAIN_REFUSALS[form]
    refused(form, data, says=says)


# --- bad JSON, hostile JSON included (red-team finding 9) -------------------------------------

# Each used to be a 500: RecursionError while parsing, UnicodeEncodeError while re-rendering
# the page, ValueError from Python's int-digit limit. The API refuses them with 400 through
# the same parser (ejento_staging.parsers.loads_json).
HOSTILE_JSON = {
    "deep nesting": "[" * 5000,
    "lone surrogate": '{"a": "\\ud800"}',
    "5000-digit integer": '{"a": ' + "9" * 5000 + "}",
}

# Each bad value with what the form says about it: the hostile ones read as any bad JSON.
BAD_JSON = {
    "not json": ("{not json", "Enter a valid JSON."),
    **{name: (raw, "Enter a valid JSON.") for name, raw in HOSTILE_JSON.items()},
}
BAD_ACTION_CONFIG = {**BAD_JSON, "a list": ("[1, 2]", "Must be an object.")}


@pytest.mark.parametrize(("raw", "says"), BAD_ACTION_CONFIG.values(), ids=BAD_ACTION_CONFIG.keys())
def test_action_config_must_be_a_json_object(refused, agent, crm, raw, says):
    action = crm.actions.get(name="lookup")
    refused(
        "agents:action",
        {f"action-{action.pk}-config": raw},
        tool_id=crm.pk,
        action_id=action.pk,
        says=says,
    )


@pytest.mark.parametrize(("raw", "says"), BAD_JSON.values(), ids=BAD_JSON.keys())
def test_guardrail_settings_must_be_json(refused, agent, live, catalogue, raw, says):
    pii = catalogue["pii"]
    refused(
        "agents:guardrail",
        {f"guardrail-{pii.pk}-enabled": "on", f"guardrail-{pii.pk}-settings": raw},
        guardrail_id=pii.pk,
        says=says,
    )
    assert production_of(agent) == live


@pytest.mark.parametrize("raw", HOSTILE_JSON.values(), ids=HOSTILE_JSON.keys())
def test_the_api_refuses_the_same_json_with_400(agent, owner, catalogue, raw):
    from tests.conftest import client_for

    pii = catalogue["pii"]
    before = revision(agent)
    response = client_for(owner).generic(
        "PATCH",
        reverse("api-agent-guardrails", kwargs={"agent_id": agent.pk}),
        f'{{"guardrail_id": {pii.pk}, "enabled": true, "settings": {raw}}}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert revision(agent) == before


def test_the_message_of_a_save_is_inside_the_section_saved(editor, agent, instruction):
    # The redirect lands on the section: a message at the page's top would be out of view.
    response = editor.post(
        reverse("agents:tags", args=[agent.pk]), {"tags-tags": "vip"}, follow=True
    )
    html = response.content.decode()
    access = html[html.index('<section id="access"') :]
    assert "Tags updated. Saved to Staging." in access[: access.index("</section>")]
    assert html.count("Tags updated.") == 1


# --- links to who wrote what, and configuration as code -----------------------------------


def test_each_instruction_links_to_who_wrote_each_line(client_as, agent, instruction):
    page = client_as("editor").get(reverse("agents:editor", args=[agent.pk])).content.decode()
    blame = reverse("publishing:instruction-blame", args=[agent.pk, instruction.pk])
    assert f'href="{blame}">Who wrote each line of “Tone”</a>' in page
    assert client_as("editor").get(blame).status_code == 200


def test_the_editor_offers_export_and_copy(client_as, agent):
    editor = client_as("editor")
    page = editor.get(reverse("agents:editor", args=[agent.pk])).content.decode()
    export = reverse("api-export", args=[agent.pk]) + "?source=staging"
    assert f'href="{export}"' in page
    assert f'href="{reverse("publishing:copy-from", args=[agent.pk])}"' in page
    document = editor.get(export)
    assert document.status_code == 200 and document.json()["schema_version"]
