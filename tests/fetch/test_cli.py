"""The faults from the command line: `scraper fetch` into a WARC, and `clean URL`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from scraper.cli import main
from tests.fetch.conftest import ARTICLE_PARAGRAPHS, CP1251_WORDS, LATIN1_WORDS, Bounds, FaultServer

FAST = ["--allow-private", "--host-delay", "0", "--timeout", "5"]
ROOT = Path(__file__).resolve().parents[2]


def read_warc(path: Path) -> list[tuple[str, str, dict[str, str], bytes]]:
    """Return (type, target URI, HTTP or WARC headers, payload) for each record."""
    records = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            headers = dict(record.http_headers.headers) if record.http_headers else {}
            records.append(
                (
                    record.rec_type,
                    record.rec_headers.get_header("WARC-Target-URI") or "",
                    headers,
                    record.content_stream().read(),
                )
            )
    return records


def test_fetch_writes_one_response_per_page_and_records_failures(
    server: FaultServer, bounds: Bounds, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = ["/article", "/gzipped", "/latin1", "/cp1251", "/chain/2"]
    bad = {
        "/stall": "FetchTimeout",
        "/reset": "FetchError",
        "/loop/a": "TooManyRedirects",
        "/big": "ResponseTooLarge",
        "/gzip-bomb": "ResponseTooLarge",
        "/pdf": "NotHTML",
        "/private/page": "RobotsDisallowed",
        "/nothing-here": "BadStatus",
    }
    out = tmp_path / "out.warc.gz"
    argv = ["fetch", *(server.url(p) for p in [*good, *bad]), "--warc", str(out), "-j", "4", *FAST]
    with bounds.check("CLI: scraper fetch, 13 URLs, -j 4", seconds=30, megabytes=120) as result:
        code = main([*argv, "--retries", "1"])
        result["outcome"] = f"exit {code}"
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 5
    assert err[-1].startswith(f"fetched {len(good)}, failed {len(bad)}, ")
    assert len(err) == len(bad) + 1  # one line per failure, then the summary
    records = read_warc(out)
    assert records[0][0] == "warcinfo"
    response_uris = [uri for kind, uri, _, _ in records if kind == "response"]
    # /chain/2 ends on /article: the record names the URL the page was served from.
    assert sorted(response_uris) == sorted(server.url("/article" if p == "/chain/2" else p) for p in good)
    responses = {uri: (headers, body) for kind, uri, headers, body in records if kind == "response"}
    assert ARTICLE_PARAGRAPHS[0].encode() in responses[server.url("/article")][1]
    gz_headers, gz_body = responses[server.url("/gzipped")]
    assert gz_headers["X-Crawler-Content-Encoding"] == "gzip"  # stored decoded, as Common Crawl does
    assert int(gz_headers["Content-Length"]) == len(gz_body)
    assert ARTICLE_PARAGRAPHS[0].encode() in gz_body
    assert CP1251_WORDS.encode("cp1251") in responses[server.url("/cp1251")][1]
    requests = [uri for kind, uri, _, _ in records if kind == "request"]
    assert sorted(requests) == sorted(response_uris)
    failures = {uri: json.loads(body) for kind, uri, _, body in records if kind == "metadata"}
    assert {uri: f["error"] for uri, f in failures.items()} == {server.url(p): k for p, k in bad.items()}
    assert failures[server.url("/nothing-here")]["status"] == 404


def test_fetch_reads_urls_from_a_file(
    server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(
        f"# two pages, one repeated\n{server.url('/article')}\n\n{server.url('/cp1251')}\n"
        f"{server.url('/article')}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.warc"
    assert main(["fetch", "-i", str(listing), "--warc", str(out), *FAST]) == 0
    assert capsys.readouterr().err.startswith("fetched 2, failed 0, ")
    assert [kind for kind, *_ in read_warc(out)].count("response") == 2


def test_fetch_records_a_page_whose_compressed_body_is_cut_short_as_failed(
    server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.warc"
    truncated = server.url("/truncated/gzip")
    assert main(["fetch", truncated, server.url("/article"), "--warc", str(out), *FAST]) == 5
    assert "fetched 1, failed 1, " in capsys.readouterr().err
    records = read_warc(out)
    assert [uri for kind, uri, *_ in records if kind == "response"] == [server.url("/article")]
    failures = {uri: json.loads(body) for kind, uri, _, body in records if kind == "metadata"}
    assert failures[truncated]["error"] == "FetchError"
    assert "cut short" in failures[truncated]["reason"]


def test_fetch_refuses_loopback_without_allow_private(
    server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.warc.gz"
    assert main(["fetch", server.url("/article"), "--warc", str(out)]) == 5
    err = capsys.readouterr().err
    assert "127.0.0.1 is a loopback address" in err
    assert "fetched 0, failed 1" in err


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["fetch", "--warc", "x.warc"], 2, "no URLs given"),
        (["fetch", "-i", "/no/such/list.txt", "--warc", "x.warc"], 3, "cannot read"),
        (["fetch", "http://a.example/", "--warc", "x.warc", "--retries", "-1"], 2, "--retries must be at least 0"),
        (["fetch", "http://a.example/", "--warc", "x.warc", "--trust-network", "nope"], 2, "'nope' is not a network"),
        # NaN passed the range checks and failed every URL ("deadline must not be NaN"), or was kept.
        (["fetch", "http://a.example/", "--warc", "x.warc", "--timeout", "nan"], 2, "--timeout must be a finite"),
        (["fetch", "http://a.example/", "--warc", "x.warc", "--host-delay", "nan"], 2, "--host-delay must be a finite"),
        (["fetch", "http://a.example/", "--warc", "x.warc", "--host-delay", "-1"], 2, "--host-delay must be at least 0"),
        (["fetch", "http://a.example/", "--warc", "x.warc", "-j", "0"], 2, "-j must be at least 1"),
        (["fetch", "http://a.example/", "--warc", "x.warc", "--user-agent", "é"], 2, "--user-agent: must be printable"),
        (["fetch", "http://a.example/", "--warc", "x.warc", "--user-agent", "a\nb"], 2, "--user-agent: must be printable"),
        (["fetch", "http://a.example/", "--warc", "/no/such/dir/x.warc"], 2, "cannot write"),
    ],
)
def test_fetch_usage_errors_are_one_line(
    argv: list[str], code: int, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == code
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_python_m_scraper_fetch(server: FaultServer, tmp_path: Path) -> None:
    out = tmp_path / "one.warc.gz"
    done = subprocess.run(
        [sys.executable, "-m", "scraper", "fetch", server.url("/article"), "--warc", str(out), *FAST],
        capture_output=True, text=True, timeout=60, check=False, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert [kind for kind, *_ in read_warc(out)] == ["warcinfo", "response", "request"]


# --- clean URL ---------------------------------------------------------------------------

CLEAN_FAULTS = [
    # (path, extra flags, exit code, what stderr must say)
    ("/stall", ["--timeout", "2"], 5, "timeout"),
    ("/trickle", ["--timeout", "2"], 5, "total deadline of 2 s exceeded"),
    ("/reset", ["--retries", "1"], 5, "connection broken"),
    ("/flaky/{token}/500/2", [], 5, "HTTP 500"),
    ("/slow-down/{token}/3600", [], 5, "HTTP 429"),
    ("/loop/a", [], 5, "redirect loop"),
    ("/big", [], 5, "over the 10,000,000 byte cap"),
    ("/big", ["--max-bytes", "100000"], 5, "over the 100,000 byte cap"),
    ("/gzip-bomb", [], 5, "decompressed body is over"),
    ("/truncated/gzip", [], 5, "the compressed data is cut short"),
    ("/pdf", [], 5, "not HTML"),
    ("/private/page", [], 5, "robots.txt disallows /private/page"),
]


@pytest.mark.parametrize(("path", "flags", "code", "message"), CLEAN_FAULTS)
def test_clean_url_fault_is_one_line_and_exit_5(
    server: FaultServer, bounds: Bounds, token: str, capsys: pytest.CaptureFixture[str],
    path: str, flags: list[str], code: int, message: str,
) -> None:
    url = server.url(path.format(token=token))
    with bounds.check(f"CLI: clean {path.split('/{')[0]} {' '.join(flags)}".strip(), seconds=15) as result:
        exit_code = main(["clean", url, "--allow-private", *flags])
        result["outcome"] = f"exit {exit_code}"
    captured = capsys.readouterr()
    assert exit_code == code, captured.err
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and url in captured.err and message in captured.err


def test_clean_url_refuses_loopback_by_default(
    server: FaultServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["clean", server.url("/article")]) == 5
    assert "127.0.0.1 is a loopback address" in capsys.readouterr().err


def test_clean_url_with_a_space_names_no_redirect(server: FaultServer, capsys: pytest.CaptureFixture[str]) -> None:
    url = server.url("/a page")
    assert main(["clean", url]) == 5
    assert capsys.readouterr().err == f"scraper: error: {url}: refused: 127.0.0.1 is a loopback address (use --allow-private to fetch it)\n"


def test_clean_url_refuses_a_private_redirect_hop(
    server: FaultServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["clean", server.url("/to-private"), "--trust-network", "127.0.0.1/32"])
    assert code == 5
    assert "127.0.0.2 is a loopback address" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("path", "flags", "expected"),
    [
        ("/article", [], ARTICLE_PARAGRAPHS[2]),
        ("/chain/2", [], ARTICLE_PARAGRAPHS[2]),
        ("/gzipped", [], ARTICLE_PARAGRAPHS[2]),
        ("/latin1", [], LATIN1_WORDS.replace("Œuvre", "Oeuvre")),
        ("/cp1251", [], CP1251_WORDS),
        ("/slow-down/{token}/1", [], ARTICLE_PARAGRAPHS[2]),
        ("/flaky/{token}/503/2", [], ARTICLE_PARAGRAPHS[2]),
        ("/private/page", ["--ignore-robots"], ARTICLE_PARAGRAPHS[2]),
    ],
)
def test_clean_url_prints_the_article(
    server: FaultServer, token: str, capsys: pytest.CaptureFixture[str],
    path: str, flags: list[str], expected: str,
) -> None:
    code = main(["clean", server.url(path.format(token=token)), "--allow-private", *flags])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert expected in captured.out
    assert "Top Trending" not in captured.out


def test_python_m_scraper_clean_url(server: FaultServer) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scraper", "clean", server.url("/article"), "--allow-private"],
        capture_output=True, text=True, timeout=60, check=False, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert ARTICLE_PARAGRAPHS[0] in done.stdout


def test_bulk_cleans_the_warc_that_fetch_wrote(
    server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warc, out = tmp_path / "pages.warc.gz", tmp_path / "pages.jsonl"
    urls = [server.url(p) for p in ("/article", "/gzipped", "/cp1251")]
    assert main(["fetch", *urls, "--warc", str(warc), *FAST]) == 0
    assert main(["bulk", str(warc), "-o", str(out), "-j", "1"]) == 0
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    by_url = {record["url"]: record for record in records}
    assert set(by_url) == set(urls)
    assert all(record["error"] is None for record in records)
    assert ARTICLE_PARAGRAPHS[3] in by_url[server.url("/gzipped")]["text"]
    assert CP1251_WORDS in by_url[server.url("/cp1251")]["text"]
