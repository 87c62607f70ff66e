"""The library call's contract: exported names, the Article shape, purity and thread safety."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import threading
import types
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import scraper
from scraper.models import Article, Metadata, Options
from tests.core import pages

PUBLIC_API = [
    "Article",
    "FetchError",
    "FetchOptions",
    "Fetcher",
    "InputError",
    "Metadata",
    "NoContentError",
    "Options",
    "Page",
    "RuleError",
    "RuleSet",
    "ScraperError",
    "Traced",
    "UsageError",
    "__version__",
    "clean",
    "clean_traced",
    "fetch",
    "fetch_many",
    "load_ruleset",
]
ARTICLE_FIELDS = {"url", "title", "text", "markdown", "html", "metadata", "path"}
METADATA_FIELDS = {"author", "date", "sitename", "language", "description", "canonical_url", "image"}
FIXTURES = pages.fixture_pages()


def result(article: Article) -> dict[str, Any]:
    """Return everything an article holds, as comparable data."""
    return article.to_dict()


def test_all_is_sorted_and_pinned() -> None:
    assert scraper.__all__ == sorted(scraper.__all__)
    assert scraper.__all__ == PUBLIC_API


def test_all_lists_every_public_name_and_only_those() -> None:
    public = {
        name for name, value in vars(scraper).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType) and name != "annotations"
    }
    # The fetcher and rule loader are loaded on first use (PEP 562), so they are not in vars() yet.
    lazy = set(scraper._LAZY)
    assert (public - lazy) | lazy | {"__version__"} == set(scraper.__all__)
    assert lazy <= set(dir(scraper))
    for name in scraper.__all__:
        assert getattr(scraper, name) is not None


def test_errors_share_one_base() -> None:
    for name in ("FetchError", "InputError", "NoContentError", "RuleError", "UsageError"):
        assert issubclass(getattr(scraper, name), scraper.ScraperError)


def test_article_is_a_frozen_dataclass_with_the_promised_fields() -> None:
    assert dataclasses.is_dataclass(Article)
    assert ARTICLE_FIELDS <= {f.name for f in dataclasses.fields(Article)}
    assert METADATA_FIELDS <= {f.name for f in dataclasses.fields(Metadata)}
    article = scraper.clean(pages.article_page(), url="https://harbour.example/quay")
    with pytest.raises(dataclasses.FrozenInstanceError):
        article.text = "changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        article.metadata.author = "someone"  # type: ignore[misc]


def test_article_fields_hold_the_story() -> None:
    headline = "Board backs the quay plan"
    article = scraper.clean(pages.article_page(3, headline=headline), url="https://harbour.example/quay")
    assert article.url == "https://harbour.example/quay"
    assert article.title == headline
    assert article.text.splitlines() == [f"{pages.PARAGRAPH} Paragraph {i}." for i in range(3)]
    assert article.markdown.startswith(f"# {headline}\n\n")
    assert f"{pages.PARAGRAPH} Paragraph 2." in article.markdown
    assert article.html.startswith("<article>") and "<p>" in article.html
    assert "Home" not in article.text and "About" not in article.text
    assert article.path in ("rule", "scorer", "fallback", "second-opinion")
    assert article.metadata.language == "en"


def test_render_html_off_leaves_html_empty_and_the_rest_unchanged() -> None:
    page = pages.article_page(3, headline="Board backs the quay plan")
    full = scraper.clean(page, url="https://harbour.example/quay")
    lean = scraper.clean(page, url="https://harbour.example/quay", options=Options(render_html=False))
    assert full.html and lean.html == ""
    assert dataclasses.replace(lean, html=full.html) == full


def test_find_date_off_leaves_the_date_empty_and_the_rest_unchanged() -> None:
    page = pages.article_page(3, headline="Board backs the quay plan").replace(
        "<head>",
        '<head><meta name="author" content="Ann Lee">'
        '<meta property="article:published_time" content="2024-03-05T10:00:00Z">',
    )
    full = scraper.clean(page, url="https://harbour.example/quay")
    lean = scraper.clean(page, url="https://harbour.example/quay", options=Options(find_date=False))
    assert full.metadata.date == "2024-03-05" and lean.metadata.date is None
    assert dataclasses.replace(lean.metadata, date=full.metadata.date) == full.metadata
    assert lean.metadata.author == "Ann Lee"
    assert (lean.text, lean.title, lean.markdown, lean.html) == (full.text, full.title, full.markdown, full.html)


def test_short_headline_wins_over_a_longer_site_name() -> None:
    # <title>Quay plan - Harbour News</title> with <h1>Quay plan</h1>: the <h1> names the story.
    article = scraper.clean(pages.article_page(3), url="https://harbour.example/quay")
    assert article.title == "Quay plan", f"title taken from the longer <title> part: {article.title!r}"


@pytest.mark.parametrize("separator", [" / ", " • ", " › ", " ~ ", " « "])
def test_the_page_title_splits_at_forum_and_blog_separators(separator: str) -> None:
    # No <h1>: the headline is the page title's longest part, whatever mark separates the parts.
    paragraphs = "".join(f"<p>{pages.PARAGRAPH} Paragraph {i}.</p>" for i in range(4))
    html = (
        f"<html><head><title>Which sea wall should the quay get?{separator}Harbour Talk{separator}Forums</title>"
        f"</head><body><div class='post'>{paragraphs}</div></body></html>"
    )
    assert scraper.clean(html, url="https://harbour.example/t/42").title == "Which sea wall should the quay get?"


def test_to_dict_is_json_ready_and_complete() -> None:
    article = scraper.clean(FIXTURES["seed-ukraine-troops"], url="https://news.example.com/x/")
    data = json.loads(json.dumps(article.to_dict()))
    assert ARTICLE_FIELDS <= set(data)
    assert METADATA_FIELDS <= set(data["metadata"])
    for name in ("url", "title", "text", "markdown", "html", "path"):
        assert data[name] == getattr(article, name)


def test_markdown_table_is_a_markdown_table_and_text_has_one_row_per_line() -> None:
    article = scraper.clean(pages.TABLE_PAGE)
    lines = article.text.splitlines()
    for row in pages.TABLE_ROWS:
        assert " | ".join(row) in lines
    md = article.markdown.splitlines()
    header = md.index("| Day | High water | Low water |")
    assert md[header + 1].replace(" ", "") == "|---|---|---|"
    assert md[header + 2:header + 5] == [
        "| Monday | 06:12 | 12:30 |", "| Tuesday | 06:58 | 13:15 |", "| Wednesday | 07:41 | 14:02 |",
    ]
    assert "<table>" in article.html and "<td>Tuesday</td>" in article.html


def test_seed_table_rows_stay_rows() -> None:
    article = scraper.clean(FIXTURES["seed-ukraine-troops"])
    assert "Aspect | Pro-Troops Argument | Risks/Challenges" in article.text.splitlines()
    assert "| Aspect | Pro-Troops Argument | Risks/Challenges |" in article.markdown.splitlines()


@pytest.mark.parametrize("kind", ["bytes", "str"])
def test_clean_never_mutates_its_input(kind: str) -> None:
    raw = FIXTURES["seed-ukraine-troops"]
    data: str | bytes = raw if kind == "bytes" else raw.decode("utf-8")
    before = bytes(data) if isinstance(data, bytes) else "".join(list(data))
    options = Options(favor="precision")
    options_before = dataclasses.asdict(options)
    scraper.clean(data, url="https://news.example.com/x/", options=options)
    assert data == before
    assert dataclasses.asdict(options) == options_before


def test_clean_leaves_a_passed_rule_set_working_the_same() -> None:
    from scraper.rules import default_ruleset

    rules = default_ruleset()
    first = [result(scraper.clean(html, rules=rules)) for html in FIXTURES.values()]
    again = [result(scraper.clean(html, rules=rules)) for html in FIXTURES.values()]
    assert first == again


def test_eight_threads_give_the_sequential_results() -> None:
    slugs = sorted(FIXTURES)
    sequential = {slug: result(scraper.clean(FIXTURES[slug])) for slug in slugs}
    start = threading.Barrier(8)

    def work(offset: int) -> dict[str, dict[str, Any]]:
        # Each thread walks the pages from a different starting point, so different pages overlap.
        start.wait()
        order = slugs[offset:] + slugs[:offset]
        return {slug: result(scraper.clean(FIXTURES[slug])) for slug in order}

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(work, [i * len(slugs) // 8 for i in range(8)]))
    for outcome in outcomes:
        for slug in slugs:
            assert outcome[slug] == sequential[slug], slug


def test_bad_input_in_between_changes_nothing() -> None:
    slugs = sorted(FIXTURES)
    clean_run = {slug: result(scraper.clean(FIXTURES[slug])) for slug in slugs}
    noisy = {}
    for slug in reversed(slugs):
        for junk in (b"", pages.PNG, pages.BILLION_LAUGHS, pages.deep_page(3000), pages.NO_BODY):
            try:
                scraper.clean(junk, url="https://other.example/")
            except scraper.InputError:
                pass
        noisy[slug] = result(scraper.clean(FIXTURES[slug]))
    assert noisy == clean_run


_FRESH = """
import json, sys
from pathlib import Path
import scraper
slug = sys.argv[1]
html = (Path(sys.argv[2]) / slug / "source.html").read_bytes()
print(json.dumps(scraper.clean(html).to_dict()))
"""


def test_results_match_a_fresh_process_after_many_other_pages() -> None:
    # Warm every cache this process may hold, then compare with a process that sees one page only.
    for html in FIXTURES.values():
        scraper.clean(html)
    for slug in ("seed-ukraine-troops", "ja-sento-bathhouse", "table-layout-orchard-history"):
        fresh = subprocess.run(
            [sys.executable, "-c", _FRESH, slug, str(pages.PAGES_DIR)],
            capture_output=True, text=True, check=True, cwd=pages.ROOT,
        )
        assert json.loads(fresh.stdout) == result(scraper.clean(FIXTURES[slug])), slug


def test_markdown_keeps_links_and_emphasis_of_a_paragraph() -> None:
    inline = (
        "Paragraph 1. See <a href='/tides/july'>the July tables</a>, <strong>read them</strong>, "
        "<em>then</em> run <code>tide --june</code>."
    )
    page = pages.article_page(3, headline="Board backs the quay plan").replace("Paragraph 1.", inline)
    article = scraper.clean(page, url="https://harbour.example/news/quay")
    assert "[the July tables](https://harbour.example/tides/july)" in article.markdown
    assert "**read them**" in article.markdown
    assert "*then*" in article.markdown
    assert "`tide --june`" in article.markdown
    assert "See the July tables, read them, then run tide --june." in article.text


def test_the_second_opinion_loses_the_lines_our_clutter_phrases_name() -> None:
    # A page of cards goes to trafilatura's answer, which keeps a trackback label among the cards;
    # our clutter phrases drop such a line from its text as from ours.
    page = pages.card_page().replace(
        "<div class='grid'>", "<div class='grid'><div class='post-note'><b>TrackBack URL for this entry:</b></div>"
    )
    article = scraper.clean(page, url="https://site.example/topic/headphones")
    assert article.path == "second-opinion"
    assert "Headphone story 4" in article.text
    assert "TrackBack URL" not in article.text
