"""Figures kept per process for a few seconds (READ_COUNTS_CACHE_SECONDS and the like).

`Kept(maxsize)` holds values by key for the number of seconds the caller reads from the
configuration at each call (0: nothing is kept, every call computes); a change of that number
starts a fresh store. Callers make the key change with whatever the figures depend on (the
newest ids, the reader, the data generation a page's validator was taken from).
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

from cachetools import TTLCache


class Kept:
    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._store: TTLCache | None = None
        self._lock = threading.Lock()

    def get(self, seconds: float, key: Hashable, make: Callable[[], Any]) -> Any:
        """The value kept for `key`, else `make()` (kept for `seconds` from now)."""
        if not seconds:
            return make()
        with self._lock:
            if self._store is None or self._store.ttl != seconds:
                self._store = TTLCache(maxsize=self.maxsize, ttl=seconds)
            store = self._store
            found = store.get(key)
        if found is None:
            found = make()
            with self._lock:
                store[key] = found
        return found

    def clear(self) -> None:
        with self._lock:
            self._store = None
