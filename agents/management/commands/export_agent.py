"""``manage.py export_agent <id> [--source staging|production|<change_track_id>] [--output file]``

Writes the agent's configuration as a document (docs/configuration-as-code.md), to a file or
to standard output. An operator's read: no role is asked for.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agents.models import Agent
from agents.selectors_transfer import SOURCE_HELP, export_document, parse_source


def active_agent(agent_id: Any) -> Agent:
    agent = (
        Agent.objects.select_related("project__organization", "staging")
        .filter(pk=agent_id, deleted_at__isnull=True)
        .first()
    )
    if agent is None:
        raise CommandError(f"No agent {agent_id}.")
    return agent


def to_text(document: dict[str, Any]) -> str:
    """The form kept in git: keys in order, indented, one trailing newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Export an agent's configuration as a JSON document."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("agent_id", type=int)
        parser.add_argument("--source", default="staging", help=SOURCE_HELP)
        parser.add_argument("--output", help="Write to this file (default: standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        agent = active_agent(options["agent_id"])
        try:
            document = export_document(agent, parse_source(options["source"]))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        except ObjectDoesNotExist as exc:
            raise CommandError(str(exc) or "Not found.") from None
        text = to_text(document)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as output:
                output.write(text)
            self.stderr.write(f"Wrote {options['output']} ({len(text.encode()):,} bytes).")
        else:
            self.stdout.write(text, ending="")
