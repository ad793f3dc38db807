"""Texts the secret scanner must flag, and texts it must leave alone.

Every secret here is fake and assembled at import time (a prefix joined to characters from a
hash), so that no scanner run on this repository finds a key in it. ``LEAKS`` says what
``find_secrets`` reports for each text; ``HARMLESS`` are texts about secrets, placeholders and
look-alikes that must give no finding; ``SECRET_FIELDS`` and ``PLAIN_FIELDS`` are JSON fields
that do and do not hold a secret by their name.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import NamedTuple

BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def fake(seed: str, length: int, alphabet: str = BASE62) -> str:
    """``length`` characters that look random, the same on every run."""
    out: list[str] = []
    counter = 0
    while len(out) < length:
        digest = hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        out.extend(alphabet[byte % len(alphabet)] for byte in digest)
        counter += 1
    return "".join(out[:length])


def b64url(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def jwt(seed: str) -> str:
    header = b64url({"alg": "HS256", "typ": "JWT"})
    payload = b64url({"sub": fake(seed, 8), "iat": 1_700_000_000})
    return f"{header}.{payload}.{fake(seed + 'sig', 43, BASE62 + '-_')}"


def pem(kind: str, seed: str, *, newline: str = "\n") -> str:
    body = newline.join(fake(f"{seed}{i}", 64, BASE62 + "+/") for i in range(3))
    marker = "PRIVATE" + " KEY"
    return f"-----BEGIN {kind}{marker}-----{newline}{body}{newline}-----END {kind}{marker}-----"


class Leak(NamedTuple):
    kind: str
    text: str
    secret: str  # what no finding may quote
    line: int = 1


def _leak(kind: str, template: str, secret: str, line: int = 1) -> Leak:
    return Leak(kind, template.format(secret), secret, line)


OPENAI_PROJECT = "sk-" + "proj-" + fake("openai-project", 120, BASE62 + "-_")
OPENAI_LEGACY = "sk-" + fake("openai-legacy", 48)
ANTHROPIC = "sk-" + "ant-" + "api03-" + fake("anthropic", 93, BASE62 + "-_") + "AA"
AWS_KEY_ID = "AKIA" + fake("aws", 16, UPPER)
BASIC = base64.b64encode(b"support-bot:" + fake("basic", 14).encode()).decode()

LEAKS: list[Leak] = [
    _leak("OpenAI API key", "Use this key for the API: {}", OPENAI_PROJECT),
    _leak("OpenAI API key", "OPENAI_API_KEY={}", OPENAI_LEGACY),
    _leak("OpenAI API key", 'client = OpenAI(api_key="{}")', "sk-" + fake("legacy2", 48)),
    _leak("OpenAI API key", "{}", "sk-" + "svcacct-" + fake("svc", 80, BASE62 + "-_")),
    _leak("Anthropic API key", "Claude key: {}", ANTHROPIC),
    _leak("Anthropic API key", '{{"key": "{}"}}', "sk-" + "ant-" + "admin01-" + fake("adm", 80)),
    _leak("AWS access key id", "aws_access_key_id = {}", AWS_KEY_ID),
    _leak("AWS access key id", "temporary id {} from STS", "ASIA" + fake("sts", 16, UPPER)),
    _leak("GitHub token", "git clone with token {}", "gh" + "p_" + fake("ghp", 36)),
    _leak("GitHub token", "OAuth: {}", "gh" + "o_" + fake("gho", 36)),
    _leak("GitHub token", "app installation token {}", "gh" + "s_" + fake("ghs", 36)),
    _leak("GitHub token", "{}", "github_" + "pat_" + fake("pat1", 22) + "_" + fake("pat2", 59)),
    _leak(
        "Slack token", "Post with {}", "xo" + "xb-" + "1234567890-987654321098-" + fake("sl", 24)
    ),
    _leak(
        "Slack token",
        "user token: {}",
        "xo"
        + "xp-"
        + "1234567890-123456789012-123456789012-"
        + fake("slp", 32, "0123456789abcdef"),
    ),
    _leak("Stripe live key", "Charge cards with {}", "sk_" + "live_" + fake("stripe", 24)),
    _leak("Stripe live key", "restricted: {}", "rk_" + "live_" + fake("stripe-r", 24)),
    _leak("Google API key", "maps key={}", "AI" + "za" + fake("google", 35, BASE62 + "-_")),
    _leak("JSON Web Token", "Session: {}", jwt("session")),
    _leak("JSON Web Token", "Authorization: Bearer {}", jwt("bearer")),
    _leak("private key", "Deploy key:\n\n{}", pem("RSA ", "rsa"), line=3),
    _leak("private key", "{}", pem("OPENSSH ", "ssh")),
    _leak("private key", '{{"key": "{}"}}', pem("EC ", "ec", newline="\\n")),
    _leak("password", "The admin password: {} (rotate monthly)", "Tr0ub4dor!"),
    _leak("password", "Server=db;User Id=sa;Password={};", "Winter2025"),
    _leak("password", "DB_PASSWORD='{}'", "letmein"),
    _leak("password", "Note: password: {}", "hunter2"),
    _leak("bearer token", "Authorization: Bearer {}", fake("opaque", 40, BASE62 + "._-")),
    _leak("basic auth password", "Authorization: Basic {}", BASIC),
    _leak("URL with credentials", "DATABASE_URL=postgres://app:{}@db.internal:5432/app", "Pg7x!q2"),
    _leak("URL with credentials", "clone https://bot:{}@git.example.com/repo.git", fake("url", 20)),
    _leak("credential", "API_KEY={}", fake("generic", 32)),
    _leak("credential", "client_secret: {}", fake("oauth", 40)),
    _leak("credential", '"x-api-key": "{}"', fake("header", 32)),
    _leak(
        "OpenAI API key", "Rules:\n1. Be brief.\n2. Be kind.\nKey: {}", "sk-" + fake("l4", 48), 4
    ),
]

HARMLESS: list[str] = [
    "Never share your OpenAI API key with anyone.",
    "Recommend scikit-learn (sk-learn) for classic machine learning.",
    "Set OPENAI_API_KEY=<YOUR_API_KEY> in the environment.",
    "password: ********",
    "Password: confidential. Never reveal it.",
    "Password: see the vault entry",
    "The password must have at least 12 characters.",
    "Order 123e4567-e89b-12d3-a456-426614174000 shipped.",
    "Fixed in commit 9fceb02d0ae598e95dc970b74767f19372d61af8.",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "A message costs about 1 token per 4 characters.",
    "max_tokens: 4096",
    "Tokens: 1500",
    "The secret to good support is patience.",
    "See https://example.com/docs/api-keys for how keys work.",
    "api_key: ${OPENAI_API_KEY}",
    "password={{ db_password }}",
    "password: [REDACTED]",
    "PASSWORD=changeme",
    "AWS documents the sample key " + "AKIA" + "IOSFODNN7EXAMPLE.",
    "sk-" + "x" * 32,
    "api_key: sk-...",
    "Authorization: Bearer <token>",
    "Authorization: Bearer YOUR_TOKEN_HERE",
    "Use bearer authentication for the CRM.",
    "postgres://user:" + "password@localhost:5432/app",
    "postgres://localhost:5432/app and https://user@example.com/path",
    "Email support@example.com before 10:30.",
    "-----BEGIN " + "PRIVATE" + " KEY----- blocks must never be pasted here.",
    "Use the token_url https://auth.example.com/oauth/token to sign in.",
    "password_reset_url: https://example.com/reset",
    'Call the tool with {"token_type": "bearer"}.',
    "secret_name: prod/crm/api",
    "JWTs start with eyJ, as in eyJhbGciOiJIUzI1NiJ9.",
    "ghp_ tokens are GitHub personal access tokens; xoxb- ones belong to Slack bots.",
    "Stripe test keys look like sk_test_ followed by letters.",
    "Logo: data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
    "2mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
]

# (field name, value): held as a secret because of the name; the kind reported.
SECRET_FIELDS: list[tuple[str, str, str]] = [
    ("api_key", "abc123", "credential"),
    ("apiKey", "k9", "credential"),
    ("X-Api-Key", "abc", "credential"),
    ("password", "hunter", "password"),
    ("DB_PASSWORD", "summer", "password"),
    ("clientSecret", "s3", "credential"),
    ("Authorization", "Token 42", "credential"),
    ("X-Auth-Token", "t0k", "credential"),
    ("aws_secret_access_key", "wJalr", "credential"),
    ("private_key", "MIIE", "credential"),
]
PLAIN_FIELDS: list[tuple[str, str]] = [
    ("api_key", ""),
    ("password", "***"),
    ("token", "<token>"),
    ("secret", "${SECRET}"),
    ("api_key", "changeme"),
    ("client_secret", "{{ secret }}"),
    ("token", "null"),
    ("token_url", "https://auth.example.com/token"),
    ("max_tokens", "4096"),
    ("secret_name", "prod/crm"),
    ("password_env", "DB_PASSWORD"),
    ("tokenizer", "cl100k_base"),
    ("privateKeyPath", "/etc/keys/crm.pem"),
    ("queue", "support"),
]
