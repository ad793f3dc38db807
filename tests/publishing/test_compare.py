"""``GET /agents/{id}/compare?from=…&to=…`` and the compare page: any two states of an agent
- Staging, Production, a publish, a checkpoint - in the staging-diff's shape."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents import services
from agents.models import StagingConfiguration
from publishing.selectors import checkpoint_diff, get_checkpoint
from publishing.services import publish_agent
from tests import factories
from tests.publishing.conftest import client_as

pytestmark = pytest.mark.django_db


def url(agent, before, after=None) -> str:
    query = f"from={before}" if after is None else f"from={before}&to={after}"
    return f"/api/v2/agents/{agent.pk}/compare?{query}"


def checkpoints(agent) -> list[int]:
    """The agent's checkpoints' history ids, oldest first."""
    return list(
        StagingConfiguration.history.filter(agent_id=agent.pk)
        .order_by("revision")
        .values_list("history_id", flat=True)
    )


@pytest.fixture
def two_publishes(agent, owner):
    services.add_instruction(agent=agent, acting_user=owner, title="Tone", content="Be kind.")
    first = publish_agent(agent=agent, acting_user=owner)
    services.update_agent_settings(agent=agent, acting_user=owner, description="Second")
    second = publish_agent(agent=agent, acting_user=owner)
    services.set_tags(agent=agent, acting_user=owner, tags=["beta"])
    return first, second


def without_authors(changes):
    return [{k: v for k, v in c.items() if k != "authors"} for c in changes]


def test_production_to_staging_is_the_staging_diff(agent, owner, two_publishes):
    client = client_as(owner)
    review = client.get(f"/api/v2/agents/{agent.pk}/staging-diff").json()
    body = client.get(url(agent, "production", "staging")).json()
    assert (body["before"], body["after"]) == ("production", "staging")
    assert body["changes"] == without_authors(review["changes"])
    assert (body["has_changes"], body["counts"], body["summary"]) == (
        True,
        review["counts"],
        review["summary"],
    )
    assert body["fingerprint"] == review["fingerprint"]


def test_one_publish_to_the_next_is_what_the_second_changed(agent, owner, two_publishes):
    first, second = two_publishes
    body = client_as(owner).get(url(agent, first.change_track_id, second.change_track_id)).json()
    assert body["changes"] == second.changes
    assert body["before"] == str(first.change_track_id)
    back = client_as(owner).get(url(agent, second.change_track_id, first.change_track_id)).json()
    assert [(c["key"], c["field"], c["before"], c["after"]) for c in back["changes"]] == [
        (c["key"], c["field"], c["after"], c["before"]) for c in second.changes
    ]


def test_a_side_compared_with_itself_has_no_changes(agent, owner, two_publishes):
    first, _second = two_publishes
    body = client_as(owner).get(url(agent, first.change_track_id, first.change_track_id)).json()
    assert (body["has_changes"], body["changes"]) == (False, [])


def test_checkpoints_compare_like_the_edit_history(agent, owner, two_publishes):
    ids = checkpoints(agent)
    body = client_as(owner).get(url(agent, f"checkpoint:{ids[-2]}", f"checkpoint:{ids[-1]}")).json()
    checkpoint = get_checkpoint(agent=agent, history_id=ids[-1])
    expected = checkpoint_diff(agent=agent, checkpoint=checkpoint)
    assert body["changes"] == [c.as_dict() for c in expected.changes]
    assert body["after"] == f"checkpoint:{ids[-1]}"


def test_a_checkpoint_against_a_publish_and_staging(agent, owner, two_publishes):
    _first, second = two_publishes
    ids = checkpoints(agent)
    # The checkpoint the second publish took live is the one before the last edit.
    body = client_as(owner).get(url(agent, second.change_track_id, f"checkpoint:{ids[-2]}"))
    assert body.json()["has_changes"] is False
    body = client_as(owner).get(url(agent, f"checkpoint:{ids[-2]}", "staging")).json()
    assert [(c["field"], c["after"]) for c in body["changes"]] == [("tags", ["beta"])]


def test_a_publish_id_in_capitals_is_named_back_in_lower_case(agent, owner, two_publishes):
    first, _second = two_publishes
    body = client_as(owner).get(url(agent, str(first.change_track_id).upper(), "staging")).json()
    assert body["before"] == str(first.change_track_id)


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("from=nope&to=staging", {"from"}),
        ("from=staging&to=checkpoint:abc", {"to"}),
        ("from=staging&to=checkpoint:0", {"to"}),
        ("from=staging&to=checkpoint:", {"to"}),
        ("from=staging", {"to"}),
        ("to=staging", {"from"}),
        ("", {"from", "to"}),
        ("from=&to=staging", {"from"}),
        ("from=Staging&to=staging", {"from"}),
        ("from={12345678-1234-1234-1234-123456789abc}&to=staging", {"from"}),
        ("from=12345678123412341234123456789abc&to=staging", {"from"}),
        ("from=staging&to=staging&to=production", {"to"}),
        ("from=1&to=2", {"from", "to"}),
    ],
)
def test_a_bad_side_is_400_naming_the_parameter(agent, owner, query, fields):
    response = client_as(owner).get(f"/api/v2/agents/{agent.pk}/compare?{query}")
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert all(isinstance(m, str) for f in fields for m in response.json()[f])


def test_a_side_that_names_nothing_here_is_404(agent, owner, two_publishes, other_agent):
    client = client_as(owner)
    others = other_agent.publish_records.get()
    other_checkpoint = checkpoints(other_agent)[0]
    for side in (
        others.change_track_id,
        "12345678-1234-1234-1234-123456789abc",
        f"checkpoint:{other_checkpoint}",
        "checkpoint:9999999999999999999",
    ):
        response = client.get(url(agent, side, "staging"))
        assert response.status_code == 404, side
        assert response.json()["detail"].startswith("from: ")
        assert client.get(url(agent, "staging", side)).json()["detail"].startswith("to: ")


def test_production_before_the_first_publish_is_404(agent, owner):
    response = client_as(owner).get(url(agent, "production", "staging"))
    assert response.status_code == 404
    assert "not been published" in response.json()["detail"]


def test_editors_only(agent, owner, viewer, editor, stranger, two_publishes):
    assert client_as(editor).get(url(agent, "production", "staging")).status_code == 200
    assert client_as(viewer).get(url(agent, "production", "staging")).status_code == 403
    assert client_as(stranger).get(url(agent, "production", "staging")).status_code == 404


# --- the pages -------------------------------------------------------------------------------


def page(client, agent, query=""):
    return client.get(f"/agents/{agent.pk}/compare/{query}")


def test_the_compare_page_shows_the_two_sides(agent, owner, client, two_publishes):
    first, second = two_publishes
    client.force_login(owner)
    response = page(client, agent, f"?from={first.change_track_id}&to={second.change_track_id}")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Publish #{first.sequence} → Publish #{second.sequence}" in html
    assert 'class="diff-table"' in html and "Second" in html


def test_the_compare_page_says_what_is_wrong_with_a_side(agent, owner, client, two_publishes):
    client.force_login(owner)
    response = page(client, agent, "?from=nope&to=staging")
    assert response.status_code == 400
    assert 'id="compare-from-error"' in response.content.decode()
    assert page(client, agent).status_code == 200  # nothing asked yet: just the picker
    unknown = "12345678-1234-1234-1234-123456789abc"
    assert page(client, agent, f"?from={unknown}&to=staging").status_code == 404


def test_the_publish_page_links_to_the_previous_publish(agent, owner, client, two_publishes):
    first, second = two_publishes
    client.force_login(owner)
    html = client.get(f"/agents/{agent.pk}/publishes/{second.change_track_id}/").content.decode()
    link = (
        f"/agents/{agent.pk}/compare/?from={first.change_track_id}&amp;to={second.change_track_id}"
    )
    assert link in html and "Compare with the previous publish" in html
    html = client.get(f"/agents/{agent.pk}/publishes/{first.change_track_id}/").content.decode()
    assert "Compare with the previous publish" not in html
    assert "Compare with Staging now" in html


def test_the_history_pages_offer_a_picker_of_their_entries(agent, owner, client, two_publishes):
    first, second = two_publishes
    client.force_login(owner)
    html = client.get(f"/agents/{agent.pk}/publishes/").content.decode()
    form = html.split('class="filters card compare-picker"')[1].split("</form>")[0]
    assert f'action="/agents/{agent.pk}/compare/"' in html and 'method="get"' in html
    assert f'<option value="{first.change_track_id}" selected>' in form
    assert f'<option value="{second.change_track_id}" selected>' in form
    assert '<option value="staging">' in form
    html = client.get(f"/agents/{agent.pk}/history/").content.decode()
    form = html.split('class="filters card compare-picker"')[1].split("</form>")[0]
    for history_id in checkpoints(agent)[-2:]:
        assert f'value="checkpoint:{history_id}" selected' in form


def test_the_compare_page_is_for_editors(agent, viewer, client, two_publishes):
    client.force_login(viewer)
    assert page(client, agent, "?from=production&to=staging").status_code == 403
    outsider = factories.UserFactory(username="outsider")
    client.force_login(outsider)
    assert page(client, agent, "?from=production&to=staging").status_code == 404


def test_checkpoint_sides_cost_the_same_queries_whatever_the_size(project, owner):
    counts = []
    for size in (1, 30):
        agent = factories.AgentFactory(project=project, user=owner, name=f"Size {size}")
        for n in range(size):
            services.add_instruction(agent=agent, acting_user=owner, title=f"T{n}", content="x")
        publish_agent(agent=agent, acting_user=owner)
        services.set_tags(agent=agent, acting_user=owner, tags=["b"])
        first, last = checkpoints(agent)[0], checkpoints(agent)[-1]
        client = client_as(owner)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url(agent, f"checkpoint:{first}", f"checkpoint:{last}"))
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 23, counts
