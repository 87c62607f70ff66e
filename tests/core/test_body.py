"""Choosing the article body (what a scrap of a pick widens to) and what a listing keeps."""

from __future__ import annotations

import scraper
from tests.core import pages
from tests.core.pages import PARAGRAPH

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


def test_a_short_story_beside_a_grid_of_cards_stays_the_body() -> None:
    story = (
        "<p>The harbour board voted last night to rebuild the north quay wall before the winter storms, "
        "after engineers found the old stones had shifted by a hand's width since the spring survey.</p>"
        "<p>Work starts on Monday, and the ferry moves to the south berth until it is done.</p>"
    )
    html = (
        "<html><head><title>Quay wall to be rebuilt</title></head><body>"
        f"<div class='story'><h1>Quay wall to be rebuilt</h1>{story}</div>"
        f"<div class='shop'><ul class='grid'>{_cards(12)}</ul></div></body></html>"
    )
    article = scraper.clean(html, url="https://harbour.example/news/quay", options=ALONE)
    assert "rebuild the north quay wall" in article.text
    assert "Stoneware jug" not in article.text


def _index_page(menu: str) -> str:
    items = "".join(
        f"<li><a href='/tides/{n}'>Tide table for the harbour mouth, week {n}</a></li>" for n in range(1, 13)
    )
    return (
        "<html><head><title>Tide tables</title></head><body><div id='page'>"
        f"<h1>Tide tables</h1><p class='menu'>{menu}</p><ul class='weeks'>{items}</ul></div></body></html>"
    )


def test_a_row_of_links_joined_by_bars_inside_a_listing_goes() -> None:
    menu = "<a href='/'>Home</a> | <a href='/news'>News</a> | <a href='/tides'>Tides</a> | <a href='/ferries'>Ferries</a>"
    article = scraper.clean(_index_page(menu), url="https://harbour.example/tides/", options=ALONE)
    assert "Tide table for the harbour mouth, week 12" in article.text
    assert "Ferries" not in article.text


def test_a_listing_item_that_holds_a_bar_stays() -> None:
    # Two links and one bar: a line of an item ("Sun | Moon"), not a menu.
    article = scraper.clean(
        _index_page("<a href='/sun'>Sunrise times</a> | <a href='/moon'>Moon phases</a>"),
        url="https://harbour.example/tides/",
        options=ALONE,
    )
    assert "Moon phases" in article.text


def _service_page(link: str) -> str:
    questions = [
        ("How soon can a tutor start?", "Most families meet their tutor within three days of signing up, and the first lesson can be booked for the same week."),
        ("Do lessons follow the school syllabus?", "Yes: the tutor asks for the class's current topics and plans each lesson around them and the homework set."),
        ("Can we change tutors?", "At any time and at no cost; tell us what did not work and we suggest two others to choose from."),
        ("How long is a lesson?", "Fifty minutes, online, with a shared whiteboard that keeps a record of the working for the pupil to revise."),
        ("Is there a contract?", "No. Lessons are paid for a month at a time, and a month can be cancelled up to its last day."),
        ("What ages do you teach?", "From the last year of primary school to the end of sixth form, in maths, physics and chemistry."),
    ]
    items = "".join(
        f"<div class='faq-item'><a href='{link.format(n=n)}'>{q}</a><div class='faq-answer'>{a}</div></div>"
        for n, (q, a) in enumerate(questions)
    )
    intro = "".join(f"<p>{PARAGRAPH} Lesson note {i}.</p>" for i in range(8))
    return (
        "<html><head><title>Maths tutoring - Tideway Tutors</title></head><body>"
        f"<div class='page'><h1>Maths tutoring</h1>{intro}<h2>Questions parents ask</h2>{items}</div></body></html>"
    )


def test_questions_that_open_their_answers_in_place_are_no_teasers() -> None:
    article = scraper.clean(_service_page("#faq-{n}"), url="https://tideway.example/maths", options=ALONE)
    assert "Most families meet their tutor within three days" in article.text
    assert "From the last year of primary school" in article.text


def test_questions_that_link_to_other_pages_are_still_teasers() -> None:
    article = scraper.clean(_service_page("/questions/{n}/"), url="https://tideway.example/maths", options=ALONE)
    assert "Lesson note 7" in article.text
    assert "Most families meet their tutor within three days" not in article.text
