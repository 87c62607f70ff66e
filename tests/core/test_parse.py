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


@pytest.mark.parametrize("as_bytes", [False, True])
@pytest.mark.parametrize(
    "closing",
    ["</body></html>", "</body>\n</html>\n", "</BODY></HTML>", "</Body >", "</html>", "</body>"],
)
def test_what_follows_an_early_end_of_page_stays_in_the_body(closing: str, as_bytes: bool) -> None:
    # Browsers put what follows </body> or </html> into the body; libxml2 would drop it.
    page = f"<html><body><header><a href='/'>Home</a></header>{closing}\n<div class='post'><p>Story.</p></div>"
    root = parse_html(page.encode("utf-8") if as_bytes else page)
    body = root.find("body")
    assert body is not None
    assert body.find(".//div[@class='post']/p") is not None
    assert [child.tag for child in root] == ["head", "body"] or [child.tag for child in root] == ["body"]


def test_a_page_that_ends_normally_is_left_as_it_is() -> None:
    from scraper.parse import _reopen_body

    page = "<html><body><p>Story.</p></body>\n</html>\n<!-- served in 12 ms -->\n"
    assert _reopen_body(page) is page
    assert _reopen_body(page.encode("utf-8")) == page.encode("utf-8")
    assert _reopen_body(page + "<script>x()</script>") == "<html><body><p>Story.</p>\n\n<!-- served in 12 ms -->\n<script>x()</script>"


@pytest.mark.parametrize(
    ("sentence", "encoding"),
    [
        ("Le café est très bon à Paris, où la crème coûte peu.", "cp1252"),
        ("A café, a naïve résumé and a façade.", "cp1252"),
        ("Größere Änderungen für Straße und Übergrößen, schön.", "cp1252"),
        ("Příliš žluťoučký kůň úpěl ďábelské ódy.", "cp1250"),
        ("Ďakujem, že ste prišli včas a pomohli s ťažkou úlohou.", "cp1250"),
        ("Съешь же ещё этих мягких французских булок да выпей чаю.", "cp1251"),
    ],
)
def test_undeclared_legacy_text_is_read_in_a_web_encoding(sentence: str, encoding: str) -> None:
    # No BOM, header or <meta>: detection decides. It must not pick an encoding no browser
    # reads pages in (German text came out as "mac_turkish"), and between windows-1252 and
    # another that reads the bytes as well, windows-1252 wins, as in browsers.
    from scraper.parse import decode_html

    page = f"<html><body><p>{sentence}</p></body></html>".encode(encoding)
    assert sentence in decode_html(page).text


def test_a_run_of_nested_blocks_past_the_depth_limit_leaves_one_line_break() -> None:
    # Each dropped block tag became a <br>: 20,000 nested divs made 40,000 of them, and every
    # walk of the tree after parsing paid for each.
    page = "<html><body>" + "<div>" * 20_000 + "<p>Deep text.</p>" + "</div>" * 20_000 + "</body></html>"
    root = parse_html(page)
    assert "Deep text." in root.text_content()
    assert sum(1 for _ in root.iter("br")) <= 2
    assert sum(1 for _ in root.iter("div")) <= 400


def test_text_between_dropped_blocks_keeps_its_own_lines() -> None:
    from scraper.parse import flatten_deep_tags

    assert flatten_deep_tags("<div><div><div>a</div><div>b</div></div></div>", 1) == "<div><br>a<br>b<br></div>"
