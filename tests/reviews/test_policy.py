"""The publish policy: ``clean_policy`` reads what people send, field by field, and
``set_policy`` is an owner's call that records every change with the policy before and after."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agents.models import Agent
from configuration.checks import BUILTIN_CHECKS
from reviews.models import MAX_REQUIRED_APPROVALS, MAX_REQUIRED_CHECKS, PolicyChange, PublishPolicy
from reviews.policy import CHECK_NAME_INVALID, Policy, clean_policy
from reviews.selectors import policy_for
from tests.reviews.scenario import fresh, set_policy

BUILTINS = list(BUILTIN_CHECKS)
CUSTOM = Policy(
    required_approvals=2,
    authors_may_approve=True,
    required_checks=("eval", "lint"),
    blocking_builtin_checks=(BUILTINS[0],),
)


def errors_of(values, current=None) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        clean_policy(values, current or Policy())
    return caught.value.message_dict


# --- clean_policy: each field ------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, MAX_REQUIRED_APPROVALS])
def test_required_approvals_takes_whole_numbers_within_bounds(value):
    assert clean_policy({"required_approvals": value}, Policy()).required_approvals == value


@pytest.mark.parametrize(
    "value", [-1, MAX_REQUIRED_APPROVALS + 1, 1.0, 1.5, "1", None, True, False, [1], {}]
)
def test_required_approvals_refuses_anything_else(value):
    assert errors_of({"required_approvals": value}) == {
        "required_approvals": [f"Must be a whole number from 0 to {MAX_REQUIRED_APPROVALS}."]
    }


@pytest.mark.parametrize("value", [True, False])
def test_authors_may_approve_takes_a_boolean(value):
    assert clean_policy({"authors_may_approve": value}, CUSTOM).authors_may_approve is value


@pytest.mark.parametrize("value", [0, 1, "true", "false", None, [], {}])
def test_authors_may_approve_refuses_anything_but_a_boolean(value):
    assert errors_of({"authors_may_approve": value}) == {
        "authors_may_approve": ["Must be true or false."]
    }


def test_required_checks_are_kept_once_each_in_name_order():
    """A canonical order: the same set sent in another order is the same policy, so it
    records no change."""
    cleaned = clean_policy({"required_checks": ["lint", "eval", "ci:unit", "lint"]}, Policy())
    assert cleaned.required_checks == ("ci:unit", "eval", "lint")
    assert clean_policy({"required_checks": ["lint", "eval"]}, CUSTOM) == CUSTOM


@pytest.mark.parametrize(
    "name", ["a", "regression-eval", "redteam/jailbreak", "ci:unit", "v1.2_x", "A" * 100]
)
def test_required_checks_take_the_names_ci_systems_use(name):
    assert clean_policy({"required_checks": [name]}, Policy()).required_checks == (name,)


@pytest.mark.parametrize(
    "name", ["", "-lead", ".lead", "has space", "semi;colon", "ä", "A" * 101, 7, None, ["x"]]
)
def test_required_checks_refuse_other_names(name):
    assert errors_of({"required_checks": ["ok", name]}) == {"required_checks": [CHECK_NAME_INVALID]}


@pytest.mark.parametrize(
    "value",
    ["eval", None, {"eval": True}, 3, [f"check-{n}" for n in range(MAX_REQUIRED_CHECKS + 1)]],
)
def test_required_checks_must_be_a_short_list(value):
    assert errors_of({"required_checks": value}) == {
        "required_checks": [f"Must be a list of at most {MAX_REQUIRED_CHECKS} check names."]
    }


def test_required_checks_may_be_as_many_as_the_bound_or_none():
    names = [f"check-{n:02}" for n in range(MAX_REQUIRED_CHECKS)]
    assert clean_policy({"required_checks": names}, Policy()).required_checks == tuple(names)
    assert clean_policy({"required_checks": []}, CUSTOM).required_checks == ()


def test_blocking_builtin_checks_keep_the_builtin_display_order_whatever_came_in():
    sent = [BUILTINS[3], BUILTINS[0], BUILTINS[3]]
    cleaned = clean_policy({"blocking_builtin_checks": sent}, Policy())
    assert cleaned.blocking_builtin_checks == (BUILTINS[0], BUILTINS[3])


@pytest.mark.parametrize(
    "value", ["instructions", None, {"instructions": True}, ["nope"], [1], [["instructions"]], [{}]]
)
def test_blocking_builtin_checks_name_only_builtin_checks(value):
    assert errors_of({"blocking_builtin_checks": value}) == {
        "blocking_builtin_checks": [
            f"Must be a list of built-in check names: {', '.join(BUILTIN_CHECKS)}."
        ]
    }


# --- clean_policy: the whole -------------------------------------------------------------


def test_fields_left_out_keep_their_value():
    assert clean_policy({}, CUSTOM) == CUSTOM
    assert clean_policy({"required_approvals": 1}, CUSTOM) == Policy(
        required_approvals=1,
        authors_may_approve=True,
        required_checks=("eval", "lint"),
        blocking_builtin_checks=(BUILTINS[0],),
    )
    assert clean_policy({"authors_may_approve": False}, CUSTOM).required_checks == (
        "eval",
        "lint",
    )


def test_every_bad_field_is_named_at_once_and_unknown_ones_too():
    errors = errors_of(
        {
            "required_approvals": 9,
            "authors_may_approve": "yes",
            "required_checks": "eval",
            "blocking_builtin_checks": ["nope"],
            "zeta": 1,
            "alpha": 2,
        }
    )
    assert set(errors) == {
        "non_field_errors",
        "required_approvals",
        "authors_may_approve",
        "required_checks",
        "blocking_builtin_checks",
    }
    assert errors["non_field_errors"] == ["Unknown field(s): alpha, zeta."]


def test_an_unknown_field_alone_is_refused_and_keys_need_not_be_text():
    assert errors_of({"required_approval": 1}) == {
        "non_field_errors": ["Unknown field(s): required_approval."]
    }
    assert errors_of({1: 1, "x": 2}) == {"non_field_errors": ["Unknown field(s): 1, x."]}


@pytest.mark.parametrize("values", [None, [], "required_approvals=1", 3])
def test_the_policy_must_be_an_object(values):
    assert errors_of(values) == {"non_field_errors": ["Send the policy as a JSON object."]}


def test_a_valid_field_beside_a_bad_one_changes_nothing():
    with pytest.raises(ValidationError):
        clean_policy({"required_approvals": 3, "authors_may_approve": 1}, Policy())


# --- set_policy ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_owner_sets_the_policy_and_the_change_is_recorded(agent, owner):
    after = set_policy(agent, owner, required_approvals=2, required_checks=["eval"])

    assert after == Policy(required_approvals=2, required_checks=("eval",))
    assert policy_for(agent) == after
    row = PublishPolicy.objects.get(agent=agent)
    assert (row.updated_by, row.required_checks) == (owner, ["eval"])
    [change] = PolicyChange.objects.filter(agent=agent)
    assert (change.changed_by, change.changed_by_username) == (owner, "owner")
    assert change.before == Policy().as_dict()
    assert change.after == after.as_dict()


@pytest.mark.django_db
def test_a_partial_update_keeps_the_rest_and_records_before_and_after(agent, owner):
    first = set_policy(agent, owner, required_approvals=2, required_checks=["eval"])
    second = set_policy(agent, owner, authors_may_approve=True)

    assert second == Policy(
        required_approvals=2, authors_may_approve=True, required_checks=("eval",)
    )
    newest = PolicyChange.objects.filter(agent=agent).first()
    assert newest.before == first.as_dict()
    assert newest.after == second.as_dict()
    assert PolicyChange.objects.filter(agent=agent).count() == 2


@pytest.mark.django_db
def test_setting_what_is_already_there_writes_nothing(agent, owner):
    assert set_policy(agent, owner, required_approvals=0) == Policy()
    assert not PublishPolicy.objects.exists()
    assert not PolicyChange.objects.exists()

    set_policy(agent, owner, required_checks=["lint", "eval"])
    set_policy(agent, owner, required_checks=["eval", "lint", "eval"])
    assert PolicyChange.objects.count() == 1


@pytest.mark.django_db
def test_a_bad_policy_writes_nothing(agent, owner):
    with pytest.raises(ValidationError):
        set_policy(agent, owner, required_approvals=1, authors_may_approve="no")
    assert not PublishPolicy.objects.exists()
    assert not PolicyChange.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["editor", "publisher"])
def test_only_an_owner_sets_the_policy(agent, owner, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        set_policy(agent, user, required_approvals=1)
    assert policy_for(agent) == Policy()
    assert not PolicyChange.objects.exists()


@pytest.mark.django_db
def test_someone_who_cannot_see_the_agent_is_told_it_does_not_exist(agent, stranger):
    with pytest.raises(Agent.DoesNotExist):
        set_policy(agent, stranger, required_approvals=1)
    assert not PolicyChange.objects.exists()


@pytest.mark.django_db
def test_an_archived_agent_takes_no_policy(agent, owner):
    from agents import services as agent_services

    agent_services.delete_agent(agent=fresh(agent), acting_user=owner)
    with pytest.raises(Agent.DoesNotExist):
        set_policy(agent, owner, required_approvals=1)
