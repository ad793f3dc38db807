"""A configuration document's values, checked by the validators every edit uses.

``configuration.document.validate`` checks the document's shape; here each value is held to
the rules of ``agents.validation`` (a model configuration's keys, tags, a SharePoint URL, a
name's characters, bounded JSON), and every refusal is listed under its JSON path. What
passes comes back cleaned, as the edit services would store it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from agents import validation
from agents.models import (
    DESCRIPTION_MAX_LENGTH,
    INSTRUCTION_CONTENT_MAX_LENGTH,
    INSTRUCTION_TITLE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    Tool,
)
from configuration import document as configuration_document
from configuration.document_validation import Problems, child

GUARDRAIL_TYPE_MAX_LENGTH = 64
# ``origin`` is only read for the import's reason, but what is read must be storable.
ORIGIN_TEXT_MAX_LENGTH = 100


def checked_document(value: Any) -> dict[str, Any]:
    """The document, valid and cleaned; else a ValidationError listing every problem by its
    JSON path (nothing else is looked at until its shape is right)."""
    problems = configuration_document.validate(
        value,
        max_instructions=settings.MAX_INSTRUCTIONS_PER_AGENT,
        # The configuration plus the definitions of its components: the configuration is
        # held to MAX_CONFIGURATION_BYTES exactly when it is written.
        max_bytes=2 * settings.MAX_CONFIGURATION_BYTES,
    )
    if not problems:
        value = copy.deepcopy(value)
        _clean(value, problems)
    if problems:
        raise ValidationError(problems.as_dict())
    return value


def _name(value: Any, field: str) -> str:
    cleaned = validation.clean_name(value, field, max_length=NAME_MAX_LENGTH)
    if cleaned != value:
        # A key is matched as written: a name the catalogue would store otherwise never is.
        raise ValidationError({field: [f"Write it as the catalogue stores it: {cleaned!r}."]})
    return cleaned


def _description(value: Any, field: str) -> str:
    return validation.clean_text(value, field, max_length=DESCRIPTION_MAX_LENGTH, required=False)


def _kind(value: Any, field: str) -> str:
    if value not in Tool.Kind.values:
        raise ValidationError({field: [f"Must be one of: {', '.join(Tool.Kind.values)}."]})
    return value


def _title(value: Any, field: str) -> str:
    return validation.clean_text(value, field, max_length=INSTRUCTION_TITLE_MAX_LENGTH)


def _content(value: Any, field: str) -> str:
    return validation.clean_text(value, field, max_length=INSTRUCTION_CONTENT_MAX_LENGTH)


def _type(value: Any, field: str) -> str:
    return validation.clean_text(value, field, max_length=GUARDRAIL_TYPE_MAX_LENGTH)


CHECKS: dict[str, Callable[[Any, str], Any]] = {
    "name": _name,
    "description": _description,
    "kind": _kind,
    "type": _type,
    "config": validation.clean_json_object,
}


def _field(problems: Problems, holder: dict[str, Any], path: str, key: str, check: Any) -> None:
    """Clean ``holder[key]`` in place with ``check(value, field)``, or note its problems."""
    where = child(path, key)
    try:
        holder[key] = check(holder[key], key)
    except ValidationError as exc:
        for messages in exc.message_dict.values():
            for message in messages:
                problems.add(where, message)


def _origin_text(value: Any, field: str) -> Any:
    if value is None:
        return None
    return validation.clean_text(value, field, max_length=ORIGIN_TEXT_MAX_LENGTH)


def _clean(document: dict[str, Any], problems: Problems) -> None:
    origin = document.get("origin") or {}
    for key in ("source", "change_track_id"):
        if key in origin:
            _field(problems, origin, "origin", key, _origin_text)
    settings_ = document["settings"]
    _field(problems, settings_, "settings", "name", _name_of_agent)
    _field(problems, settings_, "settings", "description", _description)
    _field(problems, settings_, "settings", "model_config", validation.clean_model_config)
    _field(problems, settings_, "settings", "access_level", validation.clean_access_level)
    _field(problems, settings_, "settings", "tags", validation.clean_tags)
    for index, item in enumerate(document["instructions"]):
        path = child("instructions", index)
        _field(problems, item, path, "title", _title)
        _field(problems, item, path, "content", _content)
    knowledge = document["knowledge_sources"]
    for index, item in enumerate(knowledge["corpora"]):
        path = child("knowledge_sources.corpora", index)
        _field(problems, item, path, "settings", validation.clean_corpus_settings)
    sharepoint = knowledge["sharepoint"]
    if sharepoint is not None:
        try:
            site_url, folder_path = validation.clean_sharepoint(
                sharepoint["site_url"], sharepoint["folder_path"]
            )
            knowledge["sharepoint"] = {"site_url": site_url, "folder_path": folder_path}
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    problems.add(f"knowledge_sources.sharepoint.{field}", message)
    for index, tool in enumerate(document["tools"]):
        for number, action in enumerate(tool["actions"]):
            path = child(child(child("tools", index), "actions"), number)
            _field(problems, action, path, "config", validation.clean_json_object)
    for index, item in enumerate(document["guardrails"]):
        _field(problems, item, child("guardrails", index), "settings", validation.clean_json_object)
    components = document["components"]
    for kind, fields in (
        ("corpora", ("name", "description")),
        ("tools", ("name", "kind", "description")),
        ("guardrails", ("name", "type", "config")),
    ):
        for index, item in enumerate(components[kind]):
            path = child(f"components.{kind}", index)
            for field in fields:
                _field(problems, item, path, field, CHECKS[field])
            for number, action in enumerate(item.get("actions", [])):
                action_path = child(child(path, "actions"), number)
                _field(problems, action, action_path, "name", _name)
                _field(problems, action, action_path, "config", validation.clean_json_object)


def _name_of_agent(value: Any, field: str) -> str:
    return validation.clean_name(value, field, max_length=NAME_MAX_LENGTH)
