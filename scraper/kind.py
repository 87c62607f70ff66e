"""Tell what kind of page this is, where that changes what counts as content.

Two kinds differ from an ordinary article page: a discussion thread (forum topic,
Q&A page), whose replies are content where an article's comments are clutter, and
a shop's product page, whose description is a small part of a page of buy boxes,
reviews and recommendations.
"""

from __future__ import annotations

from typing import Literal

from lxml import etree

from scraper.rules.model import GenericRules

PageKind = Literal["page", "thread", "product"]

_MARKUP_XPATH = etree.XPath(
    "//script[@type='application/ld+json']/text() | //@itemtype | /html/@class | /html/body/@class"
    " | /html/body/@id | //meta[@name='generator']/@content"
)
_OG_TYPE = etree.XPath("//meta[@property='og:type']/@content")


def page_kind(root: etree._Element, url: str | None, generic: GenericRules) -> PageKind:
    """Return "thread" or "product" when the URL or the markup says so, else "page"."""
    if url and generic.thread_url is not None and generic.thread_url.search(url):
        return "thread"
    if generic.thread_markup is None and generic.product_markup is None:
        return "page"
    values = [str(value) for value in _MARKUP_XPATH(root)]
    values += [f"og:{value}" for value in _OG_TYPE(root)]
    markup = " ".join(values)
    if generic.thread_markup is not None and generic.thread_markup.search(markup):
        return "thread"
    if (
        generic.product_markup is not None
        and generic.product_markup.search(markup)
        and not (generic.product_not_markup is not None and generic.product_not_markup.search(markup))
    ):
        return "product"
    return "page"
