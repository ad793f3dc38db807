"""What ``/api/schema/`` says of the review workflow: every reviews operation with examples
that fit its own schema, and the publish API's policy refusals, break glass and gate."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from tests.publishing.conftest import _definitions, _json_schema, api_schema

A = "/api/v2/agents/{agent_id}"
REVIEWS = [
    ("get", A + "/publish-policy"),
    ("put", A + "/publish-policy"),
    ("patch", A + "/publish-policy"),
    ("get", A + "/publish-policy/changes"),
    ("get", A + "/readiness"),
    ("get", A + "/review-requests"),
    ("post", A + "/review-requests"),
    ("get", A + "/review-requests/{request_id}"),
    ("post", A + "/review-requests/{request_id}/withdraw"),
    ("get", A + "/verdicts"),
    ("post", A + "/verdicts"),
    ("get", A + "/checks"),
    ("post", A + "/checks"),
]


def operation(method: str, path: str) -> dict[str, Any]:
    return api_schema()["paths"][path][method]


def assert_fits(value: Any, schema: dict[str, Any], where: str) -> None:
    validator = jsonschema.Draft202012Validator(
        {**_json_schema(schema), "$defs": _definitions()},
        format_checker=jsonschema.FormatChecker(),
    )
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(value)]
    assert errors == [], where


def test_the_reviews_tag_has_exactly_these_operations():
    tagged = {
        (method, path)
        for path, operations in api_schema()["paths"].items()
        for method, op in operations.items()
        if "reviews" in op.get("tags", ())
    }
    assert tagged == set(REVIEWS)


@pytest.mark.parametrize(("method", "path"), REVIEWS)
def test_every_success_answer_has_an_example_that_fits_it(method, path):
    op = operation(method, path)
    [ok] = [status for status in op["responses"] if status.startswith("2")]
    content = op["responses"][ok]["content"]["application/json"]
    assert content.get("examples"), f"{method.upper()} {path} has no example"
    for name, example in content["examples"].items():
        assert_fits(example["value"], content["schema"], f"{method} {path} {name}")


WITH_A_BODY = [(m, p) for m, p in REVIEWS if m != "get" and not p.endswith("/withdraw")]


@pytest.mark.parametrize(("method", "path"), WITH_A_BODY)
def test_every_body_has_an_example_that_fits_it(method, path):
    op = operation(method, path)
    content = op["requestBody"]["content"]["application/json"]
    assert content.get("examples"), f"{method.upper()} {path} has no request example"
    for name, example in content["examples"].items():
        assert_fits(example["value"], content["schema"], f"{method} {path} {name}")


@pytest.mark.parametrize(("method", "path"), REVIEWS)
def test_every_reviews_operation_documents_its_refusals(method, path):
    responses = set(operation(method, path)["responses"])
    assert {"401", "403", "404"} <= responses
    if method != "get":
        assert "400" in responses or path.endswith("/withdraw")


def test_the_publish_409_documents_the_policy_refusals():
    schema = api_schema()
    conflict = operation("post", A + "/publish")["responses"]["409"]["content"]
    name = conflict["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    body = schema["components"]["schemas"][name]
    code = schema["components"]["schemas"][body["properties"]["code"]["$ref"].rsplit("/", 1)[-1]]
    assert {"approval_required", "checks_not_passed"} <= set(code["enum"])
    assert {
        "has_changes",
        "code",
        "detail",
        "fingerprint",
        "blockers",
        "required_approvals",
        "approvals",
        "checks",
    } <= set(body["properties"])


def test_the_publish_takes_a_break_glass_reason_and_documents_its_403():
    op = operation("post", A + "/publish")
    body = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    reason = api_schema()["components"]["schemas"][body]["properties"]["break_glass_reason"]
    assert (reason["type"], reason["maxLength"]) == ("string", 1000)
    assert "403" in op["responses"]
    assert "break_glass_reason" in op["description"]


def test_publish_records_document_gate_and_broke_glass():
    components = api_schema()["components"]["schemas"]
    assert "broke_glass" in components["PublishRecord"]["properties"]
    assert "gate" not in components["PublishRecord"]["properties"]
    assert {"broke_glass", "gate"} <= set(components["PublishRecordDetail"]["properties"])
    parameters = operation("get", A + "/publishes")["parameters"]
    [broke_glass] = [p for p in parameters if p["name"] == "broke_glass"]
    assert broke_glass["schema"] == {"type": "boolean"}
