"""``manage.py run_worker``: the one background worker command.

It is django-tasks-db's ``db_worker`` (same options: ``--queue-name``, ``--interval``,
``--batch``, ``--max-tasks`` ...) plus the sweep (``background.sweep``), which hands on the
work of workers that died. Run as many as the load needs, on any number of hosts, against the
one database.
"""

import os

from django.conf import settings
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from background.sweep import run_sweep, start_sweeping


class Command(DatabaseWorkerCommand):
    help = "Run a background worker: queued tasks, and the sweep that recovers lost work."

    def handle(self, *args, **options):
        reloading_parent = options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if not reloading_parent:
            # Work a dead worker left is handed on at start-up too, not one interval later.
            run_sweep()
            if not options["batch"]:
                start_sweeping(settings.BACKGROUND_SWEEP_SECONDS)
        return super().handle(*args, **options)
