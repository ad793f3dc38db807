"""Accounts and organizations: who may make them, and their members."""

from __future__ import annotations

from typing import Any

from django.conf import settings as project_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from agents import validation
from agents.models import NAME_MAX_LENGTH, Organization, OrganizationMembership
from agents.services.common import User
from ejento_staging import text


def require_may_create_users(acting_user: Any) -> None:
    """Superusers and organization admins may create accounts; anyone else is refused (403).

    Called by ``create_user`` and, before it validates the body, by the API (401 -> 403 ->
    400 is the order of refusals).
    """
    if acting_user.is_superuser:
        return
    if not OrganizationMembership.objects.filter(
        user_id=acting_user.pk, role=OrganizationMembership.Role.ADMIN
    ).exists():
        raise PermissionDenied("Only superusers and organization admins can create users.")


def clean_new_username(username: Any) -> str:
    """A username for a new account, as stored: normalised, unique whatever its case, and not
    a look-alike of an existing one. Every way an account is made (API, admin) uses it."""
    username = validation.clean_name(username, "username", max_length=150)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": ["A user with that username already exists."]})
    text.clean_identity_name(
        username, "username", existing=_lookalike_candidates(User.objects, "username", username)
    )
    return username


def create_user(
    *,
    username: str,
    password: str,
    email: str = "",
    acting_user: Any,
    organization: Organization | None = None,
) -> Any:
    """Create an account on behalf of ``acting_user``, as a member of ``organization`` if given.

    A superuser may create anyone, in an organization or in none. An organization admin may
    create users only into an organization they administer, so an account never exists that
    nobody answers for: without ``organization`` they are refused (400), and with one they
    do not administer, 403.
    """
    require_may_create_users(acting_user)
    if not acting_user.is_superuser:
        if organization is None:
            raise ValidationError(
                {"organization_id": ["Name the organization (one you administer) to join."]}
            )
        if not OrganizationMembership.objects.filter(
            user_id=acting_user.pk,
            organization_id=organization.pk,
            role=OrganizationMembership.Role.ADMIN,
        ).exists():
            raise PermissionDenied("Only this organization's admins can add users to it.")
    username = clean_new_username(username)
    candidate = User(username=username, email=email or "")
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    candidate.set_password(password)
    candidate.full_clean(exclude=["password"])
    with transaction.atomic():
        candidate.save()
        if organization is not None:
            OrganizationMembership.objects.create(organization=organization, user=candidate)
    return candidate


def require_may_create_organizations(acting_user: Any) -> None:
    """Superusers create organizations; everyone else only if the deployment allows it.

    Creating an organization makes its creator an admin, and admins create users, so
    self-service organizations would let any account mint accounts. Off unless
    ``ALLOW_SELF_SERVICE_ORGANIZATIONS`` (env ``DJANGO_ALLOW_SELF_SERVICE_ORGANIZATIONS``).
    """
    if acting_user.is_superuser or project_settings.ALLOW_SELF_SERVICE_ORGANIZATIONS:
        return
    raise PermissionDenied("Only superusers can create organizations.")


def create_organization(*, name: str, acting_user: Any) -> Organization:
    """Create an organization; its creator becomes its first admin."""
    require_may_create_organizations(acting_user)
    name = validation.clean_name(name, "name", max_length=NAME_MAX_LENGTH)
    if Organization.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": ["An organization with this name already exists."]})
    text.clean_identity_name(
        name, "name", existing=_lookalike_candidates(Organization.objects, "name", name)
    )
    with transaction.atomic():
        organization = Organization.objects.create(name=name)
        OrganizationMembership.objects.create(
            organization=organization, user=acting_user, role=OrganizationMembership.Role.ADMIN
        )
    return organization


def _lookalike_candidates(rows: Any, field: str, name: str) -> list[str]:
    """The existing names that could share ``name``'s skeleton, without reading them all:
    the plain-ASCII ones equal to it case-insensitively, and the few with any non-ASCII
    character (whose skeletons are then computed in Python)."""
    skeleton = text.skeleton(name)
    query = (
        Q(**{f"{field}__iexact": name})
        | Q(**{f"{field}__iexact": skeleton})
        | Q(**{f"{field}__regex": r"[^ -~]"})
    )
    return list(rows.filter(query).values_list(field, flat=True))


def add_organization_member(
    *, organization: Organization, user: Any, role: str = OrganizationMembership.Role.MEMBER
) -> OrganizationMembership:
    """Make ``user`` (the new member, not whoever adds them) a member with ``role``."""
    if role not in OrganizationMembership.Role.values:
        raise ValidationError({"role": ["Unknown organization role."]})
    membership, _ = OrganizationMembership.objects.update_or_create(
        organization=organization, user=user, defaults={"role": role}
    )
    return membership
