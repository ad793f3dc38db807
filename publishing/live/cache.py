"""The live read: what end-users and integrations get, served from a cache it can trust.

``GET /api/v2/agents/{id}/production`` (``publishing.live.views``) needs two things per
request: the body of the agent's Production, and whether this caller may read it. How much
of that a cache may answer depends on whether every process sees the same cache
(``shared_cache``):

**A shared cache (Redis, Memcached, the database cache).** Both are cached, so a repeated
read costs one cache round trip (``get_many``) and no SQL:

* ``live:agent:{id}`` - the exact JSON body and ETag, stamped with the agent's version;
* ``live:agent:{id}:v`` - the agent's version, a fresh random value on every ``invalidate``
  (after a publish commits, after the agent is archived or deleted);
* ``live:access:gen`` - the access generation, a fresh random value after every committed
  change that can alter who may read what: agent permissions, organization memberships,
  project members, API tokens, users (``is_active``, ``is_superuser``...), logouts;
* ``live:access:{id}:{credential}`` - one caller's decision on one agent (user id and role,
  or "may not see it"), stamped with the agent's version and the access generation.
  ``credential`` is a hash of the API token or session key, never the secret itself.

An entry whose stamp differs from the current version or generation is a miss, and so is a
missing version or generation, so a reader that loaded Production just before a publish and
wrote it just after can never make the old state current again: its stamp is the old one.
Every process reads the same stamps, so an invalidation made by one is seen by all.

**A cache local to each process (``LocMemCache``, the default without ``REDIS_URL``).**
One process cannot drop another's entries, so no decision and no version is cached at all:
each read runs the view's single statement (one indexed query: the caller's access facts
and Production's ``change_track_id``), and the body this process holds is served only when
it was built from that same ``change_track_id``. A publish, a revocation or an archive is
seen by the next read in every process, at the cost of that one query.

In both modes each process keeps the bodies it has served (``LocalPayloads``), so a read
fetches only the small entries (or the small row), and the body only when it moved.

How stale a cached answer can be - the documented bound:

* through the ORM (services, admin, ``QuerySet.delete``): none; with a shared cache the
  change drops the entries when its transaction commits (``publishing.live.invalidation``),
  and a process-local cache validates every read against the database.
* a write that skips model signals (``QuerySet.update``, raw SQL, ``bulk_create``), with a
  shared cache: at most ``ACCESS_SECONDS`` for access, ``PAYLOAD_SECONDS`` for Production -
  but Production is written only by ``publish_agent``, which always invalidates.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

# Shared caches are dropped explicitly, so long lifetimes are safe there; these only bound
# what a write that skips the signals (QuerySet.update, raw SQL) can leave behind.
PAYLOAD_SECONDS = 60 * 60
ACCESS_SECONDS = 60
# Bodies kept in each process's memory (see ``LocalPayloads``).
LOCAL_PAYLOAD_BYTES = 32 * 1024 * 1024

GENERATION_KEY = "live:access:gen"

# Cache backends whose entries every app process reads and writes alike. Any other backend
# (local memory, dummy, files on one host, one not known here) is treated as per-process.
SHARED_BACKENDS = (
    "django.core.cache.backends.redis.RedisCache",
    "django_redis.cache.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
    "django.core.cache.backends.db.DatabaseCache",
)


def cache_key(agent_id: int) -> str:
    return f"live:agent:{agent_id}"


def version_key(agent_id: int) -> str:
    return f"live:agent:{agent_id}:v"


def access_key(agent_id: int, credential: str) -> str:
    return f"live:access:{agent_id}:{credential}"


def credential_hash(kind: str, secret: str) -> str:
    """A cache-key-safe name for a token or session key that does not reveal it."""
    return hashlib.sha256(f"{kind}:{secret}".encode()).hexdigest()[:40]


def shared_cache() -> bool:
    """Whether every app process sees the same cache, so one can invalidate for all."""
    return settings.CACHES.get("default", {}).get("BACKEND", "") in SHARED_BACKENDS


def _fresh_stamp() -> str:
    return uuid.uuid4().hex


def invalidate(agent_id: int) -> None:
    """Drop the agent's cached Production and every cached access decision on it.

    Called once the publish has committed (never before: a reader would cache a state that
    may yet be rolled back). The new version makes any concurrent writer's entry stale.
    """
    cache.set(version_key(agent_id), _fresh_stamp(), None)
    cache.delete(cache_key(agent_id))
    local_payloads.discard(agent_id)


def forget_access() -> None:
    """Make every cached access decision stale (the payloads stay)."""
    cache.set(GENERATION_KEY, _fresh_stamp(), None)


@dataclass(frozen=True)
class Cached:
    """What one ``get_many`` round trip found for an (agent, caller) pair."""

    version: str | None
    generation: str | None
    payload: dict[str, Any] | None
    access: dict[str, Any] | None


def _get_many(keys: list[str]) -> dict[str, Any]:
    """``cache.get_many``, minus the cost Django's Redis backend adds on every call.

    That backend builds a new ``redis.Redis`` client per operation (about 0.3 ms: it fills a
    table of ~170 response callbacks each time), more than the round trip itself on
    loopback. The client is kept on the backend object instead, which is per thread.
    """
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return backend.get_many(keys)
    client = getattr(backend, "_live_client", None)
    if client is None:
        client = backend._live_client = backend._cache.get_client(None)
    values = client.mget([backend.make_key(key) for key in keys])
    loads = backend._cache._serializer.loads
    return {key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None}


class LocalPayloads:
    """Bodies this process already holds, by agent, each with the version it belongs to.

    A large agent's body is over 100 KiB; with a shared cache, fetching and unpickling it on
    every read would cost more than the rest of the request. The version is still read from
    the shared cache each time, so a copy here is served only while it is current: an
    invalidation in any process makes it a miss at once. Bounded by ``budget`` bytes.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._items: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, agent_id: int) -> dict[str, Any] | None:
        with self._lock:
            item = self._items.get(agent_id)
            if item is not None:
                self._items.move_to_end(agent_id)
            return item

    def put(self, agent_id: int, payload: dict[str, Any]) -> None:
        size = len(payload["body"])
        if size > self.budget:
            return
        with self._lock:
            self._drop(agent_id)
            self._items[agent_id] = payload
            self._bytes += size
            while self._bytes > self.budget:
                self._drop(next(iter(self._items)))

    def discard(self, agent_id: int) -> None:
        with self._lock:
            self._drop(agent_id)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def _drop(self, agent_id: int) -> None:
        old = self._items.pop(agent_id, None)
        if old is not None:
            self._bytes -= len(old["body"])


local_payloads = LocalPayloads(LOCAL_PAYLOAD_BYTES)


def lookup(agent_id: int, credential: str) -> Cached:
    """Read what a live read needs in one round trip; stale entries come back as None.

    Call it *before* reading the database, and hand its result to ``remember``: entries are
    stamped with the version and generation seen here, so an invalidation that lands while
    the database is read leaves them stale instead of current.
    """
    local = local_payloads.get(agent_id)
    keys = [version_key(agent_id), GENERATION_KEY, access_key(agent_id, credential)]
    if local is None:
        keys.append(cache_key(agent_id))
    found = _get_many(keys)
    version = found.get(keys[0])
    generation = found.get(keys[1])
    if version is None or generation is None:
        # First read since the cache started (or a stamp was evicted). ``add`` never replaces
        # a stamp that a concurrent invalidation has just set.
        if version is None:
            cache.add(keys[0], _fresh_stamp(), None)
        if generation is None:
            cache.add(GENERATION_KEY, _fresh_stamp(), None)
        stamps = cache.get_many(keys[:2])
        return Cached(
            version=stamps.get(keys[0]),
            generation=stamps.get(keys[1]),
            payload=None,
            access=None,
        )
    if local is not None and local.get("v") == version:
        payload = local
    else:
        # Not held here, or held for an older version: only then the body crosses the wire.
        payload = found.get(keys[3]) if local is None else cache.get(cache_key(agent_id))
        if payload is not None and payload.get("v") != version:
            payload = None
        if payload is not None:
            local_payloads.put(agent_id, payload)
    access = found.get(keys[2])
    if access is not None and (access.get("v") != version or access.get("g") != generation):
        access = None
    return Cached(version=version, generation=generation, payload=payload, access=access)


def remember(
    agent_id: int,
    credential: str,
    seen: Cached,
    *,
    payload: dict[str, Any] | None,
    access: dict[str, Any] | None,
    access_timeout: int | None = None,
) -> None:
    """Cache a freshly computed payload and access decision under the stamps ``seen`` read."""
    if seen.version is None or seen.generation is None:
        return  # a stamp vanished (eviction): nothing can be stamped safely this time
    if payload is not None and seen.payload is None:
        stamped = {**payload, "v": seen.version}
        cache.set(cache_key(agent_id), stamped, PAYLOAD_SECONDS)
        local_payloads.put(agent_id, stamped)
    if access is None:
        return
    timeout = ACCESS_SECONDS
    if access_timeout is not None:
        timeout = min(timeout, access_timeout)
    if timeout > 0:
        cache.set(
            access_key(agent_id, credential),
            {**access, "v": seen.version, "g": seen.generation},
            timeout,
        )


def live_payload(agent_id: int, row: dict[str, Any]) -> dict[str, Any]:
    """The body and ETag for one Production row (``snapshot``, ``change_track_id``...)."""
    snapshot = row["snapshot"]
    if isinstance(snapshot, str | bytes):
        snapshot = json.loads(snapshot)
    body = {
        "agent_id": agent_id,
        "environment": "production",
        "change_track_id": str(row["change_track_id"]),
        "published_at": row["published_at"].isoformat().replace("+00:00", "Z"),
        "configuration": snapshot,
    }
    return {
        "body": json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        "etag": f'"{row["fingerprint"][:32]}-{str(row["change_track_id"])[:8]}"',
    }
