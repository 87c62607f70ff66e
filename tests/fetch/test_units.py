"""Unit tests of the fetcher's parts: pure rules, and the drivers over httpx.MockTransport."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import random
import re
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import brotli
import httpx
import pytest

import scraper.fetch
from scraper.errors import (
    AddressRefused,
    BadStatus,
    FetchError,
    NotHTML,
    ResponseTooLarge,
    UsageError,
)
from scraper.fetch import AsyncFetcher, Fetcher, FetchOptions
from scraper.fetch.body import BodyReader, charset_from_header, check_media_type
from scraper.fetch.guard import AddressGuard, refusal_reason
from scraper.fetch.retry import backoff_s, parse_retry_after, retry_wait_s
from scraper.fetch.robots import RobotsRules, rules_for_status
from scraper.fetch.warc import stored_headers

# --- public API ---------------------------------------------------------------------------


def test_public_api_is_pinned() -> None:
    # Constants first, then classes and functions, each sorted (ruff's RUF022 order).
    assert scraper.fetch.__all__ == [
        "DEFAULT_CONCURRENCY", "DEFAULT_USER_AGENT", "AddressGuard", "AsyncFetcher",
        "FetchOptions", "Fetcher", "Page", "fetch", "fetch_many", "refusal_reason",
    ]


def test_the_package_is_callable_like_its_fetch_function() -> None:
    with pytest.raises(AddressRefused):
        scraper.fetch("http://127.0.0.1:9/")  # type: ignore[operator]
    assert callable(scraper.fetch.fetch)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"retries": -1}, "retries must be a whole number of at least 0, not -1"),
        ({"retries": True}, "retries must be a whole number"),
        ({"max_bytes": 0}, "max_bytes must be a whole number of at least 1"),
        ({"total_timeout_s": 0}, "total_timeout_s must be a finite number of seconds more than 0"),
        ({"total_timeout_s": float("nan")}, "total_timeout_s must be a finite number of seconds more than 0, not nan"),
        ({"read_timeout_s": float("inf")}, "read_timeout_s must be a finite number"),
        ({"min_host_delay_s": -1}, "min_host_delay_s must be a finite number of seconds at least 0"),
        ({"min_host_delay_s": float("nan")}, "min_host_delay_s must be a finite number"),
        ({"backoff_base_s": "1"}, "backoff_base_s must be a finite number"),
        ({"user_agent": "é"}, "user_agent must be printable ASCII"),
        ({"user_agent": "a\r\nX-Injected: 1"}, "user_agent must be printable ASCII"),
        ({"trusted_networks": ("nope",)}, "trusted_networks: 'nope' is not a network"),
    ],
)
def test_options_reject_nonsense_with_a_usage_error(bad: dict[str, object], message: str) -> None:
    # scraper's own error, as Options raises: a bare ValueError (or nothing, for NaN) was raised before.
    with pytest.raises(UsageError, match="^bad fetch option: " + re.escape(message)):
        FetchOptions(**bad)  # type: ignore[arg-type]


def test_options_accept_the_edges() -> None:
    options = FetchOptions(retries=0, min_host_delay_s=0, user_agent="", trusted_networks=("10.0.0.0/8",))
    assert options.retries == 0 and options.user_agent == ""
    assert FetchOptions(user_agent="bot/1.0 (+https://example.org/bot)\tv2").user_agent.startswith("bot/1.0")


def test_fetch_many_refuses_no_concurrency() -> None:
    async def first() -> object:
        async with AsyncFetcher(FetchOptions()) as fetcher:
            return await anext(fetcher.fetch_many(["https://example.org/"], concurrency=0))

    with pytest.raises(UsageError, match="concurrency must be at least 1, not 0"):
        asyncio.run(first())


def test_options_reject_unknown_names() -> None:
    with pytest.raises(TypeError):
        FetchOptions().replace(no_such_option=1)


# --- robots.txt ---------------------------------------------------------------------------

ROBOTS = """
Disallow: /ignored-before-any-group
User-agent: *
Disallow: /private/
Allow: /private/open
Disallow: /*.pdf$

User-agent: OtherBot
User-agent: scraper/2.0
Disallow: /news/drafts
Allow: /news/drafts/public
Disallow:
"""


@pytest.mark.parametrize(
    ("token", "path", "allowed"),
    [
        ("scraper", "/news/drafts/x", False),
        ("scraper", "/news/drafts/public/y", True),  # the longer Allow wins
        ("scraper", "/private/x", True),  # our own group replaces the * group
        ("somebot", "/private/x", False),
        ("somebot", "/private/open/x", True),
        ("somebot", "/files/a.pdf", False),
        ("somebot", "/files/a.pdf?x=1", True),  # `$` anchors the end
        ("somebot", "/ignored-before-any-group", True),
        ("somebot", "/robots.txt", True),
    ],
)
def test_robots_rules(token: str, path: str, allowed: bool) -> None:
    assert RobotsRules.parse(ROBOTS, token).allows(path) is allowed


def test_robots_tie_goes_to_allow() -> None:
    rules = RobotsRules.parse("User-agent: *\nDisallow: /a\nAllow: /a\n", "scraper")
    assert rules.allows("/a/b")


@pytest.mark.parametrize(
    ("status", "allowed"), [(200, False), (404, True), (403, True), (429, False), (503, False)]
)
def test_robots_status_meaning(status: int, allowed: bool) -> None:
    rules = rules_for_status(status, "User-agent: *\nDisallow: /x\n", "scraper")
    assert rules.allows("/x") is allowed


# --- address guard ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.0.0.2", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not globally routable"),
        ("::ffff:127.0.0.1", "loopback"),
        ("93.184.215.14", None),
        ("2606:4700::1111", None),
    ],
)
def test_refusal_reason(address: str, reason: str | None) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) == reason


def fake_dns(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError(f"no such host {host}")
        return table[host]

    return resolve


def test_guard_refuses_if_any_address_is_private() -> None:
    guard = AddressGuard.from_options(
        False, (), fake_dns({"dual.example": ["93.184.215.14", "10.0.0.7"]})
    )
    with pytest.raises(AddressRefused, match=r"dual\.example \(10\.0\.0\.7\) is a private address"):
        guard.check("http://dual.example/", "dual.example", 80)


def test_guard_unresolvable_host_is_a_plain_fetch_error() -> None:
    guard = AddressGuard.from_options(False, (), fake_dns({}))
    with pytest.raises(FetchError, match="cannot resolve") as caught:
        guard.check("http://nowhere.example/", "nowhere.example", 80)
    assert type(caught.value) is FetchError


# A public news site whose redirects lead into the intranet: no socket is opened.
DNS = fake_dns(
    {
        "news.example": ["93.184.215.14"],
        "cdn.example": ["2606:4700::1111"],
        "intranet.example": ["10.20.30.40"],
    }
)
PAGE = b"<html><body><article><p>Hello from a public host.</p></article></body></html>"


def site(request: httpx.Request) -> httpx.Response:
    """Answer like a small web of hosts, for MockTransport."""
    if request.url.path == "/robots.txt":
        return httpx.Response(404)
    target = {
        "/to-intranet": "http://intranet.example/admin",
        "/to-metadata": "http://169.254.169.254/latest/meta-data/",
        "/to-cdn": "http://cdn.example/page",
        "/to-ftp": "ftp://news.example/file",
    }.get(request.url.path)
    if target:
        return httpx.Response(302, headers={"Location": target})
    return httpx.Response(200, headers={"Content-Type": "text/html"}, content=PAGE)


class Recorder:
    """A MockTransport handler that remembers every request it was asked to send."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(str(request.url))
        return site(request)


QUICK = FetchOptions(min_host_delay_s=0.0, backoff_base_s=0.01)


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ("/to-intranet", r"intranet\.example \(10\.20\.30\.40\) is a private"),
        ("/to-metadata", r"169\.254\.169\.254 is a link-local"),
    ],
)
def test_public_page_redirecting_inward_is_refused_before_the_hop(path: str, refused: str) -> None:
    recorder = Recorder()
    transport = httpx.MockTransport(recorder)
    with Fetcher(QUICK, transport=transport, resolver=DNS) as fetcher, pytest.raises(
        AddressRefused, match=refused
    ) as caught:
        fetcher.fetch(f"http://news.example{path}")
    assert caught.value.url == f"http://news.example{path}"
    assert recorder.seen  # the public page was asked for ...
    assert {httpx.URL(url).host for url in recorder.seen} == {"news.example"}  # ... nothing inside


def test_public_redirects_are_followed_with_the_guard_on() -> None:
    recorder = Recorder()
    with Fetcher(QUICK, transport=httpx.MockTransport(recorder), resolver=DNS) as fetcher:
        page = fetcher.fetch("http://news.example/to-cdn")
    assert page.url == "http://cdn.example/page"
    assert "Hello from a public host." in page.text


def test_async_guard_over_mock_transport() -> None:
    async def run() -> None:
        transport = httpx.MockTransport(site)
        async with AsyncFetcher(QUICK, transport=transport, resolver=DNS) as fetcher:
            assert (await fetcher.fetch("http://news.example/story")).status == 200
            with pytest.raises(AddressRefused, match="private"):
                await fetcher.fetch("http://news.example/to-intranet")

    asyncio.run(run())


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://news.example/to-ftp", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("not a url", "only http and https"),
        ("http://", "invalid URL|only http and https"),
    ],
)
def test_bad_urls_are_fetch_errors(url: str, message: str) -> None:
    transport = httpx.MockTransport(site)
    with Fetcher(QUICK, transport=transport, resolver=DNS) as fetcher, pytest.raises(
        FetchError, match=message
    ):
        fetcher.fetch(url)


def test_mock_status_errors_carry_the_status() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(410))
    options = QUICK.replace(allow_private=True, obey_robots=False)
    with Fetcher(options, transport=transport) as fetcher, pytest.raises(BadStatus) as caught:
        fetcher.fetch("http://gone.example/")
    assert caught.value.status == 410


def test_missing_content_type_is_sniffed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = PAGE if request.url.path == "/page" else b"\x89PNG\r\n\x1a\n...."
        return httpx.Response(200, content=body)

    options = QUICK.replace(allow_private=True, obey_robots=False)
    with Fetcher(options, transport=httpx.MockTransport(handler)) as fetcher:
        assert "public host" in fetcher.fetch("http://x.example/page").text
        with pytest.raises(NotHTML, match="binary"):
            fetcher.fetch("http://x.example/image")


def test_wrong_charset_label_still_gives_the_right_text() -> None:
    body = "<html><body><p>Crème brûlée für alle — déjà vu</p></body></html>".encode()
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, headers={"Content-Type": "text/html; charset=iso-8859-1"}, content=body
        )
    )
    options = QUICK.replace(allow_private=True, obey_robots=False)
    with Fetcher(options, transport=transport) as fetcher:
        page = fetcher.fetch("http://x.example/")
    assert "Crème brûlée für alle — déjà vu" in page.text
    assert page.encoding == "utf-8"


# --- retry --------------------------------------------------------------------------------


def test_retry_after_forms() -> None:
    assert parse_retry_after("7") == 7.0
    later = datetime.now(UTC) + timedelta(seconds=30)
    assert 25 < (parse_retry_after(format_datetime(later, usegmt=True)) or 0) <= 30
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    options = FetchOptions(backoff_base_s=1.0, backoff_max_s=5.0)
    rng = random.Random(4)
    waits = [[backoff_s(attempt, options, rng) for attempt in range(5)] for _ in range(50)]
    for attempt in range(3):
        base = 2**attempt
        assert all(0.5 * base <= row[attempt] <= 1.5 * base for row in waits)
    assert all(row[4] <= 5.0 for row in waits)
    assert len({row[0] for row in waits}) > 10  # jittered, not constant


def test_retry_decisions() -> None:
    options = FetchOptions(retries=2, retry_after_cap_s=10)
    rng = random.Random(0)
    common = {"options": options, "rng": rng, "remaining_s": 60.0}
    assert retry_wait_s(attempt=0, status=500, retry_after=None, **common) is None
    assert retry_wait_s(attempt=0, status=429, retry_after="3", **common) == 3.0
    assert retry_wait_s(attempt=0, status=429, retry_after="11", **common) is None
    assert retry_wait_s(attempt=2, status=503, retry_after=None, **common) is None
    assert retry_wait_s(attempt=0, status=None, retry_after=None, **common) is not None
    near_deadline = {**common, "remaining_s": 2.0}
    assert retry_wait_s(attempt=0, status=429, retry_after="3", **near_deadline) is None


# --- body ---------------------------------------------------------------------------------

TEXT = b"<html><body>" + b"<p>pier reopens</p>" * 500 + b"</body></html>"


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        (None, TEXT),
        ("gzip", gzip.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)[2:-4]),  # raw deflate, as some servers send it
        ("br", brotli.compress(TEXT)),
        ("gzip, br", brotli.compress(gzip.compress(TEXT))),
    ],
)
def test_body_reader_undoes_content_encoding(encoding: str | None, data: bytes) -> None:
    reader = BodyReader(encoding, url="http://x.example/", max_bytes=1_000_000)
    for start in range(0, len(data), 100):
        reader.feed(data[start : start + 100])
    assert reader.finish() == TEXT


def test_body_reader_caps_raw_and_decoded_sizes() -> None:
    raw = BodyReader(None, url="http://x.example/", max_bytes=1000)
    with pytest.raises(ResponseTooLarge, match="over the 1,000 byte cap"):
        raw.feed(b"x" * 1001)
    decoded = BodyReader("gzip", url="http://x.example/", max_bytes=1000)
    with pytest.raises(ResponseTooLarge, match="decompressed"):
        decoded.feed(gzip.compress(b"x" * 5000))


def test_body_reader_errors() -> None:
    with pytest.raises(FetchError, match="unsupported Content-Encoding 'zstd'"):
        BodyReader("zstd", url="http://x.example/", max_bytes=10)
    broken = BodyReader("gzip", url="http://x.example/", max_bytes=1000)
    with pytest.raises(FetchError, match="cannot decompress"):
        broken.feed(b"\x1f\x8b\x08\x00garbage-not-deflate")
        broken.finish()


def test_media_type_gate() -> None:
    for ok in ("text/html", "text/html; charset=utf-8", "application/xhtml+xml", None, ""):
        check_media_type(ok, url="u", allow_any_text=False)
    for bad in ("application/pdf", "image/png", "application/json", "text/plain"):
        with pytest.raises(NotHTML):
            check_media_type(bad, url="u", allow_any_text=False)
    check_media_type("text/plain", url="u", allow_any_text=True)
    with pytest.raises(NotHTML):
        check_media_type("image/png", url="u", allow_any_text=True)


def test_charset_from_header() -> None:
    assert charset_from_header('text/html; charset="ISO-8859-1"') == "ISO-8859-1"
    assert charset_from_header("text/html;Charset=utf-8") == "utf-8"
    assert charset_from_header("text/html") is None
    assert charset_from_header(None) is None


def test_warc_headers_describe_the_stored_payload() -> None:
    stored = stored_headers(
        (("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("Content-Length", "42")), 500
    )
    assert stored == [
        ("Content-Type", "text/html"),
        ("X-Crawler-Content-Encoding", "gzip"),
        ("X-Crawler-Content-Length", "42"),
        ("Content-Length", "500"),
    ]


def test_docs_name_every_fetch_flag_and_option() -> None:
    import argparse
    import dataclasses
    from pathlib import Path

    from scraper.cli import fetch_cmd

    docs = (Path(__file__).resolve().parents[2] / "docs" / "fetch.md").read_text("utf-8")
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    fetch_cmd.register(sub)
    flags = {
        option
        for action in sub.choices["fetch"]._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }
    assert flags and all(f"`{flag}" in docs for flag in flags), flags - set(docs.split("`"))
    fields = {field.name for field in dataclasses.fields(FetchOptions)}
    assert all(f"`{name}`" in docs for name in fields), [n for n in fields if f"`{n}`" not in docs]


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_robots_cache_expires_after_its_ttl() -> None:
    from scraper.fetch.robots import ALLOW_ALL, RobotsCache

    clock = FakeClock()
    cache = RobotsCache(ttl_s=60, clock=clock)
    cache.put("http://a.example", ALLOW_ALL)
    clock.now += 59
    assert cache.get("http://a.example") is ALLOW_ALL
    clock.now += 2
    assert cache.get("http://a.example") is None
    assert cache.get("http://b.example") is None


def test_pacer_spreads_requests_to_one_host_only() -> None:
    from scraper.fetch.politeness import HostPacer

    clock = FakeClock()
    pacer = HostPacer(delay_s=1.5, per_host_concurrency=2, clock=clock)
    assert [pacer.reserve("a.example") for _ in range(3)] == [0.0, 1.5, 3.0]
    assert pacer.reserve("b.example") == 0.0
    clock.now += 10
    assert pacer.reserve("a.example") == 0.0
