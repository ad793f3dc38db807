"""The blame page of an instruction: each line with who last changed it, when, in which
checkpoint, and the publish that first took it live (``publishing.blame``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agents.permissions import Role, get_agent_for
from ejento_staging.pages import agent_context, page
from publishing.blame import instruction_blame


@page
@require_GET
def blame(request: HttpRequest, agent_id: int, instruction_id: int) -> HttpResponse:
    agent, role = get_agent_for(request.user, agent_id, Role.EDITOR)
    blamed = instruction_blame(agent=agent, instruction_id=instruction_id)
    context = agent_context(agent, role, tab="history", environment="staging")
    context.update({"blame": blamed, "runs": blamed.runs})
    return render(request, "publishing/blame.html", context)
