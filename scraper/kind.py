"""Tell what kind of page this is, where that changes what counts as content.

Only one distinction matters today: a discussion thread (forum topic, Q&A page),
whose replies are content, versus an article, whose comments are clutter.
"""

from __future__ import annotations

from lxml import etree

from scraper.rules.model import GenericRules

_MARKUP_XPATH = etree.XPath(
    "//script[@type='application/ld+json']/text() | //@itemtype | /html/@class | /html/body/@class"
    " | /html/body/@id | //meta[@name='generator']/@content"
)


def is_thread(root: etree._Element, url: str | None, generic: GenericRules) -> bool:
    """Return True when the URL or the markup says this page is a discussion thread."""
    if url and generic.thread_url is not None and generic.thread_url.search(url):
        return True
    if generic.thread_markup is None:
        return False
    markup = " ".join(str(value) for value in _MARKUP_XPATH(root))
    return bool(generic.thread_markup.search(markup))
