"""Nothing secret-looking is committed: private keys, cloud and service tokens, API tokens,
production secret keys, or files that usually hold them (.env, databases, key stores)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)

# Each pattern is written so that its own source text does not match it.
PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----"),
    "AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),
    "Stripe or OpenAI style secret key": re.compile(r"\b(sk|rk)_(live|test)_[A-Za-z0-9]{20,}\b"),
    "OpenAI key": re.compile(r"\bsk-(proj-)?[A-Za-z0-9_-]{32,}\b"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "JSON web token": re.compile(
        r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"
    ),
    "password in a URL": re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:[^/\s@'\"]{3,}@[^/\s]+"),
    "hard-coded SECRET_KEY": re.compile(r"""SECRET_KEY\s*=\s*['"](?!insecure-)[^'"\s]{20,}['"]"""),
    "DRF token literal": re.compile(r"""Authorization['"]?\s*[:=,]\s*['"]Token [0-9a-f]{40}['"]"""),
}

FORBIDDEN_FILES = re.compile(
    r"(^|/)(\.env(\.[^/]*)?|[^/]*\.(pem|key|p12|pfx|jks|sqlite3|dump)|id_(rsa|ed25519|ecdsa))$"
)
ALLOWED_FILES = {".env.example"}


def tracked_files() -> list[str]:
    result = subprocess.run(
        ["git", "ls-files", "-z"], cwd=BASE_DIR, capture_output=True, check=True
    )
    return [name for name in result.stdout.decode().split("\0") if name]


def findings_in(text: str) -> list[str]:
    return [name for name, pattern in PATTERNS.items() if pattern.search(text)]


def test_no_secret_looking_string_is_committed():
    found = []
    for name in tracked_files():
        path = BASE_DIR / name
        if not path.is_file():
            continue  # deleted in the working tree, not yet committed
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary: images, fonts
        found += [f"{name}: {kind}" for kind in findings_in(text)]
    assert found == []


def test_no_secret_holding_file_is_committed():
    names = [
        n
        for n in tracked_files()
        if FORBIDDEN_FILES.search(n) and Path(n).name not in ALLOWED_FILES
    ]
    assert names == []


def test_the_development_database_is_ignored_by_git():
    # It holds password hashes and API tokens of whoever ran the app locally.
    for name in ("db.sqlite3", "other.sqlite3"):
        ignored = subprocess.run(
            ["git", "check-ignore", "-q", name], cwd=BASE_DIR, capture_output=True
        )
        assert ignored.returncode == 0, f"{name} is not in .gitignore"


# The samples are assembled at run time so this file never holds a real-looking secret.
SAMPLES = {
    "private key": "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIE...",
    "AWS access key id": "aws_key = 'AKIA" + "ABCDEFGHIJKLMNOP'",
    "GitHub token": "token: ghp_" + "a1B2" * 9,
    "Slack token": "xoxb-" + "1234567890-abcdef",
    "Stripe or OpenAI style secret key": "sk_live_" + "a" * 24,
    "OpenAI key": "OPENAI_API_KEY=sk-" + "Ab1_" * 10,
    "Google API key": "AIza" + "B" * 35,
    "JSON web token": "eyJ" + "h" * 12 + ".eyJ" + "p" * 12 + "." + "s" * 12,
    "password in a URL": "DATABASE_URL=postgres://app:" + "hunter2x@db.internal/app",
    "hard-coded SECRET_KEY": "SECRET_KEY = '" + "x8#k" * 8 + "'",
    "DRF token literal": "headers={'Authorization': 'Token " + "0f" * 20 + "'}",
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_each_pattern_catches_its_sample(kind):
    assert kind in findings_in(SAMPLES[kind])


@pytest.mark.parametrize(
    "text",
    [
        'SECRET_KEY = "insecure-development-key-never-used-in-production"',
        "postgres://postgres@127.0.0.1:5432/ci",
        "redis://127.0.0.1:6379/9",
        'password = factory.PostGenerationMethodCall("set_password", PASSWORD)',
    ],
)
def test_the_project_own_harmless_strings_are_not_flagged(text):
    assert findings_in(text) == []
