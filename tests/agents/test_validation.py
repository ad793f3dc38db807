"""agents.validation (the shared value checks) and the strict request fields of the API."""

from __future__ import annotations

import math

import pytest
from django.core.exceptions import ValidationError
from rest_framework import serializers as drf

from agents import serializers as s
from agents import validation

# --- model configuration ---------------------------------------------------------------------


def test_model_config_is_cleaned_and_sorted():
    cleaned = validation.clean_model_config(
        {"temperature": 1, "model": " gpt-4o ", "stop": ["END"], "reasoning_effort": "low"}
    )
    assert list(cleaned) == ["model", "reasoning_effort", "stop", "temperature"]
    assert cleaned["model"] == "gpt-4o"


@pytest.mark.parametrize(
    "config",
    [
        {"temperature": 2.5},
        {"temperature": True},
        {"temperature": math.nan},
        {"temperature": math.inf},
        {"top_p": -0.1},
        {"max_tokens": 1.5},
        {"max_tokens": 0},
        {"seed": -1},
        {"stop": "END"},
        {"stop": [""]},
        {"model": "   "},
        {"model": "m" * 101},
        {"reasoning_effort": "max"},
        {"colour": "blue"},
    ],
)
def test_model_config_refuses_bad_values_naming_the_key(config):
    with pytest.raises(ValidationError) as error:
        validation.clean_model_config(config)
    (message,) = error.value.message_dict["model_config"]
    assert message.startswith(next(iter(config)))


def test_model_config_must_be_an_object():
    with pytest.raises(ValidationError):
        validation.clean_model_config(["model"])


def test_corpus_settings():
    assert validation.clean_corpus_settings({"top_k": 3, "citations": True}) == {
        "citations": True,
        "top_k": 3,
    }
    with pytest.raises(ValidationError):
        validation.clean_corpus_settings({"top_k": 101})
    with pytest.raises(ValidationError):
        validation.clean_corpus_settings({"citations": 1})


# --- free-form JSON, tags, text, access, SharePoint ------------------------------------------


def test_json_object_is_bounded_in_size_and_depth():
    assert validation.clean_json_object(None, "config") == {}
    assert validation.clean_json_object({"a": [1, {"b": 2}]}, "config") == {"a": [1, {"b": 2}]}
    with pytest.raises(ValidationError):
        validation.clean_json_object({"big": "x" * validation.MAX_JSON_BYTES}, "config")
    with pytest.raises(ValidationError):
        validation.clean_json_object({"a": {"b": {"c": {"d": {"e": {"f": {"g": 1}}}}}}}, "config")
    with pytest.raises(ValidationError):
        validation.clean_json_object({"n": math.nan}, "config")
    with pytest.raises(ValidationError):
        validation.clean_json_object([1], "config")


def test_tags_are_stripped_deduplicated_and_sorted():
    assert validation.clean_tags([" b", "a ", "b"]) == ["a", "b"]


@pytest.mark.parametrize("tags", ["a,b", [1], ["  "], ["t" * 51], ["t"] * 51, None])
def test_tags_refused(tags):
    with pytest.raises(ValidationError):
        validation.clean_tags(tags)


@pytest.mark.parametrize(
    ("value", "required"),
    [(1, True), ("", True), ("   ", True), ("a\x00b", False), ("x" * 11, False)],
)
def test_clean_text_refusals(value, required):
    with pytest.raises(ValidationError) as error:
        validation.clean_text(value, "name", max_length=10, required=required)
    assert "name" in error.value.message_dict


def test_clean_text_strips_required_text_only():
    assert validation.clean_text("  a  ", "name", max_length=10) == "a"
    assert validation.clean_text("  a  ", "name", max_length=10, required=False) == "  a  "


def test_access_level():
    assert validation.clean_access_level("public") == "public"
    with pytest.raises(ValidationError):
        validation.clean_access_level("Public")


def test_sharepoint_needs_https_and_a_path():
    assert validation.clean_sharepoint("https://x.sharepoint.com/s", "/D") == (
        "https://x.sharepoint.com/s",
        "/D",
    )
    with pytest.raises(ValidationError) as error:
        validation.clean_sharepoint("ftp://x", "")
    assert set(error.value.message_dict) == {"site_url", "folder_path"}


# --- strict request fields -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        (s.StrictCharField(), "x", [1, 1.5, True, None, ["x"]]),
        (s.StrictIntegerField(), 3, ["3", 3.0, True, None]),
        (s.IdField(), 1, [0, -1, s.ID_MAX + 1, "1"]),
        (s.StrictNumberField(), 0.5, ["0.5", True, math.inf, math.nan]),
        (s.StrictBooleanField(), False, ["true", 1, 0, "yes", None]),
        (s.JSONObjectField(), {"a": [1, "b"]}, [[1], "x", {"k": "\x00"}, {"\ud800": 1}]),
    ],
)
def test_strict_fields_take_only_their_json_type(field, good, bad):
    assert field.run_validation(good) == good
    for value in bad:
        with pytest.raises(drf.ValidationError):
            field.run_validation(value)


def test_json_object_field_bounds_nesting_before_recursing_deeply():
    deep: dict = {}
    node = deep
    for _ in range(s.MAX_JSON_NESTING + 2):
        node["n"] = {}
        node = node["n"]
    with pytest.raises(drf.ValidationError):
        s.JSONObjectField().run_validation(deep)


def test_json_object_field_refuses_non_finite_numbers_anywhere():
    with pytest.raises(drf.ValidationError):
        s.JSONObjectField().run_validation({"list": [1, math.inf]})


def test_connection_serializer_knows_exactly_the_services_settings():
    assert set(s.CorpusSettingsSerializer().fields) == set(validation.CORPUS_SETTINGS_FIELDS)
    assert set(s.CORPUS_SETTING_KEYS) == set(validation.CORPUS_SETTINGS_FIELDS)


def test_model_config_schema_lists_exactly_the_services_keys():
    assert set(s.MODEL_CONFIG_SCHEMA["properties"]) == set(validation.MODEL_CONFIG_FIELDS)


def test_connection_update_gives_settings_only_when_some_are_given():
    serializer = s.CorpusConnectionUpdateSerializer(data={"enabled": False})
    assert serializer.is_valid()
    assert serializer.settings_given() is None
    serializer = s.CorpusConnectionUpdateSerializer(data={"top_k": 2, "enabled": True})
    assert serializer.is_valid()
    assert serializer.settings_given() == {"top_k": 2}
