"""The suite runs however a Python developer starts pytest, with no environment set up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

BASE_DIR = Path(settings.BASE_DIR)
# Settings the run must find on its own: none of them is set.
UNSET = {"DJANGO_TESTING", "DJANGO_SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_DEBUG"}


def bare_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in UNSET}
    # SQLite in memory: the inner run must not touch the outer run's test database.
    env["DATABASE_URL"] = "sqlite://:memory:"
    return env


def test_python_dash_m_pytest_runs_without_any_environment():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/core/test_static.py::test_favicon_ico_is_served_at_the_root",
            "-p",
            "no:cacheprovider",
        ],
        cwd=BASE_DIR,
        env=bare_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "1 passed" in result.stdout


def test_a_web_process_is_not_a_test_run():
    """The other side of the same rule: without pytest imported, no secret key, no start."""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env={**bare_env(), "DJANGO_SETTINGS_MODULE": "ejento_staging.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
