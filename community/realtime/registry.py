"""Who is connected where: this process's sockets, and room presence across processes.

Presence lives in memory for one process, or in Redis when a message queue
is configured so that every worker sees the same counts.
"""
from __future__ import annotations

import json
import threading
import time

import redis
from flask import current_app


class LocalPresence:
    def __init__(self):
        self._lock = threading.Lock()
        self._rooms: dict[str, dict[str, dict]] = {}

    def add(self, room: str, sid: str, who: dict) -> None:
        with self._lock:
            self._rooms.setdefault(room, {})[sid] = who

    def remove(self, room: str, sid: str) -> None:
        with self._lock:
            members = self._rooms.get(room)
            if members is not None:
                members.pop(sid, None)
                if not members:
                    self._rooms.pop(room, None)

    def members(self, room: str) -> list[dict]:
        with self._lock:
            return list(self._rooms.get(room, {}).values())


class RedisPresence:
    """Presence in Redis hashes `<channel>:presence:<room>` (sid -> who), shared by every worker."""

    TTL = 6 * 3600

    def __init__(self, url: str, prefix: str = "roundtable"):
        # A blocking pool: when hundreds of sockets leave at once (bench/fanout.py), greenlets
        # wait for a free connection instead of failing with "Too many connections" and
        # leaving stale entries behind.
        self._redis = redis.Redis(connection_pool=redis.BlockingConnectionPool.from_url(
            url, max_connections=100, timeout=20))
        self._prefix = prefix

    def add(self, room: str, sid: str, who: dict) -> None:
        key = f"{self._prefix}:presence:{room}"
        pipe = self._redis.pipeline()
        pipe.hset(key, sid, json.dumps({**who, "t": time.time()}))
        pipe.expire(key, self.TTL)
        pipe.execute()

    def remove(self, room: str, sid: str) -> None:
        self._redis.hdel(f"{self._prefix}:presence:{room}", sid)

    def members(self, room: str) -> list[dict]:
        return [json.loads(v) for v in self._redis.hvals(f"{self._prefix}:presence:{room}")]


def summarise(members: list[dict], limit: int = 30) -> dict:
    """Count people (not tabs) and their organisations, and name those who may be named
    (the caller drops the names where a room's identities are hidden)."""
    people: dict = {}
    for who in members:
        people.setdefault(who.get("id"), who)
    named = [{"id": w["id"], "name": w["name"]} for w in people.values() if w.get("name")][:limit]
    orgs = sorted({w["org"] for w in people.values() if w.get("org")})
    return {"count": len(people), "users": named, "organisations": orgs, "organisation_count": len(orgs)}


# --- how many sockets one person (or address) holds ------------------------------------------
class LocalConnections:
    """Open sockets per key ("user:12", "addr:10.0.0.1"), for one process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._keys: dict[str, set[str]] = {}

    def add(self, sid: str, limits: dict[str, int]) -> str | None:
        """Count `sid` under each key; if a key would go past its limit, count nothing
        and return that key (limit 0: none)."""
        with self._lock:
            for key, limit in limits.items():
                if limit and len(self._keys.get(key, ())) >= limit:
                    return key
            for key in limits:
                self._keys.setdefault(key, set()).add(sid)
        return None

    def remove(self, sid: str, keys) -> None:
        with self._lock:
            for key in keys:
                sids = self._keys.get(key)
                if sids is not None:
                    sids.discard(sid)
                    if not sids:
                        self._keys.pop(key, None)

    def count(self, key: str) -> int:
        with self._lock:
            return len(self._keys.get(key, ()))

    def refresh(self, sids_by_key: dict[str, list[str]]) -> None:
        """Nothing to do in one process: a socket is removed when it disconnects."""


class RedisConnections:
    """Open sockets per key across every worker: a sorted set `<prefix>:conn:<key>` of
    sid -> last seen. Each worker refreshes its own sockets every REFRESH seconds, so the
    sockets of a worker that died stop counting after STALE seconds."""

    REFRESH = 60.0
    STALE = 180.0

    def __init__(self, url: str, prefix: str = "roundtable"):
        self._redis = redis.Redis(connection_pool=redis.BlockingConnectionPool.from_url(
            url, max_connections=50, timeout=20))
        self._prefix = prefix

    def _key(self, key: str) -> str:
        return f"{self._prefix}:conn:{key}"

    def add(self, sid: str, limits: dict[str, int]) -> str | None:
        now = time.time()
        pipe = self._redis.pipeline()
        for key in limits:
            name = self._key(key)
            pipe.zremrangebyscore(name, "-inf", now - self.STALE)
            pipe.zadd(name, {sid: now})
            pipe.zcard(name)
            pipe.expire(name, int(self.STALE) * 2)
        counts = pipe.execute()[2::4]
        over = next((key for (key, limit), count in zip(limits.items(), counts, strict=True)
                     if limit and count > limit), None)
        if over is not None:
            self.remove(sid, limits)
        return over

    def remove(self, sid: str, keys) -> None:
        pipe = self._redis.pipeline()
        for key in keys:
            pipe.zrem(self._key(key), sid)
        pipe.execute()

    def count(self, key: str) -> int:
        name = self._key(key)
        return self._redis.zcount(name, time.time() - self.STALE, "+inf")

    def refresh(self, sids_by_key: dict[str, list[str]]) -> None:
        now = time.time()
        pipe = self._redis.pipeline()
        for key, sids in sids_by_key.items():
            if sids:
                pipe.zadd(self._key(key), {sid: now for sid in sids})
                pipe.expire(self._key(key), int(self.STALE) * 2)
        pipe.execute()


def app_store(name: str, redis_class: type, local_class: type):
    """The app's registry `name` (made on first use): in Redis when workers share a queue
    (redis_class(url, channel)), else in this process (local_class())."""
    app = current_app._get_current_object()
    store = app.extensions.get(name)
    if store is None:
        url = app.config.get("SOCKETIO_MESSAGE_QUEUE")
        store = (redis_class(url, app.config["SOCKETIO_CHANNEL"]) if url and url.startswith("redis")
                 else local_class())
        app.extensions[name] = store
    return store
