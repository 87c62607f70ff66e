"""Mojibake a page carries from its source (UTF-8 read once as Windows-1252) is undone."""

from __future__ import annotations

import scraper
from scraper.mojibake import repair
from tests.core.pages import PARAGRAPH

STORY = "The mayor said the harbour doesn’t need a new wall — “not this year”, she added, at the café."


def _garbled(text: str) -> str:
    """Read UTF-8 bytes as a browser reads Windows-1252 (bytes it leaves undefined as Latin-1)."""
    out = []
    for byte in text.encode("utf-8"):
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


def _page(sentence: str) -> bytes:
    body = "".join(f"<p>{PARAGRAPH} {sentence} Paragraph {i}.</p>" for i in range(4))
    html = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{sentence[:30]} - Harbour News</title></head>"
        f"<body><article><h1>Harbour wall</h1>{body}</article></body></html>"
    )
    return html.encode("utf-8")


def test_a_page_saved_with_mojibake_reads_as_written() -> None:
    garbled = _garbled(STORY)
    assert "doesnâ€™t" in garbled
    article = scraper.clean(_page(garbled), url="https://harbour.example/news/wall")
    assert STORY in article.text
    assert "â€" not in article.text and "â€" not in article.markdown


def test_text_without_mojibake_is_left_as_it_is() -> None:
    sentence = "In São Paulo the café’s owner, Ã. Naïve, paid £5 — “fair”, she said."
    article = scraper.clean(_page(sentence), url="https://harbour.example/news/wall")
    assert sentence in article.text
    assert repair(sentence) == sentence


def test_a_no_break_space_read_as_latin_1_leaves_no_letter_behind() -> None:
    # "cats.\u00a0" saved as UTF-8 read as Latin-1 is "cats.Â\u00a0"; once the renderer has folded
    # the no-break space away at the end of a line, only the "Â" would be left.
    sentence = "Cover for a cat costs about $32 a month."
    article = scraper.clean(_page(_garbled(sentence + "\u00a0")), url="https://harbour.example/news/cats")
    assert "Â" not in article.text and "Â" not in article.markdown
    assert sentence in article.text


def test_a_word_in_capitals_keeps_its_circumflex() -> None:
    assert repair("Hâlâ, HÂLÂ dediler.") == "Hâlâ, HÂLÂ dediler."


def test_an_empty_paragraph_whose_joiner_was_garbled_leaves_no_line() -> None:
    # Page builders put a zero-width joiner in an empty paragraph between sections; saved as
    # mojibake it reads "â€\x8d", which the repair turns back into the joiner: nothing to show.
    body = "".join(f"<p>{PARAGRAPH} Part {i}, with the café’s owner.</p><p>\u200d</p>" for i in range(4))
    html = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Harbour wall</title></head>"
        f"<body><article><h1>Harbour wall</h1>{body}</article></body></html>"
    )
    article = scraper.clean(_garbled(html).encode("utf-8"), url="https://harbour.example/news/wall")
    assert "café’s owner" in article.text
    assert all(line.strip("\u200d") for line in article.text.split("\n"))
    assert "\n\u200d" not in article.markdown and "\n\n\n" not in article.markdown
    assert "Part 0, with the café’s owner.\n\n" in article.markdown
