"""`scraper clean --explain OUT.html`: a self-contained report, checked in headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html

from scraper.cli import main
from scraper.rules.explain import explain_page

SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def chromium() -> str:
    """Return the Chromium binary, failing (not skipping) when the test set-up did not install it."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("chromium is not installed: the test set-up must run `apt-get install -y chromium`")


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    return subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Write the report of the telegraph fixture through the CLI."""
    tmp = tmp_path_factory.mktemp("explain")
    out = tmp / "report.html"
    source = SITES / "telegraph" / "source.html"
    code = main(["clean", str(source), "--url", "https://www.telegraph.co.uk/news/x/", "--explain", str(out),
                 "-o", str(tmp / "article.txt")])
    assert code == 0
    return out, (tmp / "article.txt").read_text(encoding="utf-8")


def test_report_outlines_every_fate(report: tuple[Path, str]) -> None:
    out, _ = report
    doc = lxml_html.fromstring(out.read_bytes())
    fates = {e.get("data-sx-fate") for e in doc.iter() if isinstance(e.tag, str) and e.get("data-sx-fate")}
    assert {"kept", "removed", "pruned"} <= fates
    kept = [e for e in doc.iter() if isinstance(e.tag, str) and e.get("data-sx-fate") == "kept"]
    assert any("Campaigners raised more than forty thousand pounds" in e.text_content() for e in kept)
    removed = [e for e in doc.iter() if isinstance(e.tag, str) and e.get("data-sx-fate") == "removed"]
    assert any("rule telegraph remove .articleBodyImage" in e.get("data-sx-reason", "") for e in removed)
    legend = doc.get_element_by_id("sx-legend").text_content()
    for fate in ("kept", "removed", "pruned", "dropped"):
        assert fate in legend
    rows = doc.get_element_by_id("sx-decisions").text_content()
    assert "rule: telegraph" in doc.get_element_by_id("sx-report").text_content()
    assert "pruned" in rows


def test_report_is_self_contained(report: tuple[Path, str]) -> None:
    out, _ = report
    doc = lxml_html.fromstring(out.read_bytes())
    assert not doc.xpath("//script | //iframe | //link | //object | //embed")
    assert not doc.xpath("//@src | //@srcset | //@*[starts-with(name(), 'on')]")
    assert not [a for a in doc.xpath("//a/@href") if not a.startswith("#")]


def test_report_renders_in_chromium_with_kept_text_visible(report: tuple[Path, str], tmp_path: Path) -> None:
    out, article = report
    dom = run_chromium(tmp_path, "--dump-dom", out.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = lxml_html.fromstring(dom.stdout)
    kept = rendered.xpath("//*[@data-sx-fate='kept']")
    assert kept, "no kept block in the rendered DOM"
    visible_text = " ".join(kept[0].text_content().split())
    first_line = article.splitlines()[0]
    assert first_line[:60] in visible_text
    shot = tmp_path / "x.png"
    result = run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1000,1400", out.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_explain_places_decisions_on_the_original_page() -> None:
    html = (SITES / "quantamagazine" / "source.html").read_bytes()
    traced, page = explain_page(html, "https://www.quantamagazine.org/x/")
    assert traced.trace.decisions
    doc = lxml_html.fromstring(page)
    marked = doc.xpath("//*[@data-sx-fate]")
    # Every visible decision is placed on exactly one element of the page.
    assert len(marked) >= len([d for d in traced.trace.decisions if d.fate != "removed"])
    assert doc.xpath("//*[@data-sx-fate='removed' and contains(@data-sx-reason, '.attribution')]")
