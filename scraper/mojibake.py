"""Repair mojibake: text that was UTF-8, decoded once as Windows-1252 or Latin-1, and saved again.

Such a page is valid UTF-8 and says so, yet prints "doesnâ€™t" for "doesn’t": the damage was
done before the page reached us, so no choice of encoding undoes it. ftfy recognises the
pattern and reverses it, and leaves text alone when it is not sure.
"""

from __future__ import annotations

import dataclasses
import re

from scraper.models import Article
from scraper.render import ZERO_WIDTH

# What UTF-8 read as Windows-1252 or Latin-1 leaves behind: a lead byte's letter (Â to ô) before a
# C1 control character, "Â" or "Ã" before a Latin-1 symbol or a Windows-1252 punctuation mark, and
# "â€" (the start of ’ “ ” – — …). Only text with one of these goes to ftfy. Written to start with
# one character class, which the regex engine scans for quickly (a third of the time of an
# alternation of three).
_SUSPECT = re.compile(
    "[\u00c2-\u00f4](?:[\u0080-\u009f]"
    "|(?<=[\u00c2\u00c3])[\u00a0-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
    "|(?<=\u00e2)\u20ac)"
)


# What is left of a no-break space that was UTF-8 read as Latin-1 ("Â" then U+00A0) once the
# renderer has folded the space away at a line's end or into a plain space: an "Â" that ends a
# word of lower-case letters, digits or punctuation ("for cats.Â"). "Â" ends no word in the
# languages that use it (Romanian, Portuguese, French, Vietnamese put it inside words); after
# capitals ("HÂLÂ") it is left alone.
_LOST_NO_BREAK_SPACE = re.compile("(?<=[^\\sA-Z\u00c0-\u00de])\u00c2(?=\\s|$)")


def repair(text: str) -> str:
    """Return `text` with mojibake undone (unchanged when it shows none)."""
    if text.isascii():
        return text
    if _SUSPECT.search(text):
        # Imported on the first damaged text only: most runs never meet one.
        from ftfy import fix_encoding

        text = fix_encoding(text)
    return _LOST_NO_BREAK_SPACE.sub("", text) if "\u00c2" in text else text


# A line of zero-width characters (and spaces), with the line break before it; in markdown, a
# paragraph of them, with the blank line before it.
_INVISIBLE = f"[ \t]*[{ZERO_WIDTH}][{ZERO_WIDTH} \t]*"
_INVISIBLE_LINE = re.compile(f"\n{_INVISIBLE}(?=\n|$)|^{_INVISIBLE}(?:\n|$)")
_INVISIBLE_PARAGRAPH = re.compile(f"\n\n{_INVISIBLE}(?=\n\n|\n?$)")


def _repaired_text(text: str, markdown: bool = False) -> str:
    """Return `text` repaired, without the lines the repair left with nothing visible.

    A page's empty paragraph can hold a zero-width joiner saved as mojibake ("\u00e2\u20ac\u008d");
    the renderer keeps it as letters, and the repair turns it back into the joiner.
    """
    fixed = repair(text)
    if fixed == text:
        return fixed
    if markdown:
        fixed = _INVISIBLE_PARAGRAPH.sub("", fixed)
    return _INVISIBLE_LINE.sub("", fixed)


def repair_article(article: Article) -> Article:
    """Return `article` with mojibake undone in its title, text, renderings and metadata."""
    meta = article.metadata
    words = (article.text, article.title, meta.author, meta.sitename, meta.description, *meta.categories, *meta.tags)
    if not any(value and not value.isascii() and _damaged(value) for value in words):
        return article
    return dataclasses.replace(
        article,
        title=_repaired(article.title),
        text=_repaired_text(article.text),
        markdown=_repaired_text(article.markdown, markdown=True),
        html=repair(article.html),
        metadata=dataclasses.replace(
            meta,
            author=_repaired(meta.author),
            sitename=_repaired(meta.sitename),
            description=_repaired(meta.description),
            categories=tuple(map(repair, meta.categories)),
            tags=tuple(map(repair, meta.tags)),
        ),
    )


def _damaged(value: str) -> bool:
    return _SUSPECT.search(value) is not None or ("\u00c2" in value and _LOST_NO_BREAK_SPACE.search(value) is not None)


def _repaired(value: str | None) -> str | None:
    return repair(value) if value else value
