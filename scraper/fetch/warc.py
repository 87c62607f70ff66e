"""Write fetched pages into a WARC file (ISO 28500) with warcio: request + response per page.

The response payload is stored decompressed, as Common Crawl does: the original
`Content-Encoding`, `Transfer-Encoding` and `Content-Length` headers are kept
under `X-Crawler-` names and `Content-Length` states the stored length, so any
WARC reader gets the HTML without undoing an encoding. A failed URL becomes a
`metadata` record (JSON: error kind, reason, status) so the archive tells what
was tried as well as what was found.
"""

from __future__ import annotations

import http
import io
import json
from typing import BinaryIO

import httpx
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper import __version__
from scraper.errors import BadStatus, FetchError
from scraper.fetch.page import Headers, Page

# Headers whose meaning changes once the payload is stored decoded.
_RENAMED = {"content-encoding", "transfer-encoding", "content-length"}


def stored_headers(headers: Headers, length: int) -> list[tuple[str, str]]:
    """Return response headers as stored beside a decoded payload of `length` bytes."""
    out = [
        (f"X-Crawler-{name}" if name.lower() in _RENAMED else name, value)
        for name, value in headers
    ]
    out.append(("Content-Length", str(length)))
    return out


class WarcArchive:
    """Append pages and failures to an open binary stream as WARC records."""

    def __init__(self, stream: BinaryIO, *, gzip: bool = True, filename: str = "") -> None:
        self._writer = WARCWriter(stream, gzip=gzip)
        info = {"software": f"scraper/{__version__} (warcio)", "format": "WARC File Format 1.1"}
        self._writer.write_record(self._writer.create_warcinfo_record(filename, info))

    def write_page(self, page: Page) -> None:
        """Write the response record of `page`, then its request record pointing to it."""
        try:
            phrase = http.HTTPStatus(page.status).phrase
        except ValueError:
            phrase = ""
        response = self._writer.create_warc_record(
            page.url,
            "response",
            payload=io.BytesIO(page.content),
            http_headers=StatusAndHeaders(
                f"{page.status} {phrase}".strip(),
                stored_headers(page.headers, len(page.content)),
                protocol=page.http_version,
            ),
        )
        self._writer.write_record(response)
        target = httpx.URL(page.url).raw_path.decode("ascii")
        request = self._writer.create_warc_record(
            page.url,
            "request",
            payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders(
                f"GET {target} {page.http_version}", list(page.request_headers), is_http_request=True
            ),
            warc_headers_dict={
                "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")
            },
        )
        self._writer.write_record(request)

    def write_failure(self, error: FetchError) -> None:
        """Write a metadata record saying why `error.url` was not fetched."""
        body = {
            "error": type(error).__name__,
            "reason": error.reason,
            "status": error.status if isinstance(error, BadStatus) else None,
        }
        record = self._writer.create_warc_record(
            error.url,
            "metadata",
            payload=io.BytesIO(json.dumps(body).encode("utf-8")),
            warc_content_type="application/json",
        )
        self._writer.write_record(record)
