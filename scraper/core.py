"""clean(): parse -> prune -> score -> extract -> render. Pure: no network, no files, no globals."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from scraper.errors import InputError, UsageError
from scraper.extract import Body, filter_clutter, select_body
from scraper.extract.comments import clean_comment_sections, take_comment_sections
from scraper.kind import page_kind
from scraper.metadata import canonical_link, og_url, read_metadata
from scraper.models import Article, ExtractionPath, Metadata, Options
from scraper.mojibake import repair_article
from scraper.parse import parse_html
from scraper.prune import detach, prune_tree, strip_inert
from scraper.render import (
    Block,
    render_blocks,
    render_html,
    render_markdown,
    render_text,
    space_fields,
    visible_text,
)
from scraper.rules import GenericRules, RuleSet, Selector, SiteRule, default_ruleset
from scraper.rules.model import NO_GENERIC
from scraper.score import HEADING_TAGS, PHRASE_MAX_CHARS, attr_text, measure_tree, tag_of
from scraper.second_opinion import paragraphs_html, second_opinion
from scraper.shadow import attach_shadow_roots
from scraper.streamed import resolve_streamed
from scraper.trace import Trace


@dataclass(frozen=True)
class Traced:
    """An article together with the decisions that produced it."""

    article: Article
    trace: Trace


def clean(
    html: str | bytes,
    url: str | None = None,
    *,
    rules: RuleSet | None = None,
    options: Options | None = None,
) -> Article:
    """Extract the article from one HTML page.

    Args:
        html: the page, as text or as bytes (the encoding is detected).
        url: the page's URL, used to match site rules and resolve links; when None, the URL
            the page declares (its canonical link, else og:url) is used for both.
        rules: rule set to apply; defaults to the rules shipped with scraper.
        options: extraction options; defaults to `Options()`.

    Returns:
        An `Article`; its `text` is empty when the page holds no article.

    Raises:
        InputError: the input is empty, binary, too large or not HTML.
        UsageError: `url`, `rules` or `options` is of the wrong type.
    """
    return repair_article(_run(html, url, rules, options, None))


def clean_traced(
    html: str | bytes,
    url: str | None = None,
    *,
    rules: RuleSet | None = None,
    options: Options | None = None,
) -> Traced:
    """Extract the article and record the fate of each removed, pruned, dropped or kept element."""
    trace = Trace()
    return Traced(repair_article(_run(html, url, rules, options, trace)), trace)


def _first_text(root: etree._Element, selectors: tuple[Selector, ...]) -> str | None:
    """Return the first non-empty text the selectors give (elements, attributes or strings)."""
    for selector in selectors:
        texts = selector.texts(root)
        if texts:
            return texts[0]
    return None


def _rule_fields(root: etree._Element, rule: SiteRule | None) -> dict[str, str]:
    if rule is None:
        return {}
    fields = {}
    for name in ("title", "author", "date"):
        value = _first_text(root, getattr(rule, name))
        if value:
            fields[name] = value
    return fields


# Characters by which the second opinion must beat our own text to replace it.
_SECOND_OPINION_MARGIN = 200
# Below this many characters neither our scorer nor trafilatura's precise mode found a body.
_NEARLY_NOTHING_CHARS = 100
_PERMALINK_MARKS = " ¶§🔗"
_TITLE_SEPARATORS = re.compile(r"\s+[-|–—:«»·•/›‹~]\s+|\s*::\s*")
# Dashes and quotes as pages type them in one place and not in another (an <h1>'s "–" is often
# the page title's "-").
_TITLE_FOLDS = str.maketrans({"–": "-", "—": "-", "‒": "-", "−": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "\xa0": " "})


def _page_titles(root: etree._Element, meta_title: str | None) -> list[str]:
    """Return the titles a page declares: og:title, <title>, then the metadata extractor's."""
    found = []
    for meta in root.iterfind(".//meta[@property='og:title']"):
        found.append(meta.get("content") or "")
    head_title = root.find(".//title")
    if head_title is not None:
        found.append(head_title.text_content())
    found.append(meta_title or "")
    return [" ".join(t.split()) for t in found if t and t.strip()]


def _in_masthead(h1: etree._Element, generic: GenericRules) -> bool:
    """True for an <h1> inside the page header (the site's name), not inside the article."""
    masthead = False
    for ancestor in h1.iterancestors():
        tag = tag_of(ancestor)
        if tag in ("article", "main"):
            return False
        attrs = attr_text(ancestor)
        if tag in ("header", "nav") or "banner" in attrs or (
            attrs and generic.weak_attr is not None and generic.weak_attr.search(attrs) and "header" in attrs.lower()
        ):
            masthead = True
    return masthead


def _headings(root: etree._Element) -> list[etree._Element]:
    """Return the <h1>s, else the headings marked as a post's title (microformats "entry-title")."""
    found = list(root.iter("h1"))
    return found or [h for h in root.iter("h2", "h3", "h4") if "entry-title" in (h.get("class") or "").split()]


def _headline_candidates(root: etree._Element, site: str, generic: GenericRules) -> tuple[list[str], set[str]]:
    """Return headline texts (see _headings) that are not the site's logo or masthead, and the
    masthead names."""
    result = []
    mastheads = set()
    for h1 in _headings(root):
        # Doc generators end each heading with a permalink ("¶"); it is no part of the headline.
        text = visible_text(h1).strip(_PERMALINK_MARKS)
        if _in_masthead(h1, generic):
            mastheads.add(text.lower())
        elif text and text.lower() != site:
            result.append(text)
    return result, mastheads


def _fold(text: str) -> str:
    """Lower-case `text` and spell its dashes, quotes and spaces one way, for comparing titles."""
    return " ".join(text.translate(_TITLE_FOLDS).lower().split())


def _choose_title(
    root: etree._Element, meta_title: str | None, sitename: str | None, generic: GenericRules
) -> str | None:
    """Pick the headline: an <h1> the page title contains, else the page title minus the site name."""
    site = (sitename or "").lower()
    headings, mastheads = _headline_candidates(root, site, generic)
    titles = _page_titles(root, meta_title)
    folded = [(h, _fold(h)) for h in headings]
    for title in (_fold(t) for t in titles):
        pieces = {p.strip() for p in _TITLE_SEPARATORS.split(title)}
        inside = [h for h, f in folded if f in title and (len(h) > 10 or f in pieces)]
        if inside:
            return max(inside, key=len)
    if not titles:
        return headings[0] if headings else None
    first = titles[0]
    for name in (site, *mastheads):
        # Blogger's "Blog name: Post title", with no space before the colon to split on.
        if name and first.lower().startswith(name + ":") and first[len(name) + 1 :].strip():
            first = first[len(name) + 1 :].strip()
            break
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(first) if p.strip() and p.strip().lower() != site]
    if len(parts) > 1:
        return max(parts, key=len)
    return parts[0] if parts else first


def _without_clutter_lines(text: str, generic: GenericRules) -> str:
    """Return the second opinion's text without the lines our clutter phrases name (its
    extractor keeps a "TrackBack URL for this entry:" or a "Share this" that ours drops)."""
    phrases = generic.clutter_text
    return "\n".join(line for line in text.split("\n") if not (len(line) <= PHRASE_MAX_CHARS and phrases.match(line.strip())))


def _drop_title_heading(containers: list[etree._Element], title: str | None, trace: Trace | None) -> str | None:
    """Detach the heading that repeats the title from the body; return its text (None if none)."""
    if not title:
        return None
    wanted = " ".join(title.split()).lower()
    for container in containers:
        for element in container.iter(*HEADING_TAGS):
            shown = visible_text(element).strip(_PERMALINK_MARKS)
            text = shown.lower()
            if text and (text == wanted or (len(text) > 15 and text in wanted)):
                if element is container:
                    return None
                if trace is not None:
                    trace.record(element, "dropped", "title (reported apart)")
                detach(element)
                return shown
    return None


def _run(
    html: str | bytes,
    url: str | None,
    rules: RuleSet | None,
    options: Options | None,
    trace: Trace | None,
) -> Article:
    if not isinstance(html, (str, bytes)):
        raise InputError(f"expected HTML as str or bytes, got {type(html).__name__}")
    _check_arguments(url, rules, options)
    options = options or Options()
    ruleset = rules if rules is not None else default_ruleset()
    root = _read_tree(html, options)
    given_url = url
    canonical = canonical_link(root)
    if url is None:
        # Cached HTML often comes without its address: the one the page declares (its canonical
        # link, else og:url) stands in for it, so that site rules, the page kind and relative
        # links still apply.
        url = canonical or og_url(root)
        if trace is not None and url is not None:
            trace.record(root, "kept", f"page URL, none given: the one it declares, {url}")
    rule = ruleset.match(url)
    if rule is not None and rule.options:
        options = options.replace(**dict(rule.options))
    options = options.tuned()
    metadata, meta_title = read_metadata(root, url, canonical=canonical, find_dates=options.find_date)
    overrides = _rule_fields(root, rule)
    if "author" in overrides or "date" in overrides:
        metadata = _override(metadata, overrides)
    title = overrides.get("title") or _choose_title(root, meta_title, metadata.sitename, ruleset.generic)

    kind = page_kind(root, url, ruleset.generic)
    found = _find_body(
        root, url, rule, ruleset, options, title, trace,
        thread=kind == "thread", product=kind == "product", front=kind == "front",
    )
    text = found.text
    # A short story followed by its comments is short, not missed: the peer would hand the
    # comments back as text.
    asked = len(text) < options.second_opinion_below_chars and found.path != "rule" and not found.comment_chars
    other = second_opinion(html, url, precise=True, tables=options.include_tables) if asked else ""
    if kind in ("page", "front") and found.path != "rule" and max(len(text), len(other)) < _NEARLY_NOTHING_CHARS:
        # Neither we nor trafilatura's precise mode (when asked) found a body. A page whose only
        # prose is its discussion (a link shared for comment) is a thread: its tree is read
        # again from the source, with the replies as content.
        retry = _find_body(_read_tree(html, options), url, rule, ruleset, options, title, trace, thread=True)
        if len(retry.text) < _NEARLY_NOTHING_CHARS:
            # Nor a thread: a post or a page made of links (a roundup, a catalogue) whose every
            # block the link-density test dropped is read once more with its links as content.
            retry = _find_body(
                _read_tree(html, options), url, rule, ruleset, options, title, trace,
                thread=False, front=kind == "front", listing=True,
            )
        if len(retry.text) >= _NEARLY_NOTHING_CHARS:
            found, text = retry, retry.text
    if asked:
        if max(len(text), len(other)) < _NEARLY_NOTHING_CHARS:
            # Nor is it a thread (a listing, a page of cards): trafilatura's default settings,
            # with their fallbacks, are the last try.
            other = second_opinion(html, url, precise=False, tables=options.include_tables)
        # Only a clearly fuller answer replaces a short one: on a short story a slightly longer
        # answer is our story plus a credit line or a sidebar.
        if len(other) > max(2 * len(text), len(text) + _SECOND_OPINION_MARGIN):
            other = _without_clutter_lines(other, _generic_rules(ruleset, rule) or NO_GENERIC)
            if trace is not None:
                trace.record(found.body, "kept", "second opinion (trafilatura): our scorer found too little")
            return Article(
                url=given_url,
                title=title,
                text=other,
                markdown=(f"# {title}\n\n" if title else "") + other.replace("\n", "\n\n"),
                html=f"<article>{paragraphs_html(other)}</article>" if options.render_html else "",
                metadata=metadata,
                path="second-opinion",
                rule_id=rule.id if rule is not None else None,
            )
    return Article(
        url=given_url,
        title=title,
        text=text,
        markdown=render_markdown(title, found.blocks) if text else "",
        html=render_html(
            found.chosen.containers, title, url, images=options.include_images, tables=options.include_tables
        ) if text and options.render_html else "",
        metadata=metadata,
        path=found.path if text.strip() else "empty",
        rule_id=rule.id if rule is not None else None,
    )


def _check_arguments(url: object, rules: object, options: object) -> None:
    """Refuse arguments of the wrong type with a UsageError that names them (callers from other
    crawlers pass a dict of options or the URL as bytes; the error must say so, not an
    AttributeError from deep inside)."""
    if url is not None and not isinstance(url, str):
        raise UsageError(f"url must be a str or None, got {type(url).__name__}")
    if rules is not None and not isinstance(rules, RuleSet):
        raise UsageError(f"rules must be a RuleSet (scraper.rules.load_ruleset) or None, got {type(rules).__name__}")
    if options is not None and not isinstance(options, Options):
        raise UsageError(f"options must be an Options or None, got {type(options).__name__}")


def _read_tree(html: str | bytes, options: Options) -> etree._Element:
    """Parse the page as a browser shows it (React's streamed chunks and shadow roots in their places)."""
    root = parse_html(html, max_bytes=options.max_input_bytes, max_depth=options.max_depth)
    resolve_streamed(root, html)
    attach_shadow_roots(root, html)
    return root


@dataclass(frozen=True)
class _Found:
    """The article body one extraction pass chose, and its rendering."""

    body: etree._Element
    chosen: Body
    blocks: list[Block]
    text: str
    # Characters of text dropped as a comment section after a story (whose length that proves).
    comment_chars: int = 0

    @property
    def path(self) -> ExtractionPath:
        return self.chosen.path


def _find_body(
    root: etree._Element,
    url: str | None,
    rule: SiteRule | None,
    ruleset: RuleSet,
    options: Options,
    title: str | None,
    trace: Trace | None,
    *,
    thread: bool,
    product: bool = False,
    front: bool = False,
    listing: bool = False,
) -> _Found:
    """Measure, prune, pick and filter the article body of `root` (which it changes), and render it."""
    generic = _generic_rules(ruleset, rule)
    # Asked for, reader comments are set aside before anything is measured, and follow the article.
    comments = take_comment_sections(root, generic) if options.include_comments and generic and not thread else []
    strip_inert(root)
    stats = measure_tree(root)
    body, comment_chars = prune_tree(root, rule, generic, options, stats, trace, thread, product)
    chosen = select_body(body, rule, ruleset.generic, options, stats, thread, product, front)
    comment_chars += filter_clutter(
        chosen.containers, rule, generic or NO_GENERIC, options, stats, trace, thread, product, front, listing
    )
    heading = _drop_title_heading(chosen.containers, title, trace)
    if comments and chosen.containers:
        chosen = Body([*chosen.containers, *clean_comment_sections(comments, generic, options)], chosen.path)
    if trace is not None:
        for container in chosen.containers:
            as_kind = ", as a thread" if thread else ", a front page" if front else ""
            trace.record(container, "kept", f"article body ({chosen.path}{as_kind})")
    space_fields(chosen.containers)
    blocks = render_blocks(chosen.containers, url, images=options.include_images, tables=options.include_tables)
    text = render_text(blocks)
    if product and heading and text:
        # A product's name is part of what its page says about it (the shop's copy and the golds of
        # the benchmarks start with it); markdown and html print it as their title already.
        text = f"{heading}\n{text}"
    return _Found(body, chosen, blocks, text, comment_chars)


def _generic_rules(ruleset: RuleSet, rule: SiteRule | None) -> GenericRules | None:
    """Return the generic rules that apply with `rule` (None when the site rule opts out)."""
    return ruleset.generic if rule is None or rule.use_generic else None


def _override(metadata: Metadata, overrides: dict[str, str]) -> Metadata:
    from dataclasses import replace

    return replace(
        metadata,
        author=overrides.get("author", metadata.author),
        date=overrides.get("date", metadata.date),
    )
