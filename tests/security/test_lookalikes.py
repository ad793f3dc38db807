"""Look-alike and invisible characters in names, tags and usernames (red-team finding 10).

The characters are written as escapes: printed, they look exactly like the ASCII letters
they imitate, which is the point.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from agents import services
from agents.models import Organization, StagingConfiguration
from ejento_staging.text import skeleton
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

User = get_user_model()
USERS_URL = "/api/v2/users"
PASSWORD = "a-long-enough-passphrase"

FULLWIDTH_ADMIN = "\uff21\uff24\uff2d\uff29\uff2e"  # ADMIN in fullwidth letters
CYRILLIC_A_ADMIN = "\u0430dmin"  # Cyrillic small a, then Latin "dmin"
CYRILLIC_ACE = "\u0430\u0441\u0435"  # all Cyrillic: a, es, ie
GREEK_ALPHA_ACME = "\u0391cme"  # Greek capital alpha, then Latin "cme"
ZERO_WIDTH_SPACE = "\u200b"
FULLWIDTH_SUPPORT = "\uff53\uff55\uff50\uff50\uff4f\uff52\uff54"
RIGHT_TO_LEFT_OVERRIDE = "\u202e"
RIGHT_TO_LEFT_ISOLATE = "\u2067"


def create_user(client, username: str):
    return client.post(USERS_URL, {"username": username, "password": PASSWORD}, format="json")


def test_skeleton_sees_through_width_case_and_script():
    assert skeleton(FULLWIDTH_ADMIN) == "admin"
    assert skeleton(CYRILLIC_A_ADMIN) == "admin"
    assert skeleton(CYRILLIC_ACE) == "ace"
    assert skeleton(GREEK_ALPHA_ACME) == "acme"
    assert skeleton("b0b") == "b0b"  # ASCII is left as it is: 0 is not O


def test_a_fullwidth_admin_is_the_existing_admin(superuser):
    factories.UserFactory(username="admin")
    response = create_user(client_for(superuser), FULLWIDTH_ADMIN)
    assert response.status_code == 400
    assert "already exists" in response.json()["username"][0]
    assert User.objects.filter(username__iexact="admin").count() == 1


def test_a_mixed_script_username_is_refused(superuser):
    response = create_user(client_for(superuser), CYRILLIC_A_ADMIN)
    assert response.status_code == 400
    assert "scripts" in response.json()["username"][0]
    assert not User.objects.filter(username=CYRILLIC_A_ADMIN).exists()


def test_a_username_that_looks_like_an_existing_one_is_refused(superuser):
    factories.UserFactory(username="ace")
    response = create_user(client_for(superuser), CYRILLIC_ACE)
    assert response.status_code == 400
    assert "Too similar" in response.json()["username"][0]
    # And the other way round: the look-alike first, then the Latin name.
    with pytest.raises(ValidationError):
        services.create_user(username="Ace", password=PASSWORD, acting_user=superuser)


def test_a_username_in_another_script_is_still_welcome(superuser):
    response = create_user(client_for(superuser), "\u0431\u043e\u0440\u0438\u0441")  # Cyrillic
    assert response.status_code == 201


@pytest.mark.parametrize("username", [f"ad{ZERO_WIDTH_SPACE}min", f"{RIGHT_TO_LEFT_OVERRIDE}nimda"])
def test_invisible_characters_in_a_username_are_refused(superuser, username):
    response = create_user(client_for(superuser), username)
    assert response.status_code == 400
    assert "username" in response.json()


def test_organization_names_are_compared_by_what_they_look_like(superuser):
    # Organizations are created by superusers (unless self-service is on).
    services.create_organization(name="Acme", acting_user=superuser)
    for name in (GREEK_ALPHA_ACME, f"Ac{ZERO_WIDTH_SPACE}me", "\uff21cme"):
        response = client_for(superuser).post(
            "/api/v2/organizations", {"name": name}, format="json"
        )
        assert response.status_code == 400, name
        assert "name" in response.json()
    assert Organization.objects.filter(name__icontains="cme").count() == 1


def test_tags_are_one_tag_after_normalisation(agent, owner):
    services.set_tags(
        agent=agent, acting_user=owner, tags=["support", FULLWIDTH_SUPPORT, "billing"]
    )
    assert StagingConfiguration.objects.get(agent=agent).tags == ["billing", "support"]
    with pytest.raises(ValidationError) as refused:
        services.set_tags(
            agent=agent, acting_user=owner, tags=["support", f"support{ZERO_WIDTH_SPACE}"]
        )
    assert "invisible" in refused.value.message_dict["tags"][0]


def test_the_tags_page_and_api_refuse_invisible_characters(agent, owner):
    before = StagingConfiguration.objects.get(agent=agent).revision
    response = client_for(owner).post(
        reverse("api-annotates", kwargs={"agent_id": agent.pk}),
        {"tags": ["support", f"support{ZERO_WIDTH_SPACE}"]},
        format="json",
    )
    assert response.status_code == 400
    page = Client()
    page.force_login(owner)
    response = page.post(
        reverse("agents:tags", kwargs={"agent_id": agent.pk}),
        {"tags-tags": f"support, support{ZERO_WIDTH_SPACE}"},
    )
    assert response.status_code == 400
    assert StagingConfiguration.objects.get(agent=agent).revision == before


@pytest.mark.parametrize(
    "name",
    [
        f"Support {RIGHT_TO_LEFT_OVERRIDE}tob",
        f"Support {RIGHT_TO_LEFT_ISOLATE}bot",
        "Support\x07bot",
        "Support\nbot",
    ],
)
def test_agent_names_refuse_bidi_controls_and_control_characters(agent, owner, name):
    before = StagingConfiguration.objects.get(agent=agent).revision
    response = client_for(owner).patch(
        reverse("api-agent", kwargs={"agent_id": agent.pk}), {"name": name}, format="json"
    )
    assert response.status_code == 400
    assert "name" in response.json()
    page = Client()
    page.force_login(owner)
    response = page.post(
        reverse("agents:settings", kwargs={"agent_id": agent.pk}),
        {"settings-name": name, "settings-model": "gpt-4o"},
    )
    assert response.status_code == 400
    assert StagingConfiguration.objects.get(agent=agent).revision == before
    with pytest.raises(ValidationError):
        services.create_agent(project=agent.project, acting_user=owner, name=name)


def test_an_agent_name_is_stored_in_nfkc(agent, owner):
    services.update_agent_settings(agent=agent, acting_user=owner, name="\uff33upport bot")
    assert StagingConfiguration.objects.get(agent=agent).name == "Support bot"


@pytest.mark.parametrize("username", [FULLWIDTH_ADMIN, CYRILLIC_A_ADMIN, "ADMIN"])
def test_the_admins_add_user_form_follows_the_same_rules(superuser, username):
    from django.contrib.auth import get_user_model
    from django.test import Client

    factories.UserFactory(username="admin")
    client = Client()
    client.force_login(superuser)
    before = get_user_model().objects.count()

    response = client.post(
        "/admin/auth/user/add/",
        {"username": username, "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 200  # the form again, with its error
    assert response.context["adminform"].form.errors["username"]
    assert get_user_model().objects.count() == before


def test_the_admins_add_user_form_still_creates_a_plain_user(superuser):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(superuser)
    response = client.post(
        "/admin/auth/user/add/",
        {"username": "newcomer", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    assert get_user_model().objects.filter(username="newcomer").exists()
