"""Declarative shadow roots are shown where browsers show them, their slots filled."""

from __future__ import annotations

import pytest

import scraper
from scraper.parse import parse_html
from scraper.shadow import attach_shadow_roots

PROSE = "The harbour board met on Tuesday evening to weigh the plan for the old quay and its new sea wall."
ALONE = scraper.Options(second_opinion_below_chars=0)


def _lines(page: str, as_bytes: bool = False) -> list[str]:
    source = page.encode("utf-8") if as_bytes else page
    root = parse_html(source)
    attach_shadow_roots(root, source)
    main = root.find(".//main")
    assert main is not None
    return [" ".join(e.text_content().split()) for e in main.iter("p", "h2", "li")]


@pytest.mark.parametrize("as_bytes", [False, True])
def test_slots_take_the_hosts_children_by_name_and_the_rest_at_the_unnamed_slot(as_bytes: bool) -> None:
    page = (
        "<html><body><main><quay-card><template shadowrootmode='open'><style>:host{display:block}</style>"
        "<h2><slot name='title'>Untitled</slot></h2><div class='copy'><slot></slot></div>"
        "<p>Shadow footer.</p></template>"
        "<p>Light copy.</p><span slot='title'>Quay at dawn</span><p slot='nowhere'>Never shown.</p>"
        "</quay-card></main></body></html>"
    )
    assert _lines(page, as_bytes) == ["Quay at dawn", "Light copy.", "Shadow footer."]


def test_an_empty_slot_shows_its_fallback_and_unassigned_children_are_not_shown() -> None:
    page = (
        "<html><body><main><quay-card><template shadowroot='open'><h2><slot name='title'>Untitled</slot></h2>"
        "<p>Only the shadow tree.</p></template><p>Light child with no slot to go to.</p></quay-card></main></body></html>"
    )
    assert _lines(page) == ["Untitled", "Only the shadow tree."]


def test_nested_shadow_roots_are_attached_inside_out() -> None:
    page = (
        "<html><body><main><outer-box><template shadowrootmode='open'><ul><li><slot></slot></li>"
        "<li><inner-box><template shadowrootmode='open'><p>Inner shadow.</p><slot></slot></template>"
        "<p>Inner light.</p></inner-box></li></ul></template><p>Outer light.</p></outer-box></main></body></html>"
    )
    assert _lines(page) == ["Outer light.", "Outer light.", "Inner shadow.Inner light.", "Inner shadow.", "Inner light."]


def test_a_template_without_a_shadow_root_mode_stays_inert() -> None:
    page = f"<html><body><main><p>{PROSE}</p><template><p>A row to clone.</p></template></main></body></html>"
    article = scraper.clean(page, url="https://harbour.example/news/quay", options=ALONE)
    assert "A row to clone" not in article.text


def test_an_article_rendered_in_a_components_shadow_root_is_extracted() -> None:
    paragraphs = "".join(f"<p>{PROSE} Part {n}.</p>" for n in range(4))
    page = (
        "<html><head><title>Quay plan</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<news-story><template shadowrootmode='open'><article><h1><slot name='headline'></slot></h1>{paragraphs}"
        "</article></template><span slot='headline'>Quay plan</span></news-story>"
        "<footer><a href='/about'>About</a></footer></body></html>"
    )
    article = scraper.clean(page, url="https://harbour.example/news/quay", options=ALONE)
    assert f"{PROSE} Part 3." in article.text
    assert "Home" not in article.text


def test_a_shadow_template_where_no_shadow_root_may_attach_stays_inert() -> None:
    page = (
        "<html><head><title>Quay plan</title><template shadowrootmode='open'><p>Not a host.</p></template></head>"
        "<body><main><ul><template shadowrootmode='open'><li>Shadow item.</li></template><li>Light item.</li></ul>"
        "</main></body></html>"
    )
    root = parse_html(page)
    attach_shadow_roots(root, page)
    assert root.findtext(".//title") == "Quay plan"
    assert root.find(".//head/template") is not None
    assert root.find(".//ul/template") is not None


def test_an_inner_shadow_roots_empty_slot_is_not_filled_by_the_outer_host() -> None:
    page = (
        "<html><body><main><outer-box><template shadowrootmode='open'>"
        "<inner-box><template shadowrootmode='open'><h2><slot>Inner fallback</slot></h2></template></inner-box>"
        "<p><slot></slot></p></template><span>Outer light.</span></outer-box></main></body></html>"
    )
    assert _lines(page) == ["Inner fallback", "Outer light."]


def test_a_slot_inside_a_filled_slots_fallback_goes_with_that_fallback() -> None:
    page = (
        "<html><body><main><quay-card><template shadowrootmode='open'>"
        "<p><slot name='a'>Fallback <slot>inner fallback</slot></slot></p></template>"
        "<span slot='a'>Assigned.</span></quay-card></main></body></html>"
    )
    assert _lines(page) == ["Assigned."]
