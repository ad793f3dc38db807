"""One id parser everywhere: ASCII digits, 1..2**63-1 (red-team finding 11).

Python's ``int()`` reads ``"0_6"``, ``"+6"``, ``" 6"``, ``"6\\n"`` and fullwidth or
Arabic-Indic digits as 6. The live read and the publish history's ``published_by`` filter
used to take them (200) while the rest of the API answered 404; now every path id, query
filter and body id goes through ``ejento_staging.ids.parse_id``.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse

from agents import services
from ejento_staging.ids import MAX_ID, parse_id
from publishing.services import publish_agent
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# Written as code points: the characters themselves look like the ASCII digits.
FULLWIDTH = {ord("0") + d: 0xFF10 + d for d in range(10)}
ARABIC_INDIC = {ord("0") + d: 0x0660 + d for d in range(10)}


def lookalikes(number: int) -> list[str]:
    """Spellings ``int()`` reads as ``number`` that are not ASCII digits."""
    text = str(number)
    return [
        f"0_{text}" if len(text) == 1 else f"{text[0]}_{text[1:]}",
        f"+{text}",
        f" {text}",
        f"{text} ",
        f"{text}\n",
        f"{text}.0",
        text.translate(FULLWIDTH),
        text.translate(ARABIC_INDIC),
    ]


@pytest.mark.parametrize("good", ["1", "007", str(MAX_ID), 1, MAX_ID])
def test_parse_id_takes_ascii_digits_and_json_integers(good):
    assert parse_id(good) == int(good)


@pytest.mark.parametrize(
    "bad",
    [
        "0",
        "-1",
        "",
        str(MAX_ID + 1),
        "1" * 20,
        "0_6",
        "+1",
        " 1",
        "1\n",
        "1.0",
        "\uff11",
        "\u0663",
        "1e3",
        0,
        -1,
        MAX_ID + 1,
        True,
        1.0,
        None,
        [1],
    ],
)
def test_parse_id_refuses_everything_else(bad):
    assert parse_id(bad) is None


def test_parse_id_takes_a_smaller_bound():
    assert parse_id("2147483647", max_id=2**31 - 1) == 2**31 - 1
    assert parse_id("2147483648", max_id=2**31 - 1) is None


@pytest.fixture
def published(agent, owner):
    services.add_instruction(agent=agent, acting_user=owner, title="Tone", content="Be brief.")
    return publish_agent(agent=agent, user=owner)


@pytest.mark.urls("tests.performance.urls")
def test_live_read_answers_404_to_an_id_spelled_any_other_way(published, agent, owner):
    client = client_for(owner)
    live = reverse("agent-production", kwargs={"agent_id": agent.pk})
    assert client.get(live).status_code == 200
    for spelling in lookalikes(agent.pk):
        response = client.get(f"/api/v2/agents/{quote(spelling)}/production")
        assert response.status_code == 404, spelling
        assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("route", ["api-agent", "api-status", "api-publishes", "api-history"])
def test_agent_endpoints_answer_404_to_an_id_spelled_any_other_way(published, agent, owner, route):
    client = client_for(owner)
    assert client.get(reverse(route, kwargs={"agent_id": agent.pk})).status_code == 200
    for spelling in lookalikes(agent.pk):
        response = client.get(
            reverse(route, kwargs={"agent_id": "ID"}).replace("ID", quote(spelling))
        )
        assert response.status_code == 404, (route, spelling)


def test_published_by_filter_takes_ascii_digits_only(published, agent, owner):
    client = client_for(owner)
    url = reverse("api-publishes", kwargs={"agent_id": agent.pk})
    found = client.get(url, {"published_by": str(owner.pk)})
    assert found.status_code == 200 and found.json()["count"] == 1
    for spelling in lookalikes(owner.pk):
        response = client.get(url, {"published_by": spelling})
        assert response.status_code == 400, spelling
        assert "published_by" in response.json()


def test_body_ids_are_json_integers_only(agent, owner):
    guardrail = factories.GuardrailFactory(organization=agent.project.organization)
    client = client_for(owner)
    url = reverse("api-agent-guardrails", kwargs={"agent_id": agent.pk})
    for spelling in [str(guardrail.pk), *lookalikes(guardrail.pk), True, float(guardrail.pk)]:
        response = client.patch(url, {"guardrail_id": spelling, "enabled": True}, format="json")
        assert response.status_code == 400, spelling
        assert "guardrail_id" in response.json()
    ok = client.patch(url, {"guardrail_id": guardrail.pk, "enabled": True}, format="json")
    assert ok.status_code == 200


def test_the_service_refuses_an_id_spelled_any_other_way(agent, owner):
    from django.core.exceptions import ValidationError

    guardrail = factories.GuardrailFactory(organization=agent.project.organization)
    for spelling in lookalikes(guardrail.pk):
        with pytest.raises(ValidationError):
            services.set_guardrail(
                agent=agent, acting_user=owner, guardrail_id=spelling, enabled=True
            )
