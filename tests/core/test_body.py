"""Choosing the article body: what a scrap of a pick widens to."""

from __future__ import annotations

import pytest

import scraper
from tests.core import pages

FIXTURES = pages.fixture_pages()
# Our own scorer alone: trafilatura's second opinion would mask what it chose.
ALONE = scraper.Options(second_opinion_below_chars=0)


def _cards(count: int) -> str:
    return "".join(
        f"<li class='product post-{n}'><a href='/p/{n}/'><img src='/i/{n}.jpg' alt=''><h2>Stoneware jug number {n}</h2></a>"
        f"<div class='price'>12oz, was $24.00, now ${n + 10}.00</div></li>"
        for n in range(count)
    )


def test_a_grid_of_product_cards_is_the_body_when_the_best_block_is_one_card() -> None:
    article = scraper.clean(FIXTURES["shop-category-grid-of-product-cards"], url="https://kilnworks.example/shop/", options=ALONE)
    for name in ("Stoneware Mug – Moss", "Espresso Cup – Chalk", "Sugar Pot with Spoon – Chalk"):
        assert name in article.text
    assert article.text.count(", was $") == 8


_HEADLINE = "<h1>Quay wall to be rebuilt</h1>"
_STORY = (
    "<p>The harbour board voted last night to rebuild the north quay wall before the winter storms, "
    "after engineers found the old stones had shifted by a hand's width since the spring survey.</p>"
    "<p>Work starts on Monday, and the ferry moves to the south berth until it is done.</p>"
)
_GRID = f"<ul class='grid'>{_cards(12)}</ul>"


@pytest.mark.parametrize(
    "layout",
    [
        f"<div class='story'>{_HEADLINE}{_STORY}</div><div class='shop'>{_GRID}</div>",
        # The grid comes after the pick: a widget under a story.
        f"<header class='story-head'>{_HEADLINE}</header><div class='story'>{_STORY}</div><div class='shop'>{_GRID}</div>",
        # The pick holds the page's headline: a story, with a deals grid above it.
        f"<div class='deals'>{_GRID}</div><div class='story'>{_HEADLINE}{_STORY}</div>",
    ],
    ids=["shop-under-story", "headline-above-both", "deals-above-story"],
)
def test_a_short_story_beside_a_grid_of_priced_cards_stays_the_body(layout: str) -> None:
    html = f"<html><head><title>Quay wall to be rebuilt</title></head><body>{layout}</body></html>"
    article = scraper.clean(html, url="https://harbour.example/news/quay", options=ALONE)
    assert "rebuild the north quay wall" in article.text
    assert "Stoneware jug" not in article.text


def test_a_grid_of_priced_cards_joins_the_buying_advice_under_it() -> None:
    article = scraper.clean(
        FIXTURES["shop-category-grid-beside-a-buying-guide"], url="https://fellgate.example/c/running-shoes", options=ALONE
    )
    assert article.text.index("Harrowdale Trail 4 Running Shoes") < article.text.index("Road shoes are lighter")
    assert article.text.count("Heel to Toe Drop") == 8


def _post(author: str, body: str) -> str:
    return (
        f"<div class='topic-body crawler-post'><div class='crawler-post-meta'><span>{author}</span> "
        f"<span>May 3, 2024, 8:45am</span></div><div class='post'>{body}</div></div>"
    )


def test_a_thread_keeps_every_post_when_one_holds_a_long_pasted_log() -> None:
    log = "\n".join(
        f'  File "/usr/src/app/module_{n}.py", line {40 + n}, in handler_{n}: self.task = loop.create(job, {n})'
        for n in range(120)
    )
    question = (
        "<p>Since the upgrade to 5.0 the service never finishes starting, and several devices stay "
        "unavailable. Going back to 4.4 makes everything work again. How can I find the cause?</p>"
    )
    reply = "<p>Looks like the custom integration is the culprit. Try disabling it and restarting the service.</p>"
    html = (
        "<html><head><title>Stuck on starting after upgrade</title>"
        "<meta name='generator' content='Discourse 3.4.0'></head><body>"
        "<div id='main-outlet'><h1>Stuck on starting after upgrade</h1><div class='posts'>"
        + _post("raoul", question)
        + _post("raoul", f"<p>This is part of the log, I hope it is sufficient:</p><pre><code>{log}</code></pre>")
        + _post("bill", reply)
        + "</div></div></body></html>"
    )
    article = scraper.clean(html, url="https://forum.example/t/stuck-on-starting/724779", options=ALONE)
    assert "Going back to 4.4 makes everything work again" in article.text
    assert "module_119.py" in article.text
    assert "Try disabling it and restarting" in article.text


def test_the_element_a_page_declares_as_its_article_body_is_kept_whole_around_a_gallery() -> None:
    slides = "".join(
        f"<li><h4>Harbour view {n}</h4><p>One of the more striking sights of the old port, seen from the ferry, "
        f"with the cranes, the nets and the boats; the stones of the wall, laid in {1890 + n}, are still there, "
        f"and the gulls, the fishermen and the tourists meet on them every morning, as they did then.</p></li>"
        for n in range(30)
    )
    story = "".join(
        f"<p>The harbour board voted last night to rebuild the north quay wall before the winter storms, part {n}.</p>"
        for n in range(3)
    )
    html = (
        "<html><head><title>Quay wall to be rebuilt</title></head><body><div class='wrap'>"
        f"<div class='entry'><h1>Quay wall to be rebuilt</h1><div itemprop='articleBody'>{story}"
        f"<div class='gallery-wrapper'><ul class='slides'>{slides}</ul></div></div></div>"
        "<div class='side'><a href='/a'>Other story</a></div></div></body></html>"
    )
    article = scraper.clean(html, url="https://harbour.example/news/quay", options=ALONE)
    assert "rebuild the north quay wall before the winter storms, part 0" in article.text
    assert "Harbour view 29" in article.text


def _member_list(names: list[str]) -> str:
    return "<dl>" + "".join(
        f"<dt><a href='/docs/Tide/{n}'><code>Tide.{n}</code></a></dt><dd>Its {n}, last read.</dd>"
        for n in names
    ) + "</dl>"


def test_the_sections_of_a_reference_page_named_as_content_are_one_body() -> None:
    # A documentation page sets each heading's part in a <section class="content-section">: the one
    # with most prose is a named content block, yet its siblings of the same name are more of the
    # same page (member lists whose names link to their own pages), not a site's promotions.
    sections = [
        f"<section class='content-section'><p>{pages.PARAGRAPH}</p><p>{pages.PARAGRAPH} Once more.</p></section>",
        f"<section class='content-section'><h2>Instance properties</h2>{_member_list(['height', 'range', 'period', 'phase'])}</section>",
        f"<section class='content-section'><h2>Instance methods</h2>{_member_list(['predict', 'compare', 'record', 'reset'])}</section>",
        (
            "<section class='content-section'><h2>Events</h2><p>The gauge fires these events as the water rises and falls, "
            "and a listener may watch for any of them with addEventListener() or the matching onevent property. "
            f"{pages.PARAGRAPH} {pages.PARAGRAPH}</p></section>"
        ),
        "<section class='content-section'><h2>See also</h2><ul>"
        + "".join(f"<li><a href='/docs/Guide/{n}'>Reading tide gauges: {n}</a></li>" for n in ("basics", "calibration", "storm surges", "datums", "harmonics"))
        + "</ul></section>",
    ]
    page = (
        "<html><head><title>Tide - Web APIs</title></head><body><header><nav><a href='/'>Docs</a> <a href='/api'>APIs</a></nav></header>"
        f"<main><h1>Tide</h1><div class='layout__body'>{''.join(sections)}</div></main></body></html>"
    )
    text = scraper.clean(page, url="https://docs.example/en-US/docs/Web/API/Tide", options=ALONE).text
    assert "Once more." in text
    assert "Instance properties" in text and "Its period, last read." in text
    assert "The gauge fires these events" in text


def test_a_named_anchor_left_open_is_no_link_around_the_text() -> None:
    # Old pages open <a name="..."> before each section and never close it: the parser nests the
    # rest of the page inside the anchors, whose text then read as one long link.
    sections = "".join(
        f"<a name='part{n}'><h2>Part {n}</h2><p>{pages.PARAGRAPH} Part {n} goes on, and on.</p>"
        f"<ul><li>The first point of part {n}, set out at some length for the reader.</li>"
        f"<li>The second point of part {n}, set out at some length as well.</li></ul>"
        for n in range(1, 6)
    )
    page = (
        "<html><head><title>About the list</title></head><body><table><tr><td>"
        "<a href='/'>Home</a> | <a href='/search'>Search</a> | <a href='/about'>About</a></td></tr>"
        f"<tr><td>{sections}</td></tr></table></body></html>"
    )
    text = scraper.clean(page, url="https://list.example/info/organization.html", options=ALONE).text
    for n in range(1, 6):
        assert f"Part {n} goes on, and on." in text


def test_html_output_holds_no_stray_cell_and_no_link_without_an_address() -> None:
    sections = "".join(f"<a name='part{n}'><h2>Part {n}</h2><p>{pages.PARAGRAPH} Part {n}.</p>" for n in range(1, 4))
    page = (
        "<html><head><title>About</title></head><body><table><tr><td><a href='/'>Home</a></td></tr>"
        f"<tr><td>{sections}</td></tr></table></body></html>"
    )
    html = scraper.clean(page, url="https://list.example/info/organization.html", options=ALONE).html
    assert "<td" not in html and "<a>" not in html and "<a " not in html
    assert "<h2>Part 3</h2>" in html
