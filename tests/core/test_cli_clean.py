"""`scraper clean`, `clean` and `python -m scraper clean` run as real processes: formats, sources, exit codes."""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper.cli import main
from scraper.errors import FetchError, InputError, NoContentError, RuleError, UsageError
from scraper.models import Options
from tests.core import pages

BIN = Path(sys.executable).parent
SEED = pages.PAGES_DIR / "seed-ukraine-troops" / "source.html"
SEED_LINE = "The UK and France are the chairs of the Coalition of the Willing."
SEED_CLUTTER = "Close this search box."
COMMANDS = {
    "scraper": [str(BIN / "scraper"), "clean"],
    "clean": [str(BIN / "clean")],
    "module": [sys.executable, "-m", "scraper", "clean"],
}


def run(*args: str, command: str = "scraper", stdin: bytes | None = None, cwd: Path | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run one clean command; keep the environment free of extra rule folders."""
    env = {k: v for k, v in os.environ.items() if k != "SCRAPER_RULES"} | (env or {})
    return subprocess.run(
        [*COMMANDS[command], *args], input=stdin if stdin is not None else b"", capture_output=True,
        env=env, cwd=cwd or pages.ROOT, timeout=120, check=False,
    )


def assert_one_line_error(proc: subprocess.CompletedProcess[bytes], code: int, pattern: str = "") -> str:
    """Check the exit code and that stderr is a single error line without a traceback."""
    err = proc.stderr.decode()
    assert proc.returncode == code, (proc.returncode, err)
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, f"not one line: {err!r}"
    assert err.startswith(("scraper: error: ", "clean: error: ")), err
    assert pattern.lower() in err.lower(), err
    assert proc.stdout == b""
    return err


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_exit_codes_are_distinct() -> None:
    codes = [cls.exit_code for cls in (UsageError, InputError, RuleError, FetchError, NoContentError)]
    assert codes == [2, 3, 4, 5, 6]


def test_a_bug_of_ours_ends_in_one_line_and_exit_70(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A handler that fails as a bug would (not a ScraperError): the command still ends in one
    # line, with its own code, and SCRAPER_DEBUG brings the traceback back.
    from scraper import cli

    def broken(args: argparse.Namespace) -> int:
        raise TypeError("'int' object is not iterable")

    parser = argparse.ArgumentParser(prog="scraper")
    parser.set_defaults(handler=broken)
    monkeypatch.delenv("SCRAPER_DEBUG", raising=False)
    assert cli.run(parser, []) == cli.EXIT_INTERNAL == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: TypeError: 'int' object is not iterable" in err
    monkeypatch.setenv("SCRAPER_DEBUG", "1")
    with pytest.raises(TypeError):
        cli.run(parser, [])


# --- output formats -------------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_entry_point_prints_the_article(command: str) -> None:
    proc = run(str(SEED), command=command)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert SEED_LINE in out
    assert SEED_CLUTTER not in out
    assert proc.stderr == b""


def test_entry_points_agree() -> None:
    outputs = {run(str(SEED), "--format", "json", command=c).stdout for c in COMMANDS}
    assert len(outputs) == 1


def test_text_is_the_default_and_keeps_table_rows_on_their_lines(tmp_path: Path) -> None:
    page = write(tmp_path, "tides.html", pages.TABLE_PAGE)
    default = run(str(page))
    text = run(str(page), "--format", "text")
    assert default.returncode == 0 and default.stdout == text.stdout
    lines = text.stdout.decode().splitlines()
    for row in pages.TABLE_ROWS:
        assert " | ".join(row) in lines
    assert not any(line.startswith("#") for line in lines)


def test_markdown_renders_the_title_and_a_markdown_table(tmp_path: Path) -> None:
    page = write(tmp_path, "tides.html", pages.TABLE_PAGE)
    proc = run(str(page), "--format", "markdown")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.decode().splitlines()
    assert lines[0] == "# Tide tables for June"
    header = lines.index("| Day | High water | Low water |")
    assert lines[header + 1].replace(" ", "") == "|---|---|---|"
    assert lines[header + 2] == "| Monday | 06:12 | 12:30 |"
    assert lines[header + 4] == "| Wednesday | 07:41 | 14:02 |"


def test_html_is_clean_article_html() -> None:
    proc = run(str(SEED), "--format", "html")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert out.startswith("<article>") and out.rstrip().endswith("</article>")
    assert "<table>" in out and "<script" not in out and "class=" not in out
    assert "Coalition of the Willing" in out


def test_json_holds_the_article_fields() -> None:
    proc = run(str(SEED), "--format", "json", "--url", "https://news.example.com/ukraine/")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {"url", "title", "text", "markdown", "html", "metadata", "path"} <= set(data)
    assert data["url"] == "https://news.example.com/ukraine/"
    assert SEED_LINE in data["text"]
    assert data["title"] and data["title"] not in data["text"].splitlines()


def test_url_option_resolves_links_in_markdown(tmp_path: Path) -> None:
    link = f"<p>{pages.PARAGRAPH} See <a href='/tides/july'>the July tables</a> for more.</p>"
    page = write(tmp_path, "tides.html", pages.TABLE_PAGE.replace("</article>", link + "</article>"))
    with_url = run(str(page), "--format", "markdown", "--url", "https://harbour.example/tides/june")
    assert with_url.returncode == 0, with_url.stderr
    assert "[the July tables](https://harbour.example/tides/july)" in with_url.stdout.decode()
    without = run(str(page), "--format", "markdown")
    assert "[the July tables](/tides/july)" in without.stdout.decode()


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_output_file_gets_what_stdout_would(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"out.{fmt}"
    written = run(str(SEED), "--format", fmt, "-o", str(target))
    assert written.returncode == 0, written.stderr
    assert written.stdout == b"" and written.stderr == b""
    assert target.read_bytes() == run(str(SEED), "--format", fmt).stdout


def test_output_file_in_a_missing_folder_is_one_line_error(tmp_path: Path) -> None:
    proc = run(str(SEED), "-o", str(tmp_path / "missing" / "out.txt"))
    assert_one_line_error(proc, UsageError.exit_code, "cannot write")


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_output_is_utf8_whatever_the_terminal_encoding(encoding: str) -> None:
    page = pages.PAGES_DIR / "ja-sento-bathhouse" / "source.html"
    expected = run(str(page), env={"PYTHONIOENCODING": "utf-8"})
    assert expected.returncode == 0 and not expected.stdout.isascii()
    proc = run(str(page), env={"PYTHONIOENCODING": encoding})
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == expected.stdout


def test_stdin_dash_reads_the_page() -> None:
    proc = run("-", stdin=SEED.read_bytes())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == run(str(SEED)).stdout


def test_gzipped_file_is_read(tmp_path: Path) -> None:
    page = write(tmp_path, "seed.html.gz", gzip.compress(SEED.read_bytes()))
    proc = run(str(page))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == run(str(SEED)).stdout


def test_gzipped_stdin_is_read() -> None:
    proc = run("-", stdin=gzip.compress(SEED.read_bytes()))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == run(str(SEED)).stdout


def test_sample_prints_the_bundled_article() -> None:
    proc = run("--sample")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert SEED_LINE in out
    assert SEED_CLUTTER not in out and "Related Articles" not in out


@pytest.fixture
def page_server() -> Iterator[str]:
    """Serve the seed page on 127.0.0.1 at a free port; yield its URL."""
    body = SEED.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/robots.txt":
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/news/ukraine/"
    finally:
        server.shutdown()
        server.server_close()


def test_url_source_is_fetched_and_cleaned(page_server: str) -> None:
    proc = run(page_server, "--allow-private", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["url"] == page_server
    assert SEED_LINE in data["text"]


# --- exit codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [[], ["--format", "pdf", "x.html"], ["--no-such-option", "x.html"], ["--favor", "most"]],
    ids=["no-source", "bad-format", "unknown-option", "bad-favor"],
)
@pytest.mark.parametrize("command", ["scraper", "clean"])
def test_usage_errors_exit_2(args: list[str], command: str) -> None:
    assert_one_line_error(run(*args, command=command), UsageError.exit_code)


def test_unknown_command_exits_2() -> None:
    proc = subprocess.run(
        [str(BIN / "scraper"), "scrub", "x.html"], capture_output=True, timeout=60, check=False
    )
    assert_one_line_error(proc, UsageError.exit_code, "scrub")


BAD_FILES = {
    "empty.html": b"",
    "blank.html": b"  \n\t\n   ",
    "image.html": pages.PNG,
    "paper.html": pages.PDF,
    "broken.html.gz": b"\x1f\x8b\x08\x00" + b"not really gzip",
    "nul.html": b"\x00" * 4096,
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_unreadable_or_non_html_files_exit_3(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, BAD_FILES[name])
    assert_one_line_error(run(str(path)), InputError.exit_code)


@pytest.mark.parametrize("name", ["empty.html", "image.html", "paper.html"])
def test_bad_stdin_exits_3(name: str) -> None:
    assert_one_line_error(run("-", stdin=BAD_FILES[name]), InputError.exit_code)


def test_missing_file_exits_3(tmp_path: Path) -> None:
    err = assert_one_line_error(run(str(tmp_path / "nowhere.html")), InputError.exit_code, "no such file")
    assert "nowhere.html" in err


def test_directory_exits_3(tmp_path: Path) -> None:
    assert_one_line_error(run(str(tmp_path)), InputError.exit_code, "directory")


def gzip_bomb(path: Path, size: int) -> None:
    """Write `size` bytes of blank markup gzip-compressed to `path`, a few hundred KB on disk."""
    chunk = b" " * 1_000_000
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(b"<html><body><p>")
        for _ in range(size // len(chunk)):
            out.write(chunk)


_MEASURED = """
import sys
from scraper.cli import main
try:
    code = main(sys.argv[2:])
finally:
    # VmHWM is this process's own peak: unlike wait4's ru_maxrss it does not carry the
    # forking parent's size (Linux folds the pre-exec high-water mark into the child's).
    with open(sys.argv[1], "w") as out:
        out.write(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
sys.exit(code)
"""


def run_measured(args: list[str], tmp_path: Path) -> tuple[subprocess.CompletedProcess[bytes], int]:
    """Run `scraper ARGS` in a fresh interpreter; return its result and its own peak RSS in bytes."""
    peak_path = tmp_path / "peak"
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, str(peak_path), *args], capture_output=True, cwd=pages.ROOT, check=False
    )
    return done, int(peak_path.read_text()) * 1024


def test_gzip_bomb_is_refused_with_bounded_memory_exit_3(tmp_path: Path) -> None:
    # 400 MB of markup in a small file: decompression must stop at the size limit, not inflate it all.
    path = tmp_path / "bomb.html.gz"
    size = 400_000_000
    gzip_bomb(path, size)
    assert path.stat().st_size < 1_000_000
    done, peak = run_measured(["clean", str(path)], tmp_path)
    assert_one_line_error(done, InputError.exit_code, "limit")
    assert peak < size / 2, f"peak RSS {peak:,} bytes"


def test_file_just_over_the_size_limit_exits_3(tmp_path: Path) -> None:
    limit = Options().max_input_bytes
    path = write(tmp_path, "huge.html", b"<html><body><p>" + b"a" * (limit - 32) + b"</p></body></html>")
    assert path.stat().st_size == limit + 1
    assert_one_line_error(run(str(path)), InputError.exit_code, "limit")


def test_broken_rule_file_exits_4(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "harbour.toml").write_text(
        'schema = 1\nhosts = ["harbour.example"]\n[select]\nbody = ["article"]\nbogus = 3\n'
    )
    err = assert_one_line_error(run(str(SEED), "--rules", str(rules)), RuleError.exit_code, "harbour.toml")
    assert "bogus" in err


def test_rule_file_with_bad_toml_exits_4(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "harbour.toml").write_text('schema = 1\nhosts = ["harbour.example"\n')
    assert_one_line_error(run(str(SEED), "--rules", str(rules)), RuleError.exit_code, "harbour.toml")


def test_loopback_url_is_refused_by_default_exit_5() -> None:
    url = f"http://127.0.0.1:{free_port()}/page"
    err = assert_one_line_error(run(url), FetchError.exit_code, "refused")
    assert url in err


def test_url_scheme_is_case_insensitive() -> None:
    url = f"HTTP://127.0.0.1:{free_port()}/page"
    assert_one_line_error(run(url), FetchError.exit_code, "refused")


@pytest.mark.parametrize("url", ["ftp://files.example/page.html", "file:///etc/hostname"])
def test_url_of_another_scheme_is_a_usage_error_not_a_missing_file(url: str) -> None:
    assert_one_line_error(run(url), UsageError.exit_code, "only http and https URLs can be fetched")


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--timeout", "-1", "--timeout must be more than 0"),
        ("--timeout", "0", "--timeout must be more than 0"),
        ("--retries", "-2", "--retries must be at least 0"),
        ("--max-bytes", "0", "--max-bytes must be at least 1"),
        # NaN passed every range check, then failed inside the fetch (exit 70).
        ("--timeout", "nan", "--timeout must be a finite number, not nan"),
        ("--timeout", "inf", "--timeout must be a finite number, not inf"),
        # httpx cannot encode it (exit 70), or h11 refuses it at the first request (exit 5).
        ("--user-agent", "é", "--user-agent: must be printable ASCII"),
        ("--user-agent", "a\nb", "--user-agent: must be printable ASCII"),
        ("--trust-network", "nope", "'nope' is not a network"),
    ],
)
def test_out_of_range_fetch_flags_are_named_in_the_error(flag: str, value: str, message: str) -> None:
    url = f"http://127.0.0.1:{free_port()}/page"
    assert_one_line_error(run(url, flag, value), UsageError.exit_code, message)


def test_bad_fetch_flags_are_refused_with_a_file_source_too(capsys: pytest.CaptureFixture[str]) -> None:
    # Checked as the command line is read, not only when a URL is fetched.
    sample = pages.ROOT / "scraper" / "data" / "sample.html"
    assert main(["clean", str(sample), "--timeout", "nan"]) == UsageError.exit_code
    assert capsys.readouterr().err == "scraper: error: --timeout must be a finite number, not nan\n"


def test_closed_port_exits_5() -> None:
    url = f"http://127.0.0.1:{free_port()}/page"
    proc = run(url, "--allow-private", "--retries", "0")
    assert_one_line_error(proc, FetchError.exit_code, "connect")


def test_images_and_no_tables_flags_reach_the_extractor(tmp_path: Path) -> None:
    story = "".join(f"<p>{pages.PARAGRAPH} Part {i}.</p>" for i in range(3))
    page = (
        "<html><head><title>Quay</title></head><body><article><h1>Quay</h1>"
        f"{story}<p><img src='/quay.jpg' alt='quay'></p>"
        "<table><tr><th>Fee</th><th>Amount</th></tr><tr><td>Mooring</td><td>12</td></tr></table>"
        "</article></body></html>"
    )
    path = write(tmp_path, "quay.html", page)
    base = [str(path), "--url", "https://quay.example/plan", "--format", "markdown"]
    plain = run(*base).stdout.decode()
    assert "![quay]" not in plain and "| Mooring | 12 |" in plain
    flagged = run(*base, "--images", "--no-tables").stdout.decode()
    assert "![quay](https://quay.example/quay.jpg)" in flagged and "Mooring" not in flagged


@pytest.mark.parametrize(
    "page", [pages.SCRIPTS_ONLY, pages.NO_BODY, "<html><body><nav><a href='/'>Home</a></nav></body></html>"],
    ids=["scripts-only", "no-body", "nav-only"],
)
def test_page_without_article_exits_6(tmp_path: Path, page: str) -> None:
    path = write(tmp_path, "page.html", page)
    assert_one_line_error(run(str(path)), NoContentError.exit_code, "no article content")


def test_page_without_article_on_stdin_exits_6() -> None:
    assert_one_line_error(run("-", stdin=pages.SCRIPTS_ONLY.encode()), NoContentError.exit_code)


def test_clean_alias_uses_its_own_name_in_errors(tmp_path: Path) -> None:
    err = assert_one_line_error(run(str(tmp_path / "gone.html"), command="clean"), InputError.exit_code)
    assert err.startswith("clean: error: ")


# --- bad pages that still hold an article ---------------------------------------------------


def test_invalid_utf8_still_prints_the_article(tmp_path: Path) -> None:
    data = pages.article_page(4).encode().replace(b"Paragraph 2.", b"Paragraph 2. \xff\xfe\xc3\x28 caf\xc3\xa9")
    proc = run(str(write(tmp_path, "bad.html", data)))
    assert proc.returncode == 0, proc.stderr
    assert "Paragraph 3." in proc.stdout.decode()


@pytest.mark.parametrize("tag", ["div", "font"])
def test_deep_nesting_still_prints_the_article(tmp_path: Path, tag: str) -> None:
    proc = run(str(write(tmp_path, "deep.html", pages.deep_page(5000, tag=tag, closed=tag == "div"))))
    assert proc.returncode == 0, proc.stderr
    assert pages.PARAGRAPH in proc.stdout.decode().splitlines()
    assert b"Traceback" not in proc.stderr


def test_entity_bomb_output_stays_small(tmp_path: Path) -> None:
    proc = run(str(write(tmp_path, "bomb.html", pages.BILLION_LAUGHS)), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert b"lollol" not in proc.stdout
    assert len(proc.stdout) < 10 * len(pages.BILLION_LAUGHS)


def test_unclosed_tags_still_print_every_paragraph(tmp_path: Path) -> None:
    proc = run(str(write(tmp_path, "open.html", pages.UNCLOSED)))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().count(pages.PARAGRAPH) == 3


def test_no_second_opinion_keeps_our_own_answer(tmp_path: Path) -> None:
    # On a page of cards our scorer keeps one card, and trafilatura's answer (every card) wins;
    # --no-second-opinion keeps our scorer's answer.
    file = tmp_path / "cards.html"
    file.write_text(pages.card_page(), encoding="utf-8")
    url = "https://site.example/topic/headphones"
    asked = json.loads(run(str(file), "--url", url, "--format", "json").stdout)
    alone = json.loads(run(str(file), "--url", url, "--format", "json", "--no-second-opinion").stdout)
    assert asked["path"] == "second-opinion" and "Headphone story 4" in asked["text"]
    assert alone["path"] != "second-opinion" and "Headphone story 4" not in alone["text"]


def test_comments_flag_reaches_the_extractor(tmp_path: Path) -> None:
    story = "".join(f"<p>{pages.PARAGRAPH} Part {i}.</p>" for i in range(3))
    reply = "I walked the quay last week and the wall is crumbling; good that the board finally acts on it."
    page = (
        f"<html><head><title>Quay</title></head><body><article><h1>Quay</h1>{story}</article>"
        f"<div id='comments'><h2>1 comment</h2><ol class='commentlist'><li><p>{reply}</p></li></ol></div></body></html>"
    )
    path = write(tmp_path, "quay.html", page)
    assert reply not in run(str(path)).stdout.decode()
    assert reply in run(str(path), "--comments").stdout.decode()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        # Each was ignored without a word: the article went to stdout, no report was written,
        # or the bundled sample was cleaned instead of the file named.
        (["-o", ""], "-o needs a file name, not an empty one"),
        (["--explain", ""], "--explain needs a file name, not an empty one"),
        (["--sample"], "give SOURCE or --sample, not both"),
    ],
)
def test_empty_file_names_and_two_sources_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    page = write(tmp_path, "page.html", pages.article_page())
    assert main(["clean", str(page), *argv]) == UsageError.exit_code
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith(f"scraper: error: {message}")
    assert captured.err.count("\n") == 1


def test_a_missing_file_with_sample_is_still_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", "missing.html", "--sample"]) == UsageError.exit_code
    assert "'missing.html' and --sample" in capsys.readouterr().err
