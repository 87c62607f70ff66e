"""A real HTTP server on 127.0.0.1 with one endpoint per fault, and a bounds checker.

Every fault test runs against this server (no mocks): the fetcher's sockets,
timeouts, decompression and redirects all do their real work. Endpoints that
keep state (fail N times, then succeed) take a token in the path so tests
never share counters.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import socket
import struct
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import brotli
import pytest

from scraper.fetch import FetchOptions

MB = 1_000_000
BIG_BYTES = 50 * MB
BOMB_BYTES = 200 * MB  # 200 MB of output from about 200 KB (gzip) or a few hundred bytes (brotli)

ARTICLE_PARAGRAPHS = [
    (
        "The harbour authority confirmed on Tuesday that the old grain pier will reopen to "
        "fishing boats next spring, after two years of repairs that cost more than planned."
    ),
    (
        "Engineers replaced forty of the wooden piles with concrete ones, and the deck was "
        "rebuilt with planks from a local sawmill, the authority said in a statement."
    ),
    (
        "Fishermen had asked for the pier to reopen sooner, because the detour to the northern "
        "quay adds almost an hour to every trip and burns fuel they can hardly afford."
    ),
    (
        "The council will hold a public meeting next month to discuss parking, lighting and a "
        "small market that traders want to run on the pier on Saturday mornings."
    ),
]


def article_html(title: str = "Grain pier to reopen in spring", extra_head: str = "") -> str:
    """Return a small, realistic news page with clutter around the article."""
    paragraphs = "\n".join(f"<p>{text}</p>" for text in ARTICLE_PARAGRAPHS)
    return f"""<!DOCTYPE html>
<html lang="en"><head>{extra_head}<title>{title} | Harbour News</title></head>
<body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>{title}</h1>
<p class="byline">By Ann Example</p>
{paragraphs}
</article></main>
<aside><h3>Top Trending</h3><ul><li><a href="/a">Storm warning</a></li><li><a href="/b">Ferry fares</a></li></ul></aside>
<footer>Copyright Harbour News</footer>
</body></html>"""


LATIN1_WORDS = "Café crème, naïve façade, Œuvre? no: déjà vu, über straße"
CP1251_WORDS = "Съешь же ещё этих мягких французских булок, да выпей чаю"


def _latin1_page() -> bytes:
    body = "".join(f"<p>{LATIN1_WORDS}. {text}</p>" for text in ARTICLE_PARAGRAPHS)
    # No <meta charset>: only the HTTP header names the encoding. Œ is not Latin-1; drop it.
    html = f"<html><head><title>Latin-1</title></head><body><article>{body}</article></body></html>"
    return html.replace("Œuvre", "Oeuvre").encode("latin-1")


def _cp1251_page() -> bytes:
    body = "".join(f"<p>{CP1251_WORDS}. {CP1251_WORDS}.</p>" for _ in range(6))
    html = (
        '<html><head><meta charset="windows-1251"><title>Кириллица</title></head>'
        f"<body><article><h1>Новости</h1>{body}</article></body></html>"
    )
    return html.encode("cp1251")


@functools.cache
def gzip_bomb() -> bytes:
    """Return BOMB_BYTES of HTML-ish zeros, gzipped (built once per session)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"<p>" + b"0" * (MB - 3)
    return b"".join(packer.compress(block) for _ in range(BOMB_BYTES // MB)) + packer.flush()


@functools.cache
def brotli_bomb() -> bytes:
    """Return BOMB_BYTES of zeros, brotli-compressed (built once per session)."""
    return brotli.compress(b"0" * BOMB_BYTES, quality=5)


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ROBOTS_TXT = "User-agent: *\nDisallow: /private/\nAllow: /private/open\n"


class FaultServer(ThreadingHTTPServer):
    """The test server: its handler reads fixtures and counters from here."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, robots_status: int = 200) -> None:
        super().__init__(("127.0.0.1", 0), FaultHandler)
        self.robots_status = robots_status
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def count(self, key: str) -> int:
        """Count a hit on `key` and return how many there have been, this one included."""
        with self.lock:
            self.hits[key] = self.hits.get(key, 0) + 1
            return self.hits[key]

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Resets and clients hanging up mid-body are the point of these tests, not failures.
        pass


class FaultHandler(BaseHTTPRequestHandler):
    """Serve one endpoint per fault (see the table in do_GET)."""

    server: FaultServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        parts = path.strip("/").split("/")
        head = parts[0]
        if path == "/robots.txt":
            self.server.count(path)
            self._send(self.server.robots_status, ROBOTS_TXT.encode(), "text/plain")
        elif head in {"article", "private"}:
            self._send(200, article_html().encode("utf-8"), "text/html; charset=utf-8")
        elif head == "gzipped":
            self._send(200, gzip.compress(article_html().encode()), "text/html", encoding="gzip")
        elif head == "stall":
            # Headers, then silence: only a read timeout ends it.
            self._start(200, "text/html", length=100_000)
            self.wfile.write(b"<html><body><p>first bytes")
            self.wfile.flush()
            self.server.stop.wait(30)
        elif head == "trickle":
            # A byte every 0.2 s never trips the read timeout; only the total deadline ends it.
            self._start(200, "text/html", length=100_000)
            for _ in range(300):
                if self.server.stop.wait(0.2):
                    break
                self.wfile.write(b"x")
                self.wfile.flush()
        elif head == "reset":
            self._reset()
        elif head == "reset-once":
            if self.server.count(path) == 1:
                self._reset()
            else:
                self._send(200, article_html().encode(), "text/html")
        elif head == "flaky":  # /flaky/<token>/<status>/<times>: fail <times> times, then succeed
            status, times = int(parts[2]), int(parts[3])
            if self.server.count(path) <= times:
                self._send(status, b"<html><body>try later</body></html>", "text/html")
            else:
                self._send(200, article_html().encode(), "text/html")
        elif head == "slow-down":  # /slow-down/<token>/<retry-after>: 429 once, then the article
            if self.server.count(path) == 1:
                self._send(429, b"slow down", "text/plain", extra={"Retry-After": parts[2]})
            else:
                self._send(200, article_html().encode(), "text/html")
        elif head == "loop":  # /loop/a -> /loop/b -> /loop/a ...
            self._redirect("/loop/b" if parts[1] == "a" else "/loop/a")
        elif head == "chain":  # /chain/<n> -> /chain/<n-1> ... -> /article
            left = int(parts[1])
            self._redirect(f"/chain/{left - 1}" if left > 1 else "/article")
        elif head == "to-private":
            # 127.0.0.2 is loopback too, but no test trusts it: the hop must be refused.
            self._redirect(f"http://127.0.0.2:{self.server.server_address[1]}/article")
        elif head == "big":
            self._stream_big(declare=len(parts) > 1 and parts[1] == "declared")
        elif head == "truncated":  # /truncated/<gzip|deflate|br>: a whole response of a cut stream
            packed = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[parts[1]]
            self._send(200, packed(article_html().encode())[:60], "text/html", encoding=parts[1])
        elif head == "gzip-bomb":
            self._send(200, gzip_bomb(), "text/html", encoding="gzip")
        elif head == "brotli-bomb":
            self._send(200, brotli_bomb(), "text/html", encoding="br")
        elif head == "pdf":
            self._send(200, PDF_BYTES, "application/pdf")
        elif head == "pdf-as-html":
            self._send(200, PDF_BYTES, "text/html")
        elif head == "json":
            self._send(200, b'{"title": "not a page"}', "application/json")
        elif head == "plain":
            self._send(200, "\n\n".join(ARTICLE_PARAGRAPHS).encode(), "text/plain; charset=utf-8")
        elif head == "latin1":
            self._send(200, _latin1_page(), "text/html; charset=ISO-8859-1")
        elif head == "cp1251":
            self._send(200, _cp1251_page(), "text/html")
        elif head == "echo-ua":
            agent = self.headers.get("User-Agent", "")
            self._send(200, article_html(title=f"Agent {agent}").encode(), "text/html")
        else:
            self._send(404, b"<html><body>not found</body></html>", "text/html")

    def _start(
        self, status: int, ctype: str, *, length: int | None = None, encoding: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if encoding:
            self.send_header("Content-Encoding", encoding)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()

    def _send(
        self, status: int, body: bytes, ctype: str, *, encoding: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> None:
        self._start(status, ctype, length=len(body), encoding=encoding, extra=extra)
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self._send(302, b"", "text/html", extra={"Location": location})

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout turns close() into a TCP RST.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _stream_big(self, *, declare: bool) -> None:
        chunk = b"<p>" + b"a" * (65_536 - 3)
        self._start(200, "text/html", length=BIG_BYTES if declare else None)
        sent = 0
        try:
            while sent < BIG_BYTES and not self.server.stop.is_set():
                if declare:
                    self.wfile.write(chunk)
                else:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            if not declare:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client gave up, as it should


@contextlib.contextmanager
def running(server: FaultServer) -> Iterator[FaultServer]:
    """Serve in a thread until the block ends, then release every stalled handler."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="session")
def server() -> Iterator[FaultServer]:
    """The shared fault server (robots.txt disallows /private/)."""
    gzip_bomb(), brotli_bomb()  # built now, so no test's memory bound pays for building them
    with running(FaultServer()) as srv:
        yield srv


@pytest.fixture()
def token(request: pytest.FixtureRequest) -> str:
    """A path segment unique to this test, for endpoints that count hits."""
    return request.node.name.replace("[", "-").replace("]", "").replace("/", "-")


# Loopback is the only place tests may reach, so the guard is off for ordinary
# fetches; tests of the guard itself turn it back on. Fast backoff and no pacing
# keep the suite quick without changing any behaviour under test.
LOCAL = FetchOptions(
    allow_private=True, min_host_delay_s=0.0, backoff_base_s=0.05, read_timeout_s=2.0,
    total_timeout_s=10.0,
)


@dataclass
class Bounds:
    """Time and memory a block took; the fault table is printed from these at the end."""

    # fault, its result (the test fills in "outcome" once known), seconds, peak MB
    rows: list[tuple[str, dict[str, Any], float, float]] = field(default_factory=list)

    @contextlib.contextmanager
    def check(
        self, fault: str, *, seconds: float = 15.0, megabytes: float = 60.0
    ) -> Iterator[dict[str, Any]]:
        """Assert that the block ends within `seconds` and allocates at most `megabytes` at peak."""
        result: dict[str, Any] = {"outcome": "?"}
        tracemalloc.start()
        started = time.monotonic()
        try:
            yield result
        finally:
            elapsed = time.monotonic() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        self.rows.append((fault, result, elapsed, peak / MB))
        assert elapsed < seconds, f"{fault}: took {elapsed:.1f} s, bound {seconds} s"
        assert peak / MB < megabytes, f"{fault}: peak {peak / MB:.1f} MB, bound {megabytes} MB"


_BOUNDS = Bounds()


@pytest.fixture()
def bounds() -> Bounds:
    """The session's bounds recorder."""
    return _BOUNDS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the fault table (fault, outcome, seconds, peak MB) measured in this run."""
    if not _BOUNDS.rows:
        return
    terminalreporter.section("fetch fault table")
    for fault, result, seconds, peak in _BOUNDS.rows:
        terminalreporter.write_line(
            f"| {fault} | {result['outcome']} | {seconds:.2f} s | {peak:.1f} MB |"
        )
