"""Hostile JSON to every write endpoint: a 400 (or another 4xx), never a 500.

Each endpoint's body is a valid one with one field replaced by something hostile - wrong
types, numbers JSON can carry but Python or PostgreSQL cannot (1e309, 10**400, NaN),
10,000 levels of nesting, lone surrogates and NUL characters PostgreSQL refuses to store,
nulls, arrays where objects belong - plus whole bodies that are not a JSON object at all.
The endpoints come from the OpenAPI schema, so a new write endpoint is fuzzed (and must
have a valid body here) without anyone remembering to add it.

Every request runs in a savepoint that is rolled back, so each case meets the same world.
On SQLite some of these are harmless; on PostgreSQL (what CI runs) they are not.
"""

from __future__ import annotations

import json
import traceback

import pytest
from django.core.cache import cache
from django.db import transaction
from rest_framework.test import APIClient

from tests.reliability.fuzz_world import api_operations, resolve

DEEP = 10_000
MARK = '"__FUZZ__"'

# Whole bodies: none is a JSON object, so every endpoint taking a body must refuse it.
NOT_AN_OBJECT = {
    "array": "[]",
    "string": '"text"',
    "number": "42",
    "null": "null",
    "true": "true",
    "huge float": "1e309",
    "huge integer": "1" + "0" * 400,
    "NaN": "NaN",
    "deep arrays": "[" * DEEP + "]" * DEEP,
    "deep objects": '{"a":' * DEEP + "1" + "}" * DEEP,
    "truncated": '{"name": "x"',
    "trailing garbage": '{"name": "x"} trailing',
    "invalid UTF-8": b'{"name": "\xff\xfe"}',
    "UTF-16 with BOM": '{"name": "x"}'.encode("utf-16"),
}

# Values for one field. Those in ALWAYS_INVALID can be valid for no field of this API.
FIELD_VALUES = {
    "null": "null",
    "true": "true",
    "zero": "0",
    "negative": "-1",
    "fraction": "1.5",
    "huge float": "1e309",
    "negative huge float": "-1e309",
    "huge integer": "1" + "0" * 400,
    "negative huge integer": "-1" + "0" * 400,
    "int64 overflow": str(2**63),
    "NaN": "NaN",
    "Infinity": "Infinity",
    "empty string": '""',
    "blank string": '"   "',
    "long string": json.dumps("x" * 300_000),
    "numeric string": '"123"',
    "lone surrogate": '"\\ud800"',
    "lone low surrogate": '"a\\udfffb"',
    "NUL": '"a\\u0000b"',
    "control characters": '"\\u0001\\u001f\\u007f"',
    "RTL and emoji": json.dumps("\u202eevil\U0001f4a5\u0301"),
    "empty array": "[]",
    "array of nulls": "[null, null]",
    "nested arrays": "[[1], [2]]",
    "empty object": "{}",
    "operator object": '{"$ne": 1}',
    "object with NUL key": '{"a\\u0000": 1}',
    "object with surrogate key": '{"\\ud800": 1}',
    "deep arrays": "[" * DEEP + "]" * DEEP,
    "deep objects": '{"a":' * DEEP + "1" + "}" * DEEP,
    "moderately deep": '{"a":' * 40 + "1" + "}" * 40,
}
ALWAYS_INVALID = {
    "huge float",
    "negative huge float",
    "huge integer",
    "negative huge integer",
    "NaN",
    "Infinity",
    "lone surrogate",
    "lone low surrogate",
    "NUL",
    "deep arrays",
    "deep objects",
}

OPERATIONS = [
    (method, path, operation)
    for method, path, operation in api_operations()
    if "requestBody" in operation
]
SCHEMA = None


def _schema():
    global SCHEMA
    if SCHEMA is None:
        from drf_spectacular.generators import SchemaGenerator

        SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
    return SCHEMA


def body_properties(operation) -> list[str]:
    content = operation["requestBody"]["content"]
    schema = resolve(_schema(), next(iter(content.values()))["schema"])
    return sorted(schema.get("properties", {}))


def with_field(valid: dict, field: str, raw: str) -> str:
    body = dict(valid)
    body[field] = "__FUZZ__"
    return json.dumps(body).replace(MARK, raw, 1)


class Probe:
    """Sends raw bodies as the given user and collects every answer that breaks the rules."""

    def __init__(self, user, method: str, url: str) -> None:
        self.client = APIClient()
        self.client.force_authenticate(user)
        self.method = method
        self.url = url
        self.failures: list[str] = []
        self.sent = 0
        self.statuses: dict[int, int] = {}

    def send(self, label: str, body: str | bytes, *, must_refuse: bool) -> int | None:
        self.sent += 1
        # The token endpoint is throttled; the fuzz is about input, not rate.
        cache.clear()
        data = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
        try:
            with transaction.atomic():
                response = self.client.generic(
                    self.method, self.url, data=data, content_type="application/json"
                )
                transaction.set_rollback(True)
        except Exception:
            self.failures.append(
                f"{self.method} {self.url} [{label}] raised:\n{traceback.format_exc()}"
            )
            return None
        status = response.status_code
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 500:
            self.failures.append(f"{self.method} {self.url} [{label}] -> {status}")
        elif must_refuse and not 400 <= status < 500:
            self.failures.append(
                f"{self.method} {self.url} [{label}] -> {status}, expected a 4xx refusal: "
                f"{response.content[:300]!r}"
            )
        elif 400 <= status < 500 and response.get("Content-Type", "").startswith("text/html"):
            self.failures.append(f"{self.method} {self.url} [{label}] -> HTML {status}")
        return status


@pytest.fixture
def world(shared_world, db):
    return shared_world


def test_every_write_endpoint_has_a_valid_body(world):
    """A new write endpoint without a body here would escape the fuzz below."""
    known = set(world.valid_bodies())
    assert sorted({(m, p) for m, p, _ in OPERATIONS} - known) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [(m, p) for m, p, _ in OPERATIONS],
    ids=[f"{m} {p}" for m, p, _ in OPERATIONS],
)
def test_hostile_json_is_refused_never_a_server_error(world, method, path):
    operation = next(op for m, p, op in OPERATIONS if (m, p) == (method, path))
    probe = Probe(world.superuser, method, world.url(path))
    valid = world.valid_bodies()[(method, path)]

    baseline = probe.send("valid body", json.dumps(valid), must_refuse=False)
    # A refused valid body would make every refusal below meaningless.
    assert baseline in (200, 201, 204, 409), f"valid body for {method} {path}: {baseline}"
    for label, body in NOT_AN_OBJECT.items():
        probe.send(f"body: {label}", body, must_refuse=True)
    for field in body_properties(operation):
        for label, raw in FIELD_VALUES.items():
            probe.send(
                f"{field}: {label}",
                with_field(valid, field, raw),
                must_refuse=label in ALWAYS_INVALID,
            )
    # Prototype-pollution style keys are just unknown fields here: ignored, never a 500.
    probe.send(
        "unknown field", json.dumps({**valid, "__proto__": {"admin": True}}), must_refuse=False
    )

    assert probe.failures == [], "\n".join(probe.failures)
