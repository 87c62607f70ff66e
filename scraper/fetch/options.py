"""FetchOptions: every knob of the fetcher, with a named default and the reason for it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from scraper import __version__

# Named so that robots.txt groups can address us ("User-agent: scraper").
ROBOTS_TOKEN = "scraper"
DEFAULT_USER_AGENT = f"{ROBOTS_TOKEN}/{__version__} (article extraction toolkit; python-httpx)"


@dataclass(frozen=True)
class FetchOptions:
    """How to fetch: timeouts, retries, caps, politeness and safety, all overridable per call."""

    # Most servers accept a connection in well under a second; 10 s covers slow links.
    connect_timeout_s: float = 10.0
    # Silence longer than this between two reads means a stalled server.
    read_timeout_s: float = 20.0
    # One page, with every retry, redirect and backoff, never takes longer than this.
    total_timeout_s: float = 60.0
    # Browsers stop at 20; real article URLs need 1-3 hops, 10 leaves room for trackers.
    max_redirects: int = 10
    # Retries after the first attempt, only for transient faults (see retry_statuses).
    retries: int = 3
    # The first backoff; it doubles with each retry and gets +/-50% jitter.
    backoff_base_s: float = 0.5
    # No single backoff waits longer than this.
    backoff_max_s: float = 30.0
    # A Retry-After longer than this is not waited for: the fetch fails at once instead.
    retry_after_cap_s: float = 30.0
    # Statuses that mean "try again later"; any other 4xx/5xx fails at once.
    retry_statuses: tuple[int, ...] = (429, 502, 503, 504)
    # Article pages are far below 10 MB; the cap holds for the raw and the decompressed body.
    max_bytes: int = 10_000_000
    # Let text/plain, text/markdown and other text/* through, not just (X)HTML.
    allow_any_text: bool = False
    # Names the toolkit and its version, so site owners can tell who is fetching.
    user_agent: str = DEFAULT_USER_AGENT
    # Honour robots.txt unless told otherwise.
    obey_robots: bool = True
    # robots.txt is fetched once per host and trusted for an hour (RFC 9309 allows up to 24 h).
    robots_ttl_s: float = 3600.0
    # robots.txt over 500 KiB may be ignored past that point (RFC 9309, section 2.5).
    robots_max_bytes: int = 512_000
    # At most this many requests in flight to one host at a time.
    per_host_concurrency: int = 2
    # Seconds between two page requests to one host (retries wait their backoff instead,
    # and a redirect within one host goes at once: both belong to a page already started).
    min_host_delay_s: float = 1.0
    # Off: loopback, private, link-local, multicast and reserved addresses are refused.
    allow_private: bool = False
    # CIDR networks treated as public even though they are not (for tests and intranets).
    trusted_networks: tuple[str, ...] = ()
    # Take proxies from HTTP_PROXY/HTTPS_PROXY/NO_PROXY as httpx does.
    trust_env: bool = True

    def __post_init__(self) -> None:
        for name in ("connect_timeout_s", "read_timeout_s", "total_timeout_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        for name in ("max_redirects", "retries", "max_bytes", "per_host_concurrency"):
            if getattr(self, name) < (1 if name in {"max_bytes", "per_host_concurrency"} else 0):
                raise ValueError(f"{name} is out of range")
        if self.min_host_delay_s < 0 or self.backoff_base_s < 0:
            raise ValueError("delays cannot be negative")

    def replace(self, **changes: Any) -> FetchOptions:
        """Return a copy with some fields changed (unknown names raise TypeError)."""
        return dataclasses.replace(self, **changes)
