"""When to try again, and how long to wait: backoff with jitter, Retry-After, the total deadline."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from scraper.errors import FetchTimeout
from scraper.fetch.options import FetchOptions


@dataclass
class Deadline:
    """The time left for one page, all attempts included."""

    total_s: float
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def restart(self) -> None:
        """Start counting now (a page's clock starts once it is first allowed to go out)."""
        self.started = self.clock()

    @property
    def elapsed_s(self) -> float:
        """Seconds since the deadline started."""
        return self.clock() - self.started

    @property
    def remaining_s(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.total_s - self.elapsed_s)

    def check(self, url: str) -> None:
        """Raise FetchTimeout once the time is up."""
        if self.remaining_s <= 0:
            raise FetchTimeout(f"total deadline of {self.total_s:g} s exceeded", url=url)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Return the seconds a Retry-After value asks for (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff_s(attempt: int, options: FetchOptions, rng: random.Random) -> float:
    """Return the wait before retry number `attempt` (0-based): doubling, capped, +/-50% jitter."""
    base = min(options.backoff_max_s, options.backoff_base_s * 2**attempt)
    # Jitter spreads out clients that failed together, so they do not return together.
    return min(options.backoff_max_s, base * rng.uniform(0.5, 1.5))


def retry_wait_s(
    *,
    attempt: int,
    status: int | None,
    retry_after: str | None,
    options: FetchOptions,
    rng: random.Random,
    remaining_s: float,
) -> float | None:
    """Return how long to wait before retrying, or None when this attempt is final.

    `status` is None for a transient connection fault. A Retry-After above the cap,
    or a wait that would pass the deadline, means giving up now rather than later.
    """
    if attempt >= options.retries:
        return None
    if status is not None and status not in options.retry_statuses:
        return None
    asked = parse_retry_after(retry_after) if status in (429, 503) else None
    if asked is not None and asked > options.retry_after_cap_s:
        return None
    wait = asked if asked is not None else backoff_s(attempt, options, rng)
    return wait if wait < remaining_s else None
