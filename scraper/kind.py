"""Tell what kind of page this is, where that changes what counts as content.

Three kinds differ from an ordinary article page: a discussion thread (forum topic,
Q&A page), whose replies are content where an article's comments are clutter; a
shop's product page, whose description is a small part of a page of buy boxes,
reviews and recommendations; and a site's front page, whose sections and teasers
are its content.
"""

from __future__ import annotations

import itertools
from typing import Literal

from lxml import etree

from scraper.rules.model import GenericRules

PageKind = Literal["page", "thread", "product", "front"]

_ITEMTYPES = etree.XPath("//@itemtype")


def _markup(root: etree._Element) -> str:
    """Return the page's self-description: JSON-LD, itemtypes, html/body classes, generator, og:type."""
    values = [root.get("class") or ""]
    body = root.find("body")
    if body is not None:
        values += [body.get("class") or "", body.get("id") or ""]
    # A tag-filtered walk runs in C; an XPath predicate over every element costs three times more.
    for element in root.iter("script", "meta"):
        if element.tag == "script":
            if element.get("type") == "application/ld+json":
                values.append(element.text or "")
        elif element.get("property") == "og:type":
            values.append(f"og:{element.get('content') or ''}")
        elif element.get("name") == "generator":
            values.append(element.get("content") or "")
    values += [str(value) for value in _ITEMTYPES(root)]
    return " ".join(values)


def page_kind(root: etree._Element, url: str | None, generic: GenericRules) -> PageKind:
    """Return the page's kind.

    "thread" when the URL or the markup says so; "product" when the markup says so (of one
    product: a page marking up twenty that are no one product's variants lists them), or the URL
    does and the markup names no article; "front" for a site's root URL that is neither (a
    forum's or a shop's front page keeps its own kind); else "page".
    """
    if url and generic.thread_url is not None and generic.thread_url.search(url):
        return "thread"
    markup: str | None = None
    if generic.thread_markup is not None or generic.product_markup is not None:
        markup = _markup(root)
        if generic.thread_markup is not None and generic.thread_markup.search(markup):
            return "thread"
        if generic.product_markup is not None and generic.product_markup.search(markup) and not _article(markup, generic):
            return "page" if _lists_products(markup, generic) else "product"
    if (
        url and generic.product_url is not None and generic.product_url.search(url)
        and not _article(_markup(root) if markup is None else markup, generic)
    ):
        return "product"
    if url and generic.front_url is not None and generic.front_url.search(url):
        return "front"
    return "page"


# A page that marks up this many products is a shop's list of them (a category, search results), not
# one product's page, unless they are the variants of one product (a ProductGroup's sizes and colours).
_LISTED_PRODUCTS = 20


def _lists_products(markup: str, generic: GenericRules) -> bool:
    """True when the markup describes a list of products rather than one."""
    if generic.product_markup is None or "ProductGroup" in markup:
        return False
    return sum(1 for _ in itertools.islice(generic.product_markup.finditer(markup), _LISTED_PRODUCTS)) >= _LISTED_PRODUCTS


def _article(markup: str, generic: GenericRules) -> bool:
    """True when the page's markup calls it an article (a review marks up what it reviews)."""
    return generic.product_not_markup is not None and generic.product_not_markup.search(markup) is not None
