"""Red-team finding 1: the admin's history pages must never write.

simple-history's ``<id>/history/<history_id>/`` page rendered an editable form and saved it
on POST after checking only the view permission, so a view-only staff user (or a superuser
by accident) could make themselves owner of another organization's agent, open its Staging
to the public or rewrite an instruction - bypassing the services, the fingerprint and the
edit history. Every POST there is refused, and nothing is written.
"""

import json

import pytest
from django.contrib.auth.models import Permission
from django.forms.models import model_to_dict

from agents import services
from agents.models import AgentPermission, Instruction, StagingConfiguration
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def victim_agent(agent, owner):
    services.add_instruction(agent=agent, acting_user=owner, title="Secret", content="Unpublished")
    return agent


@pytest.fixture
def view_only_staff(db):
    user = factories.UserFactory(username="auditor", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_agentpermission", "view_stagingconfiguration", "view_instruction"]
        )
    )
    return user


def _post_data(instance, **overrides):
    data = {}
    for key, value in model_to_dict(instance).items():
        if isinstance(value, (dict, list)):
            value = json.dumps(value)
        data[key] = "" if value is None else value
    data.update(overrides)
    return data


def _state(model, pk):
    row = model_to_dict(model.objects.get(pk=pk))
    history = sorted(model.history.values_list("history_id", flat=True))
    return row, history


def _cases(agent, attacker):
    permission = AgentPermission.objects.get(agent=agent, role=AgentPermission.Role.OWNER)
    staging = StagingConfiguration.objects.get(pk=agent.pk)
    instruction = Instruction.objects.get(agent=agent)
    return [
        (AgentPermission, permission, {"user": attacker.pk, "role": "owner"}),
        (StagingConfiguration, staging, {"access_level": "public", "name": "Hijacked"}),
        (Instruction, instruction, {"content": "Rewritten behind the services"}),
    ]


@pytest.mark.parametrize("who", ["view_only_staff", "superuser"])
@pytest.mark.parametrize("model_name", ["agentpermission", "stagingconfiguration", "instruction"])
def test_history_form_post_is_refused_and_writes_nothing(
    client, request, victim_agent, who, model_name
):
    attacker = request.getfixturevalue(who)
    client.force_login(attacker)
    model, instance, overrides = next(
        case for case in _cases(victim_agent, attacker) if case[0]._meta.model_name == model_name
    )
    pk_field = model._meta.pk.attname
    history_id = model.history.filter(**{pk_field: instance.pk}).latest("history_id").history_id
    url = f"/admin/agents/{model_name}/{instance.pk}/history/{history_id}/"
    before = _state(model, instance.pk)
    fingerprint = StagingConfiguration.objects.get(pk=victim_agent.pk).fingerprint

    response = client.post(url, _post_data(instance, **overrides))

    assert response.status_code in (403, 405)
    assert _state(model, instance.pk) == before
    assert StagingConfiguration.objects.get(pk=victim_agent.pk).fingerprint == fingerprint
    assert not AgentPermission.objects.filter(agent=victim_agent, user=attacker).exists()

    # The page itself still shows the historical row, read-only: no input for any field.
    shown = client.get(url)
    assert shown.status_code == 200
    for field in overrides:
        assert f'name="{field}"' not in shown.content.decode()


@pytest.mark.parametrize("model_name", ["agentpermission", "stagingconfiguration", "instruction"])
def test_change_and_delete_forms_refuse_posts_even_for_a_superuser(
    client, superuser, victim_agent, model_name
):
    client.force_login(superuser)
    model, instance, overrides = next(
        case for case in _cases(victim_agent, superuser) if case[0]._meta.model_name == model_name
    )
    before = _state(model, instance.pk)

    changed = client.post(
        f"/admin/agents/{model_name}/{instance.pk}/change/", _post_data(instance, **overrides)
    )
    deleted = client.post(f"/admin/agents/{model_name}/{instance.pk}/delete/", {"post": "yes"})
    added = client.post(f"/admin/agents/{model_name}/add/", _post_data(instance, **overrides))
    bulk = client.post(
        f"/admin/agents/{model_name}/",
        {"action": "delete_selected", "_selected_action": [instance.pk], "post": "yes"},
    )

    assert changed.status_code == 403
    assert deleted.status_code == 403
    assert added.status_code == 403
    # The list offers no actions, so the bulk delete is not carried out.
    assert bulk.status_code in (200, 302, 403)
    assert _state(model, instance.pk) == before


def test_read_only_admins_refuse_writes_at_the_save_hooks(rf, superuser):
    """Defence in depth: a view that forgets to ask has_change_permission still cannot save."""
    from django.contrib import admin
    from django.core.exceptions import PermissionDenied

    from publishing.models import PublishRecord

    request = rf.post("/")
    request.user = superuser
    for model in (AgentPermission, StagingConfiguration, Instruction, PublishRecord):
        model_admin = admin.site._registry[model]
        assert model_admin.get_actions(request) == {}
        with pytest.raises(PermissionDenied):
            model_admin.save_model(request, model(), None, True)
        with pytest.raises(PermissionDenied):
            model_admin.delete_model(request, model())
        with pytest.raises(PermissionDenied):
            model_admin.delete_queryset(request, model.objects.none())
