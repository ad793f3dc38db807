"""The publish policy over the API: read it, set it whole (PUT) or in part (PATCH), and its
change log. Every answer of the reviews API here is held to the published schema."""

from __future__ import annotations

import pytest

from configuration.checks import BUILTIN_CHECKS
from ejento_staging.pagination import StrictPageNumberPagination
from reviews import services
from reviews.models import PolicyChange, PublishPolicy
from reviews.selectors import policy_for
from tests.reviews.api_client import assert_refused_naming, checked


def policy_url(agent) -> str:
    return f"/api/v2/agents/{agent.pk}/publish-policy"


POLICY = {
    "required_approvals": 2,
    "authors_may_approve": False,
    "required_checks": ["regression-eval", "ci:unit"],
    "blocking_builtin_checks": ["no_secrets", "instructions"],
}
BUILTIN_REFS = [{"name": name, "label": label} for name, label in BUILTIN_CHECKS.items()]


def stored(agent) -> tuple:
    """The policy row and the change log, as the database holds them."""
    row = PublishPolicy.objects.filter(agent_id=agent.pk).values().first()
    return row, list(PolicyChange.objects.filter(agent_id=agent.pk).values("before", "after"))


def test_an_agent_without_a_policy_answers_the_default(agent, editor):
    response = checked(editor).get(policy_url(agent))
    assert response.status_code == 200
    assert response.json() == {
        "required_approvals": 0,
        "authors_may_approve": False,
        "required_checks": [],
        "blocking_builtin_checks": [],
        "builtin_checks": BUILTIN_REFS,
    }
    assert stored(agent) == (None, [])


def test_an_owner_puts_the_whole_policy_and_it_is_stored_and_logged(agent, owner):
    response = checked(owner).put(policy_url(agent), POLICY, format="json")

    assert response.status_code == 200
    expected = {
        **POLICY,
        # Names sorted and deduplicated; built-ins in their display order.
        "required_checks": ["ci:unit", "regression-eval"],
        "blocking_builtin_checks": ["instructions", "no_secrets"],
    }
    assert response.json() == {**expected, "builtin_checks": BUILTIN_REFS}
    row = PublishPolicy.objects.get(agent_id=agent.pk)
    assert row.updated_by_id == owner.pk
    assert policy_for(agent).as_dict() == expected
    [change] = PolicyChange.objects.filter(agent_id=agent.pk)
    assert (change.changed_by_id, change.changed_by_username) == (owner.pk, "owner")
    assert change.before == {
        "required_approvals": 0,
        "authors_may_approve": False,
        "required_checks": [],
        "blocking_builtin_checks": [],
    }
    assert change.after == expected


def test_a_patch_changes_only_what_it_names(agent, owner):
    services.set_policy(agent=agent, acting_user=owner, values=POLICY)

    response = checked(owner).patch(policy_url(agent), {"authors_may_approve": True}, format="json")

    assert response.status_code == 200
    assert response.json()["authors_may_approve"] is True
    assert response.json()["required_approvals"] == 2
    policy = policy_for(agent)
    assert policy.authors_may_approve is True
    assert policy.required_checks == ("ci:unit", "regression-eval")
    assert PolicyChange.objects.filter(agent_id=agent.pk).count() == 2


def test_a_put_leaving_fields_out_is_refused_naming_each(agent, owner):
    response = checked(owner).put(policy_url(agent), {"required_approvals": 1}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {
        "authors_may_approve",
        "required_checks",
        "blocking_builtin_checks",
    }
    assert stored(agent) == (None, [])


def test_setting_the_same_policy_again_logs_nothing(agent, owner):
    client = checked(owner)
    client.put(policy_url(agent), POLICY, format="json")
    again = client.put(policy_url(agent), POLICY, format="json")
    assert again.status_code == 200
    assert PolicyChange.objects.filter(agent_id=agent.pk).count() == 1


def test_what_a_get_answers_can_be_put_back_as_is(agent, owner):
    client = checked(owner)
    client.put(policy_url(agent), POLICY, format="json")
    read = client.get(policy_url(agent)).json()
    assert client.put(policy_url(agent), read, format="json").status_code == 200
    assert PolicyChange.objects.filter(agent_id=agent.pk).count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"required_approvals": 6}, "required_approvals"),
        ({"required_approvals": -1}, "required_approvals"),
        ({"required_approvals": "2"}, "required_approvals"),
        ({"required_approvals": True}, "required_approvals"),
        ({"required_approvals": 1.5}, "required_approvals"),
        ({"authors_may_approve": "yes"}, "authors_may_approve"),
        ({"authors_may_approve": 1}, "authors_may_approve"),
        ({"required_checks": "ci"}, "required_checks"),
        ({"required_checks": [""]}, "required_checks"),
        ({"required_checks": ["has space"]}, "required_checks"),
        ({"required_checks": ["-leading-dash"]}, "required_checks"),
        ({"required_checks": ["ci\n"]}, "required_checks"),
        ({"required_checks": ["x" * 101]}, "required_checks"),
        ({"required_checks": [f"c{n}" for n in range(21)]}, "required_checks"),
        ({"required_checks": [3]}, "required_checks"),
        ({"blocking_builtin_checks": ["nope"]}, "blocking_builtin_checks"),
        ({"blocking_builtin_checks": "instructions"}, "blocking_builtin_checks"),
        ({"required_aprovals": 2}, "non_field_errors"),
    ],
)
def test_bad_policy_is_400_naming_the_field_and_nothing_changes(agent, owner, payload, field):
    services.set_policy(agent=agent, acting_user=owner, values={"required_approvals": 1})
    before = stored(agent)

    response = checked(owner).patch(policy_url(agent), payload, format="json")

    assert_refused_naming(response, field)
    assert stored(agent) == before


def test_a_misspelt_field_is_named_in_the_refusal(agent, owner):
    response = checked(owner).patch(policy_url(agent), {"required_aprovals": 2}, format="json")
    assert response.json() == {"non_field_errors": ["Unknown field(s): required_aprovals."]}


@pytest.mark.parametrize("payload", ["[]", '"text"', "3", "null"])
def test_a_body_that_is_not_an_object_is_400(agent, owner, payload):
    response = checked(owner).put(policy_url(agent), payload, content_type="application/json")
    assert response.status_code == 400
    assert stored(agent) == (None, [])


# --- the change log ------------------------------------------------------------------------


def changes_url(agent) -> str:
    return f"/api/v2/agents/{agent.pk}/publish-policy/changes"


def test_the_change_log_is_newest_first_with_before_and_after(agent, owner, editor):
    services.set_policy(agent=agent, acting_user=owner, values={"required_approvals": 1})
    services.set_policy(agent=agent, acting_user=owner, values={"required_checks": ["ci"]})

    response = checked(editor).get(changes_url(agent))

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    newest, oldest = data["results"]
    changes = list(PolicyChange.objects.filter(agent_id=agent.pk).order_by("-id"))
    assert [newest["id"], oldest["id"]] == [c.pk for c in changes]
    assert newest["changed_by"] == {"id": owner.pk, "username": "owner"}
    assert newest["before"]["required_approvals"] == 1
    assert newest["before"]["required_checks"] == []
    assert newest["after"]["required_checks"] == ["ci"]
    assert oldest["before"]["required_approvals"] == 0
    assert oldest["after"]["required_approvals"] == 1


def test_the_change_log_keeps_a_deleted_owners_name(agent, owner, editor):
    services.set_policy(agent=agent, acting_user=owner, values={"required_approvals": 1})
    PolicyChange.objects.update(changed_by=None)  # as a deleted user leaves it
    [row] = checked(editor).get(changes_url(agent)).json()["results"]
    assert row["changed_by"] == {"id": None, "username": "owner"}


def test_the_change_log_pages(agent, owner, editor, monkeypatch):
    monkeypatch.setattr(StrictPageNumberPagination, "page_size", 2)
    for n in range(1, 4):
        services.set_policy(agent=agent, acting_user=owner, values={"required_approvals": n})
    client = checked(editor)
    first = client.get(changes_url(agent)).json()
    assert (first["count"], len(first["results"]), first["next"] is not None) == (3, 2, True)
    second = client.get(changes_url(agent) + "?page=2").json()
    assert [r["after"]["required_approvals"] for r in second["results"]] == [1]
    assert client.get(changes_url(agent) + "?page=").status_code == 400
    assert client.get(changes_url(agent) + "?page=9").status_code == 404
