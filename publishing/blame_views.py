"""The blame page of an instruction: each line with who last changed it, when, in which
checkpoint, and the publish that first took it live (``publishing.blame``); and the links
to it from a diff's rows."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from agents.models import Agent
from agents.permissions import Role, get_agent_for
from configuration.changes import INSTRUCTION, ChangePath
from ejento_staging.pages import agent_context, page
from publishing.blame import instruction_blame
from publishing.presenters import DiffSection


@page
@require_GET
def blame(request: HttpRequest, agent_id: int, instruction_id: int) -> HttpResponse:
    agent, role = get_agent_for(request.user, agent_id, Role.EDITOR)
    blamed = instruction_blame(agent=agent, instruction_id=instruction_id)
    context = agent_context(agent, role, tab="history", environment="staging")
    context.update({"blame": blamed, "runs": blamed.runs})
    return render(request, "publishing/blame.html", context)


def with_blame_links(
    agent: Agent, staging: dict[str, Any], sections: list[DiffSection]
) -> list[DiffSection]:
    """Each change to an instruction still in Staging links to its blame page."""
    present = {str(item["id"]) for item in staging["instructions"]}
    linked = []
    for section in sections:
        rows = []
        for row in section.rows:
            path = ChangePath.parse(row.section, row.key, row.field)
            if path.kind == INSTRUCTION and str(path.item_id) in present:
                url = reverse("publishing:instruction-blame", args=[agent.pk, path.item_id])
                row = dataclasses.replace(row, links=(("Who wrote each line", url),))
            rows.append(row)
        linked.append(dataclasses.replace(section, rows=tuple(rows)))
    return linked
