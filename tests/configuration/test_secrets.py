"""The secret scanner: what it flags, what it leaves alone, and that it stays linear."""

from __future__ import annotations

import dataclasses

import pytest

from configuration.secrets import (
    KINDS,
    PATTERNS,
    SecretFinding,
    field_secret_kind,
    find_secrets,
    is_placeholder,
    secret_field_kind,
)
from tests.configuration.secret_corpus import (
    HARMLESS,
    LEAKS,
    PLAIN_FIELDS,
    SECRET_FIELDS,
    fake,
)


def found(text: str) -> list[tuple[str, int]]:
    return [(finding.kind, finding.line) for finding in find_secrets(text)]


def test_the_corpus_is_large_enough_and_covers_every_kind() -> None:
    assert len(LEAKS) >= 25
    assert len(HARMLESS) >= 25
    assert {leak.kind for leak in LEAKS} == set(KINDS)


@pytest.mark.parametrize("leak", LEAKS, ids=lambda leak: f"{leak.kind}:{leak.text[:24]}")
def test_a_secret_is_found_once_with_its_kind_and_line(leak) -> None:
    assert leak.secret in leak.text
    assert found(leak.text) == [(leak.kind, leak.line)]


@pytest.mark.parametrize("text", HARMLESS, ids=lambda text: text[:40])
def test_text_about_secrets_or_holding_placeholders_is_not_flagged(text: str) -> None:
    assert found(text) == []


def test_a_finding_holds_only_a_kind_and_a_line() -> None:
    # Nothing else can carry the secret out: callers show and store findings.
    assert [field.name for field in dataclasses.fields(SecretFinding)] == ["kind", "line"]
    for leak in LEAKS:
        for finding in find_secrets(leak.text):
            assert leak.secret not in repr(finding)


def test_findings_come_in_order_with_their_lines() -> None:
    first, second = LEAKS[0], LEAKS[6]
    text = f"Intro\n\n{first.text}\nmiddle\r\n{second.text} and again {second.text}"
    assert found(text) == [(first.kind, 3), (second.kind, 5), (second.kind, 5)]


def test_the_more_specific_pattern_wins_where_two_overlap() -> None:
    key = "sk-" + fake("overlap", 48)
    assert found(f"api_key={key}") == [("OpenAI API key", 1)]
    assert found(f"api_key={key} token={fake('next', 32)}") == [
        ("OpenAI API key", 1),
        ("credential", 1),
    ]


def test_a_refused_name_does_not_hide_the_assignment_after_it() -> None:
    assert found("Note: password: hunter2") == [("password", 1)]
    assert found("Note: password=") == []


def test_a_private_key_header_needs_a_body() -> None:
    header = "-----BEGIN RSA " + "PRIVATE" + " KEY-----"
    assert found(f"{header}\n{fake('body', 64)}") == [("private key", 1)]
    assert found(f"{header}\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES\n\n{fake('b', 64)}") == [
        ("private key", 1)
    ]
    assert found(f"{header}\n\nnothing follows") == []


@pytest.mark.parametrize(
    "value",
    [
        "",
        "  ",
        "***",
        "\u2022\u2022\u2022\u2022",
        "xxxxxxxx",
        "<your-key>",
        "${API_KEY}",
        "{{ token }}",
        "$TOKEN",
        "%(password)s",
        "%PASSWORD%",
        "[REDACTED]",
        "changeme",
        "None",
        "n/a",
        "my-example-key",
        "'password'",
    ],
)
def test_placeholders(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["hunter2", "Tr0ub4dor!", "s3cr3t", fake("p", 20)])
def test_real_values_are_not_placeholders(value: str) -> None:
    assert not is_placeholder(value)


@pytest.mark.parametrize(("name", "value", "kind"), SECRET_FIELDS)
def test_a_field_named_like_a_secret_holds_one(name: str, value: str, kind: str) -> None:
    assert field_secret_kind(name, value) == kind


@pytest.mark.parametrize(("name", "value"), PLAIN_FIELDS)
def test_a_placeholder_or_a_field_about_a_secret_holds_none(name: str, value: str) -> None:
    assert field_secret_kind(name, value) is None


def test_the_last_word_of_a_name_decides() -> None:
    assert secret_field_kind("refresh_token") == "credential"
    assert secret_field_kind("refresh_token_ttl") is None
    assert secret_field_kind("APIKey") == "credential"
    assert secret_field_kind("passphrase") == "password"
    assert secret_field_kind("") is None


# --- linear time --------------------------------------------------------------------------

SIZE = 100_000


def fill(unit: str) -> str:
    return (unit * (SIZE // len(unit) + 1))[:SIZE]


# Per kind: the pattern's prefix and a character it repeats after it, and inputs of its own.
# A backtracking pattern retries a long run from each of its characters: the prefix over and
# over, the prefix before a run that never ends the way the pattern needs, or runs broken
# just where the pattern looks for its end make it quadratic.
ADVERSARIAL: dict[str, tuple[str, str, list[str]]] = {
    "Anthropic API key": ("sk-ant-", "a", [fill("sk-ant-a1 ")]),
    "OpenAI API key": ("sk-", "a", [fill("sk-aB3-")]),
    "AWS access key id": ("AKIA", "A", [fill("AKIA" + "1234567890ABCDEF ")]),
    "GitHub token": ("github_pat_", "_", [fill("ghp_"), "ghp_" + "a" * SIZE]),
    "Slack token": ("xoxb-", "-", ["xoxb-" + "1-" * (SIZE // 2)]),
    "Stripe live key": ("sk_live_", "a", []),
    "Google API key": ("AIza", "a", [fill("AIza-")]),
    "private key": (
        "-----BEGIN " + "PRIVATE" + " KEY-----",
        "\n",
        ["-----BEGIN " + " " * SIZE, fill("-----BEGIN " + "PRIVATE" + " KEY-----\nA:")],
    ),
    "JSON Web Token": ("eyJ", "a", [fill("eyJaaaaaaaaaaa."), fill("eyJaaaaaaaaaaa.eyJaaaa.")]),
    "URL with credentials": ("a://", "b", ["a://" + fill("b:"), fill("a:")]),
    "basic auth password": ("Authorization: Basic ", "a", [fill("authorization:")]),
    "bearer token": ("bearer ", "a", []),
    "password": ("password: ", "a", [fill("a="), fill('a:"'), fill('password: "')]),
    "credential": ("api_key=", "a1", [fill("aB")]),
}


def adversarial(kind: str) -> list[str]:
    prefix, run, extra = ADVERSARIAL[kind]
    return [fill(prefix), (prefix + run * SIZE)[:SIZE], *extra]


def test_every_pattern_has_adversarial_inputs() -> None:
    assert set(ADVERSARIAL) == {kind for pattern in PATTERNS for kind in pattern.kinds}


@pytest.mark.parametrize("kind", list(ADVERSARIAL))
def test_adversarial_input_is_scanned_in_linear_time(kind: str) -> None:
    # Nothing is timed, so that a busy machine fails nothing: measured, each kind's inputs
    # take 0.03 to 0.2 s together and twice that at twice the size. The JWT pattern made to
    # backtrack (no lookbehind, no possessive repeats) takes 15 s here, so a pattern that
    # turns quadratic shows at once in ``--durations``, and one that turns exponential hangs.
    for text in adversarial(kind):
        find_secrets(text)
