"""Pruning by class and id: what weak class tokens may take away, and what they may not."""

from __future__ import annotations

import html
import json

import scraper
from tests.core.pages import PARAGRAPH, quay_article, story_parts

# Our own scorer alone: trafilatura's second opinion would mask what pruning took away.
ALONE = scraper.Options(second_opinion_below_chars=0)


def _page(table_class: str, rows: int) -> str:
    body = "".join(f"<tr><td>{1990 + n}</td><td>Harbour master number {n}</td><td>Port of Tidewick</td></tr>" for n in range(rows))
    intro = "".join(f"<p>{PARAGRAPH} Register note {i}.</p>" for i in range(2))
    return (
        "<html><head><title>Harbour masters of Tidewick</title></head><body><article>"
        f"<h1>Harbour masters of Tidewick</h1>{intro}"
        f"<table class='{table_class}'><tr><th>Year</th><th>Name</th><th>Port</th></tr>{body}</table>"
        "</article></body></html>"
    )


def test_a_data_table_stays_whatever_its_class_says_of_its_header() -> None:
    text = scraper.clean(_page("wikitable sortable sticky-header", 12), url="https://wiki.example/Harbour_masters", options=ALONE).text
    assert "Harbour master number 11" in text


def test_a_short_table_classed_as_a_header_still_goes() -> None:
    text = scraper.clean(_page("site-header", 2), url="https://wiki.example/Harbour_masters", options=ALONE).text
    assert "Register note 1." in text
    assert "Harbour master number 1" not in text


def test_the_next_and_previous_post_box_goes() -> None:
    story = "".join(f"<p>{PARAGRAPH} Quay note {i}.</p>" for i in range(5))
    box = (
        "<div class='grid-container next-prev'><div class='next'>"
        "<a href='/news/ferry-fares'><h5>Ferry fares rise for the winter timetable</h5></a>"
        "<p>The operator blames fuel costs and the pier repairs for the increase</p></div>"
        "<div class='prev'><a href='/news/lifeboat-day'><h5>Lifeboat day draws a record crowd</h5></a>"
        "<p>Crews from three stations showed their boats on the slipway</p></div></div>"
    )
    page = quay_article(f"<div class='post'>{story}{box}</div>")
    text = scraper.clean(page, url="https://harbour.example/news/quay-plan", options=ALONE).text
    assert "Quay note 4." in text
    assert "Ferry fares rise" not in text and "Lifeboat day" not in text


def _card_listing(caption_class: str) -> str:
    cards = "".join(
        f"<div class='col'><a href='/p/{n}/'><img src='/i/{n}.jpg' alt=''></a>"
        f"<a href='/p/{n}/'><div class='{caption_class}'>Tidewick {n}K Laser Projector, {3000 + 500 * n} lumens. "
        f"Manufacturer: Tidewick. Item #TW-{n}K</div></a><div class='price'>${1200 + 100 * n}.00</div></div>"
        for n in range(10)
    )
    return (
        "<html><head><title>Laser projectors</title></head><body>"
        "<header><a href='/'>Projector House</a> <a href='/screens'>Screens</a></header>"
        f"<section><h1>Laser projectors</h1><div class='grid'>{cards}</div></section></body></html>"
    )


def test_a_cards_caption_that_is_all_of_its_link_stays() -> None:
    text = scraper.clean(_card_listing("caption center"), url="https://projectors.example/laser", options=ALONE).text
    assert "Tidewick 9K Laser Projector" in text and "Tidewick 0K Laser Projector" in text


def test_a_weak_name_still_takes_part_of_a_links_text() -> None:
    page = _card_listing("title").replace("<div class='title'>", "<span class='kicker'>Sponsored pick</span><div class='title'>")
    text = scraper.clean(page, url="https://projectors.example/laser", options=ALONE).text
    assert "Tidewick 9K Laser Projector" in text
    assert "Sponsored pick" not in text


def test_a_removed_element_leaves_the_space_after_it() -> None:
    page = (
        "<html><head><title>Wild horses</title></head><body><article><h1>Wild horses</h1>"
        "<p><b>Tuesday, February 10, 1998</b><script>track()</script> <i>Unadoptable animals</i> should be "
        f"rehomed, the agency says.</p><p>{PARAGRAPH}</p></article></body></html>"
    )
    text = scraper.clean(page, url="https://news.example/1998/horses", options=ALONE).text
    assert "1998 Unadoptable animals" in text


def _entries(texts: list[str]) -> str:
    items = "".join(
        f"<dt><a href='/abs/{n}'>arXiv:2601.{n:05d}</a></dt><dd><div class='meta'>{text}</div></dd>" for n, text in enumerate(texts)
    )
    return (
        "<html><head><title>New submissions</title></head><body><header><a href='/'>Preprints</a></header>"
        f"<main><h1>Harbour engineering: new submissions</h1><dl>{items}</dl></main></body></html>"
    )


def test_a_weak_class_on_every_entry_of_a_list_names_its_items() -> None:
    texts = [
        f"Title: Scour around quay piles under tidal flow, study {n}. Authors: A. Marsh, B. Reed. "
        f"Subjects: Fluid Dynamics; Coastal Engineering. Comments: {n + 8} pages, {n + 2} figures."
        for n in range(8)
    ]
    text = scraper.clean(_entries(texts), url="https://preprints.example/list/harbour/new", options=ALONE).text
    assert "Scour around quay piles under tidal flow, study 0." in text
    assert "study 7." in text


def test_the_same_text_on_every_weakly_named_element_still_goes() -> None:
    story = "".join(f"<p>{PARAGRAPH} Gallery note {i}.</p>" for i in range(3))
    photos = "".join(
        f"<div class='photo'><img src='/p/{n}.jpg' alt=''><div class='meta'>Mouseover photo to load notes or add a "
        "comment about this picture of the harbour</div></div>"
        for n in range(12)
    )
    page = (
        "<html><head><title>Harbour day</title></head><body><article><h1>Harbour day</h1>"
        f"{story}{photos}</article></body></html>"
    )
    text = scraper.clean(page, url="https://harbour.example/photos/harbour-day", options=ALONE).text
    assert "Gallery note 2." in text
    assert "Mouseover photo" not in text


def _guide(panel_style: str, wrapper_class: str) -> str:
    steps = "".join(
        f"<div class='{wrapper_class}-item'><a href='#step-{n}' class='{wrapper_class}-toggle'>Step {n}</a>"
        f"<div class='{wrapper_class}-panel'><div style='{panel_style}'><p>{PARAGRAPH} Mooring step {n}.</p></div></div></div>"
        for n in range(1, 5)
    )
    return (
        "<html><head><title>Laying a mooring</title></head><body><article><h1>Laying a mooring</h1>"
        f"<p>{PARAGRAPH} Introduction.</p><div class='{wrapper_class}'>{steps}</div></article></body></html>"
    )


def test_an_accordions_folded_panels_are_content() -> None:
    text = scraper.clean(_guide("display:none", "accordion"), url="https://harbour.example/guides/mooring", options=ALONE).text
    assert "Mooring step 1." in text and "Mooring step 4." in text


def test_a_hidden_panel_outside_an_accordion_still_goes() -> None:
    text = scraper.clean(_guide("display:none", "steps"), url="https://harbour.example/guides/mooring", options=ALONE).text
    assert "Introduction." in text
    assert "Mooring step 1." not in text


def test_a_hidden_tab_panel_is_content() -> None:
    page = _guide("display:none", "steps").replace("<div class='steps-panel'>", "<div class='steps-panel' role='tabpanel'>")
    text = scraper.clean(page, url="https://harbour.example/guides/mooring", options=ALONE).text
    assert "Mooring step 1." in text and "Mooring step 4." in text


def test_a_shops_category_content_is_no_category_widget() -> None:
    pots = "".join(
        f"<li class='product-item'><a href='/p/pot-{n}'>Glazed stoneware pot, {10 + n} inch</a>"
        f"<span class='price'>${20 + n}.95</span></li>"
        for n in range(8)
    )
    page = (
        "<html><head><title>Indoor pots</title></head><body><header><a href='/'>Fenmoor Garden Shop</a></header>"
        "<div class='page-title'><h1>Indoor Pots &amp; Pottery</h1></div>"
        "<section><div class='shop-category-page'><div class='shop-category-sidebar'><a href='?stars=5'>5 stars</a></div>"
        "<div class='shop-category-content'>"
        "<div class='intro'>Indoor containers and the plants you put in them bring colour and life to a room.</div>"
        f"<ul class='products'>{pots}</ul></div></div></section>"
        f"<div class='shop-story'><p>{PARAGRAPH}</p></div></body></html>"
    )
    text = scraper.clean(page, url="https://gardenshop.example/indoor-pottery", options=ALONE).text
    assert "Glazed stoneware pot, 10 inch" in text and "Glazed stoneware pot, 17 inch" in text
    assert "5 stars" not in text


def _animated(words: list[str], spoken: str) -> str:
    split = "".join(f"<span style='display:inline-block'>{word}</span>" for word in words)
    story = "".join(f"<p>{PARAGRAPH} Ferry note {i}.</p>" for i in range(3))
    return (
        "<html><head><title>The island ferry</title></head><body><article><h1>The island ferry</h1>"
        f"<p class='tagline'><span aria-hidden='true'>{split}</span><span class='sr-only'>{spoken}</span></p>"
        f"{story}</article></body></html>"
    )


def test_a_headline_split_for_an_animation_is_read_once_from_its_spoken_twin() -> None:
    page = _animated(["Crossings", "every", "hour,", "all", "summer"], "Crossings every hour, all summer")
    article = scraper.clean(page, url="https://ferry.example/crossings", options=ALONE)
    assert article.text.count("Crossings every hour, all summer") == 1
    assert "Crossingsevery" not in article.text


def test_a_split_headline_with_one_copy_per_screen_size_is_read_once() -> None:
    # One split copy for phones and one for desktops, both hidden; the spoken twin holds it once.
    words = ["Crossings", "every", "hour,", "all", "summer"]
    page = _animated([*words, *words], "Crossings every hour, all summer")
    article = scraper.clean(page, url="https://ferry.example/crossings", options=ALONE)
    assert article.text.count("Crossings every hour, all summer") == 1
    assert "Crossingsevery" not in article.text and "summerCrossings" not in article.text


def test_hidden_text_without_a_twin_beside_it_stays() -> None:
    # Only the twin proves the hidden copy a copy: a hidden part with other words is left to the
    # other rules (an accordion's panel, a tab).
    page = _animated(["Timetable", "for", "the", "winter"], "Crossings every hour, all summer")
    article = scraper.clean(page, url="https://ferry.example/crossings", options=ALONE)
    assert "Timetable" in article.text


def _wordpress_page(post_id: int) -> str:
    disclaimer = " ".join(
        f"Disclaimer {n}: this site has no affiliation with any of the makers named on it, and every trademark "
        "belongs to its owner; please visit their own websites for their own word on their products."
        for n in range(6)
    )
    return (
        f"<html><head><title>New lens in stock</title></head><body class='single single-post postid-{post_id}'>"
        "<div id='container'><div class='page content'><div class='post' id='post-34551'><h2>New lens in stock</h2>"
        "<div class='entry'><p>This is the very first time the new 35-100mm lens is in stock in the US. Only two are "
        "left, so be quick.</p></div></div></div>"
        f"<div id='sidebar'><div class='widget widget_text'><h3>Disclaimer</h3><p>{disclaimer}</p></div></div>"
        "</div></body></html>"
    )


def test_a_wordpress_post_named_by_its_page_outranks_a_sidebar_with_more_prose() -> None:
    text = scraper.clean(_wordpress_page(34551), url="https://rumors.example/new-lens/", options=ALONE).text
    assert "the very first time the new 35-100mm lens is in stock" in text
    assert "no affiliation" not in text



def _state(count: int) -> str:
    return json.dumps({"painterId": "AsinGrid", "asins": [f"B0{n:08d}" for n in range(count)], "sort": [{"rText": "Price: Low to High"}]})


def test_a_box_holding_a_scripts_json_state_goes() -> None:
    intro = "".join(f"<p>{PARAGRAPH} Shelf note {i}.</p>" for i in range(3))
    page = (
        "<html><head><title>Headphones</title></head><body><main><h1>Headphones</h1>"
        f"{intro}<div class='grid-state'>{html.escape(_state(40))}</div></main></body></html>"
    )
    text = scraper.clean(page, url="https://shop.example/headphones", options=ALONE).text
    assert "Shelf note 2." in text
    assert "painterId" not in text


def test_json_shown_as_code_stays() -> None:
    intro = "".join(f"<p>{PARAGRAPH} Docs note {i}.</p>" for i in range(3))
    page = (
        "<html><head><title>The state API</title></head><body><article><h1>The state API</h1>"
        f"{intro}<pre><code>{html.escape(_state(40))}</code></pre><div class='example'>{html.escape(_state(20))}</div>"
        "<p>The answer lists the grid's products in the order shown, and the sort orders it offers.</p>"
        "</article></body></html>"
    )
    text = scraper.clean(page, url="https://docs.example/state", options=ALONE).text
    assert text.count("painterId") == 1


def test_amp_ads_consent_and_menus_go() -> None:
    story = story_parts("Amp", 4)
    page = (
        "<html amp><head><title>Quay plan</title></head><body>"
        "<amp-sidebar id='menu' layout='nodisplay'><p>Sections of the harbour news, the town and its people, every day.</p></amp-sidebar>"
        f"<article><h1>Quay plan</h1>{story}"
        "<amp-ad width='300' height='250' type='doubleclick'><div fallback>Space for our harbour partners to reach readers</div></amp-ad>"
        "</article><amp-consent id='consent' layout='nodisplay'><div>Harbour News and its partners store data on your device.</div></amp-consent>"
        "</body></html>"
    )
    text = scraper.clean(page, url="https://harbour.example/amp/quay", options=ALONE).text
    assert "Amp part 3." in text
    for gone in ("harbour partners", "Sections of the harbour", "store data on your device"):
        assert gone not in text


def test_custom_element_names_are_removed_in_the_one_walk_for_tags() -> None:
    from scraper.rules import default_ruleset

    generic = default_ruleset().generic
    assert "amp-ad" in generic.remove_tags
    assert not any("amp-" in selector.expr for selector in generic.remove_other)


def test_an_author_info_box_after_the_story_goes() -> None:
    story = story_parts("Bio", 4)
    page = (
        "<html><head><title>Quay plan</title></head><body><main><article><h1>Quay plan</h1>"
        f"{story}<div class='author-info'><p><strong>Jo Smith</strong> is the harbour reporter for Harbour News. "
        "She has covered the port and its people since 2009, and lives in the old town.</p></div>"
        "</article></main></body></html>"
    )
    text = scraper.clean(page, url="https://harbour.example/news/quay", options=ALONE).text
    assert "Bio part 3." in text
    assert "harbour reporter" not in text


def test_brackets_nested_past_the_json_decoders_stack_are_read_as_text() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    page = f"<html><body><article><p>{PARAGRAPH}</p><p>{PARAGRAPH} Deep.</p><div>{deep}</div></article></body></html>"
    text = scraper.clean(page, url="https://harbour.example/news/quay", options=ALONE).text
    assert "Deep." in text


def test_wordpress_plugins_boxes_go() -> None:
    page = quay_article(
        "<div id='ez-toc-container' class='ez-toc-v2_0_69 counter-hierarchy ez-toc-container'><p>Table of Contents</p>"
        "<ul><li><a href='#who'>Who pays for the sea wall and how the harbour board shares the cost</a></li></ul></div>"
        f"{story_parts('Plugin', 4)}<div class='a2a_kit a2a_kit_size_32'><span>Share the harbour story with your friends and neighbours</span></div>"
        "<div class='abh_box abh_box_down'><p>Jo Smith writes about the port, its boats and the people who work them.</p></div>"
    )
    text = scraper.clean(page, url="https://harbour.example/news/quay", options=ALONE).text
    assert "Plugin part 3." in text
    for gone in ("Who pays for the sea wall", "Share the harbour story", "writes about the port"):
        assert gone not in text
