"""Readers turn folders, globs, WARC and JSON Lines into the right work items, and bad input into error items."""

from __future__ import annotations

import gzip
import io
import re
import zlib
from pathlib import Path

import pytest

from scraper.bulk.readers import expand_inputs, inflate, read_items
from scraper.errors import InputError
from tests.bulk.conftest import article_page, warc_pages, write_jsonl, write_warc


def items_of(*inputs: str, stdin: list[str] | None = None) -> list:
    return list(read_items(expand_inputs(list(inputs), stdin=stdin)))


def test_folder_is_read_recursively_with_ids_up_to_first_dot(html_folder: tuple[Path, list[str]]) -> None:
    folder, ids = html_folder
    items = items_of(str(folder))
    assert sorted(item.id for item in items) == sorted(ids)
    assert all(item.error is None and item.data.startswith(b"\x1f\x8b") for item in items)
    assert all(Path(item.source).is_file() for item in items)


def test_glob_and_stdin_path_list(html_folder: tuple[Path, list[str]]) -> None:
    folder, ids = html_folder
    top_level = [i for i in ids if int(i.split("-")[1]) % 3 != 0]
    assert sorted(i.id for i in items_of(str(folder / "*.html.gz"))) == sorted(top_level)
    listed = [str(p) for p in sorted(folder.rglob("*.html.gz"))[:3]]
    assert [i.source for i in items_of("-", stdin=[p + "\n" for p in listed] + ["\n"])] == listed


def test_missing_input_and_empty_glob_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        items_of(str(tmp_path / "absent"))
    with pytest.raises(InputError, match="no input matches"):
        items_of(str(tmp_path / "*.warc"))
    odd = tmp_path / "data.csv"
    odd.write_text("a,b")
    with pytest.raises(InputError, match="unknown input type"):
        items_of(str(odd))


@pytest.mark.parametrize("gz", [True, False])
def test_warc_yields_html_responses_only_with_record_ids(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    ids = write_warc(path, warc_pages(4), gz=gz)
    items = items_of(str(path))
    assert [i.id for i in items] == ids
    assert [i.url for i in items] == [f"https://example.org/news/{n}" for n in range(4)]
    assert all(re.fullmatch(re.escape(str(path)) + r"@\d+", i.source) for i in items)
    assert b"Story number 2" in items[2].data


def test_truncated_warc_record_becomes_an_error_item(tmp_path: Path) -> None:
    path = tmp_path / "cut.warc.gz"
    ids = write_warc(path, warc_pages(3))
    path.write_bytes(path.read_bytes()[:-150])
    items = items_of(str(path))
    assert [i.id for i in items[:2]] == ids[:2] and all(i.error is None for i in items[:2])
    assert items[2].error == "truncated WARC record"


def test_corrupt_gzip_member_is_an_error_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "bad.warc.gz"
    ids = write_warc(path, warc_pages(3))
    data = bytearray(path.read_bytes())
    members = [m.start() for m in re.finditer(b"\x1f\x8b\x08", bytes(data))]
    # members: request0, response0, request(png), response(png), request1, response1, ...
    victim = members[5]
    for k in range(victim + 20, victim + 60):
        data[k] ^= 0xFF
    path.write_bytes(bytes(data))
    items = items_of(str(path))
    good = [i.id for i in items if i.error is None]
    errors = [i for i in items if i.error is not None]
    assert good == [ids[0], ids[2]]
    assert len(errors) == 1 and errors[0].source == f"{path}@{victim}"


@pytest.mark.parametrize("gz", [True, False])
def test_jsonl_ids_from_field_or_line_number(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("pages.jsonl.gz" if gz else "pages.jsonl")
    rows = [
        {"id": "alpha", "url": "https://example.org/a", "html": article_page(1)},
        {"url": "https://example.org/b", "html": article_page(2)},
        {"id": 7, "html": article_page(3)},
    ]
    write_jsonl(path, rows, gz=gz)
    items = items_of(str(path))
    assert [i.id for i in items] == ["alpha", "2", "7"]
    assert [i.source for i in items] == [f"{path}:1", f"{path}:2", f"{path}:3"]
    assert items[0].url == "https://example.org/a" and items[2].url is None


def test_bad_jsonl_lines_and_truncated_gzip_become_error_items(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"id": "ok", "html": "<p>hi</p>"}\n{not json\n[1, 2]\n{"id": "nohtml"}\n')
    errors = [(i.id, i.error) for i in items_of(str(path))]
    assert errors[0] == ("ok", None)
    assert errors[1][0] == "2" and errors[1][1].startswith("line is not JSON")
    assert errors[2] == ("3", "line is not a JSON object")
    assert errors[3] == ("nohtml", "no `html` string field")

    cut = tmp_path / "cut.jsonl.gz"
    write_jsonl(cut, [{"id": f"r{n}", "html": article_page(n)} for n in range(50)], gz=True)
    cut.write_bytes(cut.read_bytes()[:-40])
    items = items_of(str(cut))
    assert items[-1].error is not None and "gzip" in items[-1].error
    assert all(i.error is None for i in items[:-1]) and len(items) >= 2


def test_inflate_rejects_corrupt_gzip() -> None:
    page = article_page(1).encode()
    assert inflate(gzip.compress(page)) == page
    assert inflate(page) == page
    with pytest.raises(InputError, match="corrupt gzip"):
        inflate(gzip.compress(page)[:-30])


def test_public_api_of_scraper_bulk_is_pinned() -> None:
    import scraper.bulk

    assert scraper.bulk.__all__ == [
        "FIELDS", "FORMATS", "BulkJob", "PageResult", "RecordSpec", "Summary", "WorkItem",
        "WorkerConfig", "read_items", "run_job", "run_pages",
    ]
    assert all(hasattr(scraper.bulk, name) for name in scraper.bulk.__all__)


def response_span(data: bytes, n: int) -> tuple[int, int]:
    """Return where the n-th response record of a plain WARC starts and ends (0-based)."""
    starts = [m.start() for m in re.finditer(rb"WARC/1\.[01]\r\n", data)] + [len(data)]
    responses = [i for i, s in enumerate(starts[:-1]) if data[s:s + 200].find(b"WARC-Type: response") > 0]
    k = responses[n]
    return starts[k], starts[k + 1]


@pytest.mark.parametrize("gz", [False, True])
def test_a_warc_cut_anywhere_in_a_record_keeps_the_records_before_and_reports_the_cut(tmp_path: Path, gz: bool) -> None:
    # Every cut inside the second page's record: its WARC headers, its HTTP headers, its payload.
    whole = tmp_path / ("whole.warc.gz" if gz else "whole.warc")
    ids = write_warc(whole, [(f"https://example.org/news/{n}", article_page(n).encode(), "text/html") for n in range(2)],
                     gz=gz)
    data = whole.read_bytes()
    if gz:
        members = [m.start() for m in re.finditer(b"\x1f\x8b\x08", data)]
        # Members: request 0, response 0, request 1, response 1.
        # From the first cut that leaves the member's two magic bytes: a lone 0x1f is noise.
        first, last = members[3] + 2, len(data)
    else:
        first, last = response_span(data, 1)
        first += len("WARC/1.0\r\nWARC-Type: response")
        last -= len("\r\n\r\n") + 1
    cut = tmp_path / whole.name.replace("whole", "cut")
    for end in range(first, last):
        if gz:
            record = zlib.decompressobj(wbits=31).decompress(data[members[3]:end])
            if article_page(1).encode() in record:
                continue  # only the gzip trailer is cut: the record is whole
        cut.write_bytes(data[:end])
        items = items_of(str(cut))
        assert [i.id for i in items if i.error is None] == ids[:1], end
        errors = [i.error for i in items if i.error is not None]
        # A cut inside the first line ("WARC/1.") leaves no record to call truncated: warcio
        # rejects that line, and the error item says so.
        assert errors == ["truncated WARC record"] or (
            len(errors) == 1 and errors[0].startswith("unreadable WARC record: Invalid WARC record, first line: W")
        ), (end, errors)


def test_a_response_without_target_uri_is_cleaned_without_url(tmp_path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "nouri.warc"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=False)
        for n in range(3):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            record = writer.create_warc_record(f"https://example.org/{n}", "response",
                                               payload=io.BytesIO(article_page(n).encode()), http_headers=headers)
            if n == 1:
                record.rec_headers.remove_header("WARC-Target-URI")
            writer.write_record(record)
    items = items_of(str(path))
    assert [i.url for i in items] == ["https://example.org/0", None, "https://example.org/2"]
    assert all(i.error is None and b"Story number" in i.data for i in items)
