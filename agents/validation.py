"""Validation of configuration values, shared by the services, the API and the pages.

Each validator returns the cleaned value or raises ``django.core.exceptions.ValidationError``
keyed by field, so the API answers 400 with per-field messages and the pages show the same
messages inline.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from agents.models import AccessLevel
from ejento_staging import text

MAX_JSON_BYTES = 10_000
MAX_JSON_DEPTH = 6
MAX_TAGS = 50
MAX_TAG_LENGTH = 50

# An https URL with a DNS host name of two to four labels (a SharePoint site is
# https://<tenant>.sharepoint.com/...), an optional port and any path. Narrower than
# Django's URLValidator (no IP hosts, no credentials, at most 253 characters of host by
# construction), so "matches" means "valid": the OpenAPI schema states this very pattern
# (written for both Python and ECMAScript regular expressions).
# Python's whitespace (str.isspace, what str.strip() removes and re's \s matches), spelled
# out for patterns the OpenAPI schema carries: ECMAScript's \s, which schema validators and
# clients use, is another set (it leaves out \u001c-\u001f and \u0085, adds \ufeff).
WHITESPACE_CLASS = (
    r"\t\n\u000b\u000c\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029"
    r"\u202f\u205f\u3000"
)
_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,59}[A-Za-z0-9])?"
HTTPS_URL_PATTERN = (
    rf"^[{WHITESPACE_CLASS}]*https://(?:{_HOST_LABEL}\.){{1,3}}[A-Za-z]{{2,63}}"
    rf"(?::[0-9]{{1,5}})?(?:[/?#][^{WHITESPACE_CLASS}\u0000]*)?[{WHITESPACE_CLASS}]*$"
)


def _unstorable(value: Any) -> str | None:
    """Why a string (or any string inside a JSON value, keys included) cannot be stored.

    PostgreSQL refuses NUL in text and jsonb, and a lone surrogate cannot be encoded at all:
    both must be a 400 here rather than a 500 from the database driver. Walks iteratively,
    so a deeply nested value cannot exhaust the stack.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "Must not contain NUL characters."
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "Must be valid Unicode text (no lone surrogates)."
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def ensure_storable(value: Any, field: str) -> None:
    reason = _unstorable(value)
    if reason:
        raise ValidationError({field: [reason]})


def _number(value: Any, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError("Must be a number.")
    if not lo <= value <= hi:
        raise ValueError(f"Must be between {lo:g} and {hi:g}.")
    return value


def _integer(value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("Must be a whole number.")
    if not lo <= value <= hi:
        raise ValueError(f"Must be between {lo} and {hi}.")
    return value


def _model_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("Must be a non-empty model name.")
    if len(value) > 100:
        raise ValueError("At most 100 characters.")
    return value.strip()


def _stop(value: Any) -> list[str]:
    if not isinstance(value, list) or len(value) > 4:
        raise ValueError("Must be a list of at most 4 strings.")
    if not all(isinstance(v, str) and 0 < len(v) <= 100 for v in value):
        raise ValueError("Each stop sequence must be a string of 1 to 100 characters.")
    return value


def _choice(*choices: str):
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"Must be one of: {', '.join(choices)}.")
        return value

    return check


MODEL_CONFIG_FIELDS = {
    "model": _model_name,
    "temperature": lambda v: _number(v, 0, 2),
    "top_p": lambda v: _number(v, 0, 1),
    "max_tokens": lambda v: _integer(v, 1, 200_000),
    "frequency_penalty": lambda v: _number(v, -2, 2),
    "presence_penalty": lambda v: _number(v, -2, 2),
    "seed": lambda v: _integer(v, 0, 2**31 - 1),
    "stop": _stop,
    "reasoning_effort": _choice("low", "medium", "high"),
    "response_format": _choice("text", "json"),
}

DEFAULT_MODEL_CONFIG = {"model": "gpt-4o", "temperature": 0.7, "max_tokens": 1024}

CORPUS_SETTINGS_FIELDS = {
    "top_k": lambda v: _integer(v, 1, 100),
    "min_score": lambda v: _number(v, 0, 1),
    "search_type": _choice("semantic", "keyword", "hybrid"),
    "citations": lambda v: _boolean(v),
}

DEFAULT_CORPUS_SETTINGS = {"top_k": 5}


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("Must be true or false.")
    return value


def _fields(value: Any, spec: dict[str, Any], field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError({field: ["Must be an object."]})
    ensure_storable(value, field)
    errors: list[str] = []
    cleaned: dict[str, Any] = {}
    for key, item in value.items():
        check = spec.get(key)
        if check is None:
            errors.append(f"{key}: unknown setting (allowed: {', '.join(sorted(spec))}).")
            continue
        try:
            cleaned[key] = check(item)
        except ValueError as exc:
            errors.append(f"{key}: {exc}")
    if errors:
        raise ValidationError({field: errors})
    return dict(sorted(cleaned.items()))


def clean_model_config(value: Any, field: str = "model_config") -> dict[str, Any]:
    return _fields(value, MODEL_CONFIG_FIELDS, field)


def clean_corpus_settings(value: Any, field: str = "settings") -> dict[str, Any]:
    return _fields(value, CORPUS_SETTINGS_FIELDS, field)


def _depth(value: Any) -> int:
    """How deeply a JSON value nests (iteratively: no recursion limit to hit)."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            level += 1
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level) for child in children)
    return deepest


def clean_json_object(value: Any, field: str) -> dict[str, Any]:
    """A free-form settings object (tool action config, guardrail settings), bounded."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError({field: ["Must be an object."]})
    if _depth(value) > MAX_JSON_DEPTH:
        raise ValidationError({field: [f"Nested at most {MAX_JSON_DEPTH} levels deep."]})
    ensure_storable(value, field)
    try:
        encoded = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise ValidationError({field: ["Must be plain JSON (no NaN or Infinity)."]}) from None
    if len(encoded.encode()) > MAX_JSON_BYTES:
        raise ValidationError({field: [f"At most {MAX_JSON_BYTES} bytes of JSON."]})
    return value


def clean_tags(value: Any, field: str = "tags") -> list[str]:
    """Tags, NFKC-normalised before they are deduplicated (a fullwidth "support" is the same
    tag as "support"); invisible and control characters are refused (``ejento_staging.text``)."""
    if not isinstance(value, list):
        raise ValidationError({field: ["Must be a list of strings."]})
    ensure_storable(value, field)
    if len(value) > MAX_TAGS:
        raise ValidationError({field: [f"At most {MAX_TAGS} tags."]})
    cleaned: set[str] = set()
    for tag in value:
        if not isinstance(tag, str) or not tag.strip():
            raise ValidationError({field: ["Each tag must be a non-empty string."]})
        tag = text.clean_label(tag, field).strip()
        if not tag:
            raise ValidationError({field: ["Each tag must be a non-empty string."]})
        if len(tag) > MAX_TAG_LENGTH:
            raise ValidationError({field: [f"Each tag has at most {MAX_TAG_LENGTH} characters."]})
        cleaned.add(tag)
    return sorted(cleaned)


def clean_access_level(value: Any, field: str = "access_level") -> str:
    if value not in AccessLevel.values:
        raise ValidationError({field: [f"Must be one of: {', '.join(AccessLevel.values)}."]})
    return value


def clean_text(value: Any, field: str, *, max_length: int, required: bool = True) -> str:
    if not isinstance(value, str):
        raise ValidationError({field: ["Must be a string."]})
    ensure_storable(value, field)
    cleaned = value.strip() if required else value
    if required and not cleaned:
        raise ValidationError({field: ["This field may not be blank."]})
    if len(cleaned) > max_length:
        raise ValidationError({field: [f"At most {max_length} characters."]})
    return cleaned


def clean_name(value: Any, field: str, *, max_length: int) -> str:
    """A name (of a user, organization, project, agent, catalogue item): ``clean_text``, in
    NFKC form, with no invisible, control or text-direction characters."""
    cleaned = clean_text(value, field, max_length=max_length)
    return clean_text(text.clean_label(cleaned, field), field, max_length=max_length)


def clean_sharepoint(site_url: Any, folder_path: Any) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    url = ""
    try:
        url = clean_text(site_url, "site_url", max_length=500)
        URLValidator(schemes=["https"])(url)
        if not re.search(HTTPS_URL_PATTERN, url):
            raise ValidationError({"site_url": ["Enter a valid https URL."]})
    except ValidationError as exc:
        errors["site_url"] = (
            exc.message_dict.get("site_url") if hasattr(exc, "error_dict") else None
        ) or ["Enter a valid https URL."]
    path = ""
    try:
        path = clean_text(folder_path, "folder_path", max_length=500)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return url, path


# What ``configuration.snapshot.combine_fingerprints`` makes: a SHA-256, as lower-case hex.
FINGERPRINT_PATTERN = re.compile(r"[0-9a-f]{64}")
FINGERPRINT_INVALID = "Must be the 64-character hex fingerprint of a staging-diff."


def clean_fingerprint(value: Any, field: str) -> str | None:
    """The fingerprint of a reviewed staging-diff, or None when none is given ("" or None).

    A malformed one could never match the current state; refusing it as such beats a
    puzzling "stale review" later.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not FINGERPRINT_PATTERN.fullmatch(value):
        raise ValidationError({field: [FINGERPRINT_INVALID]})
    return value
