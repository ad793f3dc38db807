"""A document's values are held to the edit validators; whatever is put anywhere in a valid
document, the answer is the cleaned document or a ValidationError by path - never another
exception (hypothesis)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.document_checks import checked_document

VALID: dict[str, Any] = {
    "schema_version": 1,
    "origin": {"agent_id": 3, "source": "production", "change_track_id": None},
    "settings": {
        "name": "Support bot",
        "description": "",
        "model_config": {"model": "gpt-4o", "temperature": 0.3},
        "access_level": "private",
        "tags": ["faq"],
    },
    "instructions": [{"title": "Tone", "content": "Be kind."}],
    "knowledge_sources": {
        "corpora": [{"corpus": "Handbook", "enabled": True, "settings": {"top_k": 3}}],
        "sharepoint": {"site_url": "https://contoso.sharepoint.com/s", "folder_path": "/FAQ"},
    },
    "tools": [
        {
            "tool": "CRM",
            "enabled": True,
            "actions": [{"action": "search", "enabled": True, "config": {}}],
        }
    ],
    "guardrails": [{"guardrail": "PII", "enabled": False, "settings": {}}],
    "components": {
        "corpora": [{"name": "Handbook", "description": "FAQ"}],
        "tools": [
            {
                "name": "CRM",
                "kind": "api",
                "description": "",
                "actions": [{"name": "search", "config": {"a": 1}}],
            }
        ],
        "guardrails": [{"name": "PII", "type": "pii", "config": {}}],
    },
}


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


PATHS = paths(VALID)[1:]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def test_the_valid_document_passes_cleaned():
    cleaned = checked_document(VALID)
    assert cleaned["settings"]["model_config"] == {"model": "gpt-4o", "temperature": 0.3}
    assert cleaned is not VALID


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(where=st.sampled_from(PATHS), value=json_values)
def test_any_value_anywhere_is_cleaned_or_refused_by_path(where, value):
    document = copy.deepcopy(VALID)
    holder = document
    for step in where[:-1]:
        holder = holder[step]
    holder[where[-1]] = value
    try:
        checked_document(document)
    except ValidationError as exc:
        assert exc.message_dict
        assert all(isinstance(m, str) for ms in exc.message_dict.values() for m in ms)


# A name the catalogue would store otherwise (here without its padding) never matches.
PADDED = [(("tools", 0, "tool"), " CRM"), (("components", "tools", 0, "name"), " CRM")]


@pytest.mark.parametrize(
    ("edits", "path"),
    [
        (PADDED, "components.tools[0].name"),
        ([(("settings", "name"), "")], "settings.name"),
        ([(("instructions", 0, "content"), "x" * 100_001)], "instructions[0].content"),
        ([(("tools", 0, "actions", 0, "config"), {"k": "\x00"})], "tools[0].actions[0].config"),
    ],
)
def test_a_value_the_edits_refuse_is_refused_here(edits, path):
    document = copy.deepcopy(VALID)
    for where, value in edits:
        holder = document
        for step in where[:-1]:
            holder = holder[step]
        holder[where[-1]] = value
    with pytest.raises(ValidationError) as error:
        checked_document(document)
    assert path in error.value.message_dict
