"""Real inputs for the bulk tests: HTML pages, gzip files, WARC archives and JSON Lines, built on disk."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterable
from pathlib import Path

import pytest

PARAGRAPH = (
    "The committee met on Tuesday to discuss the new budget for the river district, "
    "and members agreed that repairs to the old bridge should come first this year."
)


def article_page(n: int, paragraphs: int = 6) -> str:
    """Return a small news page whose article mentions its number, with clutter around it."""
    body = "\n".join(f"<p>{PARAGRAPH} Story {n}, paragraph {i}.</p>" for i in range(paragraphs))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Story number {n} - Example News</title></head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>Story number {n}</h1>{body}</article></main>
<footer><a href="/about">About us</a> <a href="/privacy">Privacy</a></footer>
</body></html>"""


NOTE = "The mayor added that the ferry timetable will change in June, when the summer season starts."


def noted_page(n: int) -> str:
    """Return an article page with one more paragraph, marked by class, inside the article (for rule tests)."""
    return article_page(n).replace("</article>", f'<p class="site-note">{NOTE}</p></article>')


EMPTY_PAGE = "<html><body><nav><a href='/'>Home</a></nav></body></html>"


def write_gz(path: Path, text: str) -> None:
    """Write `text` gzip-compressed to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(text.encode("utf-8")))


def write_html_folder(folder: Path, count: int, *, start: int = 0) -> list[str]:
    """Write `count` pages as page-N.html.gz (some in a subfolder) and return their ids."""
    ids = []
    for n in range(start, start + count):
        sub = folder / ("sub" if n % 3 == 0 else "")
        write_gz(sub / f"page-{n:04d}.html.gz", article_page(n))
        ids.append(f"page-{n:04d}")
    return ids


def write_warc(path: Path, pages: Iterable[tuple[str, bytes, str]], *, gz: bool = True) -> list[str]:
    """Write response records (url, body, content type) plus a request record each; return record ids."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    ids = []
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=gz)
        for url, body, content_type in pages:
            request = writer.create_warc_record(
                url, "request", payload=io.BytesIO(b""),
                http_headers=StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True),
            )
            writer.write_record(request)
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            writer.write_record(record)
            if content_type.startswith("text/html"):
                ids.append(record.rec_headers.get_header("WARC-Record-ID").strip("<>"))
    return ids


def warc_pages(count: int) -> list[tuple[str, bytes, str]]:
    """Return `count` HTML pages and one image for a WARC."""
    pages = [(f"https://example.org/news/{n}", article_page(n).encode(), "text/html; charset=utf-8")
             for n in range(count)]
    pages.insert(1, ("https://example.org/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png"))
    return pages


def write_jsonl(path: Path, rows: list[dict], *, gz: bool = False) -> None:
    """Write rows as JSON Lines (gzip-compressed when `gz`)."""
    data = "".join(json.dumps(row) + "\n" for row in rows).encode()
    path.write_bytes(gzip.compress(data) if gz else data)


def read_records(path: Path) -> list[dict]:
    """Read a JSONL output, failing on any line that is not whole JSON."""
    raw = path.read_bytes()
    assert raw.endswith(b"\n"), "output ends with a half-written line"
    return [json.loads(line) for line in raw.decode("utf-8").splitlines()]


@pytest.fixture
def html_folder(tmp_path: Path) -> tuple[Path, list[str]]:
    """A folder of 12 .html.gz pages (a third in a subfolder) and one unrelated file."""
    folder = tmp_path / "pages"
    ids = write_html_folder(folder, 12)
    (folder / "notes.txt").write_text("not a page")
    return folder, ids
