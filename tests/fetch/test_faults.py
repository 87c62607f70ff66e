"""Every fault of the issue, from the library, against the real server on 127.0.0.1.

Each test asserts the outcome and that it came within a bounded time and memory
(generous bounds: they catch hangs and unbounded buffering, not slowness).
"""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from scraper.errors import (
    AddressRefused,
    BadStatus,
    FetchError,
    FetchTimeout,
    NotHTML,
    ResponseTooLarge,
    RobotsDisallowed,
    TooManyRedirects,
)
from scraper.fetch import AsyncFetcher, Fetcher, Page, fetch, fetch_many
from tests.fetch.conftest import (
    ARTICLE_PARAGRAPHS,
    CP1251_WORDS,
    LATIN1_WORDS,
    LOCAL,
    Bounds,
    FaultServer,
    running,
)


def test_normal_article(server: FaultServer, bounds: Bounds) -> None:
    with bounds.check("normal article", seconds=10, megabytes=20) as result:
        page = fetch(server.url("/article"), options=LOCAL)
        result["outcome"] = f"Page {page.status}, {page.encoding}"
    assert page.status == 200
    assert page.requested_url == page.url == server.url("/article")
    assert page.encoding == "utf-8"
    assert all(paragraph in page.text for paragraph in ARTICLE_PARAGRAPHS)
    assert page.content.decode("utf-8") == page.text
    assert page.header("content-type") == "text/html; charset=utf-8"


def test_gzip_encoded_article_is_decoded(server: FaultServer) -> None:
    page = fetch(server.url("/gzipped"), options=LOCAL)
    assert page.header("content-encoding") == "gzip"
    assert ARTICLE_PARAGRAPHS[0] in page.text


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
def test_a_compressed_body_cut_short_is_an_error(server: FaultServer, coding: str) -> None:
    # The response is complete as HTTP (its Content-Length is met), but the compressed stream
    # inside stops at 60 bytes: what decodes is a fragment of the page, not the page.
    with pytest.raises(FetchError, match="cannot decompress the body: the compressed data is cut short"):
        fetch(server.url(f"/truncated/{coding}"), options=LOCAL)


def test_stall_is_a_read_timeout(server: FaultServer, bounds: Bounds) -> None:
    options = LOCAL.replace(read_timeout_s=1.0)
    with bounds.check("stall (read timeout 1 s)", seconds=8) as result, pytest.raises(
        FetchTimeout, match="read timeout"
    ) as caught:
        fetch(server.url("/stall"), options=options)
    result["outcome"] = f"FetchTimeout: {caught.value.reason}"
    assert caught.value.url == server.url("/stall")


def test_trickle_hits_the_total_deadline(server: FaultServer, bounds: Bounds) -> None:
    options = LOCAL.replace(read_timeout_s=1.0, total_timeout_s=2.0)
    with bounds.check("trickle, 1 byte / 0.2 s (deadline 2 s)", seconds=8) as result, pytest.raises(
        FetchTimeout, match="total deadline of 2 s"
    ) as caught:
        fetch(server.url("/trickle"), options=options)
    result["outcome"] = f"FetchTimeout: {caught.value.reason}"


def test_reset_is_retried_then_reported(server: FaultServer, bounds: Bounds) -> None:
    with bounds.check("connection reset (every time)", seconds=10) as result, pytest.raises(
        FetchError, match="connection broken.*after 4 attempts"
    ) as caught:
        fetch(server.url("/reset"), options=LOCAL)
    assert type(caught.value) is FetchError  # the base kind: no subclass fits a reset
    result["outcome"] = f"FetchError: {caught.value.reason}"


def test_one_reset_is_recovered(server: FaultServer, bounds: Bounds, token: str) -> None:
    with bounds.check("connection reset once", seconds=10) as result:
        page = fetch(server.url(f"/reset-once/{token}"), options=LOCAL)
        result["outcome"] = f"Page {page.status} after retry"
    assert ARTICLE_PARAGRAPHS[0] in page.text
    assert server.hits[f"/reset-once/{token}"] == 2


def test_500_is_an_error_at_once_by_default(server: FaultServer, bounds: Bounds, token: str) -> None:
    path = f"/flaky/{token}/500/2"
    with bounds.check("500 twice then OK (default: 500 not retried)", seconds=10) as result, \
            pytest.raises(BadStatus, match="HTTP 500") as caught:
        fetch(server.url(path), options=LOCAL)
    result["outcome"] = f"BadStatus {caught.value.status} after 1 request"
    assert caught.value.status == 500
    assert server.hits[path] == 1


def test_500_twice_then_ok_when_500_is_retryable(
    server: FaultServer, bounds: Bounds, token: str
) -> None:
    path = f"/flaky/{token}/500/2"
    options = LOCAL.replace(retry_statuses=(500, 502, 503, 504, 429))
    with bounds.check("500 twice then OK (retry_statuses + 500)", seconds=10) as result:
        page = fetch(server.url(path), options=options)
        result["outcome"] = f"Page {page.status} on attempt {server.hits[path]}"
    assert server.hits[path] == 3
    assert ARTICLE_PARAGRAPHS[0] in page.text


def test_503_twice_then_ok_by_default(server: FaultServer, bounds: Bounds, token: str) -> None:
    path = f"/flaky/{token}/503/2"
    with bounds.check("503 twice then OK", seconds=10) as result:
        page = fetch(server.url(path), options=LOCAL)
        result["outcome"] = f"Page {page.status} on attempt {server.hits[path]}"
    assert server.hits[path] == 3


def test_503_beyond_the_retries_is_bad_status(server: FaultServer, token: str) -> None:
    path = f"/flaky/{token}/503/9"
    with pytest.raises(BadStatus, match="HTTP 503.*after 3 attempts") as caught:
        fetch(server.url(path), options=LOCAL.replace(retries=2))
    assert caught.value.status == 503
    assert server.hits[path] == 3


def test_404_is_not_retried(server: FaultServer) -> None:
    with pytest.raises(BadStatus, match="HTTP 404") as caught:
        fetch(server.url("/nothing-here"), options=LOCAL)
    assert caught.value.status == 404


def test_429_retry_after_is_honoured(server: FaultServer, bounds: Bounds, token: str) -> None:
    path = f"/slow-down/{token}/1"
    with bounds.check("429 with Retry-After: 1", seconds=10) as result:
        page = fetch(server.url(path), options=LOCAL)
        result["outcome"] = f"Page {page.status} after waiting {page.elapsed_s:.1f} s"
    assert server.hits[path] == 2
    assert page.elapsed_s >= 1.0  # it waited as asked, not the 0.05 s backoff


def test_429_retry_after_above_the_cap_fails_at_once(
    server: FaultServer, bounds: Bounds, token: str
) -> None:
    path = f"/slow-down/{token}/3600"
    with bounds.check("429 with Retry-After: 3600 (cap 30 s)", seconds=5) as result, \
            pytest.raises(BadStatus, match="HTTP 429") as caught:
        fetch(server.url(path), options=LOCAL)
    result["outcome"] = f"BadStatus {caught.value.status} at once"
    assert server.hits[path] == 1


def test_redirect_loop(server: FaultServer, bounds: Bounds) -> None:
    with bounds.check("redirect loop", seconds=5) as result, pytest.raises(
        TooManyRedirects, match="redirect loop"
    ) as caught:
        fetch(server.url("/loop/a"), options=LOCAL)
    result["outcome"] = f"TooManyRedirects: {caught.value.reason.split(': ', 1)[1]}"
    assert caught.value.url == server.url("/loop/a")


def test_redirect_chain_over_the_limit(server: FaultServer) -> None:
    with pytest.raises(TooManyRedirects, match="more than 3 redirects"):
        fetch(server.url("/chain/5"), options=LOCAL.replace(max_redirects=3))


def test_redirects_are_followed(server: FaultServer) -> None:
    page = fetch(server.url("/chain/3"), options=LOCAL)
    assert page.url == server.url("/article")
    assert page.requested_url == server.url("/chain/3")
    assert page.redirects == tuple(server.url(f"/chain/{n}") for n in (3, 2, 1))


def test_default_options_refuse_loopback(server: FaultServer, bounds: Bounds) -> None:
    with bounds.check("127.0.0.1 with default options", seconds=5) as result, pytest.raises(
        AddressRefused, match="127.0.0.1 is a loopback address"
    ) as caught:
        fetch(server.url("/article"))
    result["outcome"] = f"AddressRefused: {caught.value.reason.split(' (use')[0]}"
    assert "/article" not in server.hits  # refused before any request went out


@pytest.mark.parametrize("path", ["/a page", "/caf\u00e9"])
def test_an_error_on_the_first_hop_never_says_after_redirect(server: FaultServer, path: str) -> None:
    # httpx writes the URL its own way ("/a%20page"); that is the same URL, not a redirect.
    url = server.url(path)
    with pytest.raises(AddressRefused) as caught:
        fetch(url)
    assert caught.value.url == url
    assert caught.value.reason.startswith("refused: 127.0.0.1 is a loopback address"), caught.value.reason


async def _fetch_async(url: str) -> Page:
    async with AsyncFetcher() as fetcher:
        return await fetcher.fetch(url)


def test_an_async_error_on_the_first_hop_never_says_after_redirect(server: FaultServer) -> None:
    with pytest.raises(AddressRefused) as caught:
        asyncio.run(_fetch_async(server.url("/a page")))
    assert caught.value.reason.startswith("refused: 127.0.0.1"), caught.value.reason


def test_redirect_to_private_address_is_refused_on_the_hop(
    server: FaultServer, bounds: Bounds
) -> None:
    # The test declares 127.0.0.1 public; 127.0.0.2 stays loopback and must be refused.
    options = LOCAL.replace(allow_private=False, trusted_networks=("127.0.0.1/32",))
    with bounds.check("redirect to a private address", seconds=5) as result, pytest.raises(
        AddressRefused, match=r"127\.0\.0\.2 is a loopback address"
    ) as caught:
        fetch(server.url("/to-private"), options=options)
    result["outcome"] = f"AddressRefused: {caught.value.reason.split(' (use')[0]}"
    assert caught.value.reason.startswith(f"after redirect to http://127.0.0.2:{server.server_address[1]}/")
    assert caught.value.url == server.url("/to-private")
    assert "127.0.0.2" in caught.value.reason


def test_trusted_network_lets_the_first_hop_through(server: FaultServer) -> None:
    options = LOCAL.replace(allow_private=False, trusted_networks=("127.0.0.1/32",))
    assert fetch(server.url("/chain/2"), options=options).status == 200


def test_50_mb_chunked_body_is_cut_at_the_cap(server: FaultServer, bounds: Bounds) -> None:
    with bounds.check("50 MB body, chunked (cap 10 MB)", seconds=15, megabytes=40) as result, \
            pytest.raises(ResponseTooLarge, match="over the 10,000,000 byte cap") as caught:
        fetch(server.url("/big"), options=LOCAL)
    stopped = int(caught.value.reason.rsplit("after ", 1)[1].rstrip(")").replace(",", ""))
    assert 10_000_000 < stopped < 10_200_000  # read about 10 MB, not 50
    result["outcome"] = f"ResponseTooLarge after {stopped:,} bytes"


def test_50_mb_declared_body_is_refused_before_reading(server: FaultServer, bounds: Bounds) -> None:
    with bounds.check("50 MB body, Content-Length declared", seconds=5, megabytes=10) as result, \
            pytest.raises(ResponseTooLarge, match="declares 50,000,000 bytes") as caught:
        fetch(server.url("/big/declared"), options=LOCAL)
    result["outcome"] = f"ResponseTooLarge: {caught.value.reason}"


@pytest.mark.parametrize("kind", ["gzip", "brotli"])
def test_compression_bomb_is_cut_at_the_cap(server: FaultServer, bounds: Bounds, kind: str) -> None:
    with bounds.check(f"{kind} bomb (200 MB inflated)", seconds=15, megabytes=40) as result, \
            pytest.raises(ResponseTooLarge, match="decompressed body is over") as caught:
        fetch(server.url(f"/{kind}-bomb"), options=LOCAL)
    result["outcome"] = f"ResponseTooLarge: {caught.value.reason}"


@pytest.mark.parametrize(
    ("path", "match"),
    [
        ("/pdf", "the server says 'application/pdf'"),
        ("/pdf-as-html", "the body is binary"),
        ("/json", "the server says 'application/json'"),
        ("/plain", "the server says 'text/plain'"),
    ],
)
def test_not_html(server: FaultServer, bounds: Bounds, path: str, match: str) -> None:
    with bounds.check(f"{path.strip('/')}", seconds=5, megabytes=10) as result, pytest.raises(
        NotHTML, match=match
    ) as caught:
        fetch(server.url(path), options=LOCAL)
    result["outcome"] = f"NotHTML: {caught.value.reason}"


def test_other_text_passes_when_allowed(server: FaultServer) -> None:
    page = fetch(server.url("/plain"), options=LOCAL.replace(allow_any_text=True))
    assert ARTICLE_PARAGRAPHS[1] in page.text


def test_latin1_labelled_only_in_the_header(server: FaultServer, bounds: Bounds) -> None:
    with bounds.check("Latin-1, charset in header only", seconds=5, megabytes=10) as result:
        page = fetch(server.url("/latin1"), options=LOCAL)
        result["outcome"] = f"Page, decoded as {page.encoding}"
    assert LATIN1_WORDS.replace("Œuvre", "Oeuvre") in page.text
    assert "\ufffd" not in page.text


def test_cp1251_labelled_only_in_meta(server: FaultServer, bounds: Bounds) -> None:
    with bounds.check("Windows-1251, charset in <meta> only", seconds=5, megabytes=10) as result:
        page = fetch(server.url("/cp1251"), options=LOCAL)
        result["outcome"] = f"Page, decoded as {page.encoding}"
    assert page.encoding == "cp1251"
    assert CP1251_WORDS in page.text
    assert "Новости" in page.text


def test_robots_disallow(server: FaultServer, bounds: Bounds) -> None:
    with bounds.check("robots.txt disallows the path", seconds=5) as result, pytest.raises(
        RobotsDisallowed, match="robots.txt disallows /private/page"
    ) as caught:
        fetch(server.url("/private/page"), options=LOCAL)
    result["outcome"] = f"RobotsDisallowed: {caught.value.reason.split(' (use')[0]}"


def test_robots_allow_overrides_disallow_by_length(server: FaultServer) -> None:
    assert fetch(server.url("/private/open"), options=LOCAL).status == 200


def test_ignore_robots(server: FaultServer) -> None:
    page = fetch(server.url("/private/page"), options=LOCAL.replace(obey_robots=False))
    assert page.status == 200


def test_robots_is_fetched_once_per_fetcher(server: FaultServer) -> None:
    before = server.hits.get("/robots.txt", 0)
    with Fetcher(LOCAL) as fetcher:
        for path in ("/article", "/chain/1", "/private/open"):
            fetcher.fetch(server.url(path))
        with pytest.raises(RobotsDisallowed):
            fetcher.fetch(server.url("/private/x"))
    assert server.hits["/robots.txt"] - before == 1


def test_robots_answering_503_disallows_everything() -> None:
    with running(FaultServer(robots_status=503)) as srv, pytest.raises(
        RobotsDisallowed, match="robots.txt answered 503"
    ):
        fetch(srv.url("/article"), options=LOCAL)


def test_user_agent_names_the_toolkit_and_can_be_replaced(server: FaultServer) -> None:
    default = fetch(server.url("/echo-ua"), options=LOCAL)
    assert "Agent scraper/0.1.0" in default.text
    custom = fetch(server.url("/echo-ua"), options=LOCAL.replace(user_agent="my-bot/2"))
    assert "Agent my-bot/2" in custom.text
    sent = {name.lower(): value for name, value in custom.request_headers}
    assert sent["user-agent"] == "my-bot/2"


def test_pacing_spaces_requests_to_one_host(server: FaultServer) -> None:
    started = time.monotonic()
    with Fetcher(LOCAL.replace(min_host_delay_s=0.3)) as fetcher:
        pages = [fetcher.fetch(server.url("/article")) for _ in range(3)]
    # Two gaps of at least 0.3 s each: the later pages waited for their turn.
    assert all(page.status == 200 for page in pages)
    assert time.monotonic() - started >= 0.6


def test_same_host_redirects_are_not_paced(server: FaultServer) -> None:
    with Fetcher(LOCAL.replace(min_host_delay_s=5.0)) as fetcher:
        page = fetcher.fetch(server.url("/chain/3"))
    # Three hops, each on the same host: none waits the 5 s a new page would.
    assert page.redirects and page.elapsed_s < 4.0


def test_fetch_many_yields_every_url_once(server: FaultServer, bounds: Bounds, token: str) -> None:
    expected: dict[str, type] = {
        server.url("/article"): Page,
        server.url("/cp1251"): Page,
        server.url(f"/flaky/{token}/503/1"): Page,
        server.url("/loop/a"): TooManyRedirects,
        server.url("/pdf"): NotHTML,
        server.url("/private/page"): RobotsDisallowed,
        server.url("/nothing-here"): BadStatus,
        server.url("/stall"): FetchTimeout,
        server.url("/big"): ResponseTooLarge,
        server.url("/gzip-bomb"): ResponseTooLarge,
        server.url("/reset"): FetchError,
    }

    async def collect() -> dict[str, Page | FetchError]:
        got: dict[str, Page | FetchError] = {}
        options = LOCAL.replace(read_timeout_s=1.0)
        async for result in fetch_many(list(expected), concurrency=4, options=options):
            key = result.requested_url if isinstance(result, Page) else result.url
            assert key not in got
            got[key] = result
        return got

    with bounds.check("fetch_many: 11 URLs, 8 faults, -j 4", seconds=20, megabytes=80) as result:
        got = asyncio.run(collect())
        result["outcome"] = f"{sum(isinstance(r, Page) for r in got.values())} pages, " \
            f"{sum(isinstance(r, FetchError) for r in got.values())} errors"
    assert set(got) == set(expected)
    for url, kind in expected.items():
        assert type(got[url]) is kind, (url, got[url])


def test_async_fetcher_refuses_private_redirect_hop(server: FaultServer) -> None:
    options = LOCAL.replace(allow_private=False, trusted_networks=("127.0.0.1/32",))

    async def run() -> None:
        async with AsyncFetcher(options) as fetcher:
            assert (await fetcher.fetch(server.url("/article"))).status == 200
            with pytest.raises(AddressRefused, match=r"127\.0\.0\.2"):
                await fetcher.fetch(server.url("/to-private"))

    asyncio.run(run())


def test_async_per_host_concurrency_and_delay(server: FaultServer) -> None:
    options = LOCAL.replace(per_host_concurrency=1, min_host_delay_s=0.2)
    urls = [server.url(f"/article?n={n}") for n in range(4)]

    async def run() -> list[float]:
        loop = asyncio.get_running_loop()
        finished: list[float] = []
        async for result in fetch_many(urls, concurrency=4, options=options):
            assert isinstance(result, Page)
            finished.append(loop.time())
        return finished

    finished = asyncio.run(run())
    gaps = [b - a for a, b in itertools.pairwise(finished)]
    # Four workers, one host slot, 0.2 s apart: completions are spaced, never bunched.
    assert len(finished) == 4 and all(gap >= 0.15 for gap in gaps), gaps
