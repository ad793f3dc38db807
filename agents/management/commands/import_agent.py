"""``manage.py import_agent <id> <file> --as-user <name> [--dry-run] [--create-missing-components]``

Makes the agent's Staging the document's configuration, as that user (who needs the editor
role, as over the API), in one staging edit; ``--dry-run`` prints the diff and writes nothing.
``-`` reads the document from standard input.
"""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agents import services
from agents.management.commands.export_agent import active_agent
from ejento_staging.parsers import UnsafeJSON, loads_json


class Command(BaseCommand):
    help = "Import a JSON document onto an agent's Staging (one staging edit)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("agent_id", type=int)
        parser.add_argument("file", help="The document; - for standard input.")
        parser.add_argument("--as-user", required=True, help="Who imports (an editor).")
        parser.add_argument("--dry-run", action="store_true", help="Print the diff only.")
        parser.add_argument(
            "--create-missing-components",
            action="store_true",
            help="Create components missing from the catalogue instead of refusing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        agent = active_agent(options["agent_id"])
        user = get_user_model().objects.filter(username=options["as_user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['as_user']!r}.")
        document = self._read(options["file"])
        try:
            result = services.import_document(
                agent=agent,
                acting_user=user,
                document=document,
                dry_run=options["dry_run"],
                create_missing_components=options["create_missing_components"],
            )
        except ValidationError as exc:
            problems = [
                f"  {path}: {message}"
                for path, messages in exc.message_dict.items()
                for message in messages
            ]
            raise CommandError("The document was refused:\n" + "\n".join(problems)) from None
        except services.ComponentsUnresolved as exc:
            lines = [f"  {c['detail']}" for c in exc.extra["components"]]
            raise CommandError(f"{exc.detail}\n" + "\n".join(lines)) from None
        except (PermissionDenied, ObjectDoesNotExist) as exc:
            raise CommandError(str(exc) or "Not allowed.") from None
        for component in result.created:
            self.stdout.write(f"{'Would create' if result.dry_run else 'Created'} {component}")
        for change in result.diff.changes:
            self.stdout.write(f"  {change.change:8} {change.label}")
        if result.dry_run:
            self.stdout.write(f"Dry run, nothing written: {result.diff.summary}")
        else:
            self.stdout.write(
                f"Imported onto Staging (revision {result.staging.revision}): {result.diff.summary}"
            )

    def _read(self, name: str) -> Any:
        try:
            if name == "-":
                return loads_json(sys.stdin.read())
            with open(name, "rb") as source:
                return loads_json(source.read())
        except OSError as exc:
            raise CommandError(f"Cannot read {name}: {exc.strerror}.") from None
        except (UnsafeJSON, UnicodeDecodeError) as exc:
            raise CommandError(f"{name} is not JSON: {exc}") from None
