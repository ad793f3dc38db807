"""Dropping the live read's cached entries when what they were computed from changes.

Every receiver acts once the change has committed (``transaction.on_commit``): a reader
must never cache a state that may yet be rolled back. What each change drops is described
in ``publishing.live.cache``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from agents.signals import agent_archived
from publishing.live.cache import forget_access, invalidate


def _on_commit(func: Any, using: str | None) -> None:
    transaction.on_commit(func, using=using)


def _access_changed(sender: Any, using: str | None = None, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    # Every login saves last_login; that changes no one's access.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    # Every API login issues a token. A token that did not exist has no decision cached
    # (unknown credentials are refused without caching), so its birth stales nothing.
    if kwargs.get("created") and sender._meta.label == "accounts.ApiToken":
        return
    _on_commit(forget_access, using)


def _members_changed(sender: Any, action: str, using: str | None = None, **kwargs: Any) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        _on_commit(forget_access, using)


def _logged_out(sender: Any, **kwargs: Any) -> None:
    forget_access()


def _production_gone(sender: Any, instance: Any, using: str | None = None, **kwargs: Any) -> None:
    agent_id = instance.pk
    _on_commit(lambda: invalidate(agent_id), using)


def _agent_archived(sender: Any, agent_id: int, **kwargs: Any) -> None:
    # Sent on commit already.
    invalidate(agent_id)


def connect_signals() -> None:
    """Connect the receivers that drop cached entries; safe to call more than once.

    Senders are named by label, so this works before the app registry is ready.
    """
    for label in (
        "agents.AgentPermission",
        "agents.OrganizationMembership",
        "accounts.ApiToken",
        settings.AUTH_USER_MODEL,
    ):
        post_save.connect(_access_changed, sender=label, dispatch_uid=f"live-save-{label}")
        post_delete.connect(_access_changed, sender=label, dispatch_uid=f"live-delete-{label}")
    m2m_changed.connect(
        _members_changed, sender="agents.Project_members", dispatch_uid="live-project-members"
    )
    user_logged_out.connect(_logged_out, dispatch_uid="live-logout")
    # Production goes only with its agent. (A receiver on ProductionConfiguration itself would
    # also cost every cascading delete a SELECT, as Django then cannot delete it blind.)
    post_delete.connect(_production_gone, sender="agents.Agent", dispatch_uid="live-gone-agent")
    agent_archived.connect(_agent_archived, dispatch_uid="live-archived-agent")


connect_signals()
