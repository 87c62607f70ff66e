"""The fetcher: httpx in, `Page` out; the only network code in `scraper`.

    >>> from scraper.fetch import fetch, FetchOptions
    >>> page = fetch("https://example.org/news/1", options=FetchOptions(retries=1))
    >>> page.url, page.encoding, page.text[:60]

`fetch` opens a `Fetcher` for one page; to fetch many, keep one `Fetcher` (or
`AsyncFetcher`, or `fetch_many`) open so connections, robots.txt rules and
per-host pacing are shared. Every failure is a `scraper.errors.FetchError`
subclass carrying the URL (see `scraper.fetch.errors` for the kinds).

The package is callable too: `scraper.fetch(url)` is `scraper.fetch.fetch(url)`,
so `from scraper import fetch` works whichever of the two the caller expects.
"""

from __future__ import annotations

import sys
import types
from collections.abc import AsyncIterator, Iterable

from scraper.errors import FetchError
from scraper.fetch.client import AsyncFetcher, Fetcher
from scraper.fetch.guard import AddressGuard, refusal_reason
from scraper.fetch.options import DEFAULT_USER_AGENT, FetchOptions
from scraper.fetch.page import Page

DEFAULT_CONCURRENCY = 8


def fetch(url: str, *, options: FetchOptions | None = None) -> Page:
    """Fetch one HTML page with a fresh `Fetcher`.

    Args:
        url: an http(s) URL.
        options: how to fetch (default `FetchOptions()`).

    Returns:
        The page: requested and final URL, status, headers, bytes, text and encoding.

    Raises:
        FetchError: a subclass naming the reason, carrying `url`.
    """
    with Fetcher(options) as fetcher:
        return fetcher.fetch(url)


async def fetch_many(
    urls: Iterable[str],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    options: FetchOptions | None = None,
) -> AsyncIterator[Page | FetchError]:
    """Fetch many URLs concurrently and politely; yield a `Page` or a `FetchError` for each.

    Results come as they finish, not in input order; match them by `.requested_url`
    (pages) or `.url` (errors).
    """
    async with AsyncFetcher(options) as fetcher:
        async for result in fetcher.fetch_many(urls, concurrency=concurrency):
            yield result


class _CallableModule(types.ModuleType):
    """Let `scraper.fetch(url)` call `scraper.fetch.fetch(url)`."""

    def __call__(self, url: str, *, options: FetchOptions | None = None) -> Page:
        return fetch(url, options=options)


sys.modules[__name__].__class__ = _CallableModule

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_USER_AGENT",
    "AddressGuard",
    "AsyncFetcher",
    "FetchOptions",
    "Fetcher",
    "Page",
    "fetch",
    "fetch_many",
    "refusal_reason",
]
