"""Fetcher and AsyncFetcher: each owns one httpx client and applies every fetch rule.

One page is fetched as a story of hops::

    for each hop (the URL, then each redirect target, at most max_redirects):
        guard the address, obey robots.txt
        for each attempt (1 + retries):
            wait for the host's turn -> GET -> a step:
                retry after a wait | redirect to a URL | the Page | an error

The decisions (when to retry, where a redirect leads, whether a body is
acceptable) are plain functions shared by both drivers; the drivers differ only
in how they wait and do I/O.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Self

import httpx

from scraper.errors import (
    BadStatus,
    FetchError,
    ResponseTooLarge,
    RobotsDisallowed,
    TooManyRedirects,
    UsageError,
)
from scraper.fetch.body import (
    ACCEPT,
    ACCEPT_ENCODING,
    BodyReader,
    charset_from_header,
    check_media_type,
    check_sniffed,
)
from scraper.fetch.errors import is_transient, on_behalf_of, translate
from scraper.fetch.guard import AddressGuard, Resolver
from scraper.fetch.options import ROBOTS_TOKEN, FetchOptions
from scraper.fetch.page import Headers, Page
from scraper.fetch.politeness import HostPacer
from scraper.fetch.retry import Deadline, retry_wait_s
from scraper.fetch.robots import ALLOW_ALL, RobotsCache, RobotsRules, rules_for_status
from scraper.parse import decode_html

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# robots.txt may redirect; RFC 9309 asks crawlers to follow at least five hops.
_ROBOTS_MAX_REDIRECTS = 5


@dataclass(frozen=True)
class _Step:
    """What one attempt led to: exactly one of the fields is set."""

    retry_after_s: float | None = None
    redirect_to: str | None = None
    page: Page | None = None


class _Base:
    """State and decisions shared by the sync and async drivers."""

    def __init__(
        self,
        options: FetchOptions | None,
        *,
        resolver: Resolver | None,
        clock: Callable[[], float],
        rng: random.Random | None,
    ) -> None:
        self.options = options or FetchOptions()
        self._guard = AddressGuard.from_options(
            self.options.allow_private, self.options.trusted_networks, resolver
        )
        self._robots = RobotsCache(self.options.robots_ttl_s, clock)
        self._pacer = HostPacer(self.options.min_host_delay_s, self.options.per_host_concurrency, clock)
        self._clock = clock
        self._rng = rng or random.Random()

    def _client_args(self) -> dict[str, object]:
        return {
            "headers": {
                "User-Agent": self.options.user_agent,
                "Accept": ACCEPT,
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            # Page redirects are followed by hand, so every hop is guarded and checked for loops.
            "follow_redirects": False,
            "max_redirects": _ROBOTS_MAX_REDIRECTS,
            "trust_env": self.options.trust_env,
            "timeout": self._timeout(None),
        }

    def _timeout(self, deadline: Deadline | None) -> httpx.Timeout:
        """Per-request timeouts, shortened so that no single wait outlives the deadline."""
        left = deadline.remaining_s if deadline else self.options.total_timeout_s
        left = max(left, 0.001)
        read = min(self.options.read_timeout_s, left)
        return httpx.Timeout(
            connect=min(self.options.connect_timeout_s, left), read=read, write=read, pool=left
        )

    def _parse(self, url: str) -> httpx.URL:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise FetchError(f"invalid URL: {exc}", url=url) from exc
        if parsed.scheme not in {"http", "https"} or not parsed.host:
            raise FetchError("only http and https URLs with a host can be fetched", url=url)
        return parsed

    def _check_address(self, url: httpx.URL) -> None:
        self._guard.check(str(url), url.host, url.port or (443 if url.scheme == "https" else 80))

    def _robots_site(self, url: httpx.URL) -> str:
        return f"{url.scheme}://{url.netloc.decode('ascii')}"

    def _robots_verdict(self, url: httpx.URL, rules: RobotsRules) -> None:
        path = url.raw_path.decode("ascii", "replace")
        if not rules.allows(path):
            reason = rules.disallow_all_reason or f"robots.txt disallows {path}"
            raise RobotsDisallowed(f"{reason} (use --ignore-robots to fetch anyway)", url=str(url))

    def _step(
        self, response: httpx.Response, url: str, chain: list[str], attempt: int, deadline: Deadline
    ) -> _Step | None:
        """Decide from the status line alone; None means: read the body."""
        status = response.status_code
        if status in self.options.retry_statuses:
            wait = retry_wait_s(
                attempt=attempt,
                status=status,
                retry_after=response.headers.get("retry-after"),
                options=self.options,
                rng=self._rng,
                remaining_s=deadline.remaining_s,
            )
            if wait is not None:
                return _Step(retry_after_s=wait)
        if status in _REDIRECTS and "location" in response.headers:
            return _Step(redirect_to=self._redirect_target(response, url, chain))
        if not 200 <= status < 300:
            tries = f" after {attempt + 1} attempts" if attempt else ""
            phrase = f" {response.reason_phrase}" if response.reason_phrase else ""
            raise BadStatus(f"HTTP {status}{phrase}{tries}", url=url, status=status)
        check_media_type(
            response.headers.get("content-type"), url=url, allow_any_text=self.options.allow_any_text
        )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.options.max_bytes:
            raise ResponseTooLarge(
                f"body declares {int(declared):,} bytes, over the {self.options.max_bytes:,} byte cap",
                url=url,
            )
        return None

    def _redirect_target(self, response: httpx.Response, url: str, chain: list[str]) -> str:
        target = str(response.url.join(response.headers["location"]))
        if target == url or target in chain:
            # Show the cycle itself, from its first visit back to it.
            cycle = [*chain[chain.index(target):], url, target] if target in chain else [url, target]
            raise TooManyRedirects(f"redirect loop: {' -> '.join(cycle)}", url=url)
        if len(chain) + 1 > self.options.max_redirects:
            raise TooManyRedirects(f"more than {self.options.max_redirects} redirects", url=url)
        return target

    def _reader(self, response: httpx.Response, url: str, max_bytes: int | None = None) -> BodyReader:
        # A response built in memory (e.g. by httpx.MockTransport) arrives read and decoded already.
        coding = None if response.is_stream_consumed else response.headers.get("content-encoding")
        return BodyReader(coding, url=url, max_bytes=max_bytes or self.options.max_bytes)

    def _page(
        self, requested: str, response: httpx.Response, content: bytes, chain: list[str],
        deadline: Deadline,
    ) -> Page:
        url = str(response.url)
        check_sniffed(content, url=url)
        decoded = decode_html(content, declared=charset_from_header(response.headers.get("content-type")))
        return Page(
            requested_url=requested,
            url=url,
            status=response.status_code,
            headers=_raw_headers(response.headers),
            content=content,
            text=decoded.text,
            encoding=decoded.encoding,
            request_headers=_raw_headers(response.request.headers),
            http_version=response.http_version,
            redirects=tuple(chain),
            elapsed_s=deadline.elapsed_s,
        )

    def _transient_wait(self, exc: httpx.HTTPError, attempt: int, deadline: Deadline) -> float | None:
        if not is_transient(exc):
            return None
        return retry_wait_s(
            attempt=attempt,
            status=None,
            retry_after=None,
            options=self.options,
            rng=self._rng,
            remaining_s=deadline.remaining_s,
        )


def _new_host(host: str, chain: list[str]) -> bool:
    """Return True when a request to `host` starts a visit there and so waits its turn.

    Retries are spaced by their backoff, and a redirect within one host by the
    redirect itself; pacing them too would only slow single-page fetches down.
    """
    return not chain or httpx.URL(chain[-1]).host != host


def _raw_chunks(response: httpx.Response) -> Iterator[bytes]:
    if response.is_stream_consumed:
        yield response.content
    else:
        yield from response.iter_raw()


async def _araw_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    if response.is_stream_consumed:
        yield response.content
    else:
        async for chunk in response.aiter_raw():
            yield chunk


def _raw_headers(headers: httpx.Headers) -> Headers:
    return tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in headers.raw)


def _robots_rules(status: int, body: bytes) -> RobotsRules:
    return rules_for_status(status, body.decode("utf-8", "replace"), ROBOTS_TOKEN)


class Fetcher(_Base):
    """Fetch pages one at a time with one `httpx.Client`; use it as a context manager.

    Args:
        options: the fetch options (defaults: `FetchOptions()`).
        transport: an httpx transport to use instead of the network (tests).
        resolver: host name -> addresses, for the address guard (default: the system's).
    """

    def __init__(
        self,
        options: FetchOptions | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        resolver: Resolver | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(options, resolver=resolver, clock=clock, rng=rng)
        self._sleep = sleep
        # Every request, robots.txt and its redirects included, passes the address guard.
        self._client = httpx.Client(
            transport=transport,
            event_hooks={"request": [lambda request: self._check_address(request.url)]},
            **self._client_args(),  # type: ignore[arg-type]
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def fetch(self, url: str) -> Page:
        """Fetch one HTML page.

        Raises:
            FetchError: a subclass naming why (timeout, too large, bad status, not HTML,
                robots disallowed, address refused, too many redirects), carrying `url`.
        """
        try:
            return self._fetch(url)
        except FetchError as exc:
            error = on_behalf_of(exc, url)
            if error is exc:
                raise
            raise error from exc
        except (httpx.HTTPError, OSError) as exc:
            raise translate(exc, url) from exc

    def _fetch(self, requested: str) -> Page:
        current: str = requested
        chain: list[str] = []
        deadline = Deadline(self.options.total_timeout_s, self._clock)
        while True:
            parsed = self._parse(current)
            self._check_address(parsed)
            if self.options.obey_robots:
                self._robots_verdict(parsed, self._robots_for(parsed))
            step = self._attempts(requested, current, parsed.host, chain, deadline)
            if step.page is not None:
                return step.page
            chain.append(current)
            current = step.redirect_to or ""

    def _attempts(
        self, requested: str, url: str, host: str, chain: list[str], deadline: Deadline
    ) -> _Step:
        for attempt in itertools.count():
            deadline.check(url)
            if attempt == 0 and _new_host(host, chain):
                self._pacer.wait_turn(host)
                if not chain:
                    deadline.restart()  # waiting for the host's turn is politeness, not slowness
            try:
                step = self._attempt(requested, url, chain, attempt, deadline)
            except httpx.HTTPError as exc:
                wait = self._transient_wait(exc, attempt, deadline)
                if wait is None:
                    raise translate(exc, url, attempts=attempt + 1) from exc
                step = _Step(retry_after_s=wait)
            if step.retry_after_s is None:
                return step
            self._sleep(step.retry_after_s)
        raise AssertionError("unreachable")  # itertools.count() never ends

    def _attempt(
        self, requested: str, url: str, chain: list[str], attempt: int, deadline: Deadline
    ) -> _Step:
        request = self._client.build_request("GET", url, timeout=self._timeout(deadline))
        response = self._client.send(request, stream=True)
        try:
            step = self._step(response, url, chain, attempt, deadline)
            if step is not None:
                return step
            reader = self._reader(response, url)
            for chunk in _raw_chunks(response):
                reader.feed(chunk)
                deadline.check(url)
            return _Step(page=self._page(requested, response, reader.finish(), chain, deadline))
        finally:
            response.close()

    def _robots_for(self, url: httpx.URL) -> RobotsRules:
        site = self._robots_site(url)
        rules = self._robots.get(site)
        if rules is not None:
            return rules
        deadline = Deadline(self.options.total_timeout_s, self._clock)
        try:
            with self._client.stream(
                "GET", f"{site}/robots.txt", follow_redirects=True, timeout=self._timeout(deadline)
            ) as response:
                reader = self._reader(response, str(response.url), self.options.robots_max_bytes)
                try:
                    for chunk in _raw_chunks(response):
                        reader.feed(chunk)
                        deadline.check(site)
                    body = reader.finish()
                except ResponseTooLarge:
                    body = reader.partial()
                rules = _robots_rules(response.status_code, body)
        except (httpx.HTTPError, OSError, FetchError):
            # Unreachable robots.txt: allow, uncached; the page request reports the real fault.
            return ALLOW_ALL
        self._robots.put(site, rules)
        return rules


class AsyncFetcher(_Base):
    """Fetch pages concurrently with one `httpx.AsyncClient`; an async context manager.

    Takes the same arguments as `Fetcher` (an async transport instead of a sync one).
    """

    def __init__(
        self,
        options: FetchOptions | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(options, resolver=resolver, clock=clock, rng=rng)
        self._client = httpx.AsyncClient(
            transport=transport,
            event_hooks={"request": [self._check_request]},
            **self._client_args(),  # type: ignore[arg-type]
        )
        self._robots_locks: dict[str, asyncio.Lock] = {}

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def _check_request(self, request: httpx.Request) -> None:
        await self._check_address_async(request.url)

    async def _check_address_async(self, url: httpx.URL) -> None:
        if self._guard.allow_private:
            return
        # Name resolution blocks; keep it off the event loop.
        await asyncio.to_thread(self._check_address, url)

    async def fetch(self, url: str) -> Page:
        """Fetch one HTML page (see `Fetcher.fetch`)."""
        try:
            return await self._fetch(url)
        except FetchError as exc:
            error = on_behalf_of(exc, url)
            if error is exc:
                raise
            raise error from exc
        except (httpx.HTTPError, OSError) as exc:
            raise translate(exc, url) from exc

    async def fetch_many(
        self, urls: Iterable[str], *, concurrency: int = 8
    ) -> AsyncIterator[Page | FetchError]:
        """Fetch `urls` with at most `concurrency` in flight; yield each result as it is ready.

        A failed URL yields its `FetchError` (with `.url`) and the others go on.
        """
        if concurrency < 1:
            raise UsageError(f"concurrency must be at least 1, not {concurrency!r}")
        todo = iter(urls)
        done: asyncio.Queue[Page | FetchError | None] = asyncio.Queue(maxsize=concurrency)

        async def worker() -> None:
            for url in todo:  # one shared iterator: each URL goes to exactly one worker
                try:
                    result: Page | FetchError = await self.fetch(url)
                except FetchError as exc:
                    result = exc
                except Exception as exc:  # noqa: BLE001 - a bug for one URL must not stop the rest
                    result = translate(exc, url)
                await done.put(result)
            await done.put(None)

        workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
        try:
            finished = 0
            while finished < len(workers):
                item = await done.get()
                if item is None:
                    finished += 1
                else:
                    yield item
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def _fetch(self, requested: str) -> Page:
        current: str = requested
        chain: list[str] = []
        deadline = Deadline(self.options.total_timeout_s, self._clock)
        while True:
            parsed = self._parse(current)
            await self._check_address_async(parsed)
            if self.options.obey_robots:
                self._robots_verdict(parsed, await self._robots_for(parsed))
            step = await self._attempts(requested, current, parsed.host, chain, deadline)
            if step.page is not None:
                return step.page
            chain.append(current)
            current = step.redirect_to or ""

    async def _attempts(
        self, requested: str, url: str, host: str, chain: list[str], deadline: Deadline
    ) -> _Step:
        for attempt in itertools.count():
            deadline.check(url)
            async with self._pacer.turn(host, wait=attempt == 0 and _new_host(host, chain)):
                if attempt == 0 and not chain:
                    deadline.restart()  # waiting for the host's turn is politeness, not slowness
                try:
                    step = await self._attempt(requested, url, chain, attempt, deadline)
                except httpx.HTTPError as exc:
                    wait = self._transient_wait(exc, attempt, deadline)
                    if wait is None:
                        raise translate(exc, url, attempts=attempt + 1) from exc
                    step = _Step(retry_after_s=wait)
            if step.retry_after_s is None:
                return step
            await asyncio.sleep(step.retry_after_s)
        raise AssertionError("unreachable")  # itertools.count() never ends

    async def _attempt(
        self, requested: str, url: str, chain: list[str], attempt: int, deadline: Deadline
    ) -> _Step:
        request = self._client.build_request("GET", url, timeout=self._timeout(deadline))
        response = await self._client.send(request, stream=True)
        try:
            step = self._step(response, url, chain, attempt, deadline)
            if step is not None:
                return step
            reader = self._reader(response, url)
            async for chunk in _araw_chunks(response):
                reader.feed(chunk)
                deadline.check(url)
            return _Step(page=self._page(requested, response, reader.finish(), chain, deadline))
        finally:
            await response.aclose()

    async def _robots_for(self, url: httpx.URL) -> RobotsRules:
        site = self._robots_site(url)
        # One fetch of robots.txt per site, however many tasks ask at once.
        async with self._robots_locks.setdefault(site, asyncio.Lock()):
            rules = self._robots.get(site)
            if rules is not None:
                return rules
            deadline = Deadline(self.options.total_timeout_s, self._clock)
            try:
                async with self._client.stream(
                    "GET", f"{site}/robots.txt", follow_redirects=True, timeout=self._timeout(deadline)
                ) as response:
                    reader = self._reader(response, str(response.url), self.options.robots_max_bytes)
                    try:
                        async for chunk in _araw_chunks(response):
                            reader.feed(chunk)
                            deadline.check(site)
                        body = reader.finish()
                    except ResponseTooLarge:
                        body = reader.partial()
                    rules = _robots_rules(response.status_code, body)
            except (httpx.HTTPError, OSError, FetchError):
                # Unreachable robots.txt: allow, uncached; the page request reports the real fault.
                return ALLOW_ALL
            self._robots.put(site, rules)
            return rules
