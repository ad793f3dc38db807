"""A password change revokes every API token of the user, whichever path changed it.

The admin's password form, ``manage.py changepassword``, the API and any code calling
``set_password`` + ``save`` all end in a save of the user row, so the check sits on that save
(``post_save``) rather than in each path: one that a future path cannot forget. The hash loaded
with the instance (``post_init``) is compared with the hash saved:

* a different hash is a password change: ``set_password`` (a new salt each time, even for the
  same password), ``set_unusable_password`` or an assigned hash all revoke;
* except Django's transparent upgrade: ``check_password`` re-hashes the *same* password when
  the preferred hasher or its work factor changed, and saves it. That save is recognised (the
  stored hash was one the preferred hasher wants to replace, no new raw password was set) and
  revokes nothing, or every login after a hasher upgrade would log all integrations out.

The comparison needs no query: ``post_init`` reads the field already loaded (never a deferred
one), and the receivers only call the service.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import get_hasher, identify_hasher, is_password_usable
from django.db.models.signals import post_init, post_save

LOADED = "_accounts_loaded_password"


def _remember_password(sender: Any, instance: Any, **kwargs: Any) -> None:
    # A deferred field is absent from __dict__; reading it through the attribute would query.
    setattr(instance, LOADED, instance.__dict__.get("password"))


def is_rehash(before: str, after: str) -> bool:
    """Whether ``before`` -> ``after`` is Django upgrading the hash of an unchanged password."""
    if not (is_password_usable(before) and is_password_usable(after)):
        return False
    try:
        old = identify_hasher(before)
    except ValueError:
        return False
    preferred = get_hasher("default")
    # The same test as django.contrib.auth.hashers.verify_password's must_update.
    return old.algorithm != preferred.algorithm or preferred.must_update(before)


def _password_saved(
    sender: Any, instance: Any, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    if update_fields is not None and "password" not in update_fields:
        return
    after = instance.__dict__.get("password")
    if after is None:  # deferred and never assigned: this save did not write it
        return
    before = getattr(instance, LOADED, None)
    setattr(instance, LOADED, after)
    if created or before is None or after == before:
        return
    # set_password keeps the raw password until the save; Django's re-hash clears it first.
    if getattr(instance, "_password", None) is None and is_rehash(before, after):
        return
    from accounts.services import revoke_all_tokens

    revoke_all_tokens(user=instance)


def connect_signals() -> None:
    """Connect the receivers; safe to call more than once."""
    user = settings.AUTH_USER_MODEL
    post_init.connect(_remember_password, sender=user, dispatch_uid="accounts-password-loaded")
    post_save.connect(_password_saved, sender=user, dispatch_uid="accounts-password-saved")
