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
