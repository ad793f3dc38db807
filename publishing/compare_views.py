"""The compare page: any two states of one agent side by side (``publishing.compare``), and
the choices the pickers on the publish history and the edit history offer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agents.models import Agent
from agents.permissions import Role, get_agent_for
from ejento_staging.pages import agent_context, page
from publishing import compare, selectors
from publishing.presenters import present_diff

# How many publishes and checkpoints the compare page's own picker offers.
RECENT = 20


def fixed_choices(published: bool) -> list[tuple[str, str]]:
    choices = [(compare.STAGING, "Staging now")]
    if published:
        choices.append((compare.PRODUCTION, "Production (live)"))
    return choices


def publish_choices(records: Iterable[Any]) -> list[tuple[str, str]]:
    return [
        (str(r.change_track_id), f"Publish #{r.sequence} ({r.published_at:%Y-%m-%d %H:%M})")
        for r in records
    ]


def checkpoint_choices(checkpoints: Iterable[Any]) -> list[tuple[str, str]]:
    return [
        (
            f"{compare.CHECKPOINT_PREFIX}{c.history_id}",
            f"Checkpoint {c.revision} ({c.history_date:%Y-%m-%d %H:%M})",
        )
        for c in checkpoints
    ]


def picker(choices: list[tuple[str, str]], *, before: str = "", after: str = "") -> dict[str, Any]:
    """What ``publishing/_compare_picker.html`` takes: the options and the chosen pair (by
    default the last option against the first, older against newer)."""
    values = [value for value, _label in choices]
    return {
        "compare_choices": choices,
        "compare_from": before or (values[-1] if values else ""),
        "compare_to": after or (values[0] if values else ""),
    }


def history_picker(published: bool, listed: list[tuple[str, str]]) -> dict[str, Any]:
    """The picker above a history (publishes or checkpoints): Staging, Production and the
    rows listed on this page, set to the two newest rows listed, the older one first."""
    return picker(
        fixed_choices(published) + listed,
        before=listed[1][0] if len(listed) > 1 else "",
        after=listed[0][0] if listed else "",
    )


def _page_choices(agent: Agent, published: bool, chosen: Iterable[str]) -> list[tuple[str, str]]:
    """Staging, Production, the recent publishes and checkpoints (two queries), and any side
    asked for that is not among them, under its own name."""
    choices = fixed_choices(published)
    choices += publish_choices(selectors.publish_records(agent=agent)[:RECENT])
    choices += checkpoint_choices(selectors.edit_history(agent)[:RECENT])
    known = {value for value, _label in choices}
    choices += [(value, value) for value in chosen if value and value not in known]
    return choices


@page
@require_GET
def compare_page(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent, role = get_agent_for(request.user, agent_id, Role.EDITOR)
    asked = {field: request.GET.get(field, "") for field in ("from", "to")}
    errors: dict[str, list[str]] = {}
    sides: dict[str, compare.Side] = {}
    for field, value in asked.items():
        try:
            sides[field] = compare.parse_side(value, field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    context = agent_context(agent, role, tab="publishes", environment="staging")
    status = 200
    if errors:
        comparison = None
        # Nothing asked yet is a blank form, not a mistake.
        status = 400 if any(asked.values()) else 200
        if status == 200:
            errors = {}
    else:
        comparison = compare.compare(agent, sides["from"], sides["to"])
    valid = {
        field: sides[field].name if field in sides else value for field, value in asked.items()
    }
    context.update(
        {
            "comparison": comparison,
            "sections": present_diff(comparison.diff) if comparison else [],
            "from_errors": errors.get("from", []),
            "to_errors": errors.get("to", []),
            **picker(
                _page_choices(agent, context["published"], valid.values()),
                before=valid["from"],
                after=valid["to"],
            ),
        }
    )
    return render(request, "publishing/compare.html", context, status=status)
