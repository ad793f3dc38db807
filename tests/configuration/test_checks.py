"""The built-in pre-publish checks: each passes and fails on minimal snapshots."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.models import INSTRUCTION_CONTENT_MAX_LENGTH
from agents.validation import MODEL_CONFIG_FIELDS
from configuration.checks import (
    BUILTIN_CHECKS,
    INSTRUCTION_MAX_CHARACTERS,
    INSTRUCTIONS_MAX_TOTAL_CHARACTERS,
    KNOWN_MODELS,
    BuiltinCheckResult,
    known_model,
    run_builtin_checks,
)
from configuration.snapshot import empty_snapshot
from tests.configuration.secret_corpus import LEAKS, fake
from tests.publishing.strategies import PROPERTY, long_texts, snapshots


def snapshot(
    *,
    model_config: dict[str, Any] | None = None,
    contents: list[str] | None = None,
    access_level: str = "private",
    **sections: Any,
) -> dict[str, Any]:
    s = empty_snapshot(name="Support bot")
    s["settings"]["model_config"] = {"model": "gpt-4o"} if model_config is None else model_config
    s["settings"]["access_level"] = access_level
    s["instructions"] = [
        {"id": i + 1, "title": f"Part {i + 1}", "content": c, "position": i}
        for i, c in enumerate(["Be kind."] if contents is None else contents)
    ]
    s.update(sections)
    return s


def check(name: str, s: dict[str, Any]) -> BuiltinCheckResult:
    return next(result for result in run_builtin_checks(s) if result.name == name)


def tool(tool_id: int, name: str, enabled: bool, *actions: bool, config=None) -> dict:
    return {
        "tool_id": tool_id,
        "name": name,
        "kind": "http",
        "enabled": enabled,
        "actions": [
            {"action_id": tool_id * 10 + i, "name": f"a{i}", "enabled": on, "config": config or {}}
            for i, on in enumerate(actions, start=1)
        ],
    }


def guardrail(guardrail_id: int, name: str, enabled: bool, settings=None) -> dict:
    return {
        "guardrail_id": guardrail_id,
        "name": name,
        "type": "pii",
        "enabled": enabled,
        "settings": settings or {},
    }


# --- the interface ------------------------------------------------------------------------


def test_the_checks_and_their_labels() -> None:
    assert BUILTIN_CHECKS == {
        "instructions": "Instructions present and within limits",
        "model_config": "Model settings valid for the model",
        "tool_actions": "Every enabled tool has an enabled action",
        "public_guardrail": "A public agent has a guardrail turned on",
        "no_secrets": "No secrets in instructions or settings",
    }


def test_one_result_per_check_in_order_and_all_pass_on_a_sound_snapshot() -> None:
    results = run_builtin_checks(snapshot())
    assert [(r.name, r.label) for r in results] == list(BUILTIN_CHECKS.items())
    assert [r.passed for r in results] == [True] * 5
    assert all(r.findings == () and r.detail.endswith(".") for r in results)


def test_as_dict() -> None:
    result = check("tool_actions", snapshot(tools=[tool(1, "CRM", True, False)]))
    assert result.as_dict() == {
        "name": "tool_actions",
        "label": "Every enabled tool has an enabled action",
        "passed": False,
        "detail": "Tool \u201cCRM\u201d is enabled, but none of its actions is.",
        "findings": ["Tool \u201cCRM\u201d: no enabled action"],
    }
    json.dumps(result.as_dict())


def test_the_limit_mirrors_the_instruction_model() -> None:
    assert INSTRUCTION_MAX_CHARACTERS == INSTRUCTION_CONTENT_MAX_LENGTH


# --- instructions -------------------------------------------------------------------------


@pytest.mark.parametrize("contents", [[], [""], [" \n\t", ""]])
def test_instructions_fail_without_content(contents: list[str]) -> None:
    result = check("instructions", snapshot(contents=contents))
    assert not result.passed
    assert result.detail == "No instruction has any content."
    assert result.findings == ("Instructions: none has any content",)


def test_instructions_pass_with_one_instruction_of_content_among_blank_ones() -> None:
    result = check("instructions", snapshot(contents=["", "Be kind."]))
    assert result.passed
    assert result.detail == "1 instruction with 8 characters (about 2 tokens), within the limits."


def test_instructions_fail_over_the_total_limit_and_not_at_it() -> None:
    half = INSTRUCTIONS_MAX_TOTAL_CHARACTERS // 2
    config = {"model": "gpt-4.1"}  # a context that holds them
    assert check("instructions", snapshot(model_config=config, contents=["a" * half] * 2)).passed
    result = check("instructions", snapshot(model_config=config, contents=["a" * half] * 2 + ["b"]))
    assert not result.passed
    assert result.findings == (
        "Instructions: 200,001 characters in all, over the limit of 200,000",
    )


def test_an_instruction_over_its_own_limit_is_named() -> None:
    contents = ["a" * INSTRUCTION_MAX_CHARACTERS, "b" * (INSTRUCTION_MAX_CHARACTERS + 1)]
    result = check("instructions", snapshot(model_config={"model": "gpt-4.1"}, contents=contents))
    assert not result.passed
    assert (
        result.findings[0]
        == "Instruction \u201cPart 2\u201d: 100,001 characters, over the limit of 100,000"
    )
    assert result.detail.endswith(", and 1 more problem.")  # the total is over too


def test_instructions_and_max_tokens_must_fit_the_context_window() -> None:
    # gpt-3.5-turbo holds 16,385 tokens: 60,000 characters are about 15,000 of them.
    text = ["a" * 60_000]
    fits = snapshot(model_config={"model": "gpt-3.5-turbo", "max_tokens": 1_385}, contents=text)
    assert check("instructions", fits).passed
    over = snapshot(model_config={"model": "gpt-3.5-turbo", "max_tokens": 1_386}, contents=text)
    result = check("instructions", over)
    assert not result.passed
    assert result.findings == (
        "Instructions: about 15,000 tokens of instructions plus max_tokens 1,386 are more than "
        "\u201cgpt-3.5-turbo\u201d can hold (16,385 tokens)",
    )
    # Without max_tokens the instructions alone count; an unknown model has no window.
    alone = snapshot(model_config={"model": "gpt-3.5-turbo"}, contents=["a" * 65_541])
    assert not check("instructions", alone).passed
    assert check("instructions", snapshot(model_config={"model": "mine"}, contents=text)).passed


# --- model settings -----------------------------------------------------------------------


@pytest.mark.parametrize("config", [{}, {"model": ""}, {"model": "  "}, {"temperature": 0.2}])
def test_model_settings_fail_without_a_model(config: dict) -> None:
    result = check("model_config", snapshot(model_config=config))
    assert not result.passed
    assert result.findings == ("Model configuration: no model set",)


@pytest.mark.parametrize(
    ("name", "known"),
    [
        ("gpt-4o", "gpt-4o"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("GPT-4o", "gpt-4o"),
        ("o3-mini-2025-01-31", "o3-mini"),
        ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet"),
        ("claude-3-7-sonnet-latest", "claude-3-7-sonnet"),
        ("gpt-4o-custom", None),
        ("gpt-4o-2024-08", None),
        ("gpt-4", None),
        ("o3x", None),
        ("my-model", None),
    ],
)
def test_a_model_is_known_by_its_name_or_a_dated_variant(name: str, known: str | None) -> None:
    assert known_model(name) == (KNOWN_MODELS[known] if known else None)


def test_an_unknown_model_passes_on_the_generic_ranges() -> None:
    result = check("model_config", snapshot(model_config={"model": "acme-7b", "max_tokens": 10**6}))
    assert result.passed
    assert result.detail == (
        "\u201cacme-7b\u201d is not a model this check knows, so only the generic ranges were "
        "checked."
    )


def test_max_tokens_must_not_exceed_the_model_output() -> None:
    at = {"model": "gpt-4o-2024-08-06", "max_tokens": 16_384}
    assert check("model_config", snapshot(model_config=at)).passed
    result = check("model_config", snapshot(model_config={**at, "max_tokens": 16_385}))
    assert not result.passed
    assert result.findings == (
        "Model configuration: max_tokens: 16,385 is more than \u201cgpt-4o-2024-08-06\u201d can "
        "write (16,384 tokens)",
    )


@pytest.mark.parametrize(
    ("key", "value", "passes"),
    [
        ("temperature", 0.2, False),
        ("temperature", 1, True),
        ("top_p", 0.5, False),
        ("top_p", 1, True),
        ("frequency_penalty", 0.5, False),
        ("presence_penalty", -1, False),
        ("presence_penalty", 0, True),
        ("reasoning_effort", "high", True),
    ],
)
def test_a_reasoning_model_takes_no_sampling_settings(key: str, value: Any, passes: bool) -> None:
    result = check("model_config", snapshot(model_config={"model": "o3", key: value}))
    assert result.passed is passes
    if not passes:
        assert result.findings == (
            f"Model configuration: {key}: \u201co3\u201d is a reasoning model and does not take it",
        )


def test_reasoning_effort_needs_a_reasoning_model() -> None:
    result = check(
        "model_config", snapshot(model_config={"model": "gpt-4o", "reasoning_effort": "low"})
    )
    assert not result.passed
    assert result.findings == (
        "Model configuration: reasoning_effort: \u201cgpt-4o\u201d is not a reasoning model",
    )
    # Claude keeps its sampling settings.
    assert check(
        "model_config", snapshot(model_config={"model": "claude-sonnet-4", "temperature": 0.3})
    ).passed


def test_every_model_problem_is_a_finding() -> None:
    config = {"model": "o4-mini", "max_tokens": 100_001, "temperature": 0, "top_p": 0.9}
    result = check("model_config", snapshot(model_config=config))
    assert [f.split(":")[1].strip() for f in result.findings] == [
        "max_tokens",
        "temperature",
        "top_p",
    ]
    assert result.detail.endswith(", and 2 more problems.")


# --- tools --------------------------------------------------------------------------------


def test_tools_pass_when_every_enabled_tool_has_an_enabled_action() -> None:
    assert check("tool_actions", snapshot()).detail == "No tool is enabled."
    tools = [
        tool(1, "CRM", True, False, True),
        tool(2, "Mailer", False),
        tool(3, "Wiki", False, False),
    ]
    result = check("tool_actions", snapshot(tools=tools))
    assert result.passed
    assert result.detail == "Every enabled tool has an enabled action."


def test_each_enabled_tool_without_an_enabled_action_is_named() -> None:
    tools = [
        tool(1, "CRM", True, False, False),
        tool(2, "Mailer", True),
        tool(3, "Wiki", True, True),
    ]
    result = check("tool_actions", snapshot(tools=tools))
    assert not result.passed
    assert result.findings == (
        "Tool \u201cCRM\u201d: no enabled action",
        "Tool \u201cMailer\u201d: no enabled action",
    )
    assert result.detail == "2 enabled tools have no enabled action."


# --- guardrails ---------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["private", "project", "organization"])
def test_an_agent_that_is_not_public_needs_no_guardrail(level: str) -> None:
    assert check("public_guardrail", snapshot(access_level=level)).passed


def test_a_public_agent_needs_a_guardrail_turned_on() -> None:
    result = check("public_guardrail", snapshot(access_level="public"))
    assert not result.passed
    assert result.findings == ("Guardrails: none added",)
    off = [guardrail(1, "PII filter", False), guardrail(2, "Topic", False)]
    result = check("public_guardrail", snapshot(access_level="public", guardrails=off))
    assert not result.passed
    assert result.detail == "The agent is public and no guardrail is turned on."
    assert result.findings == (
        "Guardrail \u201cPII filter\u201d: turned off",
        "Guardrail \u201cTopic\u201d: turned off",
    )
    on = [*off, guardrail(3, "Tone", True)]
    assert check("public_guardrail", snapshot(access_level="public", guardrails=on)).passed


# --- secrets ------------------------------------------------------------------------------

KEY = "sk-" + fake("checks", 48)
OPENAI = "looks like an OpenAI API key"


def test_no_secrets_passes_on_plain_text_and_placeholders() -> None:
    s = snapshot(tools=[tool(1, "CRM", True, True, config={"api_key": "<your-key>", "token": ""})])
    result = check("no_secrets", s)
    assert result.passed
    assert result.detail == "No secrets found in the instructions or settings."


def test_each_place_a_secret_hides_is_named() -> None:
    s = snapshot(
        contents=[f"Be kind.\nNever say {KEY}."],
        tools=[tool(1, "CRM", True, True, config={"headers": {"X-Api-Key": "abc123"}})],
        guardrails=[guardrail(2, "PII", True, settings={"lists": [{"url": f"key={KEY}"}]})],
    )
    s["settings"]["description"] = f"Uses {KEY}"
    s["settings"]["tags"] = [KEY]
    s["settings"]["model_config"]["stop"] = ["\n\n", KEY]
    s["instructions"].append({"id": 7, "title": KEY, "content": "Hi.", "position": 1})
    s["knowledge_sources"] = {
        "corpora": [
            {
                "corpus_id": 4,
                "name": "Docs",
                "enabled": True,
                "settings": {"auth": {"password": "hunter22"}},
            }
        ],
        "sharepoint": {
            "site_url": f"https://bot:{fake('sp', 12)}@acme.sharepoint.com",
            "folder_path": "/",
        },
    }
    result = check("no_secrets", s)
    assert not result.passed
    assert result.findings == (
        f"Description: {OPENAI}",
        f"Tags: {OPENAI}",
        f"Instruction \u201cPart 1\u201d, line 2: {OPENAI}",
        f"Instruction #7: title: {OPENAI}",  # the title would quote the key
        f"Model configuration: stop[1]: {OPENAI}",
        "Knowledge source \u201cDocs\u201d: setting \u201cauth.password\u201d: looks like a "
        "password",
        "SharePoint folder: site URL: looks like a URL with credentials",
        "Tool \u201cCRM\u201d: action \u201ca1\u201d: config \u201cheaders.X-Api-Key\u201d: "
        "looks like a credential",
        f"Guardrail \u201cPII\u201d: setting \u201clists[0].url\u201d: {OPENAI}",
    )
    assert result.detail == "9 places look like they hold secrets; remove them before publishing."


def test_a_key_holding_a_secret_is_found_and_left_out_of_the_path() -> None:
    settings = {"allow": {KEY: {"password": "hunter22"}}}
    s = snapshot(guardrails=[guardrail(1, "PII", True, settings=settings)])
    assert check("no_secrets", s).findings == (
        f"Guardrail \u201cPII\u201d: setting \u201callow\u201d: a key {OPENAI}",
        "Guardrail \u201cPII\u201d: setting \u201callow.\u2026.password\u201d: looks like a "
        "password",
    )


def test_a_pattern_finding_stands_for_a_field_named_like_a_secret() -> None:
    s = snapshot(tools=[tool(1, "CRM", True, True, config={"api_key": KEY})])
    assert check("no_secrets", s).findings == (
        f"Tool \u201cCRM\u201d: action \u201ca1\u201d: config \u201capi_key\u201d: {OPENAI}",
    )
    assert check("no_secrets", s).detail == (
        "1 place looks like it holds a secret; remove it before publishing."
    )


@pytest.mark.parametrize("leak", LEAKS, ids=lambda leak: f"{leak.kind}:{leak.text[:24]}")
def test_no_result_quotes_a_secret(leak) -> None:
    # In every text, name and key the checks read or show.
    text = leak.text
    nested = {"a": [{"b": text}], text: {"c": text}}
    s = snapshot(
        model_config={"model": text, "stop": [text]},
        contents=[text],
        tools=[tool(1, text, True, False, config=nested)],
        guardrails=[guardrail(1, text, True, settings=nested)],
        knowledge_sources={
            "corpora": [{"corpus_id": 1, "name": text, "enabled": True, "settings": nested}],
            "sharepoint": {"site_url": text, "folder_path": "/"},
        },
    )
    s["settings"].update(name=text, description=text, tags=[text])
    s["instructions"][0]["title"] = text
    results = run_builtin_checks(s)
    assert not check("no_secrets", s).passed
    assert leak.secret not in json.dumps([r.as_dict() for r in results], ensure_ascii=False)


# --- never raises -------------------------------------------------------------------------

MODEL_NAMES = [*KNOWN_MODELS, "gpt-4o-2024-08-06", "o3-latest", "acme-7b", "", " "]
MODEL_KEYS = list(MODEL_CONFIG_FIELDS)
leaked = st.sampled_from([leak.text for leak in LEAKS])
texts = st.one_of(st.text(max_size=40), long_texts, leaked)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.one_of(st.text(max_size=12), st.sampled_from(["api_key", "password"])),
            inner,
            max_size=3,
        )
    ),
    max_leaves=8,
)


@st.composite
def checked_snapshots(draw: st.DrawFn) -> dict[str, Any]:
    """A well-shaped snapshot with anything in its free-form parts."""
    s = draw(snapshots())
    values = st.one_of(json_values, st.sampled_from(MODEL_NAMES), st.integers(-1, 2_000_000))
    s["settings"]["model_config"] = draw(
        st.dictionaries(st.sampled_from(MODEL_KEYS), values, max_size=6)
    )
    s["settings"]["description"] = draw(texts)
    for item in s["instructions"]:
        item["content"] = draw(texts)
    for corpus in s["knowledge_sources"]["corpora"]:
        corpus["settings"] = draw(st.dictionaries(st.text(max_size=8), json_values, max_size=3))
    for t in s["tools"]:
        for action in t["actions"]:
            action["config"] = draw(st.dictionaries(st.text(max_size=8), json_values, max_size=3))
    for g in s["guardrails"]:
        g["settings"] = draw(st.dictionaries(st.text(max_size=8), json_values, max_size=3))
    return s


@PROPERTY
@given(checked_snapshots())
def test_the_checks_never_raise_and_always_answer_in_shape(s: dict[str, Any]) -> None:
    results = run_builtin_checks(s)
    assert [r.name for r in results] == list(BUILTIN_CHECKS)
    for result in results:
        assert result.passed is (not result.findings)
        assert result.detail and all(isinstance(f, str) and f for f in result.findings)
    dumped = json.dumps([r.as_dict() for r in results], ensure_ascii=False)
    assert not any(leak.secret in dumped for leak in LEAKS)
