"""The response body: content-type gate, bounded decompression, charset choice.

Decompression is ours rather than httpx's so that a gzip or brotli bomb is cut
off once `max_bytes` of output exist: zlib and brotli are asked for at most that
much, so memory stays near the cap whatever the compression ratio.
"""

from __future__ import annotations

import zlib
from typing import Protocol

import brotli

from scraper.errors import FetchError, NotHTML, ResponseTooLarge
from scraper.parse import looks_binary

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/vnd.wap.xhtml+xml"})
# What we ask servers for; anything else they send anyway is refused by name.
ACCEPT_ENCODING = "gzip, deflate, br"
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"


def media_type(content_type: str | None) -> str:
    """Return the media type of a Content-Type value, lower-cased, without parameters."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def charset_from_header(content_type: str | None) -> str | None:
    """Return the charset parameter of a Content-Type value, if any."""
    for param in (content_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def check_media_type(content_type: str | None, *, url: str, allow_any_text: bool) -> None:
    """Raise NotHTML unless the declared type is (X)HTML, or text when `allow_any_text`.

    A missing Content-Type passes here; the body is sniffed later instead.
    """
    kind = media_type(content_type)
    if not kind or kind in HTML_TYPES:
        return
    if allow_any_text and (kind.startswith("text/") or kind.endswith(("+xml", "/xml", "/json"))):
        return
    raise NotHTML(f"not HTML: the server says {kind!r}", url=url)


def check_sniffed(content: bytes, *, url: str) -> None:
    """Raise NotHTML when the body is binary whatever its label says (a PDF sent as text/html)."""
    if looks_binary(content):
        raise NotHTML("not HTML: the body is binary", url=url)


class _Decoder(Protocol):
    def decode(self, data: bytes, limit: int) -> bytes: ...

    def flush(self, limit: int) -> bytes: ...

    def complete(self) -> bool:
        """Tell whether the stream read so far reached its end marker (or nothing was read)."""
        ...


class _Identity:
    def decode(self, data: bytes, limit: int) -> bytes:
        return data

    def flush(self, limit: int) -> bytes:
        return b""

    def complete(self) -> bool:
        return True


class _Zlib:
    def __init__(self, wbits: int) -> None:
        self._wbits = wbits
        self._inner = zlib.decompressobj(wbits)
        self._started = False

    def decode(self, data: bytes, limit: int) -> bytes:
        if not self._started and self._wbits == zlib.MAX_WBITS:
            self._started = True
            try:
                return self._bounded(data, limit)
            except zlib.error:
                # Many servers send raw deflate under "deflate"; httpx and browsers accept both.
                self._wbits = -zlib.MAX_WBITS
                self._inner = zlib.decompressobj(self._wbits)
        self._started = True
        return self._bounded(data, limit)

    def _bounded(self, data: bytes, limit: int) -> bytes:
        # Parts are joined once at the end: no copy of a near-cap buffer per round.
        parts: list[bytes] = []
        total = 0
        while data and total <= limit:
            part = self._inner.decompress(data, limit + 1 - total)
            parts.append(part)
            total += len(part)
            data = self._inner.unconsumed_tail
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def flush(self, limit: int) -> bytes:
        return self._inner.flush()[: limit + 1]

    def complete(self) -> bool:
        # zlib returns what it could of a cut stream without complaint; only `eof` tells.
        return not self._started or self._inner.eof


class _Brotli:
    def __init__(self) -> None:
        self._inner = brotli.Decompressor()
        self._started = False

    def decode(self, data: bytes, limit: int) -> bytes:
        self._started = True
        parts = [self._inner.process(data, output_buffer_limit=limit + 1)]
        total = len(parts[0])
        while total <= limit and not self._inner.can_accept_more_data():
            parts.append(self._inner.process(b"", output_buffer_limit=limit + 1 - total))
            total += len(parts[-1])
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def flush(self, limit: int) -> bytes:
        return b""

    def complete(self) -> bool:
        return not self._started or self._inner.is_finished()


def _decoder_for(coding: str) -> _Decoder | None:
    if coding in {"", "identity"}:
        return _Identity()
    if coding in {"gzip", "x-gzip"}:
        return _Zlib(zlib.MAX_WBITS | 16)
    if coding == "deflate":
        return _Zlib(zlib.MAX_WBITS)
    if coding == "br":
        return _Brotli()
    return None


class BodyReader:
    """Collect a body from raw chunks, undoing Content-Encoding, within `max_bytes` both ways."""

    def __init__(self, content_encoding: str | None, *, url: str, max_bytes: int) -> None:
        self.url = url
        self.max_bytes = max_bytes
        self.raw_bytes = 0
        self._out = bytearray()
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        # Codings are listed in the order they were applied, so they are undone in reverse.
        self._decoders: list[_Decoder] = []
        for coding in reversed(codings):
            decoder = _decoder_for(coding)
            if decoder is None:
                raise FetchError(f"unsupported Content-Encoding {coding!r}", url=url)
            self._decoders.append(decoder)

    def feed(self, chunk: bytes) -> None:
        """Add one raw chunk; raise ResponseTooLarge as soon as a cap is passed."""
        self.raw_bytes += len(chunk)
        if self.raw_bytes > self.max_bytes:
            raise ResponseTooLarge(
                f"body is over the {self.max_bytes:,} byte cap (stopped after {self.raw_bytes:,})",
                url=self.url,
            )
        self._append(self._through(chunk, flush=False))

    def finish(self) -> bytes:
        """Flush the decoders and return the whole decoded body."""
        self._append(self._through(b"", flush=True))
        return bytes(self._out)

    def partial(self) -> bytes:
        """Return what was decoded so far (for sources read only up to the cap)."""
        return bytes(self._out)

    def _through(self, data: bytes, *, flush: bool) -> bytes:
        limit = self.max_bytes - len(self._out)
        try:
            for decoder in self._decoders:
                data = decoder.decode(data, limit) if data else b""
                if flush:
                    data += decoder.flush(limit)
                    if not decoder.complete():
                        # The connection ended mid-stream: what arrived is a fragment of the page.
                        raise FetchError("cannot decompress the body: the compressed data is cut short", url=self.url)
        except (zlib.error, brotli.error) as exc:
            raise FetchError(f"cannot decompress the body: {exc}", url=self.url) from exc
        return data

    def _append(self, data: bytes) -> None:
        if len(self._out) + len(data) > self.max_bytes:
            raise ResponseTooLarge(
                f"decompressed body is over the {self.max_bytes:,} byte cap "
                f"(after {self.raw_bytes:,} bytes on the wire)",
                url=self.url,
            )
        self._out += data

