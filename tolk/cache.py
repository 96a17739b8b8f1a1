"""Per-process caches for values that may be slightly stale (locale profiles, recent quality scores)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app


class TimedCache:
    """Keeps each computed value for ``seconds``; other processes see changes within that time."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        now = time.monotonic()
        with self._lock:
            found = self._values.get(key)
        if found is not None and now - found[0] < self.seconds:
            return found[1]
        value = compute()
        with self._lock:
            self._values[key] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


def app_cache(name: str) -> TimedCache:
    """The current app's cache called ``name`` (lifetime from TOLK_CACHE_SECONDS)."""
    caches = current_app.extensions.setdefault("tolk.caches", {})
    if name not in caches:
        caches[name] = TimedCache(current_app.config["CACHE_SECONDS"])
    return caches[name]
