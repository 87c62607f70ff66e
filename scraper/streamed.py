"""Pages streamed by React (server rendering with Suspense): put each late chunk where it goes.

Such a page first sends placeholders (`<template id="B:0">` then a "Loading..." fallback, or
`<template id="P:1">`) and, further down, the real content in `<div hidden id="S:0">` chunks,
with small scripts (`$RC("B:0","S:0")`, `$RS("S:1","P:1")`) that move each chunk into its
placeholder. Browsers run them; we read them. Without this, the hidden chunks are removed
as hidden and the article is a row of "Loading paragraph..." lines.
"""

from __future__ import annotations

import re

from lxml import etree

from scraper.prune import detach
from scraper.score import HEADING_TAGS

# $RC(boundary, chunk) completes a Suspense boundary; $RS(chunk, placeholder) fills a segment.
# A chunk's id in the page's source (a regex scan is twice as fast as two substring tests).
_CHUNK_ID = re.compile(r"""id=["']S:""")
_CHUNK_ID_BYTES = re.compile(_CHUNK_ID.pattern.encode("ascii"))
# A chunk is moved only if one of its paragraphs has at least this many words.
_PROSE_WORDS = 12
_MOVE_CALL = re.compile(r"""\$R([CS])\(\s*["']([^"']+)["']\s*,\s*["']([^"']+)["']""")


def resolve_streamed(root: etree._Element, source: str | bytes) -> None:
    """Move React's hidden `S:` chunks into their placeholders, in place (no-op on other pages)."""
    marker = _CHUNK_ID_BYTES if isinstance(source, bytes) else _CHUNK_ID
    if marker.search(source) is None:  # type: ignore[arg-type]
        return
    chunks = {
        chunk.get("id", ""): chunk
        for chunk in root.iter("div")
        if chunk.get("hidden") is not None and chunk.get("id", "").startswith("S:")
    }
    if not chunks:
        return
    placeholders: dict[str, etree._Element] = {}
    for template in root.iter("template"):
        if template.get("id", "")[:2] in ("B:", "P:"):
            # The first element with an id wins, as with document.getElementById.
            placeholders.setdefault(template.get("id", ""), template)
    moves = _scripted_moves(root)
    if not moves:
        # Archived copies often lose the scripts: pair placeholders and chunks by their number.
        moves = [(name, "S:" + name[2:]) for name in placeholders]
    reaching = _reaching_sections(chunks, dict(moves))
    for placeholder_id, chunk_id in moves:
        placeholder = placeholders.get(placeholder_id)
        chunk = chunks.get(chunk_id)
        if (
            placeholder is not None and chunk is not None and placeholder.getparent() is not None
            and not any(a is chunk for a in placeholder.iterancestors())  # a chunk never goes into itself
            and (_has_prose(chunk) or chunk_id in reaching)
        ):
            del chunks[chunk_id]
            _move_into(chunk, placeholder)


def _reaching_sections(chunks: dict[str, etree._Element], filler: dict[str, str]) -> set[str]:
    """Return the chunks that hold sections of an article (a heading and its paragraphs), or
    hold placeholders that such chunks fill, however deep the chain.

    A chunk may hold only further placeholders, whose own chunks hold the sections; comment
    previews and cards have no heading. Walked from the sections up, without recursion: a page
    may chain thousands of chunks.
    """
    parents: dict[str, list[str]] = {}
    for chunk_id, chunk in chunks.items():
        for inner in chunk.iter("template"):
            name = inner.get("id", "")
            if name[:2] in ("B:", "P:") and name in filler:
                parents.setdefault(filler[name], []).append(chunk_id)
    reaching = {
        chunk_id for chunk_id, chunk in chunks.items()
        if next(chunk.iter(*HEADING_TAGS), None) is not None and _has_prose(chunk)
    }
    waiting = list(reaching)
    while waiting:
        for parent in parents.get(waiting.pop(), ()):
            if parent not in reaching:
                reaching.add(parent)
                waiting.append(parent)
    return reaching


def _has_prose(chunk: etree._Element) -> bool:
    """True for a chunk that holds a paragraph of text: late parts of an article are moved.

    Late widgets (size pickers, carousels, lists of short cards) stay hidden and go with the
    other hidden parts, as before. A chunk that only holds further placeholders is moved when
    the chunks filling them hold sections of an article, a heading with its paragraphs (see
    resolve_streamed); moving every such chunk let comment previews into listings (measured
    on wcxb: listing pages lost more than articles gained).
    """
    return any(len((p.text_content() or "").split()) >= _PROSE_WORDS for p in chunk.iter("p"))


def _scripted_moves(root: etree._Element) -> list[tuple[str, str]]:
    """Return (placeholder id, chunk id) pairs in the order the page's scripts make the moves."""
    moves = []
    for script in root.iter("script"):
        text = script.text or ""
        if "$R" not in text:
            continue
        for kind, first, second in _MOVE_CALL.findall(text):
            moves.append((first, second) if kind == "C" else (second, first))
    return moves


def _move_into(chunk: etree._Element, placeholder: etree._Element) -> None:
    """Put `chunk`'s content where `placeholder` is: the chunk takes the placeholder's place
    (and its tail), then its own tag goes, its text and children staying (HtmlElement.drop_tag)."""
    detach(chunk)
    parent = placeholder.getparent()
    if parent is None:
        return
    chunk.tail = placeholder.tail
    parent.replace(placeholder, chunk)
    chunk.drop_tag()
