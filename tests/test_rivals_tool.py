"""tools/rivals.py: the runner that puts scraper beside its rivals, on real pages.

The rivals themselves (readability-lxml, newspaper4k) live in `make rivals`'s own virtualenv
and are not installed for the tests; scraper and trafilatura run here as they run there.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import rivals

PAGES = ROOT / "tests" / "fixtures" / "pages"


def _pages_file(tmp_path: Path, slugs: list[str]) -> Path:
    path = tmp_path / "pages.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for slug in slugs:
            html = (PAGES / slug / "source.html").read_text(encoding="utf-8")
            fh.write(json.dumps({"id": slug, "url": f"https://example.org/{slug}", "html": html}) + "\n")
    return path


def test_html_output_becomes_one_line_per_block() -> None:
    text = rivals._html_text("<div><h2>Tides</h2><p>High  water at <b>six</b>.</p><ul><li>one</li><li>two</li></ul>"
                             "<script>x()</script></div>")
    assert text.split("\n") == ["Tides", "High water at six.", "one", "two"]
    assert rivals._html_text("  ") == ""


@pytest.mark.parametrize("name", ["scraper", "trafilatura"])
def test_a_run_writes_one_record_per_page_and_its_cost(tmp_path: Path, name: str) -> None:
    slugs = ["seed-ukraine-troops", "genesis-content-sidebar-wrap"]
    out = tmp_path / f"{name}.jsonl"
    figures = rivals.run(name, _pages_file(tmp_path, slugs), out)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == slugs
    assert all(r["text"].strip() for r in records)
    assert figures["pages"] == 2 and figures["errors"] == 0 and figures["cpu_seconds"] > 0
    assert figures["version"]


def test_the_report_marks_the_best_f1_and_the_fastest() -> None:
    def fig(f1: float, seconds: float) -> dict:
        return {"f1": f1, "precision": f1, "recall": f1, "pages": 10, "cpu_seconds": seconds, "errors": 0, "by_type": {}}

    figures = {
        "versions": dict.fromkeys(rivals.EXTRACTORS, "1"),
        "datasets": {"news": {"scraper": fig(0.9, 0.1), "trafilatura": fig(0.8, 0.2),
                              "readability": fig(0.85, 0.3), "newspaper4k": fig(0.7, 0.05)}},
    }
    report = rivals._markdown(figures)
    assert "| news | 10 | **0.900** (0.90 / 0.90) | 0.800" in report
    assert "| all pages | 10.0 | 20.0 | 30.0 | **5.0** |" in report
