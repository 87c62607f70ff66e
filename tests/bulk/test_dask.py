"""A real Dask LocalCluster gives exactly the records of a local run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper.bulk.dask import records_bag, records_dataframe
from scraper.cli import main
from tests.bulk.conftest import (
    NOTE,
    article_page,
    noted_page,
    read_records,
    warc_pages,
    write_html_folder,
    write_jsonl,
    write_warc,
)


@pytest.fixture(scope="module")
def cluster_address() -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, silence_logs=True,
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture
def mixed_inputs(tmp_path: Path) -> list[str]:
    folder = tmp_path / "pages"
    write_html_folder(folder, 9)
    (folder / "broken.html.gz").write_bytes(b"\x1f\x8b\x08\x00broken")
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, warc_pages(4))
    jsonl = tmp_path / "rows.jsonl"
    write_jsonl(jsonl, [{"id": f"j{n}", "html": article_page(n)} for n in range(3)] + [{"id": "x"}])
    return [str(folder), str(warc), str(jsonl)]


def by_id(records: list[dict]) -> list[dict]:
    return sorted(records, key=lambda r: (r["id"], r["source"]))


def test_cluster_run_equals_local_run(cluster_address: str, mixed_inputs: list[str], tmp_path: Path) -> None:
    local, remote = tmp_path / "local.jsonl", tmp_path / "remote.jsonl"
    assert main(["bulk", *mixed_inputs, "-o", str(local), "-j", "2"]) == 0
    assert main(["bulk", *mixed_inputs, "-o", str(remote), "--scheduler", cluster_address]) == 0
    local_records, remote_records = read_records(local), read_records(remote)
    assert len(local_records) == 9 + 1 + 4 + 4
    assert by_id(remote_records) == by_id(local_records)
    # Input order holds on the cluster too.
    assert [r["source"] for r in remote_records] == [r["source"] for r in local_records]
    assert sum(r["error"] is not None for r in remote_records) == 2


def test_cluster_resume_skips_done_pages(cluster_address: str, mixed_inputs: list[str], tmp_path: Path) -> None:
    full, partial = tmp_path / "full.jsonl", tmp_path / "partial.jsonl"
    assert main(["bulk", *mixed_inputs, "-o", str(full), "-j", "1"]) == 0
    lines = full.read_bytes().splitlines(keepends=True)
    # Keep every other record and a torn half of the next one.
    partial.write_bytes(b"".join(lines[::2]) + lines[1][:15])
    assert main(["bulk", *mixed_inputs, "-o", str(partial), "--resume", "--scheduler", cluster_address]) == 0
    assert by_id(read_records(partial)) == by_id(read_records(full))


def test_library_bag_and_dataframe(cluster_address: str, mixed_inputs: list[str], tmp_path: Path) -> None:
    from distributed import Client

    local = tmp_path / "local.jsonl"
    assert main(["bulk", *mixed_inputs, "-o", str(local), "-j", "1"]) == 0
    expected = by_id(read_records(local))
    with Client(cluster_address):
        bag_records = records_bag(mixed_inputs, html_per_partition=4).compute()
        frame = records_dataframe(mixed_inputs).compute()
    assert by_id(bag_records) == expected
    rows = frame.to_dict("records")
    assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in expected)
    with_meta = [r for r in rows if r["error"] is None]
    assert all(json.loads(r["metadata"])["language"] in (None, "en") for r in with_meta)


def test_cluster_applies_rule_folders(cluster_address: str, tmp_path: Path) -> None:
    rules = tmp_path / "myrules"
    rules.mkdir()
    (rules / "example.org.toml").write_text('schema = 1\nhosts = ["example.org"]\n[remove]\nselectors = [".site-note"]\n')
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, [(f"https://example.org/{n}", noted_page(n).encode(), "text/html") for n in range(3)])
    local, remote = tmp_path / "local.jsonl", tmp_path / "remote.jsonl"
    assert main(["bulk", str(warc), "-o", str(local), "-j", "1", "--rules", str(rules), "--format", "html"]) == 0
    assert main(["bulk", str(warc), "-o", str(remote), "--scheduler", cluster_address,
                 "--rules", str(rules), "--format", "html"]) == 0
    assert read_records(remote) == read_records(local)
    plain = tmp_path / "plain.jsonl"
    assert main(["bulk", str(warc), "-o", str(plain), "-j", "1", "--format", "html"]) == 0
    assert all(NOTE in r["text"] for r in read_records(plain))
    assert not any(NOTE in r["text"] for r in read_records(local))


@pytest.mark.parametrize("address", ["notaurl", "", "http://127.0.0.1:8786", "tcp://127.0.0.1:99999", "tcp://:8786"])
def test_a_malformed_scheduler_address_is_a_usage_error(address: str, tmp_path: Path, capsys) -> None:
    page = tmp_path / "p.html"
    page.write_text(article_page(1))
    assert main(["bulk", str(page), "-o", str(tmp_path / "o.jsonl"), "--scheduler", address]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--scheduler" in err and "internal error" not in err


# The CLI with a shorter connect timeout, in a process of its own: a hang cannot stall the tests.
SHORT_TIMEOUT = """
import sys
import scraper.bulk.dask
scraper.bulk.dask.CONNECT_TIMEOUT_S = 2.0
from scraper.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def test_a_port_that_is_no_scheduler_fails_within_the_timeout(tmp_path: Path) -> None:
    # A web server accepts the connection and then waits for a request line that never comes:
    # distributed's handshake alone would wait forever.
    import subprocess
    import sys
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = tmp_path / "p.html"
    page.write_text(article_page(1))
    address = f"tcp://127.0.0.1:{server.server_address[1]}"
    try:
        done = subprocess.run(
            [sys.executable, "-c", SHORT_TIMEOUT, "bulk", str(page), "-o", str(tmp_path / "o.jsonl"),
             "--scheduler", address],
            check=False, capture_output=True, text=True, timeout=60,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 1
    err = done.stderr.strip()
    assert len(err.splitlines()) == 1 and "cannot reach the Dask scheduler" in err
