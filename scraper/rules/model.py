"""Compiled rules, ready to apply to a parsed tree.

The loader (`scraper.rules.loader`) turns TOML files into these objects and
compiles every selector and pattern up front; the extraction core only reads
them. All objects are frozen and safe to share between threads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from lxml import etree


@dataclass(frozen=True)
class Selector:
    """One CSS or XPath selector, compiled to XPath at load time."""

    expr: str
    kind: Literal["css", "xpath"]
    xpath: etree.XPath = field(compare=False, repr=False)

    def _evaluate(self, root: etree._Element) -> Any:
        """Run the XPath on `root`; a selector that fails to evaluate matches nothing.

        The loader rejects what would fail (undefined prefixes, variables, functions), so this
        only guards what it cannot see, such as a type error in a predicate: one bad selector must
        not stop the extraction of a page.
        """
        try:
            return self.xpath(root)
        except etree.XPathEvalError:
            return None

    def select(self, root: etree._Element) -> list[etree._Element]:
        """Return the outermost elements under `root` that this selector matches.

        A match inside another match is left out: `.article-content` often marks both a
        wrapper and its inner block, and taking both would repeat the article's text.
        """
        result = self._evaluate(root)
        if not isinstance(result, list):
            return []
        found = [node for node in result if isinstance(node, etree._Element)]
        if len(found) < 2:
            return found
        chosen = set(found)
        return [node for node in found if not any(a in chosen for a in node.iterancestors())]

    def texts(self, root: etree._Element) -> list[str]:
        """Return the whitespace-normalised text of each match, including string results.

        FTR rules often select an attribute or a string (`//meta[@name='author']/@content`,
        `substring-after(//p, 'By ')`); those count as text here, not as elements.
        """
        result = self._evaluate(root)
        if result is None:
            return []
        items = result if isinstance(result, list) else [result]
        out = []
        for item in items:
            if isinstance(item, etree._Element):
                text = item.text_content() if hasattr(item, "text_content") else "".join(item.itertext())
            elif isinstance(item, (str, bytes)):
                text = item.decode() if isinstance(item, bytes) else str(item)
            else:
                continue
            text = " ".join(text.split())
            if text:
                out.append(text)
        return out


@dataclass(frozen=True)
class CaselessPattern:
    """A case-insensitive pattern (class/id tokens, clutter phrases), matched fast on ASCII text.

    Python's IGNORECASE matching is 2 to 4x slower than plain matching, and nearly all class
    names and most short texts are ASCII: such text is lower-cased and matched with `lowered`,
    the same pattern without the flag. The loader builds `lowered` only for patterns where the
    two agree on ASCII text (no upper-case letter, no escape that could stand for one, no
    non-ASCII letter whose other case is ASCII).
    """

    regex: re.Pattern[str]
    lowered: re.Pattern[str] | None = None

    @property
    def pattern(self) -> str:
        """The regex source."""
        return self.regex.pattern

    def search(self, text: str) -> re.Match[str] | None:
        """Find the pattern in `text`, ignoring case (the match may be on a lower-cased copy)."""
        if self.lowered is not None and text.isascii():
            return self.lowered.search(text.lower())
        return self.regex.search(text)

    def match(self, text: str) -> re.Match[str] | None:
        """Match the pattern at the start of `text`, ignoring case (as `search`)."""
        if self.lowered is not None and text.isascii():
            return self.lowered.match(text.lower())
        return self.regex.match(text)


@dataclass(frozen=True)
class GenericRules:
    """Rules applied to every page: clutter phrases and boilerplate class/id patterns."""

    # Whole-text matches for short blocks and headings that open clutter ("Related Articles").
    clutter_heading: CaselessPattern
    # Short blocks that are clutter wherever they appear ("Share this", cookie notices).
    clutter_text: CaselessPattern
    # class/id/role tokens that mark boilerplate containers.
    boilerplate_attr: CaselessPattern
    # class/id tokens that mark article containers.
    content_attr: CaselessPattern
    # Elements removed from every page before scoring.
    remove: tuple[Selector, ...] = ()
    # class/id tokens that are weaker evidence: pruned only when the element holds little prose.
    weak_attr: CaselessPattern | None = None
    # URLs of site front pages, whose whole main region is content.
    front_url: re.Pattern[str] | None = None
    # URLs of discussion threads, whose replies are content rather than clutter.
    thread_url: re.Pattern[str] | None = None
    # class / id tokens of an article's reference list or footnotes, kept however linked.
    notes_attr: CaselessPattern | None = None
    # Markup that says "discussion thread" (schema.org types, forum software classes).
    thread_markup: re.Pattern[str] | None = None
    # class/id tokens of replies, not pruned on thread pages.
    thread_attr: re.Pattern[str] | None = None
    # The clutter phrases plus those that are a forum's bookkeeping on thread pages only (a
    # member card's "Joined", "Messages"); elsewhere such a word may be a heading of the text.
    thread_clutter_text: CaselessPattern | None = None
    # class / id tokens of a forum's chrome around each post (signatures), on thread pages only.
    thread_boilerplate_attr: CaselessPattern | None = None
    # Whole class names that say nothing about content (page builders' wrappers such as
    # "elementor-widget-text-editor"): dropped before the tokens above are looked for.
    neutral_attr: re.Pattern[str] | None = None
    # Markup that says "product page" (schema.org Product, og:type product) ...
    product_markup: re.Pattern[str] | None = None
    # URLs of shops' product pages, for the pages whose markup does not say so.
    product_url: re.Pattern[str] | None = None
    # ... unless the page also says it is an article (a review that marks up the product it reviews).
    product_not_markup: re.Pattern[str] | None = None
    # class / id tokens of a shop page's buy box, reviews and recommendations (product pages only).
    product_attr: CaselessPattern | None = None
    # Found anywhere in the block that ends the body, it marks the site's small print (©, "All
    # rights reserved").
    small_print: re.Pattern[str] | None = None
    # Whole class names that hide an element on every screen (Tailwind's "hidden"), unless a
    # responsive class, one with a colon ("md:block"), shows it again.
    hidden_classes: frozenset[str] = frozenset()
    # Whole class names or ids of a comment section: pruned even when it holds most of the page's
    # prose, as long as a story stands outside it.
    comments_attr: re.Pattern[str] | None = None
    # Headings that open a blog's comment section ("12 Comments", "3 Responses to ..."): what
    # follows them goes however long, when a story stands before it.
    comment_heading: CaselessPattern | None = None
    # `remove` split for speed: bare tag names (one C-level walk for all of them) and the rest.
    remove_tags: tuple[str, ...] = ()
    remove_other: tuple[Selector, ...] = ()

    def clutter_phrases(self, thread: bool) -> CaselessPattern:
        """Return the whole-block clutter phrases for a page (a thread's include its bookkeeping)."""
        return self.thread_clutter_text if thread and self.thread_clutter_text is not None else self.clutter_text


_NEVER = re.compile(r"(?!)")
# The generic set of a rule that opts out (`generic = false`): patterns that match nothing.
_NOTHING = CaselessPattern(_NEVER)
NO_GENERIC = GenericRules(
    clutter_heading=_NOTHING, clutter_text=_NOTHING, boilerplate_attr=_NOTHING, content_attr=_NOTHING
)


@dataclass(frozen=True)
class SiteRule:
    """What to do on one site (hosts, optional path patterns)."""

    id: str
    source: str
    hosts: tuple[str, ...]
    paths: tuple[re.Pattern[str], ...] = ()
    body: tuple[Selector, ...] = ()
    remove: tuple[Selector, ...] = ()
    keep: tuple[Selector, ...] = ()
    drop_text: tuple[re.Pattern[str], ...] = ()
    title: tuple[Selector, ...] = ()
    author: tuple[Selector, ...] = ()
    date: tuple[Selector, ...] = ()
    options: tuple[tuple[str, Any], ...] = ()
    use_generic: bool = True
    note: str = ""
    fixture: str = ""
    # Example pages of the site (from the rule file or FTR `test_url:` lines).
    test_urls: tuple[str, ...] = ()

    def host_specificity(self, host: str) -> int:
        """Return how specifically this rule names `host` (0: not at all)."""
        best = 0
        for pattern in self.hosts:
            if pattern.startswith("*."):
                base = pattern[2:]
                if host == base or host.endswith("." + base):
                    best = max(best, len(base))
            elif host == pattern:
                best = max(best, len(pattern) + 1000)
        return best

    def matches_path(self, path: str) -> bool:
        """Return True when the rule has no path patterns or one matches `path`."""
        return not self.paths or any(p.search(path) for p in self.paths)


@dataclass(frozen=True)
class RuleSet:
    """Site rules in precedence order (earlier folders first) plus the generic set."""

    generic: GenericRules
    sites: tuple[SiteRule, ...] = ()

    def match(self, url: str | None) -> SiteRule | None:
        """Return the most specific site rule for `url`, or None."""
        if not url or not self.sites:
            return None
        try:
            parts = urlsplit(url if "//" in url else "//" + url)
        except ValueError:
            # "https://[host/": a malformed URL (a page's own canonical link can be one) names no site.
            return None
        host = (parts.hostname or "").lower().rstrip(".")
        candidates: tuple[str, ...] = (host, host[4:]) if host.startswith("www.") else (host,)
        best: tuple[int, int, int] | None = None
        chosen: SiteRule | None = None
        for order, rule in enumerate(self.sites):
            spec = max(rule.host_specificity(h) for h in candidates)
            if not spec or not rule.matches_path(parts.path or "/"):
                continue
            # Most specific host first, then rules with path patterns, then earlier folders.
            key = (spec, 1 if rule.paths else 0, -order)
            if best is None or key > best:
                best, chosen = key, rule
        return chosen
