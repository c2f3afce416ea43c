"""Who is connected where: this process's sockets, and room presence across processes.

Presence lives in memory for one process, or in Redis when a message queue
is configured so that every worker sees the same counts.
"""
from __future__ import annotations

import json
import threading
import time


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
        import redis

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
