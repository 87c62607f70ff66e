"""Politeness: a minimum delay between requests to one host, and a cap on requests in flight."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field


@dataclass
class HostPacer:
    """Hand out request start times per host, `delay_s` apart.

    A caller reserves the next free slot and then sleeps until it, so many
    threads or tasks asking at once are spread out instead of bunched.
    """

    delay_s: float
    per_host_concurrency: int
    clock: Callable[[], float] = time.monotonic
    _next_slot: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _semaphores: dict[str, asyncio.Semaphore] = field(default_factory=dict)

    def reserve(self, host: str) -> float:
        """Reserve the next start time for `host`; return how many seconds to wait for it."""
        with self._lock:
            now = self.clock()
            start = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = start + self.delay_s
        return start - now

    def wait_turn(self, host: str) -> None:
        """Block until this thread may send its next request to `host`."""
        wait = self.reserve(host)
        if wait > 0:
            time.sleep(wait)

    @contextlib.asynccontextmanager
    async def turn(self, host: str, *, wait: bool = True) -> AsyncIterator[None]:
        """Hold one of the host's request slots; with `wait`, start no sooner than the delay allows."""
        semaphore = self._semaphores.setdefault(host, asyncio.Semaphore(self.per_host_concurrency))
        async with semaphore:
            delay = self.reserve(host) if wait else 0.0
            if delay > 0:
                await asyncio.sleep(delay)
            yield
