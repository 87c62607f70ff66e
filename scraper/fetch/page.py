"""Page: what one successful fetch gives back."""

from __future__ import annotations

from dataclasses import dataclass

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Page:
    """A fetched HTML page: where it came from, what the server said, and its text."""

    # The URL that was asked for.
    requested_url: str
    # The URL the page was finally served from, after redirects.
    url: str
    status: int
    # Response headers in the order the server sent them (names as sent).
    headers: Headers
    # The body after content-decoding (gzip, br, deflate), as bytes.
    content: bytes
    # The body decoded to text with `encoding`.
    text: str
    encoding: str
    # Request headers that were sent for the final hop (for WARC request records).
    request_headers: Headers = ()
    # The HTTP version of the final response, e.g. "HTTP/1.1".
    http_version: str = "HTTP/1.1"
    # Every URL visited before `url`, in order.
    redirects: tuple[str, ...] = ()
    # Seconds from the first request to the last byte, retries included.
    elapsed_s: float = 0.0

    def header(self, name: str) -> str | None:
        """Return the first header called `name` (any case), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    @property
    def final_url(self) -> str:
        """The URL the page was served from (same as `url`)."""
        return self.url

    @property
    def content_type(self) -> str:
        """Return the media type without parameters, lower-cased ('' when absent)."""
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()
