"""A second opinion from trafilatura, asked only when our own scorer found (almost) nothing."""

from __future__ import annotations

import html as html_escape

from trafilatura import extract as trafilatura_extract

from scraper.errors import InputError
from scraper.parse import parse_html


def second_opinion(source: str | bytes, url: str | None, *, precise: bool = True, tables: bool = True) -> str:
    """Return trafilatura's main text for the page ('' when it finds none either).

    The page is parsed again by our own safe parser (size, depth and attribute limits,
    no entities), so the peer never sees input that we would not parse ourselves.
    `precise` asks for its precision mode (the right check on a page where we found little);
    off, its default balance (a fair rival answer on a cluttered page). Its fallbacks
    (readability and jusText on its own tree) stay off in both: on the development sets they
    never beat its own answer, and jusText's stoplists take over half a second to load.
    `tables` as `Options.include_tables`.
    """
    try:
        tree = parse_html(source)
    except InputError:
        return ""
    try:
        result = trafilatura_extract(
            tree, url=url, include_tables=tables, include_comments=False, deduplicate=False, favor_precision=precise,
            fast=True,
        )
    except Exception:  # noqa: BLE001 - a bug in the peer must not lose the page
        return ""
    return _tidy(result or "")


def _tidy(text: str) -> str:
    """Return the peer's text as ours is written: one block per line, no blank or indented lines.

    It keeps the source's own line breaks and indentation inside some blocks (a <summary> laid out
    over twenty lines became twenty lines of spaces around two words).
    """
    return "\n".join(stripped for line in text.split("\n") if (stripped := line.strip()))


def paragraphs_html(text: str) -> str:
    """Wrap plain lines as HTML paragraphs."""
    return "".join(f"<p>{html_escape.escape(line)}</p>" for line in text.split("\n") if line.strip())
