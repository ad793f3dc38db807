"""Secrets in text: API keys, tokens, private keys, passwords, credentials in URLs.

A configuration is shown to every editor and viewer, kept in every publish record and sent
to webhook subscribers, so a key pasted into an instruction or a tool's config leaks to all
of them. ``find_secrets`` says which kind of secret sits on which line, never the secret
itself: a finding is shown and stored where the secret must not be.

Kinds (``KINDS``): vendor keys recognised by their prefix and length (OpenAI, Anthropic, AWS
access key id, GitHub, Slack, Stripe live, Google), signed JSON Web Tokens, PEM private
keys with their body, bearer tokens, ``Authorization: Basic`` credentials, URLs carrying
``user:password@``, and assignments (``password: …``, ``API_KEY=…``) whose name says secret
(``secret_field_kind``). Random-looking text with neither a known prefix nor such a name
(hashes, UUIDs, base64 images) is not flagged: nothing tells it apart from data.

Placeholders are not secrets (``is_placeholder``): empty or masked values (``***``,
``xxxx``), templates (``<your-key>``, ``${VAR}``, ``{{var}}``, ``$VAR``, ``%(name)s``),
values naming themselves examples (``your``, ``example``, ``changeme``, ``redacted``…) and
bare words such as ``none`` or ``password``. ``changeme`` counts as a placeholder: it marks
a value still to be set, and reveals nothing. AWS's documented key (``…EXAMPLE``) follows.

Every pattern runs in linear time: it starts at a literal prefix or where a run of the
characters it repeats begins (a lookbehind refuses a start inside the run), its repeats are
possessive or bounded, and the checks after a match read that match alone (a private key's
header, the 1,200 characters after it). No input makes the engine scan one run again from
each of its characters.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SecretFinding:
    kind: str
    line: int  # 1-based


# --- placeholders -------------------------------------------------------------------------

_TEMPLATE = re.compile(
    r"<[^<>\n]*+>|\[[^\[\]\n]*+\]|\$\{[^{}\n]*+\}|\{\{[^{}\n]*+\}\}|\{[A-Za-z_][\w.-]*+\}"
    r"|\$[A-Za-z_]\w*+|%\([A-Za-z_]\w*+\)s|%[A-Za-z_]\w*+%|\$\([^()\n]*+\)"
)
# A template opened but cut short, as a value read up to "}" or ")" is: "${DB_PASS".
_TEMPLATE_OPEN = re.compile(r"\$\{|\{\{|\$\(|%\(|<[A-Za-z_]")
_MASK = frozenset("*\u2022\u25cf\u00b7xX.#-_ ")
PLACEHOLDER_WORDS = (
    "your",
    "example",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "redacted",
    "dummy",
    "xxxx",
    "replace",
)
PLACEHOLDER_VALUES = frozenset(
    {"none", "null", "nil", "n/a", "na", "todo", "tbd", "unset", "empty", "hidden", "masked"}
    | {"secret", "password", "passwd", "pass", "token", "key", "apikey", "api_key", "value"}
)


def is_placeholder(value: str) -> bool:
    """Whether a value only stands in for a secret (see the module's docstring)."""
    v = value.strip().strip("\"'`").strip()
    if not v or _TEMPLATE.fullmatch(v) or _TEMPLATE_OPEN.match(v):
        return True
    if len(set(v)) == 1 or set(v) <= _MASK:
        return True
    lowered = v.lower()
    return lowered in PLACEHOLDER_VALUES or any(word in lowered for word in PLACEHOLDER_WORDS)


# --- field names --------------------------------------------------------------------------

# Names are cut to 100 characters first, so the backtracking of the first branch is bounded.
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase"})
SECRET_WORDS = PASSWORD_WORDS | {
    "secret",
    "token",
    "apikey",
    "authorization",
    "credential",
    "credentials",
    "bearer",
}
SECRET_PAIRS = frozenset(
    (first, "key")
    for first in ("api", "access", "private", "secret", "signing", "encryption", "master")
)


def _words(name: str) -> list[str]:
    """``X-Api-Key`` -> x, api, key; ``clientSecret`` -> client, secret."""
    return [w.lower() for w in _WORD.findall(name[:100])]


def secret_field_kind(name: str) -> str | None:
    """ "password" or "credential" when a field's name says it holds one, else None.

    The name's last word decides (or its last two: ``api_key``, ``secretKey``), so a field
    about a secret is not one: ``token_url``, ``secret_name``, ``password_env``,
    ``max_tokens`` and ``tokenizer`` hold no secret.
    """
    words = _words(name)
    if not words:
        return None
    if words[-1] in PASSWORD_WORDS:
        return "password"
    if words[-1] in SECRET_WORDS or tuple(words[-2:]) in SECRET_PAIRS:
        return "credential"
    return None


def field_secret_kind(name: str, value: str) -> str | None:
    """The kind of secret a JSON field holds: its name says secret, its value is set."""
    kind = secret_field_kind(name)
    return kind if kind and not is_placeholder(value) else None


# --- what a token looks like --------------------------------------------------------------


def _letters_and_digits(s: str) -> bool:
    return any(c.isdigit() for c in s) and any(c.isalpha() for c in s)


def _mixed(s: str) -> bool:
    return _letters_and_digits(s) and any(c.isupper() for c in s) and any(c.islower() for c in s)


def _random(s: str) -> bool:
    """Reads as a generated token rather than words: letters, digits and variety."""
    return len(s) >= 16 and _letters_and_digits(s) and len(set(s)) >= 8


def _classes(s: str) -> int:
    symbols = any(not c.isalnum() and c not in "-_./" for c in s)
    kinds = (str.islower, str.isupper, str.isdigit)
    return sum(any(test(c) for c in s) for test in kinds) + symbols


def _assigned(name: str, value: str) -> str | None:
    """A ``name: value`` in prose: stricter than a JSON field, since prose says "password:"
    before words ("Password: never ask for it")."""
    kind = secret_field_kind(name)
    quoted = value[:1] in "\"'"
    value = value.strip("\"'") if quoted else value.rstrip(".,;:!?")
    if not kind or is_placeholder(value) or re.match(r"[A-Za-z][\w+.-]*+://", value):
        return None
    if kind == "password":
        # Unquoted, a password has two kinds of character: "Password: confidential" is prose.
        strong = quoted or (len(value) >= 6 and _classes(value) >= 2)
        return kind if len(value) >= 4 and strong else None
    return kind if _random(value) else None


def _basic(encoded: str) -> bool:
    try:
        decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        user, sep, password = decoded.decode("utf-8").partition(":")
    except (binascii.Error, ValueError):
        return False
    return bool(sep and user) and not is_placeholder(password)


_PEM_BODY = re.compile(
    r"(?:\\n|\s)*+(?:[A-Za-z-]{1,40}+:[^\n]{0,200}+(?:\\n|\s)++){0,4}+[A-Za-z0-9+/=]{20}"
)


# --- patterns -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """``classify`` gets the match (and the whole text) and names its kind, or refuses it.

    ``needles``: lower-case strings of which every match contains one. A pattern whose
    needles are all absent from the lowered text is not run: ``in`` scans in C, many times
    faster than the regex engine trying its lookbehind at every position, and most text
    holds none of them.
    """

    kinds: tuple[str, ...]
    needles: tuple[str, ...]
    regex: re.Pattern[str]
    classify: Callable[[re.Match[str], str], str | None]


def _when(kind: str, test: Callable[[str], bool]) -> Callable[[re.Match[str], str], str | None]:
    def classify(match: re.Match[str], _text: str) -> str | None:
        secret = match["secret"]
        return kind if test(secret) and not is_placeholder(secret) else None

    return classify


def _private_key(match: re.Match[str], text: str) -> str | None:
    # The header alone is prose about keys; a key has its base64 body after it.
    return "private key" if _PEM_BODY.match(text, match.end(), match.end() + 1200) else None


_ENDS_SECRET = "|".join(
    f"(?<={word})" for word in sorted(SECRET_WORDS | {"key"}, key=len, reverse=True)
)
_T = r"(?<![A-Za-z0-9_-])"  # not inside a token's run of characters
_AUTH = r"(?<![A-Za-z0-9_-])(?i:authorization)[\"']?+[ \t]*+[:=][ \t]*+[\"']?+"

# In priority order: where two overlap, the first one's finding stands (an OpenAI key given
# as ``api_key=…`` is an OpenAI key, a JWT after "Bearer" is a JSON Web Token).
PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        ("Anthropic API key",),
        ("sk-ant-",),
        re.compile(_T + r"sk-ant-(?P<secret>[A-Za-z0-9_-]{32,}+)"),
        _when("Anthropic API key", lambda s: _letters_and_digits(s) and len(set(s)) >= 10),
    ),
    Pattern(
        ("OpenAI API key",),
        ("sk-",),
        re.compile(_T + r"sk-(?!ant-)(?P<secret>[A-Za-z0-9_-]{20,}+)"),
        _when("OpenAI API key", _mixed),
    ),
    Pattern(
        ("AWS access key id",),
        ("akia", "asia"),
        re.compile(r"(?<![A-Za-z0-9])(?P<secret>(?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Za-z0-9])"),
        _when("AWS access key id", lambda s: len(set(s)) >= 8),
    ),
    Pattern(
        ("GitHub token",),
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        re.compile(r"(?<![A-Za-z0-9_])(?P<secret>gh[pousr]_[A-Za-z0-9]{30,}+|github_pat_\w{30,}+)"),
        _when("GitHub token", _letters_and_digits),
    ),
    Pattern(
        ("Slack token",),
        ("xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"),
        re.compile(_T + r"(?P<secret>xox[baprs]-[A-Za-z0-9-]{10,}+)"),
        _when("Slack token", lambda s: sum(c.isdigit() for c in s) >= 6),
    ),
    Pattern(
        ("Stripe live key",),
        ("k_live_",),
        re.compile(r"(?<![A-Za-z0-9_])(?P<secret>[sr]k_live_[A-Za-z0-9]{16,}+)"),
        _when("Stripe live key", _letters_and_digits),
    ),
    Pattern(
        ("Google API key",),
        ("aiza",),
        re.compile(_T + r"(?P<secret>AIza[A-Za-z0-9_-]{35})(?![A-Za-z0-9_-])"),
        _when("Google API key", lambda s: len(set(s)) >= 10),
    ),
    Pattern(
        ("private key",),
        ("-----begin",),
        re.compile(r"-----BEGIN[ A-Z0-9]{0,30}PRIVATE KEY(?: BLOCK)?-----"),
        _private_key,
    ),
    Pattern(
        ("JSON Web Token",),
        ("eyj",),
        # An unsigned token grants nothing: the signature is required.
        re.compile(
            _T + r"(?P<secret>eyJ[A-Za-z0-9_-]{10,}+\.eyJ[A-Za-z0-9_-]{10,}+\.[A-Za-z0-9_-]{16,}+)"
        ),
        _when("JSON Web Token", lambda s: True),
    ),
    Pattern(
        ("URL with credentials",),
        ("://",),
        re.compile(
            r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,30}+://[^\s:/?#@\"'<>]{1,256}+:"
            r"(?P<secret>[^\s/?#@\"'<>]{1,256}+)@"
        ),
        _when("URL with credentials", lambda s: True),
    ),
    Pattern(
        ("basic auth password",),
        ("basic",),
        re.compile(_AUTH + r"(?i:basic)[ \t]++(?P<secret>[A-Za-z0-9+/]{4,}+=*+)"),
        _when("basic auth password", _basic),
    ),
    Pattern(
        ("bearer token",),
        ("bearer",),
        re.compile(r"(?<![A-Za-z0-9_])(?i:bearer)[ \t]++(?P<secret>[A-Za-z0-9._~+/-]{16,}+=*+)"),
        _when("bearer token", _random),
    ),
    Pattern(
        ("password", "credential"),
        tuple(sorted(SECRET_WORDS | {"key"})),
        # The value is read in a lookahead, so a refused "Note: password" leaves "password:
        # hunter2" to the next match; unquoted, it stops at ":" and "=" for the same reason.
        # Only a name ending in a secret word goes on to ``secret_field_kind``, which has
        # the last word: prose has a "word:" on every line.
        re.compile(
            r"(?<![A-Za-z0-9_.-])(?P<name>[A-Za-z][A-Za-z0-9_.-]{0,40}+)"
            rf"(?i:{_ENDS_SECRET})(?=[\"']?+[ \t]*+[:=]"
            r"[ \t]*+(?P<secret>\"[^\"\n]{1,200}+\"|'[^'\n]{1,200}+'"
            r"|[^\s\"'`;,&)}\]:=]{1,200}+=*+))"
        ),
        lambda match, _text: _assigned(match["name"], match["secret"]),
    ),
)

KINDS: tuple[str, ...] = tuple(dict.fromkeys(kind for p in PATTERNS for kind in p.kinds))


def find_secrets(text: str) -> list[SecretFinding]:
    """The secrets in ``text``, in order of where they start; none of them quoted."""
    kept_starts: list[int] = []
    kept_ends: list[int] = []
    found: list[tuple[int, str]] = []
    lowered = text.lower()
    for pattern in PATTERNS:
        if not any(needle in lowered for needle in pattern.needles):
            continue
        has_secret = "secret" in pattern.regex.groupindex
        for match in pattern.regex.finditer(text):
            start, end = match.start(), max(match.end(), match.end("secret") if has_secret else 0)
            at = bisect.bisect_right(kept_starts, start)
            if (at and kept_ends[at - 1] > start) or (
                at < len(kept_starts) and kept_starts[at] < end
            ):
                continue  # overlaps a finding of an earlier pattern
            kind = pattern.classify(match, text)
            if kind is None:
                continue
            kept_starts.insert(at, start)
            kept_ends.insert(at, end)
            found.append((start, kind))
    if not found:
        return []
    newlines = [m.start() for m in re.finditer("\n", text)]
    return [
        SecretFinding(kind=kind, line=bisect.bisect_left(newlines, start) + 1)
        for start, kind in sorted(found)
    ]
