"""Page metadata (author, date, site name, ...) via trafilatura's extractor and htmldate."""

from __future__ import annotations

import logging

from htmldate import find_date
from lxml import etree
from trafilatura.metadata import examine_meta, extract_meta_json

from scraper.models import Metadata

_LOG = logging.getLogger(__name__)


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _language(root: etree._Element) -> str | None:
    lang = root.get("lang") or root.get("xml:lang")
    if not lang:
        for meta in root.iterfind(".//meta[@http-equiv]"):
            if meta.get("http-equiv", "").lower() == "content-language":
                lang = meta.get("content")
                break
    return lang.strip().split(",")[0].strip().lower() or None if lang else None


def canonical_link(root: etree._Element) -> str | None:
    """Return the absolute URL of the page's <link rel="canonical">, if it has one."""
    return _first_absolute(root, ".//link[@rel='canonical']", "href")


def og_url(root: etree._Element) -> str | None:
    """Return the absolute URL of the page's og:url meta tag, if it has one."""
    return _first_absolute(root, ".//meta[@property='og:url']", "content")


def _first_absolute(root: etree._Element, path: str, attribute: str) -> str | None:
    """Return the first `attribute` of the elements at `path` that is an absolute http(s) URL."""
    for element in root.iterfind(path):
        value = (element.get(attribute) or "").strip()
        if value.startswith(("http://", "https://")):
            return value
    return None


def read_metadata(
    root: etree._Element, url: str | None, *, canonical: str | None, find_dates: bool = True
) -> tuple[Metadata, str | None]:
    """Return the page's metadata and its title, read before any pruning.

    `canonical` is the page's canonical link (`canonical_link`), found once by the caller.

    trafilatura's readers take the meta tags and JSON-LD, htmldate finds the
    publication date (its fast search). Neither modifies the tree. trafilatura's
    full extractor would also hunt for bylines in the body, at four times the cost
    of our whole extraction; meta tags and JSON-LD name the author on most pages.
    """
    try:
        doc = extract_meta_json(root, examine_meta(root))
        page_url = canonical or doc.url or url
        date = find_date(root, url=page_url, extensive_search=False, original_date=True) if find_dates else None
    except Exception as exc:  # noqa: BLE001 - a metadata bug must not lose the article
        _LOG.debug("metadata extraction failed: %s", exc)
        return Metadata(language=_language(root)), None
    meta = Metadata(
        author=_clean(doc.author),
        date=_clean(date),
        sitename=_clean(doc.sitename),
        language=_language(root),
        description=_clean(doc.description),
        canonical_url=_clean(page_url),
        image=_clean(doc.image),
        categories=tuple(c for c in (doc.categories or []) if c),
        tags=tuple(t for t in (doc.tags or []) if t),
    )
    return meta, _clean(doc.title)
