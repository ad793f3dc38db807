"""Deployment safety: production settings pass Django's deployment checklist, and the
settings refuse to start in production without a secret key."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of a production process: no test flag, DEBUG off."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DJANGO_TESTING",
            "DJANGO_SECRET_KEY",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="example.com",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checklist():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_checklist_catches_a_weak_secret_key():
    """Proves the check above has teeth: the same run with a short key fails."""
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(DJANGO_SECRET_KEY="short"),
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_development_starts_without_a_secret_key():
    env = production_env(DJANGO_DEBUG="1")
    del env["DJANGO_SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode == 0, result.stderr


def test_production_turns_on_https_and_cookie_hardening():
    code = (
        "import django, json; from django.conf import settings; django.setup(); "
        "print(json.dumps({k: getattr(settings, k) for k in ["
        "'DEBUG', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_HTTPONLY', 'X_FRAME_OPTIONS', "
        "'SECURE_CONTENT_TYPE_NOSNIFF']}))"
    )
    env = production_env(DJANGO_SETTINGS_MODULE="ejento_staging.settings")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    import json

    values = json.loads(result.stdout)
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SESSION_COOKIE_HTTPONLY": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
    }
