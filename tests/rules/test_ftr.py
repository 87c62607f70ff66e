"""FiveFilters / Instapaper site config files, read as they are."""

from __future__ import annotations

from pathlib import Path

import pytest

import scraper
from scraper.cli import main
from scraper.rules import load_ruleset, load_ruleset_report
from scraper.rules.ftr import host_of_file, load_ftr_file
from scraper.rules.loader import load_site_rule

SHARED_FTR = Path(__file__).resolve().parents[3] / "shared" / "ftr-site-config"

SAMPLE = """# a site config written for this test
title: //h1[@class='headline']
author: //span[@class="byline"]
date: //time
body: //div[@id='story']
body: //article
strip: //div[contains(@class, 'promo')]
strip_id_or_class: share-tools
strip_image_src: /pixel.gif
prune: no
tidy: no
replace_string(<br /><br />): </p><p>
find_string: <p>
http_header(user-agent): Mozilla
test_url: https://news.example.org/2024/01/story
strip: //div[@class='broken'
this is not a directive
"""

PAGE = """<html><body><h1 class="headline">Wind farm approved</h1><span class="byline">Ana Kos</span>
<div class="promo"><p>Subscribe today and save half on your first year of the print edition and app.</p></div>
<div id="story"><p>The council approved the offshore wind farm on Tuesday after three years of hearings and
two public consultations about the cable route.</p><div class="share-tools"><p>Share this story with a friend
who cares about energy policy and the future of the coast.</p></div>
<p>Construction of the first turbines is due to start next spring, weather permitting.</p>
<img src="https://cdn.example.org/pixel.gif"></div>
<div class="sidebar"><p>Most read: a very long list of other stories that has nothing to do with this one at all.</p></div>
</body></html>"""


def write_sample(folder: Path, name: str = "news.example.org.txt") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / name
    file.write_text(SAMPLE, encoding="utf-8")
    return file


def test_directives_are_mapped_and_the_rest_counted(tmp_path: Path) -> None:
    parsed = load_ftr_file(write_sample(tmp_path))
    assert parsed.hosts == ("news.example.org",)
    assert parsed.fields["body"] == ["//div[@id='story']", "//article"]
    assert parsed.fields["title"] == ["//h1[@class='headline']"]
    assert len(parsed.fields["remove"]) == 3  # strip, strip_id_or_class, strip_image_src
    assert parsed.test_urls == ["https://news.example.org/2024/01/story"]
    assert parsed.skipped == {
        "prune": 1, "tidy": 1, "replace_string": 1, "find_string": 1, "http_header": 1,
        "bad xpath": 1, "unparsable line": 1,
    }
    assert any("line 16" in p and "bad XPath" in p for p in parsed.problems)
    rule = parsed.rule
    assert rule is not None and [s.kind for s in rule.body] == ["xpath", "xpath"]


def test_leading_dot_file_matches_subdomains(tmp_path: Path) -> None:
    assert host_of_file(Path(".example.org.txt")) == ("*.example.org",)
    write_sample(tmp_path, ".example.org.txt")
    rules = load_ruleset([tmp_path], include_shipped=False)
    assert rules.match("https://news.example.org/a").id == "ftr:.example.org"
    assert rules.match("https://example.com/a") is None


def test_ftr_rule_applies_when_cleaning(tmp_path: Path) -> None:
    write_sample(tmp_path)
    rules = load_ruleset([tmp_path], include_shipped=False)
    article = scraper.clean(PAGE, url="https://news.example.org/2024/01/story", rules=rules)
    assert article.rule_id == "ftr:news.example.org"
    assert "approved the offshore wind farm" in article.text
    assert "first turbines is due to start" in article.text
    assert "Share this story with a friend" not in article.text
    assert "Most read" not in article.text
    assert article.metadata.author == "Ana Kos"


def test_import_ftr_writes_loadable_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "ftr"
    write_sample(source)
    write_sample(source, ".example.net.txt")
    (source / "empty.example.txt").write_text("# nothing\ntest_url: https://empty.example/\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["rules", "import-ftr", str(source), "-o", str(out)]) == 0
    report = capsys.readouterr().out
    assert "2 rules written" in report and "1 files with nothing to convert" in report
    assert "skipped\tbad xpath\t2" in report
    rule = load_site_rule(out / "news.example.org.toml")
    assert rule.hosts == ("news.example.org",)
    assert [s.expr for s in rule.body] == ["//div[@id='story']", "//article"]
    assert load_site_rule(out / "_wild.example.net.toml").hosts == ("*.example.net",)
    assert main(["rules", "check", str(out)]) == 0


def test_an_xpath_that_would_fail_when_evaluated_is_a_skipped_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "ftr"
    source.mkdir()
    file = source / "example.com.txt"
    file.write_text("body: //div[x:y()]\nbody: //article\nstrip: //p[@id=$v]\nauthor: //a[lower-case(.)]\n")
    parsed = load_ftr_file(file)
    assert parsed.fields == {"body": ["//article"]}
    assert parsed.skipped == {"bad xpath": 3}
    assert [p.split(":")[0] for p in parsed.problems] == ["line 1", "line 3", "line 4"]
    assert "undefined namespace prefix 'x'" in parsed.problems[0]
    assert not any(str(file) in p for p in parsed.problems)  # the caller names the file once
    out = tmp_path / "out"
    assert main(["rules", "import-ftr", str(source), "-o", str(out)]) == 0
    report = capsys.readouterr().out
    assert "skipped\tbad xpath\t3" in report
    assert f"# 3 broken lines left out; `scraper rules check {source}` lists them" in report
    assert [s.expr for s in load_site_rule(out / "example.com.toml").body] == ["//article"]
    assert main(["rules", "check", str(source)]) == 4
    listed = capsys.readouterr().out
    assert f"{file}: line 1: body: bad XPath '//div[x:y()]': undefined namespace prefix 'x'" in listed
    assert f"{file}: line 3: strip: bad XPath" in listed


def test_shared_ftr_folder_loads_with_counts() -> None:
    if not SHARED_FTR.is_dir():
        pytest.fail(f"the FTR snapshot is expected at {SHARED_FTR} (read in place, never copied)")
    report = load_ruleset_report([SHARED_FTR], include_shipped=False)
    assert report.ftr_files > 1500
    assert len(report.ruleset.sites) > 1500
    # Directives with no counterpart are reported, not silently dropped.
    for name in ("prune", "replace_string", "tidy", "http_header", "single_page_link"):
        assert report.skipped.get(name, 0) > 0, name
    rule = report.ruleset.match("https://www.bbc.co.uk/news/world-1")
    assert rule is not None and rule.id == "ftr:bbc.co.uk" and rule.body


def test_rules_list_shows_ftr_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_sample(tmp_path)
    assert main(["rules", "list", "--rules", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"ftr:news.example.org\tnews.example.org\t{tmp_path}" in lines
    assert any(line.startswith("telegraph\ttelegraph.co.uk\t") for line in lines)
    assert "# 1 FTR files read; directives skipped: bad xpath x1, find_string x1" in "\n".join(lines)


def test_whole_shared_folder_converts_to_valid_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not SHARED_FTR.is_dir():
        pytest.fail(f"the FTR snapshot is expected at {SHARED_FTR}")
    assert main(["rules", "import-ftr", str(SHARED_FTR), "-o", str(tmp_path)]) == 0
    assert main(["rules", "check", str(tmp_path)]) == 0
    assert ", 0 problems" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("expr", "kind"),
    [("div.x > p", "css"), ("li:nth-child(2)", "css"), ("//a", "xpath"), ("(//a)[1]", "xpath"),
     (".//p", "xpath"), ("substring-after(//p, ':')", "xpath"), ("descendant::p", "xpath")],
)
def test_selector_kind_needs_no_marker(expr: str, kind: str) -> None:
    from scraper.rules.loader import compile_selector

    assert compile_selector(expr, path="f", key="k").kind == kind
