"""Fixtures for the webhook and schedule tests: a receiver, endpoints, and a worker to run
the queued tasks in this process."""

from __future__ import annotations

from unittest import mock

import pytest
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker

from tests import factories
from tests.publishing.conftest import other_agent, publisher, stranger  # noqa: F401
from tests.webhooks.receiver import running_receiver
from webhooks import services
from webhooks.events import SUBSCRIBABLE


def run_tasks() -> None:
    """Run every task that is due, as ``manage.py run_worker --batch`` would, here.

    The worker closes connections it finds in a transaction (a worker's own never are);
    the test's is one, and must stay open.
    """
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        _run_worker()


def _run_worker() -> None:
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


@pytest.fixture
def receiver():
    with running_receiver() as running:
        yield running


admin = factories.admin_fixture("admin")


@pytest.fixture
def endpoint_and_secret(admin, organization, receiver):
    return services.create_endpoint(
        acting_user=admin,
        organization_id=organization.pk,
        url=receiver.url,
        event_types=list(SUBSCRIBABLE),
    )


@pytest.fixture
def endpoint(endpoint_and_secret):
    return endpoint_and_secret[0]


@pytest.fixture
def secret(endpoint_and_secret):
    return endpoint_and_secret[1]
