"""Translate httpx and socket errors into the `FetchError` hierarchy, in this one place.

Kinds (all carry the URL and exit with code 5 from the CLI)::

    FetchError             connection refused/reset, invalid URL, bad encoding, ...
    ├── FetchTimeout       connect, read or total deadline exceeded
    ├── ResponseTooLarge   raw or decompressed body over max_bytes
    ├── BadStatus          an error status (after retries, when retryable)
    ├── NotHTML            content type is not (X)HTML
    ├── RobotsDisallowed   robots.txt forbids the URL
    ├── AddressRefused     host resolves to a refused address, or cannot be resolved
    └── TooManyRedirects   the redirect chain is too long or loops
"""

from __future__ import annotations

import socket

import httpx

from scraper.errors import BadStatus, FetchError, FetchTimeout


def translate(exc: BaseException, url: str, *, attempts: int = 1) -> FetchError:
    """Return the `FetchError` that stands for a lower-layer exception raised fetching `url`."""
    if isinstance(exc, FetchError):
        return exc
    error = _translate(exc, url)
    if attempts > 1:
        error = rebuild(error, url, f"{error.reason} (after {attempts} attempts)")
    return error


def on_behalf_of(error: FetchError, url: str) -> FetchError:
    """Return `error` re-addressed to the requested `url`, naming the redirect hop it came from."""
    if error.url == url:
        return error
    if _same_url(error.url, url):
        # The URL as httpx wrote it ("exa%20mple.com", "xn--bcher-kva.example"): no redirect.
        return rebuild(error, url, error.reason)
    return rebuild(error, url, f"after redirect to {error.url}: {error.reason}")


def _same_url(first: str, second: str) -> bool:
    """Tell whether two URLs are one once normalised (percent-escapes, IDNA, case of the host)."""
    try:
        return httpx.URL(first) == httpx.URL(second)
    except (httpx.InvalidURL, TypeError, ValueError):
        return False


def rebuild(error: FetchError, url: str, reason: str) -> FetchError:
    """Return an error of the same kind as `error` with a new URL and reason."""
    if isinstance(error, BadStatus):
        return BadStatus(reason, url=url, status=error.status)
    return type(error)(reason, url=url)


def _translate(exc: BaseException, url: str) -> FetchError:
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchTimeout("connect timeout", url=url)
    if isinstance(exc, httpx.ReadTimeout):
        return FetchTimeout("read timeout: the server stopped sending", url=url)
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return FetchTimeout("timed out", url=url)
    if isinstance(exc, httpx.ConnectError):
        return FetchError(f"cannot connect: {_detail(exc)}", url=url)
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)):
        return FetchError(f"connection broken: {_detail(exc)}", url=url)
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return FetchError(f"invalid URL: {_detail(exc)}", url=url)
    if isinstance(exc, httpx.ProxyError):
        return FetchError(f"proxy error: {_detail(exc)}", url=url)
    if isinstance(exc, httpx.DecodingError):
        return FetchError(f"cannot decode the body: {_detail(exc)}", url=url)
    if isinstance(exc, socket.gaierror):
        return FetchError(f"cannot resolve host: {exc.strerror or exc}", url=url)
    if isinstance(exc, (httpx.HTTPError, OSError)):
        return FetchError(f"{type(exc).__name__}: {_detail(exc)}", url=url)
    return FetchError(f"unexpected {type(exc).__name__}: {exc}", url=url)


def is_transient(exc: BaseException) -> bool:
    """Return True for connection faults worth retrying (not read timeouts: a stall repeats)."""
    return isinstance(
        exc,
        (httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadError, httpx.RemoteProtocolError),
    )


def _detail(exc: BaseException) -> str:
    # httpx often wraps an OSError whose text is the useful part; keep the message one line.
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())
