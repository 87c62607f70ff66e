"""An <aside> or <footer> is chrome however much prose it holds, unless its class names content."""

from __future__ import annotations

import scraper
from tests.core.pages import PARAGRAPH

AD = "Over five thousand resorts and two million holiday weeks, with no blackout dates and no fees. " * 3


def _page(aside_class: str) -> str:
    post = "".join(f"<p>{PARAGRAPH} Paragraph {i}.</p>" for i in range(2))
    ads = "".join(f"<p>{AD}</p>" for _ in range(2))
    return (
        "<html><head><title>Quay plan - Harbour Blog</title></head><body>"
        f"<div id='col'><h3>Quay plan</h3><div class='intro'>{post}</div></div>"
        f"<aside class='{aside_class}'>{ads}</aside></body></html>"
    )


def test_an_aside_with_more_prose_than_the_post_goes() -> None:
    text = scraper.clean(_page("promo"), url="https://harbour.example/2024/quay.html").text
    assert "Paragraph 1." in text and "holiday weeks" not in text


def test_an_aside_whose_class_names_a_post_is_content() -> None:
    text = scraper.clean(_page("blogPost"), url="https://harbour.example/2024/quay.html").text
    assert "holiday weeks" in text
