"""factory-boy factories for every model; staging rows are made through the services."""

from __future__ import annotations

import factory
import pytest
from django.contrib.auth import get_user_model

from accounts.services import issue_token
from agents import services
from agents.models import (
    Corpus,
    Guardrail,
    Organization,
    OrganizationMembership,
    Project,
    Tool,
    ToolAction,
)

PASSWORD = "correct-horse-battery-staple"


def api_token(user, **kwargs) -> str:
    """A new API token for ``user`` (through the service); returns its secret."""
    kwargs.setdefault("name", "test")
    return issue_token(user=user, **kwargs)[1]


def join(organization, *users, role=OrganizationMembership.Role.MEMBER):
    """Make each user a member of the organization (kept as is if already one).

    Roles on an agent count only for members of its organization, and only members can be
    granted one, so every fixture that gives someone a role makes them a member first.
    """
    for user in users:
        OrganizationMembership.objects.get_or_create(
            organization=organization, user=user, defaults={"role": role}
        )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_fixture(username: str, doc: str | None = None):
    """A pytest fixture named ``username``: a user of that name, member of nothing, no roles.

    For tests that need someone besides the fixtures' cast: ``bob = user_fixture("bob")``.
    """

    def user(db):
        return UserFactory(username=username)

    user.__doc__ = doc
    return pytest.fixture(user, name=username)


def organization_admin(organization, username: str):
    """A user of that name who is an admin of ``organization``: the catalogue, the webhook
    endpoints and the projects of an organization are its admins' to change."""
    user = UserFactory(username=username)
    join(organization, user, role=OrganizationMembership.Role.ADMIN)
    return user


def admin_fixture(username: str):
    """A pytest fixture named ``admin``: ``organization_admin`` of the ``organization`` fixture.

    Modules name their admin (assertions read it back from history rows and pages):
    ``admin = admin_fixture("catalogue-admin")``.
    """

    def admin(organization):
        return organization_admin(organization, username)

    return pytest.fixture(admin, name="admin")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationMembership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = OrganizationMembership.Role.MEMBER


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Project {n}")


class CorpusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Corpus

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Corpus {n}")
    description = "Documents"


class ToolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tool
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Tool {n}")
    kind = Tool.Kind.API

    @factory.post_generation
    def actions(obj, create, extracted, **kwargs):
        if not create:
            return
        for name in extracted if extracted is not None else ["search", "create"]:
            ToolAction.objects.create(tool=obj, name=name, config={})


class ToolActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ToolAction

    tool = factory.SubFactory(ToolFactory, actions=[])
    name = factory.Sequence(lambda n: f"action_{n}")
    config = factory.LazyFunction(dict)


class GuardrailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardrail

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Guardrail {n}")
    type = "pii"
    config = factory.LazyFunction(dict)


class AgentFactory(factory.Factory):
    """Creates an agent through ``services.create_agent`` (Staging + owner permission)."""

    class Meta:
        model = dict

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Agent {n}")
    description = "Answers questions"

    @classmethod
    def _create(cls, model_class, **kwargs):
        # The creator owns the agent, which counts only while they belong to its organization.
        join(kwargs["project"].organization, kwargs["user"])
        return services.create_agent(acting_user=kwargs.pop("user"), **kwargs)

    _build = _create
