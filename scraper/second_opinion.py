"""A second opinion from trafilatura, asked only when our own scorer found (almost) nothing."""

from __future__ import annotations

import html as html_escape
import re

from lxml import etree
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
    if _nests_deeper_than(tree, _MAX_DEPTH):
        # trafilatura's table handling grows with the square of the nesting: a page of 2,500 nested
        # tables (cut to 400 levels by our parser) took it ten seconds a call.
        return ""
    try:
        result = trafilatura_extract(
            tree, url=url, include_tables=tables, include_comments=False, deduplicate=False, favor_precision=precise,
            fast=True,
        )
    except Exception:  # noqa: BLE001 - a bug in the peer must not lose the page
        return ""
    return _tidy(result or "")


# Deeper than any real page goes: the deepest of the 3,659 development pages nests 55 levels.
_MAX_DEPTH = 150


def _nests_deeper_than(tree: etree._Element, limit: int) -> bool:
    """True when some element of `tree` sits more than `limit` levels below its root."""
    depth = {tree: 0}
    for element in tree.iterdescendants():
        level = depth[element.getparent()] + 1
        if level > limit:
            return True
        depth[element] = level
    return False


def _tidy(text: str) -> str:
    """Return the peer's text as ours is written: one block per line, its white space one space,
    no blank lines, a table's rows as "cell | cell".

    It keeps the source's own line breaks and indentation inside some blocks (a <summary> laid out
    over twenty lines became twenty lines of spaces around two words, a breadcrumb thirty spaces
    wide stayed in its line), and writes tables as markdown: a rule under the header, a pipe at
    each end, pipes in the text escaped, and a layout table's empty cells as runs of "|  |  |".
    """
    lines = []
    for line in text.split("\n"):
        stripped = " ".join(line.split())
        if stripped.startswith("|") and stripped.endswith("|"):
            if _RULE_ROW.match(stripped):
                continue
            cells = [cell.strip().replace("\\|", "|") for cell in _CELL_PIPE.split(stripped[1:-1])]
            filled = [cell for cell in cells if cell]
            # Mostly empty, the row is a layout table's: its words are the row. Else a data row's
            # empty cells keep its columns in place.
            stripped = " | ".join(filled if len(filled) * 2 < len(cells) else cells).strip()
        if stripped:
            lines.append(stripped)
    return "\n".join(lines)


# A markdown table's rule under its header row, and the pipes that part its cells (not "\|").
_RULE_ROW = re.compile(r"^\|(\s*:?-+:?\s*\|)+$")
_CELL_PIPE = re.compile(r"(?<!\\)\|")


def paragraphs_html(text: str) -> str:
    """Wrap plain lines as HTML paragraphs."""
    return "".join(f"<p>{html_escape.escape(line)}</p>" for line in text.split("\n") if line.strip())
