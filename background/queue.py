"""Putting work on the task queue, and telling work that is waiting from work that was lost.

Every task goes through Django's Tasks API on the database backend (``settings.TASKS``):
``enqueue`` is an INSERT in the caller's transaction, so work enqueued by a publish exists
exactly when the publish does.

A worker claims a task by marking it running; one killed while running (SIGKILL, a lost
host) leaves it marked running for ever. So the work itself (a delivery, a schedule) keeps
its own state and the id of the task that will do it, and the sweep
(``background.sweep``) enqueues it again when that task is no longer waiting to run and the
work is overdue. Each task checks the work's state under a row lock before acting, so a
task run twice does the work once.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Exists, Model, OuterRef, QuerySet
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult

M = TypeVar("M", bound=Model)


def enqueue(task: Task, *args: Any, run_after: datetime | None = None) -> uuid.UUID:
    """Queue ``task(*args)`` in the current transaction; returns the task's id."""
    if run_after is not None:
        task = task.using(run_after=run_after)
    return uuid.UUID(str(task.enqueue(*args).id))


def claim(queryset: QuerySet[M], pk: Any) -> M | None:
    """The row ``pk`` of ``queryset``, locked for this transaction; None if another worker
    holds it (or it is gone). Every task takes its work this way before acting on it, so
    one piece of work queued twice is done once, by whichever worker locks it first."""
    return queryset.select_for_update(skip_locked=True, of=("self",)).filter(pk=pk).first()


def take_lost(overdue: QuerySet[M], *, batch: int) -> list[M]:
    """The rows of ``overdue`` whose task is no longer queued, locked for this transaction.

    A sweeper's first step. The rows are read first without a lock and only those whose
    task is gone (claimed by a worker that died, or finished without settling them) are
    locked, skipping any another worker holds: work that is merely waiting its turn in a
    long queue is never locked, so the workers taking it are not held up. The waiting work
    is left out before the batch is cut, so a queue longer than a batch cannot hide the
    lost work behind it. Call it inside a transaction; ``overdue`` is applied again under
    the lock, so a row settled meanwhile is left alone.
    """
    queued = DBTaskResult.objects.filter(id=OuterRef("task_id"), status=TaskResultStatus.READY)
    lost = list(overdue.filter(~Exists(queued)).values_list("pk", flat=True)[:batch])
    if not lost:
        return []
    return list(overdue.filter(pk__in=lost).select_for_update(skip_locked=True, of=("self",)))
