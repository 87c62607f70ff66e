"""Remove what is never article: rule removals, page chrome, hidden and interactive parts."""

from __future__ import annotations

from lxml import etree

from scraper.models import Options
from scraper.rules.model import GenericRules, SiteRule
from scraper.score import NodeStats, attr_text, measure_tree, tag_of
from scraper.trace import Trace

# Structural tags that are chrome unless they hold the article.
CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "form", "menu"})
# An element that holds at least this share of the page's prose is never pruned as chrome.
_HOLDS_ARTICLE_SHARE = 0.4


def detach(element: etree._Element) -> None:
    """Remove `element` from its tree but keep its tail text in place."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _protected(root: etree._Element, rule: SiteRule | None) -> set[etree._Element]:
    """Return elements a site rule keeps, with their ancestors and descendants."""
    keep: set[etree._Element] = set()
    if rule is None:
        return keep
    for selector in rule.keep:
        for element in selector.select(root):
            keep.update(element.iter())
            keep.update(element.iterancestors())
    return keep


def remove_selected(
    root: etree._Element,
    selectors: tuple,
    reason: str,
    keep: set[etree._Element],
    trace: Trace | None,
) -> None:
    """Detach every element a selector matches, unless a keep rule protects it."""
    for selector in selectors:
        for element in selector.select(root):
            if element in keep or element is root or tag_of(element) in ("body", "html"):
                continue
            if trace is not None:
                trace.record(element, "removed", f"{reason} {selector.expr}")
            detach(element)


def _holds_article(stats: NodeStats | None, page_prose: int) -> bool:
    return bool(stats and page_prose and stats.p_chars >= _HOLDS_ARTICLE_SHARE * page_prose)


def prune_chrome(
    body: etree._Element,
    generic: GenericRules | None,
    options: Options,
    keep: set[etree._Element],
    trace: Trace | None,
) -> None:
    """Drop nav/header/footer/aside and boilerplate-named containers that do not hold the article."""
    stats = measure_tree(body)
    page_prose = stats[body].p_chars if body in stats else 0
    doomed: list[tuple[etree._Element, str]] = []
    skip: set[etree._Element] = set()
    for element in body.iterdescendants():
        tag = tag_of(element)
        if not tag or element in keep or element in skip:
            continue
        why = ""
        if tag in CHROME_TAGS:
            why = f"pruned <{tag}>"
        elif generic is not None and tag not in ("p", "a", "span", "li", "td", "tr", "h1", "h2", "h3"):
            attrs = attr_text(element)
            if attrs and generic.boilerplate_attr.search(attrs):
                why = f"pruned class/id {attrs[:60]!r}"
        if not why:
            continue
        s = stats.get(element)
        if _holds_article(s, page_prose):
            continue
        doomed.append((element, why))
        skip.update(element.iterdescendants())
    for element, why in doomed:
        if trace is not None:
            trace.record(element, "pruned", why)
        detach(element)


def prune_tree(
    root: etree._Element,
    rule: SiteRule | None,
    generic: GenericRules | None,
    options: Options,
    trace: Trace | None = None,
) -> etree._Element:
    """Apply rule removals and generic pruning to `root` in place; return the body."""
    keep = _protected(root, rule)
    if generic is not None:
        remove_selected(root, generic.remove, "generic remove", keep, trace)
    if rule is not None:
        remove_selected(root, rule.remove, f"rule {rule.id} remove", keep, trace)
    body = root.find("body")
    if body is None:
        body = root
    prune_chrome(body, generic, options, keep, trace)
    return body
