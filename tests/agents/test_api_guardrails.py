"""PATCH /api/v2/agents/{id}/guardrails: a guardrail of the organization on or off."""

from __future__ import annotations

import pytest

from agents.models import GuardrailSetting
from tests.agents.conftest import fresh, with_own_id
from tests.conftest import client_for


def url(agent):
    return f"/api/v2/agents/{agent.pk}/guardrails"


def test_enable_a_guardrail(editor_client, agent, guardrail):
    response = editor_client.patch(
        url(agent), {"guardrail_id": guardrail.pk, "enabled": True}, format="json"
    )
    assert response.status_code == 200
    assert fresh(response.json(), agent) == {
        "guardrail_id": guardrail.pk,
        "name": "PII",
        "type": "pii",
        "enabled": True,
        "settings": {},
        "definition": {"type": "pii", "config": {}},
    }
    assert GuardrailSetting.objects.get(agent=agent, guardrail=guardrail).enabled is True


def test_disable_keeps_settings_and_settings_can_be_given(editor_client, agent, guardrail):
    editor_client.patch(
        url(agent),
        {"guardrail_id": guardrail.pk, "enabled": True, "settings": {"mask": "***"}},
        format="json",
    )
    response = editor_client.patch(
        url(agent), {"guardrail_id": guardrail.pk, "enabled": False}, format="json"
    )
    assert response.json()["enabled"] is False
    setting = GuardrailSetting.objects.get(agent=agent, guardrail=guardrail)
    assert (setting.enabled, setting.settings) == (False, {"mask": "***"})


def test_guardrail_of_another_organization_is_refused_on_the_field(
    editor_client, agent, foreign_guardrail, audit
):
    record = audit()
    response = editor_client.patch(
        url(agent), {"guardrail_id": foreign_guardrail.pk, "enabled": True}, format="json"
    )
    record.assert_refused_on(response, "guardrail_id")
    assert not GuardrailSetting.objects.filter(agent=agent).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"enabled": True}, "guardrail_id"),
        ({"guardrail_id": "own"}, "enabled"),
        ({"guardrail_id": "own", "enabled": "yes"}, "enabled"),
        ({"guardrail_id": "own", "enabled": 1}, "enabled"),
        ({"guardrail_id": "own", "enabled": None}, "enabled"),
        ({"guardrail_id": "own", "enabled": True, "settings": [1]}, "settings"),
        ({"guardrail_id": "7", "enabled": True}, "guardrail_id"),
        ({"guardrail_id": 999_999, "enabled": True}, "guardrail_id"),
    ],
)
def test_guardrail_input_is_checked(editor_client, agent, guardrail, audit, body, field):
    body = with_own_id(body, "guardrail_id", guardrail.pk)
    record = audit()
    response = editor_client.patch(url(agent), body, format="json")
    record.assert_refused_on(response, field)


def test_viewer_may_not_toggle_guardrails(viewer, agent, guardrail, published):
    response = client_for(viewer).patch(
        url(agent), {"guardrail_id": guardrail.pk, "enabled": True}, format="json"
    )
    assert response.status_code == 403


def test_guardrails_need_credentials(api_client, agent, guardrail):
    response = api_client.patch(
        url(agent), {"guardrail_id": guardrail.pk, "enabled": True}, format="json"
    )
    assert response.status_code == 401
