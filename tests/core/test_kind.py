"""Page kinds: threads and product pages change what counts as content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import scraper
from scraper.kind import page_kind
from scraper.parse import parse_html
from scraper.rules import default_ruleset
from scraper.second_opinion import second_opinion
from tests.core import pages
from tests.core.pages import PARAGRAPH

GENERIC = default_ruleset().generic


def _page(head: str = "", body: str = "<p>Text.</p>", html_attrs: str = "") -> str:
    return f"<html{html_attrs}><head><title>T</title>{head}</head><body>{body}</body></html>"


def _ld(kind: str) -> str:
    return f'<script type="application/ld+json">{json.dumps({"@context": "https://schema.org", "@type": kind})}</script>'


@pytest.mark.parametrize(
    ("html", "url", "expected"),
    [
        (_page(), "https://news.example/2024/story", "page"),
        (_page(), "https://forum.example/t/how-to-fix-it/123", "thread"),
        (_page(), "https://homestead.example/t/123270/tiny-house-year-one", "thread"),
        # A shop's product path that begins with /t/ (Nike's) names no thread.
        (_page(_ld("Product")), "https://shoes.example/t/trail-runner-mens-LMhfRGdO", "product"),
        (_page(_ld("DiscussionForumPosting")), None, "thread"),
        (_page(_ld("Product")), "https://shop.example/p/mug", "product"),
        (_page('<meta property="og:type" content="product">'), None, "product"),
        (_page(body='<div itemscope itemtype="https://schema.org/Product"><p>Mug</p></div>'), None, "product"),
        # A review marks up the product it reviews, yet it is an article.
        (_page(_ld("Product") + _ld("NewsArticle")), None, "page"),
        (_page(_ld("Product") + '<meta property="og:type" content="article">'), None, "page"),
        (_page(_ld("ProductGroupish")), None, "page"),
        # A shop's category or search page marks up every product it lists; a product's variants
        # (sizes, colours) are products too, grouped under their ProductGroup.
        (_page(_ld("Product") * 24), "https://shop.example/c/mugs", "page"),
        (_page(_ld("Product") * 19), "https://shop.example/c/mugs", "product"),
        (_page(_ld("ProductGroup") + _ld("Product") * 24), "https://shop.example/p/mug", "product"),
        # A shop's product page by its URL alone, unless its markup calls it an article.
        (_page(), "https://www.shop.example/Atomic-Habits/dp/0735211299", "product"),
        (_page(), "https://cups.example/product/4oz-travel-cup/", "product"),
        (_page(), "https://www.ebay.example/itm/296607459180", "product"),
        (_page(_ld("NewsArticle")), "https://news.example/product/launch-review/", "page"),
        (_page(), "https://cloud.example/en-us/products/functions", "page"),
        # A site's front page: its root URL, perhaps with an index file or tracking tags.
        (_page(), "https://news.example/", "front"),
        (_page(), "https://news.example", "front"),
        (_page(), "http://www.news.example/index.html", "front"),
        (_page(), "https://news.example/?utm_source=feed&utm_medium=rss", "front"),
        (_page(), "https://news.example/#top", "front"),
        # A query that names a page is that page (WordPress's ?p=885), and a section is no front.
        (_page(), "https://blog.example/index.php?p=885", "page"),
        (_page(), "https://camelot.example/?start_from=15", "page"),
        (_page(), "https://news.example/sport/", "page"),
        (_page(), None, "page"),
        # A forum's or a shop's front page keeps the kind its URL or markup gives.
        (_page(), "https://forum.example/", "thread"),
        (_page(_ld("Product")), "https://shop.example/", "product"),
    ],
)
def test_page_kind(html: str, url: str | None, expected: str) -> None:
    assert page_kind(parse_html(html), url, GENERIC) == expected


URL = "https://shop.example/p/mug"


def test_a_product_page_drops_its_reviews_by_itself() -> None:
    # The reviews outweigh the description. Their class names mark them as a shop's widget on a
    # product page, and only there: the same page without product markup keeps them.
    product = scraper.clean(pages.shop_page(_ld("Product")), url=URL)
    plain = scraper.clean(pages.shop_page(""), url=URL)
    assert product.path == plain.path == "scorer"
    assert "thrown by hand" in product.text and "Review 11" not in product.text
    assert "thrown by hand" in plain.text and "Review 11" in plain.text


def _described_twice(markup: str) -> str:
    description = (
        "<p>Wheel-thrown in speckled stoneware and dipped in a sea-green glaze that breaks to brown"
        " over the throwing lines, so no two bowls are quite alike.</p>"
        "<p>Wide and shallow, for salads and pasta; the unglazed foot is sanded smooth by hand.</p>"
    )
    return (
        f"<html><head><title>Bowl</title>{markup}</head><body><main><h1>Tideline bowl</h1>"
        f"<div class='tabs'><div class='panel'>{description}</div></div>"
        f"<div class='accordion'><div class='panel'>{description}</div></div></main></body></html>"
    )


def test_a_shop_prints_its_description_once_per_layout_and_we_keep_one() -> None:
    product = scraper.clean(_described_twice(_ld("Product")), url=URL)
    plain = scraper.clean(_described_twice(""), url=URL)
    assert product.text.count("sea-green glaze") == 1
    assert product.text.count("sanded smooth by hand") == 1
    # On an article a lone repeat is the writer's own (a pull quote, a refrain).
    assert plain.text.count("sanded smooth by hand") == 2


def test_article_pages_are_not_second_guessed() -> None:
    page = pages.shop_page(_ld("Product") + _ld("BlogPosting"))
    assert scraper.clean(page, url=URL).path == "scorer"


def test_a_page_of_cards_gets_trafilatura_default_settings_as_a_last_try() -> None:
    # Our scorer keeps one card and trafilatura's precise mode nothing: neither found a body.
    url = "https://site.example/topic/headphones"
    page = pages.card_page()
    alone = scraper.clean(page, url=url, options=scraper.Options(second_opinion_below_chars=0))
    assert len(alone.text) < 100
    assert second_opinion(page, url, precise=True) == ""
    article = scraper.clean(page, url=url)
    assert article.path == "second-opinion"
    assert article.text == second_opinion(page, url, precise=False)
    assert "Headphone story 0" in article.text and "Headphone story 4" in article.text


def test_the_last_try_skips_trafilaturas_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Its jusText rescue loads every stoplist (over half a second, once per process) and, on the
    # development sets, never beat trafilatura's own answer on the pages that reach the last try.
    import trafilatura.external

    monkeypatch.setattr(trafilatura.external, "JT_STOPLIST", None)
    article = scraper.clean(pages.card_page(), url="https://site.example/topic/headphones")
    assert article.path == "second-opinion"
    assert trafilatura.external.JT_STOPLIST is None


_DISCUSSION = Path(__file__).parent.parent / "fixtures" / "pages" / "link-shared-for-discussion"
_DISCUSSION_URL = "https://linkpile.example/s/k2x9/why_our_sensor_network_switched_to_lora"


def test_a_page_whose_only_prose_is_comments_is_read_as_a_thread() -> None:
    page = (_DISCUSSION / "source.html").read_text(encoding="utf-8")
    url = _DISCUSSION_URL
    root = parse_html(page)
    assert page_kind(root, url, default_ruleset().generic) == "page"
    # Neither we (comments pruned) nor trafilatura's precise mode find a body.
    assert len(second_opinion(page, url, precise=True)) < 100
    for options in (scraper.Options(), scraper.Options(second_opinion_below_chars=0)):
        article = scraper.clean(page, url=url, options=options)
        assert article.path == "scorer"
        assert "forty soil probes" in article.text and "two years on a pair of aa cells" in article.text.lower()
        assert "Login" not in article.text


def test_a_marked_post_of_one_line_is_read_with_its_discussion() -> None:
    # The page marks its post (one "hentry"), a line too short to be a body; read as a thread, the
    # replies beside it are the content, however the page names their box.
    replies = "".join(
        f"<div class='comment'><p class='author'>Reader {n}</p><p>{PARAGRAPH} Reply number {n}.</p></div>"
        for n in range(3)
    )
    page = (
        "<html><head><title>Six days without power</title></head><body>"
        "<div class='post hentry'><h2 class='entry-title'>Six days without power</h2>"
        "<div class='entry-content'><p>Six days powerless so far, and a week more to come.</p></div></div>"
        f"<div id='disqus_thread'>{replies}</div></body></html>"
    )
    article = scraper.clean(page, url="https://blog.example/2012/11/six-days", options=scraper.Options(second_opinion_below_chars=0))
    assert "Reply number 2." in article.text


def test_the_trace_says_a_front_page_was_read_as_one() -> None:
    page = (pages.PAGES_DIR / "front-page-of-a-news-site" / "source.html").read_text(encoding="utf-8")
    traced = scraper.clean_traced(page, url="https://tidewatergazette.example/")
    kept = [d.reason for d in traced.trace.decisions if d.fate == "kept"]
    assert kept == ["article body (scorer, a front page)"]


def test_a_product_keeps_its_name_in_the_text_an_article_reports_its_headline_apart() -> None:
    # A product's name is part of what the page says about it (shops' own copy and the
    # benchmarks' golds start with it); a story's headline is the record's title alone.
    body = (
        "<main><h1>Tideline stoneware bowl</h1><div class='description'>"
        f"<p>{PARAGRAPH}</p><p>{PARAGRAPH} Glazed by hand.</p></div></main>"
    )
    page = f"<html><head><title>Tideline stoneware bowl</title>{{}}</head><body>{body}</body></html>"
    product = scraper.clean(page.format(_ld("Product")), url=URL)
    story = scraper.clean(page.format(""), url=URL)
    assert product.title == story.title == "Tideline stoneware bowl"
    assert product.text.split("\n")[0] == "Tideline stoneware bowl"
    assert "Tideline stoneware bowl" not in story.text


def test_the_second_opinion_is_written_as_our_text_one_block_a_line() -> None:
    # trafilatura keeps the source's line breaks and indentation inside some blocks: a <summary>
    # laid out over several lines came back as lines of spaces around its two words.
    page = (
        "<html><body><main><h1>WebSocket</h1><details><summary>\n      <div class='status-title'>\n"
        "            Baseline\n            <span class='not-bold'>\n              Widely available\n"
        f"            </span>\n      </div>\n</summary><p>{PARAGRAPH}</p></details>"
        f"<p>Tales &gt; Greedy dog                              New Year's tale: the greedy dog. {PARAGRAPH}</p></main></body></html>"
    )
    lines = second_opinion(page, "https://docs.example/ws", precise=False).split("\n")
    assert "Baseline" in lines and "Widely available" in lines
    assert all(line and line == " ".join(line.split()) for line in lines)


def test_the_second_opinion_writes_table_rows_as_ours() -> None:
    # trafilatura writes a table as markdown: a layout table's empty cells came back as runs of
    # "|  |  |" around the page's words, and a pipe in a cell as "\|".
    page = (
        "<html><body><table width='100%'><tr><td></td><td></td><td></td><td>Events | Resources | News</td>"
        f"<td></td><td></td></tr><tr><td></td><td></td><td colspan=4><p>{PARAGRAPH}</p><p>{PARAGRAPH} Again.</p></td></tr>"
        "</table></body></html>"
    )
    lines = second_opinion(page, "https://site.example/q", precise=False).split("\n")
    assert lines[0] == "Events | Resources | News"
    assert lines[1].startswith(PARAGRAPH) and lines[1].endswith("Again.")


def test_the_second_opinions_lines_keep_one_space_between_words() -> None:
    # A layout table's breadcrumb came back from trafilatura thirty spaces wide inside its line.
    from scraper.second_opinion import _tidy

    peer = "Tales > Greedy dog                              New Year's tale\u3000←→\u3000English\n\n  \nThe dog crossed the bridge."
    assert _tidy(peer) == "Tales > Greedy dog New Year's tale ←→ English\nThe dog crossed the bridge."
