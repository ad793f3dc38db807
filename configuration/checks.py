"""The built-in checks a configuration goes through before it is published.

Pure, like the snapshot they read: ``run_builtin_checks`` takes a snapshot and gives one
result per check of ``BUILTIN_CHECKS``, in that order. A result says in one sentence what is
wrong (or that all is well) and names each place that fails. The input was validated field
by field when it was saved (``agents.validation``: generic ranges); these checks judge the
configuration as a whole: instructions against the model's context, settings against the
model, tools against their actions, a public agent against its guardrails, and everything
against secrets pasted in. No finding quotes a secret, nor a name that holds one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from configuration.labels import SHAREPOINT_LABEL, quoted
from configuration.secrets import field_secret_kind, find_secrets
from configuration.snapshot import Snapshot

BUILTIN_CHECKS: dict[str, str] = {
    "instructions": "Instructions present and within limits",
    "model_config": "Model settings valid for the model",
    "tool_actions": "Every enabled tool has an enabled action",
    "public_guardrail": "A public agent has a guardrail turned on",
    "no_secrets": "No secrets in instructions or settings",
}

# agents.models.INSTRUCTION_CONTENT_MAX_LENGTH, which this package cannot import; a test
# holds the two equal. A snapshot restored from an old publish may predate that limit.
INSTRUCTION_MAX_CHARACTERS = 100_000
# About 50,000 tokens: two fifths of gpt-4o's context, the rest left to the conversation and
# to the knowledge retrieved for it. Two instructions at their own maximum reach it.
INSTRUCTIONS_MAX_TOTAL_CHARACTERS = 200_000
# The usual rough figure for English text with these models' tokenizers.
CHARACTERS_PER_TOKEN = 4


@dataclass(frozen=True)
class ModelLimits:
    context_window: int  # tokens in and out together
    max_output_tokens: int
    # Takes ``reasoning_effort`` and refuses sampling settings (OpenAI's o-series, gpt-5).
    # Claude's extended thinking is a token budget this configuration has no setting for,
    # and those models keep their sampling settings: they are not reasoning models here.
    reasoning: bool


# The providers' published limits. A model not here passes on the generic ranges alone.
KNOWN_MODELS: dict[str, ModelLimits] = {
    "gpt-3.5-turbo": ModelLimits(16_385, 4_096, reasoning=False),
    "gpt-4-turbo": ModelLimits(128_000, 4_096, reasoning=False),
    "gpt-4o": ModelLimits(128_000, 16_384, reasoning=False),
    "gpt-4o-mini": ModelLimits(128_000, 16_384, reasoning=False),
    "gpt-4.1": ModelLimits(1_047_576, 32_768, reasoning=False),
    "gpt-4.1-mini": ModelLimits(1_047_576, 32_768, reasoning=False),
    "gpt-4.1-nano": ModelLimits(1_047_576, 32_768, reasoning=False),
    "gpt-5": ModelLimits(400_000, 128_000, reasoning=True),
    "gpt-5-mini": ModelLimits(400_000, 128_000, reasoning=True),
    "o1": ModelLimits(200_000, 100_000, reasoning=True),
    "o3": ModelLimits(200_000, 100_000, reasoning=True),
    "o3-mini": ModelLimits(200_000, 100_000, reasoning=True),
    "o4-mini": ModelLimits(200_000, 100_000, reasoning=True),
    "claude-3-5-haiku": ModelLimits(200_000, 8_192, reasoning=False),
    "claude-3-5-sonnet": ModelLimits(200_000, 8_192, reasoning=False),
    "claude-3-7-sonnet": ModelLimits(200_000, 64_000, reasoning=False),
    "claude-sonnet-4": ModelLimits(200_000, 64_000, reasoning=False),
    "claude-opus-4": ModelLimits(200_000, 32_000, reasoning=False),
}
# Sampling settings a reasoning model does not take, with the value that means "not set".
REASONING_REFUSES = {"temperature": 1, "top_p": 1, "frequency_penalty": 0, "presence_penalty": 0}
# A dated snapshot of a model ("gpt-4o-2024-08-06", "claude-3-5-sonnet-20241022") or its
# alias ("claude-3-7-sonnet-latest") has the limits of the model.
_VARIANT = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest)")


def known_model(name: str) -> ModelLimits | None:
    """The limits of a model named exactly (in any case) or as a dated variant."""
    name = name.strip().lower()
    if name in KNOWN_MODELS:
        return KNOWN_MODELS[name]
    for known, limits in KNOWN_MODELS.items():
        if name.startswith(known) and _VARIANT.fullmatch(name, len(known)):
            return limits
    return None


@dataclass(frozen=True)
class BuiltinCheckResult:
    name: str
    label: str
    passed: bool
    detail: str
    findings: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "passed": self.passed,
            "detail": self.detail,
            "findings": list(self.findings),
        }


def _result(name: str, detail: str, findings: list[str] | None = None) -> BuiltinCheckResult:
    """Passed exactly when nothing was found."""
    found = tuple(dict.fromkeys(findings or ()))
    return BuiltinCheckResult(name, BUILTIN_CHECKS[name], not found, detail, found)


def _verdict(name: str, problems: list[tuple[str, str]], fine: str) -> BuiltinCheckResult:
    """From (sentence, finding) pairs: the first sentence and how many more, or ``fine``."""
    if not problems:
        return _result(name, fine)
    detail, others = problems[0][0], len(problems) - 1
    if others:
        detail = f"{detail[:-1]}, and {others} more problem{'s' if others > 1 else ''}."
    return _result(name, detail, [finding for _, finding in problems])


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _named(noun: str, name: Any, identity: Any) -> str:
    """``Tool “CRM”``, or ``Tool #3`` when the name is blank or would quote a secret."""
    name = _text(name).strip()
    if name and not find_secrets(name):
        return f"{noun} {quoted(name)}"
    return f"{noun} #{identity}"


def _model(snapshot: Snapshot) -> tuple[dict[str, Any], str]:
    config = _dict(_dict(snapshot.get("settings")).get("model_config"))
    return config, _text(config.get("model")).strip()


def _model_name(model: str) -> str:
    # Only an unknown model's name can hold a secret; the secrets check reports it.
    return "This model" if find_secrets(model) else quoted(model)


# --- instructions -------------------------------------------------------------------------


def check_instructions(snapshot: Snapshot) -> BuiltinCheckResult:
    items = _list(snapshot.get("instructions"))
    contents = [_text(item.get("content")) for item in items]
    if not any(content.strip() for content in contents):
        return _result(
            "instructions",
            "No instruction has any content.",
            ["Instructions: none has any content"],
        )
    problems: list[tuple[str, str]] = []
    for item, content in zip(items, contents, strict=True):
        if len(content) > INSTRUCTION_MAX_CHARACTERS:
            place = _named("Instruction", item.get("title"), item.get("id"))
            size = f"{len(content):,} characters, over the limit of {INSTRUCTION_MAX_CHARACTERS:,}"
            problems.append((f"{place} has {size}.", f"{place}: {size}"))
    total = sum(map(len, contents))
    if total > INSTRUCTIONS_MAX_TOTAL_CHARACTERS:
        size = (
            f"{total:,} characters in all, over the limit of {INSTRUCTIONS_MAX_TOTAL_CHARACTERS:,}"
        )
        problems.append((f"The instructions have {size}.", f"Instructions: {size}"))
    tokens = math.ceil(total / CHARACTERS_PER_TOKEN)
    config, model = _model(snapshot)
    limits = known_model(model)
    output = _count(config.get("max_tokens")) or 0
    if limits and tokens + output > limits.context_window:
        words = (
            f"about {tokens:,} tokens of instructions plus max_tokens {output:,} are more than "
            f"{quoted(model)} can hold ({limits.context_window:,} tokens)"
        )
        problems.append(
            (f"The instructions do not fit the model: {words}.", f"Instructions: {words}")
        )
    count = sum(1 for content in contents if content.strip())
    return _verdict(
        "instructions",
        problems,
        f"{count} instruction{'s' if count > 1 else ''} with {total:,} characters "
        f"(about {tokens:,} tokens), within the limits.",
    )


# --- model settings -----------------------------------------------------------------------


def check_model_config(snapshot: Snapshot) -> BuiltinCheckResult:
    config, model = _model(snapshot)
    if not model:
        return _result("model_config", "No model is set.", ["Model configuration: no model set"])
    limits = known_model(model)
    if limits is None:
        return _result(
            "model_config",
            f"{_model_name(model)} is not a model this check knows, so only the generic ranges "
            "were checked.",
        )
    name = quoted(model)
    problems: list[tuple[str, str]] = []
    output = _count(config.get("max_tokens"))
    if output is not None and output > limits.max_output_tokens:
        words = f"{output:,} is more than {name} can write ({limits.max_output_tokens:,} tokens)"
        problems.append((f"max_tokens {words}.", f"Model configuration: max_tokens: {words}"))
    if limits.reasoning:
        for key, default in REASONING_REFUSES.items():
            if key in config and config[key] is not None and config[key] != default:
                words = f"{name} is a reasoning model and does not take"
                problems.append((f"{words} {key}.", f"Model configuration: {key}: {words} it"))
    elif config.get("reasoning_effort") is not None:
        words = f"{name} is not a reasoning model"
        problems.append(
            (
                f"{words}: reasoning_effort does not apply.",
                f"Model configuration: reasoning_effort: {words}",
            )
        )
    return _verdict("model_config", problems, f"The settings fit {name}.")


# --- tools --------------------------------------------------------------------------------


def check_tool_actions(snapshot: Snapshot) -> BuiltinCheckResult:
    enabled = [tool for tool in _list(snapshot.get("tools")) if tool.get("enabled") is True]
    idle = [
        _named("Tool", tool.get("name"), tool.get("tool_id"))
        for tool in enabled
        if not any(action.get("enabled") is True for action in _list(tool.get("actions")))
    ]
    if len(idle) == 1:
        detail = f"{idle[0]} is enabled, but none of its actions is."
    elif idle:
        detail = f"{len(idle)} enabled tools have no enabled action."
    elif enabled:
        detail = "Every enabled tool has an enabled action."
    else:
        detail = "No tool is enabled."
    return _result("tool_actions", detail, [f"{tool}: no enabled action" for tool in idle])


# --- guardrails ---------------------------------------------------------------------------


def check_public_guardrail(snapshot: Snapshot) -> BuiltinCheckResult:
    access = _text(_dict(snapshot.get("settings")).get("access_level"))
    if access != "public":
        return _result("public_guardrail", "The agent is not public; no guardrail is required.")
    guardrails = _list(snapshot.get("guardrails"))
    on = sum(1 for g in guardrails if g.get("enabled") is True)
    if on:
        return _result(
            "public_guardrail",
            f"The agent is public and {on} guardrail{'s are' if on > 1 else ' is'} on.",
        )
    findings = [
        f"{_named('Guardrail', g.get('name'), g.get('guardrail_id'))}: turned off"
        for g in guardrails
    ]
    return _result(
        "public_guardrail",
        "The agent is public and no guardrail is turned on.",
        findings or ["Guardrails: none added"],
    )


# --- secrets ------------------------------------------------------------------------------


def _a(kind: str) -> str:
    return f"{'an' if kind[:1] in 'AEIOaeio' else 'a'} {kind}"


def _in_text(place: str, text: str) -> Iterator[str]:
    """Findings in one text; the line is named only where there is more than one."""
    lines = "\n" in text
    for found in find_secrets(text):
        where = f"{place}, line {found.line}" if lines else place
        yield f"{where}: looks like {_a(found.kind)}"


def _in_json(value: Any, place: Callable[[str], str]) -> Iterator[str]:
    """Findings in every string of a JSON value (keys too), placed by their path.

    A string under a key named like a secret is one even when no pattern knows it
    (``field_secret_kind``). Walks iteratively, in document order, so depth costs no stack.
    """
    stack: list[tuple[str, str, Any]] = [("", "", value)]
    while stack:
        path, key, item = stack.pop()
        if isinstance(item, str):
            found = list(_in_text(place(path), item))
            kind = None if found else field_secret_kind(key, item)
            yield from found or ([f"{place(path)}: looks like {_a(kind)}"] if kind else [])
        elif isinstance(item, dict):
            children = []
            for name, child in item.items():
                name = str(name)
                in_name = find_secrets(name)
                if in_name:
                    yield from (f"{place(path)}: a key looks like {_a(f.kind)}" for f in in_name)
                    name = "\u2026"  # never in a path: it would quote the secret
                children.append((f"{path}.{name}" if path else name, name, child))
            stack.extend(reversed(children))
        elif isinstance(item, list):
            stack.extend(reversed([(f"{path}[{i}]", key, c) for i, c in enumerate(item)]))


def _under(owner: str, noun: str) -> Callable[[str], str]:
    return lambda path: f"{owner}: {noun} {quoted(path)}" if path else owner


_SHAREPOINT_FIELDS = {"site_url": "site URL", "folder_path": "folder path"}


def _secret_places(snapshot: Snapshot) -> Iterator[str]:
    settings = _dict(snapshot.get("settings"))
    yield from _in_text("Name", _text(settings.get("name")))
    yield from _in_text("Description", _text(settings.get("description")))
    tags = settings.get("tags")
    for tag in tags if isinstance(tags, list) else []:
        yield from _in_text("Tags", _text(tag))
    for item in _list(snapshot.get("instructions")):
        place = _named("Instruction", item.get("title"), item.get("id"))
        yield from _in_text(f"{place}: title", _text(item.get("title")))
        yield from _in_text(place, _text(item.get("content")))
    yield from _in_json(
        settings.get("model_config"),
        lambda path: f"Model configuration: {path}" if path else "Model configuration",
    )
    knowledge = _dict(snapshot.get("knowledge_sources"))
    for corpus in _list(knowledge.get("corpora")):
        owner = _named("Knowledge source", corpus.get("name"), corpus.get("corpus_id"))
        yield from _in_json(corpus.get("settings"), _under(owner, "setting"))
    yield from _in_json(
        knowledge.get("sharepoint"),
        lambda path: (
            f"{SHAREPOINT_LABEL}: {_SHAREPOINT_FIELDS.get(path, path)}"
            if path
            else SHAREPOINT_LABEL
        ),
    )
    for tool in _list(snapshot.get("tools")):
        owner = _named("Tool", tool.get("name"), tool.get("tool_id"))
        for action in _list(tool.get("actions")):
            action_owner = _named(f"{owner}: action", action.get("name"), action.get("action_id"))
            yield from _in_json(action.get("config"), _under(action_owner, "config"))
    for guardrail in _list(snapshot.get("guardrails")):
        owner = _named("Guardrail", guardrail.get("name"), guardrail.get("guardrail_id"))
        yield from _in_json(guardrail.get("settings"), _under(owner, "setting"))


def check_no_secrets(snapshot: Snapshot) -> BuiltinCheckResult:
    findings = list(dict.fromkeys(_secret_places(snapshot)))
    if not findings:
        return _result("no_secrets", "No secrets found in the instructions or settings.")
    count = len(findings)
    detail = (
        "1 place looks like it holds a secret; remove it before publishing."
        if count == 1
        else f"{count} places look like they hold secrets; remove them before publishing."
    )
    return _result("no_secrets", detail, findings)


_CHECKS: dict[str, Callable[[Snapshot], BuiltinCheckResult]] = {
    "instructions": check_instructions,
    "model_config": check_model_config,
    "tool_actions": check_tool_actions,
    "public_guardrail": check_public_guardrail,
    "no_secrets": check_no_secrets,
}


def run_builtin_checks(snapshot: Snapshot) -> tuple[BuiltinCheckResult, ...]:
    """One result per check of ``BUILTIN_CHECKS``, in its order."""
    return tuple(_CHECKS[name](snapshot) for name in BUILTIN_CHECKS)
