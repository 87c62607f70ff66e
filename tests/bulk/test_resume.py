"""--resume: a run killed with SIGKILL, rerun, leaves every page exactly once and no half line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scraper.bulk.resume import recover
from scraper.cli import main
from tests.bulk.conftest import article_page, read_records, write_gz

PAGES = 300


def test_recover_keeps_whole_lines_and_cuts_a_torn_tail(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    whole = "".join(json.dumps({"id": f"p{n}", "source": f"s{n}"}) + "\n" for n in range(3))
    out.write_bytes(whole.encode() + b'{"id": "p3", "sou')
    state = recover(str(out))
    assert state.done == frozenset({"s0", "s1", "s2"}) and state.kept == 3
    assert out.read_bytes() == whole.encode()
    # A power cut can leave zeros (with a newline) after the last good record.
    out.write_bytes(whole.encode() + b"\x00" * 40 + b"\n" + whole.encode())
    state = recover(str(out))
    assert state.done == frozenset({"s0", "s1", "s2"}) and state.dropped_bytes == 41 + len(whole)
    assert out.read_bytes() == whole.encode()
    assert recover(str(tmp_path / "absent.jsonl")).kept == 0


def test_resume_with_nothing_done_before_runs_everything(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    for n in range(5):
        write_gz(folder / f"p{n}.html.gz", article_page(n))
    out = tmp_path / "out.jsonl"
    assert main(["bulk", str(folder), "-o", str(out), "--resume", "--fields", "id,source,text"]) == 0
    assert main(["bulk", str(folder), "-o", str(out), "--resume", "--fields", "id,source,text"]) == 0
    assert sorted(r["id"] for r in read_records(out)) == [f"p{n}" for n in range(5)]


def _pages_of_one_id(tmp_path: Path, count: int) -> Path:
    """A folder of <slug>/source.html pages: every one has the id "source"."""
    folder = tmp_path / "pages"
    for n in range(count):
        (folder / f"slug-{n}").mkdir(parents=True)
        (folder / f"slug-{n}" / "source.html").write_text(article_page(n))
    return folder


def test_resume_without_source_in_fields_is_a_usage_error(tmp_path: Path, capsys) -> None:
    # Ids repeat: every <slug>/source.html of a folder has the id "source". Keyed on ids,
    # resume took the pages of one slug for those of all the others and never cleaned them.
    folder = _pages_of_one_id(tmp_path, 4)
    out = tmp_path / "out.jsonl"
    assert main(["bulk", str(folder), "-o", str(out), "--fields", "id,text"]) == 0
    before = out.read_bytes()
    assert main(["bulk", str(folder), "-o", str(out), "--resume", "--fields", "id,text"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and err[-1].endswith("--resume needs `source` among --fields (it tells the pages done; ids may repeat)")
    assert out.read_bytes() == before


def test_resume_of_pages_with_one_id_cleans_every_page_once(tmp_path: Path) -> None:
    folder = _pages_of_one_id(tmp_path, 6)
    full = tmp_path / "full.jsonl"
    assert main(["bulk", str(folder), "-o", str(full), "--fields", "source,title"]) == 0
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"".join(full.read_bytes().splitlines(keepends=True)[:2]))
    assert main(["bulk", str(folder), "-o", str(out), "--fields", "source,title", "--resume"]) == 0
    assert read_records(out) == read_records(full)


def test_sigkill_mid_run_then_resume_finishes_without_gap_or_duplicate(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    for n in range(PAGES):
        write_gz(folder / f"page-{n:04d}.html.gz", article_page(n, paragraphs=40))
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "scraper", "bulk", str(folder), "-o", str(out), "-j", "2", "--resume"]

    first = subprocess.Popen(command, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and first.poll() is None:
        if out.exists() and out.read_bytes().count(b"\n") >= 40:
            break
        time.sleep(0.01)
    assert first.poll() is None, "the run ended before it could be killed"
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    lines_at_kill = out.read_bytes().count(b"\n")
    assert 40 <= lines_at_kill < PAGES

    # The orphaned workers notice their parent is gone and exit.
    group_deadline = time.monotonic() + 15
    while time.monotonic() < group_deadline:
        try:
            os.killpg(first.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.killpg(first.pid, signal.SIGKILL)
        raise AssertionError("worker processes outlived the killed run")

    second = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "done before, skipped" in second.stderr
    records = read_records(out)
    ids = [r["id"] for r in records]
    assert sorted(ids) == [f"page-{n:04d}" for n in range(PAGES)]
    assert len(set(ids)) == PAGES
    assert all(r["error"] is None and r["text"] for r in records)
    # The second run only did what the first left undone.
    redone = int(second.stderr.split("scraper bulk: ")[1].split(" pages")[0])
    assert redone == PAGES - lines_at_kill
    assert f"({lines_at_kill} done before, skipped)" in second.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_exits_130_with_one_line_and_resume_completes(tmp_path: Path, jobs: str) -> None:
    folder = tmp_path / "pages"
    total = 150
    for n in range(total):
        write_gz(folder / f"p{n:03d}.html.gz", article_page(n, paragraphs=40))
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "scraper", "bulk", str(folder), "-o", str(out), "-j", jobs]
    # A shell starts background jobs with SIGINT ignored, and an ignored signal stays ignored
    # across exec (so `scraper bulk ... &` is not stopped by Ctrl-C, as it should not be). The
    # run here must get SIGINT as a terminal's foreground job does, whoever started pytest:
    # a small launcher puts SIGINT back to its default, then becomes the command.
    launcher = "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"
    run = subprocess.Popen(
        [sys.executable, "-c", launcher, *command], stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and run.poll() is None:
        if out.exists() and out.read_bytes().count(b"\n") >= 20:
            break
        time.sleep(0.01)
    assert run.poll() is None, "the run ended before it could be interrupted"
    # Ctrl-C on a terminal signals the whole foreground process group.
    os.killpg(run.pid, signal.SIGINT)
    _, stderr = run.communicate(timeout=30)
    assert run.returncode == 130, stderr
    assert stderr.count("\n") == 1 and "interrupted after" in stderr and "--resume" in stderr, stderr
    done = len(read_records(out))
    assert done < total, stderr
    again = subprocess.run([*command, "--resume"], check=False, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    ids = [r["id"] for r in read_records(out)]
    assert sorted(ids) == [f"p{n:03d}" for n in range(total)]
