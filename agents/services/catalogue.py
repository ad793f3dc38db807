"""Projects and the organization's catalogue (corpora, tools, guardrails) agents draw on.

None of these is staged: a catalogue object exists once, and agents refer to it. Changing
one is ``catalogue_changes``: it reaches the Staging of every agent that uses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from agents import validation
from agents.models import (
    NAME_MAX_LENGTH,
    Corpus,
    Guardrail,
    Organization,
    Project,
    Tool,
    ToolAction,
)
from agents.services.common import clean_description


def create_project(*, organization: Organization, name: str) -> Project:
    name = validation.clean_name(name, "name", max_length=NAME_MAX_LENGTH)
    if Project.objects.filter(organization=organization, name__iexact=name).exists():
        raise ValidationError({"name": ["This organization already has a project of that name."]})
    return Project.objects.create(organization=organization, name=name)


def create_corpus(*, project: Project, name: str, description: str = "") -> Corpus:
    return Corpus.objects.create(
        project=project,
        name=validation.clean_name(name, "name", max_length=NAME_MAX_LENGTH),
        description=clean_description(description),
    )


def create_tool(
    *,
    organization: Organization,
    name: str,
    kind: str,
    actions: Iterable[dict[str, Any]] = (),
    description: str = "",
) -> Tool:
    errors: dict[str, list[str]] = {}
    if kind not in Tool.Kind.values:
        errors["kind"] = [f"Must be one of: {', '.join(Tool.Kind.values)}."]
    actions = list(actions)
    names = [a.get("name") for a in actions]
    if len(names) != len(set(names)):
        errors["actions"] = ["Action names must be unique within a tool."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        tool = Tool.objects.create(
            organization=organization,
            name=validation.clean_name(name, "name", max_length=NAME_MAX_LENGTH),
            kind=kind,
            description=clean_description(description),
        )
        # With their history records (bulk_create alone writes none).
        bulk_create_with_history(
            [
                ToolAction(
                    tool=tool,
                    name=validation.clean_name(
                        a.get("name"), "actions", max_length=NAME_MAX_LENGTH
                    ),
                    config=validation.clean_json_object(a.get("config"), "actions"),
                )
                for a in actions
            ],
            ToolAction,
        )
    return tool


def create_guardrail(
    *, organization: Organization, name: str, type: str, config: dict[str, Any] | None = None
) -> Guardrail:
    return Guardrail.objects.create(
        organization=organization,
        name=validation.clean_name(name, "name", max_length=NAME_MAX_LENGTH),
        type=validation.clean_text(type, "type", max_length=64),
        config=validation.clean_json_object(config, "config"),
    )
