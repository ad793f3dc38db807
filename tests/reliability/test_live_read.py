"""The live read keeps answering while a publish is in flight.

A publish holds the agent's row lock from its first read to its commit. Readers of
Production must neither wait for that lock nor see the half-done publish: until the commit
they get the old Production, right away; after it, the new one. (PostgreSQL only: SQLite
has no row locks and one writer at a time.)
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from agents import services
from agents.models import Agent
from publishing.exceptions import NothingToPublish
from publishing.models import ProductionConfiguration, PublishRecord
from publishing.services import publish_agent
from tests import factories

# Every test here runs on a committed PostgreSQL database.
pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("postgres")]

WAIT = 30.0
# Generous for a single-row primary-key read, yet far below a publish held open for WAIT.
FAST_READ_SECONDS = 2.0


class HeldPublish:
    """Runs a publish in a thread and holds it just after Production was written."""

    def __init__(self, monkeypatch, agent: Agent, user) -> None:
        self.written = threading.Event()
        self.release = threading.Event()
        self.error: BaseException | None = None
        self.record = None
        manager_class = ProductionConfiguration.objects.__class__
        original = manager_class.update_or_create
        holder = self

        def update_or_create_then_wait(manager, *args, **kwargs):
            result = original(manager, *args, **kwargs)
            if threading.current_thread() is holder.thread:
                holder.written.set()
                assert holder.release.wait(WAIT), "never released"
            return result

        monkeypatch.setattr(manager_class, "update_or_create", update_or_create_then_wait)
        self.thread = threading.Thread(target=self._run, args=(agent.pk, user), daemon=True)

    def _run(self, agent_id: int, user) -> None:
        try:
            self.record = publish_agent(agent=Agent.objects.get(pk=agent_id), acting_user=user)
        except BaseException as exc:
            self.error = exc
        finally:
            connection.close()

    def __enter__(self) -> HeldPublish:
        self.thread.start()
        assert self.written.wait(WAIT), "the publish never reached Production"
        return self

    def __exit__(self, *exc_info) -> None:
        self.release.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "the publish did not finish"


def timed(read):
    start = time.monotonic()
    value = read()
    return value, time.monotonic() - start


@pytest.fixture
def live_agent(publisher, rich_agent):
    publish_agent(agent=rich_agent, acting_user=publisher, notes="v1")
    services.update_agent_settings(
        agent=rich_agent, acting_user=publisher, description="Version two"
    )
    return rich_agent


def test_reading_production_during_a_publish_returns_the_old_one_at_once(
    monkeypatch, publisher, live_agent
):
    old = ProductionConfiguration.objects.get(agent_id=live_agent.pk)

    with HeldPublish(monkeypatch, live_agent, publisher) as held:
        during, seconds = timed(lambda: ProductionConfiguration.objects.get(agent_id=live_agent.pk))
        assert seconds < FAST_READ_SECONDS
        assert during.change_track_id == old.change_track_id
        assert during.snapshot == old.snapshot
        # The publish record is not visible either: readers see all of it or none of it.
        assert PublishRecord.objects.filter(agent_id=live_agent.pk).count() == 1

    assert held.error is None
    after = ProductionConfiguration.objects.get(agent_id=live_agent.pk)
    assert after.change_track_id == held.record.change_track_id
    assert after.snapshot["settings"]["description"] == "Version two"


def live_get(agent_id: int, token: str):
    """GET /api/v2/agents/{id}/production, what end-users and integrations poll."""
    return Client().get(
        f"/api/v2/agents/{agent_id}/production", HTTP_AUTHORIZATION=f"Token {token}"
    )


def test_the_production_endpoint_answers_the_old_one_during_a_publish(
    monkeypatch, publisher, live_agent
):
    token = factories.api_token(publisher)
    old = ProductionConfiguration.objects.get(agent_id=live_agent.pk)
    warm = live_get(live_agent.pk, token)  # cached before the publish starts
    assert warm.status_code == 200

    with HeldPublish(monkeypatch, live_agent, publisher) as held:
        cache.clear()
        # First from the database (and cached, while the publish is still open), then
        # from the cache.
        for _source in ("database", "cache"):
            response, seconds = timed(lambda: live_get(live_agent.pk, token))
            assert seconds < FAST_READ_SECONDS
            assert response.status_code == 200
            body = json.loads(response.content)
            assert body["change_track_id"] == str(old.change_track_id)
            assert body["configuration"] == old.snapshot

    # The old answer cached during the publish does not outlive its commit.
    assert held.error is None
    after = live_get(live_agent.pk, token)
    assert json.loads(after.content)["change_track_id"] == str(held.record.change_track_id)
    assert after["ETag"] != warm["ETag"]


def test_an_edit_during_a_publish_waits_for_it_and_is_not_lost(monkeypatch, publisher, live_agent):
    """Writers do queue behind the lock: the edit lands after the publish, stays in Staging,
    and is what the next publish makes live."""
    finished = threading.Event()
    errors: list[BaseException] = []

    def edit() -> None:
        try:
            services.update_agent_settings(
                agent=Agent.objects.get(pk=live_agent.pk),
                acting_user=publisher,
                name="Edited meanwhile",
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            finished.set()
            connection.close()

    with HeldPublish(monkeypatch, live_agent, publisher) as held:
        editor = threading.Thread(target=edit, daemon=True)
        editor.start()
        # Still blocked on the agent row lock while the publish is held.
        assert not finished.wait(1.0)
    editor.join(WAIT)

    assert errors == [] and held.error is None
    assert held.record.snapshot["settings"]["name"] == "Support bot"
    monkeypatch.undo()
    record = publish_agent(agent=live_agent, acting_user=publisher)
    assert record.snapshot["settings"]["name"] == "Edited meanwhile"
    with pytest.raises(NothingToPublish):
        publish_agent(agent=live_agent, acting_user=publisher)
