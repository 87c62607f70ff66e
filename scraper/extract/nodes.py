"""Where an element stands among its siblings and ancestors: questions the clutter passes share."""

from __future__ import annotations

from lxml import etree

from scraper.rules.model import CaselessPattern
from scraper.score import attr_text, tag_of


def previous_element(element: etree._Element) -> etree._Element | None:
    """Return the element before `element` among its siblings, skipping comments."""
    previous = element.getprevious()
    while previous is not None and not tag_of(previous):
        previous = previous.getprevious()
    return previous


def in_notes(element: etree._Element, container: etree._Element, notes: CaselessPattern | None) -> bool:
    """True for the article's own reference list or footnotes, or a part of one (each item cites
    a linked source, so link density is no evidence there)."""
    if notes is None:
        return False
    for block in (element, *element.iterancestors()):
        if notes.search(attr_text(block)):
            return True
        if block is container:
            return False
    return False
