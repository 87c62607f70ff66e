"""Odd input QA found: each must give a record (or a one-line error), never end the run with a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scraper.cli import main
from tests.bulk.conftest import article_page, read_records, warc_pages, write_warc


def bulk(*args: str) -> int:
    return main(["bulk", *args])


# --- lone surrogates ----------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_lone_surrogate_in_jsonl_is_replaced_and_the_run_goes_on(tmp_path: Path, jobs: str) -> None:
    path = tmp_path / "sur.jsonl"
    page = article_page(3)
    # json.dumps writes the lone surrogate as the escape \ud800, as a JSON producer in the wild would.
    rows = [{"id": f"ok{n}", "html": page} for n in range(3)]
    rows.append({"id": "bad\ud800id", "url": "https://example.org/\udc80", "html": page.replace("Story 3,", "Story \ud800 3,")})
    rows += [{"id": f"after{n}", "html": page} for n in range(3)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = tmp_path / "out.jsonl"
    assert bulk(str(path), "-o", str(out), "-j", jobs) == 0
    records = read_records(out)
    assert [r["id"] for r in records] == ["ok0", "ok1", "ok2", "bad\ufffdid", "after0", "after1", "after2"]
    odd = records[3]
    assert odd["error"] is None and "Story \ufffd 3," in odd["text"]
    assert odd["url"] == "https://example.org/\ufffd"


def test_a_file_name_that_is_not_utf8_is_written_and_resumed(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    # A Latin-1 name: Python reads it back with the byte 0xE9 as the lone surrogate \udce9.
    (folder / os.fsdecode(b"caf\xe9.html")).write_text(article_page(1))
    (folder / "plain.html").write_text(article_page(2))
    out = tmp_path / "out.jsonl"
    assert bulk(str(folder), "-o", str(out)) == 0
    records = read_records(out)
    assert len(records) == 2 and all(r["error"] is None for r in records)
    # The name reads back as the same string, so resume knows the page is done.
    assert bulk(str(folder), "-o", str(out), "--resume") == 0
    assert len(read_records(out)) == 2
    import pyarrow.parquet as pq

    parquet = tmp_path / "out.parquet"
    assert bulk(str(folder), "-o", str(parquet)) == 0
    assert len(pq.read_table(parquet).to_pylist()) == 2


# --- broken WARC files -------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_warc_cut_inside_its_headers_keeps_the_pages_before(tmp_path: Path, jobs: str, capsys) -> None:
    whole = tmp_path / "pages.warc"
    ids = write_warc(whole, warc_pages(3), gz=False)
    data = whole.read_bytes()
    # Cut inside the WARC headers of the last page's response, before its WARC-Target-URI.
    last = data.rindex(b"WARC-Type: response")
    assert data.index(b"WARC-Target-URI", last) > last + 40
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[:last + 40])
    out = tmp_path / "out.jsonl"
    assert bulk(str(cut), "-o", str(out), "-j", jobs) == 0
    records = read_records(out)
    assert [r["id"] for r in records[:2]] == ids[:2] and all(r["text"] for r in records[:2])
    assert [r["error"] for r in records[2:]] == ["truncated WARC record"]
    assert "3 pages, 2 cleaned, 0 empty, 1 failed" in capsys.readouterr().err


# --- output among the inputs -------------------------------------------------------------------


@pytest.mark.parametrize("through", ["same name", "symlink to input", "symlink as output"])
def test_an_output_that_is_a_named_input_is_refused_and_the_input_kept(tmp_path: Path, through: str, capsys) -> None:
    pages = tmp_path / "pages.jsonl"
    pages.write_text(json.dumps({"html": article_page(1)}) + "\n")
    before = pages.read_bytes()
    link = tmp_path / "link.jsonl"
    link.symlink_to(pages)
    named, output = {"same name": (pages, pages), "symlink to input": (link, pages),
                     "symlink as output": (pages, link)}[through]
    assert bulk(str(named), "-o", str(output)) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("the output file cannot also be an input") and len(err.splitlines()) == 1
    assert pages.read_bytes() == before


@pytest.mark.parametrize("as_glob", [False, True])
def test_an_output_inside_an_input_folder_is_not_read_back(tmp_path: Path, as_glob: bool) -> None:
    folder = tmp_path / "crawl"
    folder.mkdir()
    (folder / "pages.jsonl").write_text("".join(json.dumps({"html": article_page(n)}) + "\n" for n in range(3)))
    out = folder / "out.jsonl"
    spec = str(folder / "*.jsonl") if as_glob else str(folder)
    assert bulk(spec, "-o", str(out)) == 0
    first = read_records(out)
    assert len(first) == 3
    # Resume and a fresh run alike see only the one input file, never their own records.
    assert bulk(spec, "-o", str(out), "--resume") == 0
    assert read_records(out) == first
    assert bulk(spec, "-o", str(out)) == 0
    assert read_records(out) == first


# --- the charset of a WARC response ------------------------------------------------------------

# Pounds and halves, no <meta>: detection alone reads the bytes as cp1250 ("Ł7", "˝ price"); the header is right.
LATIN1_PAGE = (
    "<html><head><title>Prices</title></head><body><article>"
    + "".join(f"<p>Paragraph {n}: a ticket costs \xa3{n} and a coffee \xa32, or \xbd price for children "
              "\xb7 every day.</p>" for n in range(8))
    + "</article></body></html>"
).encode("iso-8859-1")


class _Latin1Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=iso-8859-1")
        self.send_header("Content-Length", str(len(LATIN1_PAGE)))
        self.end_headers()
        self.wfile.write(LATIN1_PAGE)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_the_http_charset_stored_in_a_warc_decodes_the_page(tmp_path: Path) -> None:
    from scraper.parse import decode_html

    assert decode_html(LATIN1_PAGE).encoding != "cp1252", "detection alone must get this page wrong"
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Latin1Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/cafe.html"
        warc = tmp_path / "cafe.warc.gz"
        assert main(["fetch", url, "--warc", str(warc), "--allow-private"]) == 0
    finally:
        server.shutdown()
        server.server_close()
    out = tmp_path / "out.jsonl"
    assert bulk(str(warc), "-o", str(out)) == 0
    (record,) = read_records(out)
    assert record["text"].count("costs \xa3") == 8 and record["text"].count("\xbd price") == 8


# --- output that cannot take more --------------------------------------------------------------


@pytest.mark.parametrize("to_stdout", [False, True])
def test_a_full_output_device_is_a_one_line_error(tmp_path: Path, to_stdout: bool) -> None:
    # Every write to /dev/full fails with ENOSPC, as on a full disk.
    pages = tmp_path / "pages.jsonl"
    pages.write_text("".join(json.dumps({"html": article_page(n)}) + "\n" for n in range(3)))
    args = [sys.executable, "-m", "scraper", "bulk", str(pages), "-o", "-" if to_stdout else "/dev/full"]
    with open("/dev/full", "wb") as full:
        done = subprocess.run(args, check=False, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2
    assert "No space left on device" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "internal error" not in done.stderr


# Run the CLI with a cap on file size: a write past it fails with EFBIG, like a disk filling up mid-run.
CAPPED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
from scraper.cli import main
raise SystemExit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_output_full_mid_run_is_a_one_line_error_and_resume_finishes(tmp_path: Path, suffix: str) -> None:
    pages = tmp_path / "pages.jsonl"
    pages.write_text("".join(json.dumps({"id": f"p{n}", "html": article_page(n)}) + "\n" for n in range(40)))
    out = tmp_path / f"out{suffix}"
    args = [str(pages), "-o", str(out), "-j", "2"]
    done = subprocess.run([sys.executable, "-c", CAPPED, "20000", "bulk", *args],
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    err = done.stderr.strip()
    assert len(err.splitlines()) == 1 and "cannot write" in err and "--resume" in err
    journal = tmp_path / "out.parquet.partial.jsonl" if suffix == ".parquet" else out
    kept = read_records(journal)  # whole records only: no torn last line
    assert 0 < len(kept) < 40
    assert bulk(*args, "--resume") == 0
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        records = pq.read_table(out).to_pylist()
    else:
        records = read_records(out)
    assert [r["id"] for r in records] == [f"p{n}" for n in range(40)]


def test_output_to_dev_null_runs(tmp_path: Path) -> None:
    # A device cannot be synced (fsync gives EINVAL); throwing records away is a fair use (timing a run).
    pages = tmp_path / "pages.jsonl"
    pages.write_text(json.dumps({"html": article_page(1)}) + "\n")
    assert bulk(str(pages), "-o", "/dev/null") == 0
