"""Webhooks and schedules with real ``manage.py run_worker`` processes on PostgreSQL.

What the in-process tests cannot show: a worker killed with SIGKILL mid-request, several
workers taking jobs from one queue with ``SKIP LOCKED``, and data committed by this process
seen by others. The workers run with a 3 s lease, a 1 s sweep and retries after 0.5 s
(``tests/webhooks/workers.py``); the receiver runs in this process on 127.0.0.1 and every
body it got is verified with the ``standardwebhooks`` package, as an integration would.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from functools import partial

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook

from agents import services as agent_services
from agents.models import Agent
from background.queue import enqueue
from publishing import scheduling
from publishing.models import PublishRecord, ScheduledPublish
from publishing.selectors import review_staging
from publishing.services import publish_agent
from publishing.tasks import run_scheduled_publish
from tests import factories
from tests.reliability.conftest import require_postgres
from tests.reliability.helpers import Crew
from tests.webhooks.workers import SWEEP_SECONDS, run_workers, wait_until
from webhooks.models import Delivery, DeliveryAttempt, Event

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

DELIVERY_TIMEOUT = 30.0
MANY = 200
PUBLISHERS = 4


@pytest.fixture(autouse=True)
def committed_postgres(transactional_db):
    """Committed data on PostgreSQL: the worker processes see what this process wrote."""
    require_postgres()


def edit_and_publish(agent, n: int) -> PublishRecord:
    agent_services.update_agent_settings(agent=agent, acting_user=agent.created_by, name=f"v{n}")
    return publish_agent(agent=agent, acting_user=agent.created_by, notes=f"release {n}")


def settled(delivery_id) -> Delivery | None:
    delivery = Delivery.objects.get(pk=delivery_id)
    return delivery if delivery.status in ("succeeded", "failed") else None


def verified(received, secret: str) -> list[dict]:
    """Every body checked against its signature, as the receiving side does."""
    return [Webhook(secret).verify(r.body, r.headers) for r in received]


def test_a_delivery_whose_worker_is_killed_mid_request_arrives_through_another(
    agent, endpoint, secret, receiver, tmp_path
):
    receiver.delay = 3.0  # the first request is still waiting for its answer when we kill
    with run_workers(tmp_path, 2) as workers:
        record = edit_and_publish(agent, 1)
        sending = wait_until(
            lambda: Delivery.objects.filter(status="sending").first(), DELIVERY_TIMEOUT, "sending"
        )
        [holder_id] = DBTaskResult.objects.get(id=sending.task_id).worker_ids
        [doomed] = [w for w in workers if w.name == holder_id]
        time.sleep(0.5)  # the POST is on the wire: the receiver holds it for 3 s
        assert receiver.received == []
        doomed.kill()
        killed_at = time.time()
        receiver.delay = 0.0
        delivery = wait_until(lambda: settled(sending.pk), DELIVERY_TIMEOUT, "handed on")

    assert delivery.status == "succeeded"
    assert delivery.attempts == 2
    [survivor] = [w.name for w in workers if w is not doomed]
    assert DBTaskResult.objects.get(id=delivery.task_id).worker_ids == [survivor]
    # The killed attempt logged nothing; the survivor's is the log.
    [logged] = DeliveryAttempt.objects.filter(delivery=delivery)
    assert (logged.number, logged.status_code, logged.succeeded) == (2, 200, True)
    # The survivor took it over only once the lease had run out.
    assert logged.started_at >= sending.lease_until
    received = receiver.wait_for(2, timeout=DELIVERY_TIMEOUT)
    # The killed worker's request did reach the receiver (answered into a closed socket):
    # it arrived before the kill, and carries the same webhook-id as the one that succeeded.
    assert min(r.at for r in received) - 3.0 < killed_at
    assert {r.headers["webhook-id"] for r in received} == {delivery.webhook_id}
    payloads = verified(received, secret)
    assert {p["data"]["change_track_id"] for p in payloads} == {str(record.change_track_id)}


def test_a_receiver_answering_500_then_200_gets_it_on_the_retry_both_logged(
    agent, endpoint, secret, receiver, tmp_path
):
    receiver.script = [500]
    with run_workers(tmp_path):
        edit_and_publish(agent, 1)
        delivery = wait_until(
            lambda: settled(Delivery.objects.get().pk), DELIVERY_TIMEOUT, "delivered"
        )
    assert delivery.status == "succeeded"
    log = list(DeliveryAttempt.objects.filter(delivery=delivery).order_by("number"))
    assert [(a.number, a.status_code, a.succeeded) for a in log] == [
        (1, 500, False),
        (2, 200, True),
    ]
    assert log[0].response_excerpt == "answered 500"
    # Retried after WEBHOOK_RETRY_DELAYS[0] (0.5 s), not before.
    assert log[1].started_at - log[0].started_at >= timedelta(seconds=0.5)
    received = receiver.wait_for(2)
    assert len({r.headers["webhook-id"] for r in received}) == 1
    assert [p["type"] for p in verified(received, secret)] == ["publish.created"] * 2


def test_many_publishes_with_four_workers_arrive_once_each_and_none_lost(
    agent, endpoint, secret, receiver, tmp_path
):
    # Four agents published from four threads (one connection each), the endpoint taking
    # the events of the whole organization: the publishes come as fast as this box allows.
    agents = [agent] + [
        factories.AgentFactory(project=agent.project, user=agent.created_by, name=f"Bot {n}")
        for n in range(PUBLISHERS - 1)
    ]
    per_agent = MANY // PUBLISHERS

    def publish_many(agent_id: int) -> list[PublishRecord]:
        mine = Agent.objects.select_related("project").get(pk=agent_id)
        return [edit_and_publish(mine, n) for n in range(per_agent)]

    with run_workers(tmp_path, 4):
        started = time.monotonic()
        crew = Crew([partial(publish_many, a.pk) for a in agents], timeout=120).run()
        published = time.monotonic()
        assert crew.outcomes() == ["ok"] * PUBLISHERS, crew.tracebacks
        wait_until(
            lambda: not Delivery.objects.exclude(status="succeeded").exists(),
            60.0,
            "every delivery settled",
        )
        done = time.monotonic()

    records = [record for batch in crew.results for record in batch]
    assert len(records) == MANY
    received = receiver.wait_for(MANY)
    by_id = {r.headers["webhook-id"]: r for r in received}  # the receiver's deduplication
    assert len(by_id) == MANY
    payloads = verified(by_id.values(), secret)
    assert {p["type"] for p in payloads} == {"publish.created"}
    assert {p["data"]["change_track_id"] for p in payloads} == {
        str(r.change_track_id) for r in records
    }
    assert set(by_id) == {d.webhook_id for d in Delivery.objects.all()}
    worker_ids = DBTaskResult.objects.values_list("worker_ids", flat=True)
    workers_used = {worker for ids in worker_ids for worker in ids}
    print(
        f"\n{MANY} publishes in {published - started:.1f} s; all {MANY} delivered "
        f"{done - started:.1f} s after the first ({MANY / (done - started):.0f}/s, "
        f"{done - published:.1f} s after the last commit); {len(received)} requests received, "
        f"tasks run by {len(workers_used)} workers"
    )


@pytest.fixture
def reviewed(agent):
    agent_services.update_agent_settings(agent=agent, acting_user=agent.created_by, name="Next")
    return agent


def due_schedule(agent) -> ScheduledPublish:
    """A pending schedule of ``agent``'s reviewed state, made due now."""
    item = scheduling.schedule_publish(
        agent=agent,
        acting_user=agent.created_by,
        publish_at=timezone.now() + timedelta(minutes=5),
        expected_fingerprint=review_staging(agent).fingerprint,
        notes="night release",
    )
    past = timezone.now() - timedelta(seconds=1)
    ScheduledPublish.objects.filter(pk=item.pk).update(publish_at=past)
    DBTaskResult.objects.filter(id=item.task_id).update(run_after=past)
    return item


def test_a_schedule_taken_by_two_workers_at_once_publishes_once(
    reviewed, endpoint, secret, receiver, tmp_path
):
    with run_workers(tmp_path, 2):
        with transaction.atomic():
            item = due_schedule(reviewed)
            # As if a sweep had queued it again: both workers get a task for it at once.
            extra = [enqueue(run_scheduled_publish, item.pk) for _ in range(3)]
        tasks = DBTaskResult.objects.filter(id__in=[item.task_id, *extra])
        wait_until(
            lambda: tasks.filter(status="SUCCESSFUL").count() == 4, DELIVERY_TIMEOUT, "tasks"
        )
        received = receiver.wait_for(2, timeout=DELIVERY_TIMEOUT)
        time.sleep(1.0)  # a second publish would have been delivered by now

    item.refresh_from_db()
    assert item.status == ScheduledPublish.Status.SUCCEEDED
    assert PublishRecord.objects.filter(agent=reviewed).count() == 1
    outcomes = sorted(tasks.values_list("return_value", flat=True))
    assert outcomes[-1] == "published #1", outcomes
    assert all(o in ("already succeeded", "held by another worker") for o in outcomes[:-1])
    types = sorted(p["type"] for p in verified(receiver.received, secret))
    assert types == ["publish.created", "schedule.succeeded"], received


def test_a_schedule_run_by_two_threads_at_the_same_moment_publishes_once(reviewed, endpoint):
    item = due_schedule(reviewed)
    crew = Crew([lambda: scheduling.run_schedule(item.pk) for _ in range(2)], timeout=60).run()

    assert crew.outcomes() == ["ok", "ok"], crew.tracebacks
    assert sorted(crew.results)[-1] == "published #1"
    assert sorted(crew.results)[0] in ("already succeeded", "held by another worker")
    item.refresh_from_db()
    assert item.status == ScheduledPublish.Status.SUCCEEDED
    assert PublishRecord.objects.filter(agent=reviewed).count() == 1
    # A second run would have failed the schedule after the publish (nothing_to_publish).
    assert list(Event.objects.values_list("type", flat=True).order_by("type")) == [
        "publish.created",
        "schedule.succeeded",
    ]


def test_a_publish_rolled_back_by_a_fault_sends_nothing_with_workers_running(
    agent, endpoint, secret, receiver, tmp_path
):
    with run_workers(tmp_path, 2):
        with pytest.raises(RuntimeError), transaction.atomic():
            lost = edit_and_publish(agent, 1)
            raise RuntimeError("fault after the publish, before the commit")
        assert not Event.objects.exists() and not Delivery.objects.exists()
        # A publish that commits afterwards is delivered: the workers were listening.
        kept = edit_and_publish(agent, 2)
        receiver.wait_for(1, timeout=DELIVERY_TIMEOUT)
        time.sleep(2 * SWEEP_SECONDS)  # two sweeps and many polls of each worker meanwhile

    [payload] = verified(receiver.received, secret)
    assert payload["data"]["change_track_id"] == str(kept.change_track_id)
    assert str(lost.change_track_id) not in json.dumps([r.body for r in receiver.received])
    assert DBTaskResult.objects.count() == 1
