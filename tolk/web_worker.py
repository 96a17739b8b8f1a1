"""The web server's worker: gunicorn's threaded worker, which leaves a new connection to a sibling with fewer.

A worker runs Python on one core at a time (the GIL), and a kept-alive connection stays with the worker that
accepted it. gunicorn's workers race for each new connection, so a few busy clients land where chance puts
them: of 30 rounds of 4 connections opened at once on 2 workers, 3 went 4-0 and 16 went 3-1. A worker holding
three or four of them can run its core full while the other idles: one such round gave 211 replies/s against
252-295 in the others, and all four on one worker 128 (docs/performance.md).

So a worker that already holds connections steps back from a new one for ``HOLD_SECONDS`` for each of them
(at most ``HOLD_MAX``): a sibling holding fewer, woken by the same connection, accepts it first. If none
does, the worker accepts it when its wait ends, so a connection waits a few milliseconds at most. With one
worker there is nobody to leave it to, and nothing changes.
"""

from __future__ import annotations

import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

#: How long a worker waits for each connection it holds before accepting a new one itself.
HOLD_SECONDS = 0.002
#: The longest such wait, whatever it holds.
HOLD_MAX = 0.008
#: A wait this long over is forgotten: the connection it was for went to a sibling.
FORGET_SECONDS = 0.05


class BalancingThreadWorker(ThreadWorker):
    """gunicorn's ``gthread`` worker that leaves a new connection to a worker holding fewer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hold_until = 0.0  # time.monotonic(): not accepting before then
        self.held = False  # stepped back from the connection now waiting: take it when the wait ends

    def accept(self, listener: Any) -> None:
        now = time.monotonic()
        waited = self.held and now < self.hold_until + FORGET_SECONDS
        self.held = False
        if waited or not self.nr_conns or self.cfg.workers < 2:
            super().accept(listener)
            return
        # Leave it to a sibling for a moment; whoever holds the fewest connections waits the least.
        self.held = True
        self.hold_until = now + min(HOLD_MAX, HOLD_SECONDS * self.nr_conns)
        self.set_accept_enabled(False)

    def set_accept_enabled(self, enabled: bool) -> None:
        if enabled and time.monotonic() < self.hold_until:
            return  # still waiting: gunicorn's loop asks again after each event
        super().set_accept_enabled(enabled)

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        # Wake when the wait ends, to take the connection if no sibling did.
        remaining = self.hold_until - time.monotonic()
        if remaining > 0:
            timeout = min(timeout, remaining)
        super().wait_for_and_dispatch_events(timeout)
