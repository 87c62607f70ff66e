"""FetchOptions: every knob of the fetcher, with a named default and the reason for it."""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import re
from dataclasses import dataclass
from typing import Any

from scraper import __version__
from scraper.errors import UsageError

# Named so that robots.txt groups can address us ("User-agent: scraper").
ROBOTS_TOKEN = "scraper"
DEFAULT_USER_AGENT = f"{ROBOTS_TOKEN}/{__version__} (article extraction toolkit; python-httpx)"


# Fields in seconds: none may be negative, and a timeout must be more than 0.
_SECONDS = (
    "connect_timeout_s", "read_timeout_s", "total_timeout_s", "backoff_base_s", "backoff_max_s",
    "retry_after_cap_s", "robots_ttl_s", "min_host_delay_s",
)
_TIMEOUTS = frozenset({"connect_timeout_s", "read_timeout_s", "total_timeout_s"})
# Whole-number fields with their lowest value.
_LOWEST_COUNT = {"max_redirects": 0, "retries": 0, "max_bytes": 1, "robots_max_bytes": 1, "per_host_concurrency": 1}
# What an HTTP/1.1 header value may hold (RFC 9110, as h11 checks it before sending): visible
# ASCII, with spaces or tabs only between words. Anything else fails only at the first request.
_HEADER_VALUE = re.compile(r"(?:[\x21-\x7e]+(?:[ \t]+[\x21-\x7e]+)*)?")


def header_value_problem(value: object) -> str | None:
    """Say why `value` cannot be sent as an HTTP header value, or return None when it can."""
    if not isinstance(value, str):
        return f"must be text, not {value!r}"
    if not _HEADER_VALUE.fullmatch(value):
        return f"must be printable ASCII without line breaks or surrounding spaces, not {value!r}"
    return None


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
        problem = self.problem()
        if problem:
            raise UsageError(f"bad fetch option: {problem}")

    def problem(self) -> str | None:
        """Return what is wrong with these options (a wrong type or a value out of range), or None."""
        for name in _SECONDS:
            value = getattr(self, name)
            timeout = name in _TIMEOUTS
            # NaN passes every comparison, and an endless wait is no deadline: both are refused.
            number = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
            if not number or value < 0 or (timeout and value == 0):
                wanted = "more than 0" if timeout else "at least 0"
                return f"{name} must be a finite number of seconds {wanted}, not {value!r}"
        for name, low in _LOWEST_COUNT.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                return f"{name} must be a whole number of at least {low}, not {value!r}"
        agent_problem = header_value_problem(self.user_agent)
        if agent_problem:
            return f"user_agent {agent_problem}"
        for cidr in self.trusted_networks:
            network_problem = self.network_problem(cidr)
            if network_problem:
                return f"trusted_networks: {network_problem}"
        return None

    @staticmethod
    def network_problem(cidr: object) -> str | None:
        """Say why `cidr` is not a network the address guard can trust, or return None."""
        try:
            ipaddress.ip_network(cidr, strict=False)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return f"{cidr!r} is not a network (write it as CIDR, e.g. 10.0.0.0/8)"
        return None

    def replace(self, **changes: Any) -> FetchOptions:
        """Return a copy with some fields changed (unknown names raise TypeError)."""
        return dataclasses.replace(self, **changes)
