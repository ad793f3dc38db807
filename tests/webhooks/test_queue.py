"""``background.queue``: tasks enqueued in the caller's transaction, lost work told from
waiting work, and rows another worker holds left to it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background.queue import claim, enqueue, take_lost
from publishing.services import publish_agent
from tests.reliability.conftest import require_postgres
from webhooks import services
from webhooks.models import Delivery
from webhooks.tasks import deliver


def test_a_task_is_queued_in_the_callers_transaction_with_its_time(db):
    later = timezone.now() + timedelta(hours=1)
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(deliver, "rolled back")
        raise RuntimeError
    assert not DBTaskResult.objects.exists()
    now_id = enqueue(deliver, "now")
    later_id = enqueue(deliver, "later", run_after=later)
    assert list(DBTaskResult.objects.ready().values_list("id", flat=True)) == [now_id]
    queued = DBTaskResult.objects.get(id=later_id)
    assert (queued.run_after, queued.args_kwargs["args"]) == (later, ["later"])


@pytest.fixture
def two_deliveries(agent, endpoint, admin, receiver):
    """Two deliveries of one publish, to two endpoints, both due long ago."""
    services.create_endpoint(
        acting_user=admin,
        organization_id=endpoint.organization_id,
        url=receiver.url,
        event_types=["publish.created"],
    )
    publish_agent(agent=agent, acting_user=agent.created_by)
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(days=1))
    return list(Delivery.objects.order_by("id"))


def overdue():
    return Delivery.objects.filter(next_attempt_at__lt=timezone.now())


def lose(delivery: Delivery) -> None:
    """Its task was claimed by a worker that died."""
    DBTaskResult.objects.filter(id=delivery.task_id).update(status="RUNNING")


def test_work_whose_task_is_still_queued_is_not_lost(two_deliveries):
    first, second = two_deliveries
    assert take_lost(overdue(), batch=10) == []
    lose(second)
    assert take_lost(overdue(), batch=10) == [second]
    Delivery.objects.filter(pk=first.pk).update(task_id=None)
    assert set(take_lost(overdue(), batch=10)) == {first, second}


def test_a_queue_longer_than_a_batch_does_not_hide_the_lost_work_behind_it(two_deliveries):
    # The first row read is merely waiting; the lost one must still come out of a batch of 1.
    for lost in two_deliveries:
        DBTaskResult.objects.update(status="READY")
        lose(lost)
        assert take_lost(overdue(), batch=1) == [lost]


def test_a_batch_takes_at_most_that_many(two_deliveries):
    for delivery in two_deliveries:
        lose(delivery)
    assert len(take_lost(overdue(), batch=1)) == 1
    assert len(take_lost(overdue(), batch=2)) == 2


def held_elsewhere(row):
    """Lock ``row`` in another connection, as another worker would; a context."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                type(row).objects.select_for_update().get(pk=row.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    class Held:
        def __enter__(self):
            self.thread = threading.Thread(target=hold)
            self.thread.start()
            assert locked.wait(10)

        def __exit__(self, *exc):
            release.set()
            self.thread.join(10)

    return Held()


@pytest.mark.postgres
def test_rows_another_worker_holds_are_left_to_it(transactional_db, two_deliveries):
    require_postgres()
    first, second = two_deliveries
    for delivery in two_deliveries:
        lose(delivery)
    with held_elsewhere(first), transaction.atomic():
        assert take_lost(overdue(), batch=10) == [second]
        assert claim(Delivery.objects.all(), first.pk) is None
        assert claim(Delivery.objects.all(), second.pk) == second


@pytest.mark.postgres
def test_a_claim_locks_only_the_work_not_the_rows_it_reads_along(transactional_db, two_deliveries):
    # Two deliveries to one endpoint are claimed by two workers at once; an admin editing
    # the endpoint holds its row. Neither may make a claim find the delivery "held".
    require_postgres()
    first, _second = two_deliveries
    with held_elsewhere(first.endpoint), held_elsewhere(first.event), transaction.atomic():
        claimed = claim(Delivery.objects.select_related("endpoint", "event"), first.pk)
        assert claimed == first
