"""parse_html() reads valid UTF-8 bytes directly when no text fix applies: same tree either way."""

from __future__ import annotations

import pytest
from lxml import etree

from scraper.parse import parse_html
from tests.core import pages

_ODD_PAGES = {
    "plain": pages.article_page(3),
    "accents": pages.article_page(3, headline="Quai d’Orsay: l’été à Zürich"),
    "control character reference": pages.article_page(3, headline="Quay&#1; plan&#x1f;"),
    "harmless character references": pages.article_page(3, headline="Quay&#10;&#8217;s plan&#9;"),
    "xml declaration": '<?xml version="1.0" encoding="utf-8"?>\n' + pages.article_page(3),
    "form feed": pages.article_page(3).replace("Paragraph 1.", "Paragraph\x0c1."),
    "noncharacter": pages.article_page(3).replace("Paragraph 1.", "Paragraph \ufffe1.\uffff"),
    "long attribute": pages.article_page(3).replace("<article>", "<article data-x='" + "y" * 5000 + "'>"),
    "many attributes": pages.article_page(3).replace(
        "<article>", "<article " + " ".join(f"data-a{i}='v'" for i in range(1500)) + ">"
    ),
    "many attributes after a long one": pages.article_page(3).replace(
        "<nav>", "<nav data-x='" + "y" * 3000 + "'>"
    ).replace("<article>", "<article " + " ".join(f"a{i}" for i in range(1500)) + ">"),
}


@pytest.mark.parametrize("name", sorted(_ODD_PAGES))
def test_bytes_and_text_give_the_same_tree(name: str) -> None:
    page = _ODD_PAGES[name]
    from_bytes = etree.tostring(parse_html(page.encode("utf-8")), encoding="unicode")
    from_text = etree.tostring(parse_html(page), encoding="unicode")
    assert from_bytes == from_text
    assert "Paragraph 2." in from_bytes


def test_attributes_are_capped_on_bytes_input() -> None:
    page = pages.article_page(3).replace(
        "<article>", "<article " + " ".join(f"data-a{i}='v'" for i in range(1500)) + ">"
    )
    article = parse_html(page.encode("utf-8")).find(".//article")
    assert article is not None
    assert len(article.attrib) == 1000


def test_control_character_references_are_dropped_from_bytes_input() -> None:
    root = parse_html(pages.article_page(3, headline="Quay&#1; plan").encode("utf-8"))
    assert "\x01" not in "".join(root.itertext())
    assert "Quay plan" in "".join(root.itertext())
