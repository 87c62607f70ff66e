"""`-j 1`: one forked worker that reads its own pages gives the pool's records and keeps its guarantees."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scraper.bulk.readers import WorkItem
from scraper.bulk.records import PageResult
from scraper.bulk.runner import CRASH_MESSAGE, WorkerConfig, WorkerContext, clean_page, run_pages
from scraper.bulk.solo import run_solo
from scraper.cli import main
from scraper.errors import ScraperError
from tests.bulk.conftest import (
    EMPTY_PAGE,
    article_page,
    read_records,
    warc_pages,
    write_gz,
    write_html_folder,
    write_jsonl,
    write_warc,
)
from tests.bulk.test_run import crash_on_marked


@pytest.fixture
def mixed_inputs(tmp_path: Path) -> list[str]:
    """HTML files (one corrupt, one empty), a WARC with an image, and JSON Lines with a bad row."""
    folder = tmp_path / "pages"
    write_html_folder(folder, 7)
    write_gz(folder / "empty.html.gz", EMPTY_PAGE)
    (folder / "corrupt.html.gz").write_bytes(gzip.compress(article_page(2).encode())[:-25])
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, warc_pages(3))
    jsonl = tmp_path / "rows.jsonl"
    write_jsonl(jsonl, [{"id": f"j{n}", "html": article_page(n)} for n in range(3)] + [{"id": "x"}])
    return [str(folder), str(warc), str(jsonl)]


def test_one_worker_gives_the_records_of_a_pool(mixed_inputs: list[str], tmp_path: Path, capsys) -> None:
    solo, pool = tmp_path / "solo.jsonl", tmp_path / "pool.jsonl"
    assert main(["bulk", *mixed_inputs, "-o", str(solo), "-j", "1"]) == 0
    solo_summary = capsys.readouterr().err
    assert main(["bulk", *mixed_inputs, "-o", str(pool), "-j", "2"]) == 0
    # Same records, same order, byte for byte.
    assert solo.read_bytes() == pool.read_bytes()
    records = read_records(solo)
    assert len(records) == 9 + 3 + 4
    assert "16 pages, 13 cleaned, 1 empty, 2 failed" in solo_summary


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_one_worker_honours_format_and_fields(mixed_inputs: list[str], tmp_path: Path, fmt: str) -> None:
    solo, pool = tmp_path / "solo.jsonl", tmp_path / "pool.jsonl"
    args = ["--format", fmt, "--fields", "id,text,error"]
    assert main(["bulk", *mixed_inputs, "-o", str(solo), "-j", "1", *args]) == 0
    assert main(["bulk", *mixed_inputs, "-o", str(pool), "-j", "2", *args]) == 0
    assert solo.read_bytes() == pool.read_bytes()
    assert all(list(r) == ["id", "text", "error"] for r in read_records(solo))


def test_run_pages_with_one_job_forks_one_worker_not_a_pool() -> None:
    items = [WorkItem(f"p{n}", f"mem:{n}", None, article_page(n).encode()) for n in range(6)]
    seen: list[int] = []

    def note_pid(item: WorkItem, context: WorkerContext) -> PageResult:
        # A closure: a pool could not pickle it, a forked child runs it as it is.
        seen.append(os.getpid())
        result = clean_page(item, context)
        return PageResult({**result.record, "pid": os.getpid()}, result.outcome)

    results = list(run_pages(items, WorkerConfig(), jobs=1, page_fn=note_pid))
    pids = {r.record["pid"] for r in results}
    assert len(pids) == 1 and pids != {os.getpid()}
    assert seen == []  # the function ran in the child, not here
    assert [r.record["source"] for r in results] == [i.source for i in items]
    assert all(r.outcome == "cleaned" for r in results)


def test_a_dying_worker_becomes_an_error_record_and_a_new_one_goes_on() -> None:
    items = [WorkItem(f"p{n}", f"mem:{n}", None, article_page(n).encode()) for n in range(12)]
    items[0] = WorkItem("crash-first", "mem:0", None, b"<p>x</p>")
    items[6] = WorkItem("crash-a", "mem:6", "https://example.org/6", article_page(6).encode())
    items[7] = WorkItem("crash-b", "mem:7", None, article_page(7).encode())
    items[11] = WorkItem("crash-last", "mem:11", None, article_page(11).encode())
    results = list(run_solo(items, WorkerConfig(), crash_on_marked))
    assert [r.record["source"] for r in results] == [i.source for i in items]
    crashed = {r.record["id"]: r.record["error"] for r in results if r.outcome == "failed"}
    assert crashed == dict.fromkeys(["crash-first", "crash-a", "crash-b", "crash-last"], CRASH_MESSAGE)
    assert results[6].record["url"] == "https://example.org/6"
    assert sum(r.outcome == "cleaned" for r in results) == 8


def _die_on_read(count: int):  # type: ignore[no-untyped-def]
    """Yield `count` pages, then kill the reading process (a crash outside any page)."""
    for n in range(count):
        yield WorkItem(f"p{n}", f"mem:{n}", None, article_page(n).encode())
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_that_dies_reading_ends_the_run_with_an_error() -> None:
    results = run_solo(_die_on_read(3), WorkerConfig(), clean_page)
    done = [next(results) for _ in range(3)]
    assert [r.record["id"] for r in done] == ["p0", "p1", "p2"]
    with pytest.raises(ScraperError, match="after 3 pages"):
        next(results)


def test_an_input_error_in_the_worker_is_a_one_line_error_with_its_exit_code(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "pages"
    write_html_folder(folder, 2)
    odd = tmp_path / "notes.txt"
    odd.write_text("not a page")
    out = tmp_path / "out.jsonl"
    # The folder is read before the unknown file is met, in the worker, as on the pool.
    assert main(["bulk", str(folder), str(odd), "-o", str(out), "-j", "1"]) == 3
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "notes.txt: unknown input type" in err


def test_page_timeout_applies_in_the_one_worker(tmp_path: Path) -> None:
    folder = tmp_path / "slow"
    for n in range(3):
        write_gz(folder / f"p{n}.html.gz", article_page(n, paragraphs=400))
    out = tmp_path / "out.jsonl"
    assert main(["bulk", str(folder), "-o", str(out), "-j", "1", "--page-timeout", "0.0005"]) == 0
    assert [r["error"] for r in read_records(out)] == ["timed out after 0.0005 s"] * 3


def test_stdin_path_list_with_one_job(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "pages"
    write_html_folder(folder, 4)
    paths = sorted(str(p) for p in folder.rglob("*.html.gz"))
    monkeypatch.setattr(sys, "stdin", iter(p + "\n" for p in paths))
    out = tmp_path / "out.jsonl"
    assert main(["bulk", "-", "-o", str(out), "-j", "1"]) == 0
    assert [r["source"] for r in read_records(out)] == paths


def test_killed_run_leaves_no_worker_behind(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    for n in range(200):
        write_gz(folder / f"p{n:03d}.html.gz", article_page(n, paragraphs=40))
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "scraper", "bulk", str(folder), "-o", str(out), "-j", "1"]
    run = subprocess.Popen(command, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and run.poll() is None:
        if out.exists() and out.read_bytes().count(b"\n") >= 10:
            break
        time.sleep(0.01)
    assert run.poll() is None, "the run ended before it could be killed"
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=10)
    group_deadline = time.monotonic() + 15
    while time.monotonic() < group_deadline:
        try:
            os.killpg(run.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.killpg(run.pid, signal.SIGKILL)
        raise AssertionError("the worker outlived the killed run")
    # Whatever was written is whole, and --resume finishes it.
    assert main(["bulk", str(folder), "-o", str(out), "-j", "1", "--resume"]) == 0
    assert sorted(r["id"] for r in read_records(out)) == [f"p{n:03d}" for n in range(200)]


def test_a_one_worker_run_loads_neither_the_fetcher_nor_a_pool(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    write_html_folder(folder, 2)
    out = tmp_path / "out.jsonl"
    # Start-up counts in every run: `scraper bulk -j 1` has no use for httpx, asyncio, warcio or a pool.
    probe = (
        "import sys\n"
        "from scraper.cli import main\n"
        f"code = main(['bulk', {str(folder)!r}, '-o', {str(out)!r}, '-j', '1'])\n"
        "heavy = ['httpx', 'asyncio', 'warcio', 'concurrent.futures.process', 'multiprocessing']\n"
        "print(code, *sorted(name for name in heavy if name in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=60)
    assert done.stdout.split() == ["0"], done.stdout + done.stderr
    assert len(read_records(out)) == 2


def fail_on_marked(item: WorkItem, context: WorkerContext) -> PageResult:
    """Raise on pages whose id starts with 'bug' (a page function with a bug)."""
    if item.id.startswith("bug"):
        raise ValueError("no such thing")
    return clean_page(item, context)


def test_a_page_function_that_raises_makes_an_error_record_as_on_the_pool() -> None:
    items = [WorkItem(f"p{n}", f"mem:{n}", None, article_page(n).encode()) for n in range(4)]
    items[2] = WorkItem("bug", "mem:2", None, article_page(2).encode())
    solo = [r.record for r in run_pages(items, WorkerConfig(), jobs=1, page_fn=fail_on_marked)]
    pool = [r.record for r in run_pages(items, WorkerConfig(), jobs=2, page_fn=fail_on_marked)]
    assert solo == pool
    assert [r["error"] for r in solo] == [None, None, "ValueError: no such thing", None]
