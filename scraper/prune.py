"""Remove what is never article: rule removals, page chrome, hidden and interactive parts."""

from __future__ import annotations

import json
import re

from lxml import etree

from scraper.models import Options
from scraper.rules.model import CaselessPattern, GenericRules, Selector, SiteRule
from scraper.score import HEADING_TAGS, NodeStats, attr_text, discount, tag_of
from scraper.trace import Trace

# Structural tags that are chrome unless they hold the article.
CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "form", "menu"})
# Chrome beside or under the article (a sidebar of excerpts, a footer of addresses and legal
# notices) can hold most of a short page's prose and still not be its article.
_SIDE_TAGS = frozenset({"aside", "footer"})
# An element that holds at least this share of the page's prose is never pruned as chrome.
_HOLDS_ARTICLE_SHARE = 0.4
# ... and one holding this share is kept whatever it is called: nothing else can be the article.
_MOST_PROSE_SHARE = 0.75
# A comment section is pruned however much prose it holds when this many characters of paragraphs
# stand outside it (the post it follows): one sentence is enough, the caption of a photo post.
_STORY_BESIDE_COMMENTS = 80
# On a thread, a <form> holding this much paragraph text is a post, not a control.
_FORM_PROSE = 100
# Generic removals (buttons, hidden parts) never take an element holding this much paragraph text:
# such an element is a parser accident (a <button> left open around the page) or real content.
_GENERIC_PROSE_GUARD = 500
# Weak class/id evidence ("widget", "header") prunes only elements with less prose than this.
_WEAK_PROSE_LIMIT = 200
# Tags never pruned for their class/id alone, and tags pruned so only when short.
_NEVER_BY_CLASS = frozenset({"a", "li", "td", "tr", "h1", "h2", "h3", "body", "html"})
_SHORT_ONLY_BY_CLASS = frozenset({"p", "span"})
# A hidden or landmark-role element with at least this share of the page's paragraph text stays.
_HIDDEN_MOST_PROSE_SHARE = 0.5
# ... and at least this many characters of it (a story, not a menu on a page without prose).
_HIDDEN_MIN_PROSE = 2000
# Tags a syntax highlighter puts inside <pre>/<code>.
_INLINE_IN_CODE = frozenset({"span", "a", "em", "strong", "b", "i", "div"})
# What a slug of a heading replaces with hyphens.
_NOT_SLUG = re.compile(r"[^\w]+")
# A table of at least this many rows is data, whatever weak class token it carries.
_DATA_TABLE_MIN_ROWS = 10
# A weakly named element holding this share of the text of the link around it is the link's
# title (a product card's "caption"), not a small thing beside it.
_LINK_TEXT_SHARE = 0.9
# Elements pruned by one weak class name are the page's items when there are this many, this share
# of them with texts of their own, holding this share of the page's text (see _weak_items).
_WEAK_ITEMS_MIN = 5
_WEAK_ITEMS_DISTINCT = 0.8
_WEAK_ITEMS_SHARE = 0.2
# Tags whose removal is always safe whatever they contain.
# Never text, whatever rules apply: code, style sheets, markup kept for scripts, and drawings.
_INERT = ("script", "style", "template", "svg", "canvas")
_ALWAYS_REMOVE = frozenset({*_INERT, "link", "meta"})


def strip_inert(root: etree._Element) -> None:
    """Drop every script, style, template, SVG and canvas from `root`, their tails kept.

    Done before anything is measured, so it holds even where a site rule turns the generic set
    off (whose remove list would otherwise take them), and nothing after walks them.
    """
    etree.strip_elements(root, *_INERT, with_tail=False)


def detach(element: etree._Element, stats: dict[etree._Element, NodeStats] | None = None) -> None:
    """Remove `element` from its tree but keep its tail text in place (and `stats` true)."""
    parent = element.getparent()
    if parent is None:
        return
    if stats is not None:
        discount(stats, element)
    tail = element.tail
    if tail:
        # Even a space: "<b>Used</b><i>x</i> <b>Light</b>" without <i> still reads "Used Light".
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


def _folded(element: etree._Element, memo: dict[etree._Element, bool]) -> bool:
    """True for a part of an accordion or a tab panel: the element, or an ancestor, has a class
    that names an accordion or the ARIA role "tabpanel". `memo` keeps the answer for each element
    on the way up, so that many hidden parts of one deep tree cost one walk."""
    chain = []
    node: etree._Element | None = element
    found = False
    while node is not None:
        known = memo.get(node)
        if known is not None:
            found = known
            break
        if "ccordion" in (node.get("class") or "") or node.get("role") == "tabpanel":
            found = True
            break
        chain.append(node)
        node = node.getparent()
    for link in chain:
        memo[link] = found
    return found


def remove_selected(
    root: etree._Element,
    selectors: tuple[Selector, ...],
    reason: str,
    keep: set[etree._Element],
    trace: Trace | None,
    stats: dict[etree._Element, NodeStats],
    guard: bool = False,
    most_prose: int = 0,
    folded: bool = False,
) -> None:
    """Detach every element a selector matches, unless kept (or, with `guard`, holding prose).

    With `most_prose`, an element holding at least that much paragraph text and the page's
    <main> or <article> stays too (a consent dialog may hold most of a listing's prose, but
    never its <main>). With `folded`, so does a part of an accordion or a tab panel: hidden until
    clicked (a guide's steps, the answers of a FAQ, a quickstart's other languages), and content.
    On a product page they are specs, shipping terms and review widgets, so the caller leaves them
    to the selectors there.
    """
    memo: dict[etree._Element, bool] = {}
    for selector in selectors:
        for element in selector.select(root):
            if folded and _folded(element, memo):
                if trace is not None:
                    trace.record(element, "kept", f"{reason} {selector.expr} matched a folded accordion or tab panel")
                continue
            s = stats.get(element)
            if most_prose and s is not None and s.p_chars >= most_prose and _holds_main(element):
                if trace is not None:
                    trace.record(element, "kept", f"{reason} {selector.expr} matched, but it holds most of the page's prose")
                continue
            _remove(element, root, f"{reason} {selector.expr}", keep, trace, stats, guard)


def _holds_main(element: etree._Element) -> bool:
    """True when `element` is or holds a <main> or <article> element."""
    return next(element.iter("main", "article"), None) is not None


def remove_tags(
    root: etree._Element,
    tags: tuple[str, ...],
    keep: set[etree._Element],
    trace: Trace | None,
    stats: dict[etree._Element, NodeStats],
) -> None:
    """Detach every element with one of `tags` (the generic set's bare tag names) in one walk."""
    if tags:
        for element in list(root.iter(*tags)):
            _remove(element, root, f"generic remove <{element.tag}>", keep, trace, stats, True)


def _remove(
    element: etree._Element,
    root: etree._Element,
    reason: str,
    keep: set[etree._Element],
    trace: Trace | None,
    stats: dict[etree._Element, NodeStats],
    guard: bool,
) -> None:
    """Detach one matched element unless it is kept, the page itself, or (guarded) holds prose.

    A script or a style goes even inside what a site rule keeps: it is never the article's text.
    """
    tag = tag_of(element)
    if (element in keep and tag not in _ALWAYS_REMOVE) or element is root or tag in ("body", "html"):
        return
    if guard and tag not in _ALWAYS_REMOVE:
        s = stats.get(element)
        if s is not None and s.p_chars > _GENERIC_PROSE_GUARD:
            return
    if trace is not None:
        trace.record(element, "removed", reason)
    detach(element, stats)


# A <header> outside any <article> is kept with this much paragraph text, this little linked.
_HEADER_PROSE = 100
_HEADER_MAX_DENSITY = 0.3


def _content_in_chrome_tag(element: etree._Element, tag: str, stats: NodeStats, thread: bool) -> bool:
    """True for the two chrome tags that hold content in their place.

    A <header> inside an <article> that holds a paragraph is the article's own: its headline and
    standfirst (one of only a headline, a kicker and a byline goes; the headline is reported as
    the title). Elsewhere, a <header> with a paragraph's worth of prose and few links is a page's
    or a section's opening (a landing page's hero: its claim and the sentence that explains it),
    not the site's banner of menus. On a thread, a <form> with paragraphs in it wraps a post (old
    forum software puts each in one), not a search box or sign-up.
    """
    if tag == "header":
        if stats.p_chars and next(element.iterancestors("article"), None) is not None:
            return True
        return stats.p_chars >= _HEADER_PROSE and stats.link_density < _HEADER_MAX_DENSITY
    return tag == "form" and thread and stats.p_chars >= _FORM_PROSE


def _without_heading_slug(element: etree._Element, attrs: str) -> str:
    """Drop from `attrs` a class or id that spells the element's own heading.

    Documentation generators name each section after its heading ("sharing-with-a-single-
    developer"): a clutter word in such a name is a word of the heading, not a widget's name.
    Only headings of three words or more count; a "comments" section headed "Comments" is
    still comments.
    """
    names = attrs.split()
    if not any(name.count("-") >= 2 for name in names):
        # No name spells a heading of three words; the walk to the heading is skipped.
        return attrs
    heading = next(element.iter(*HEADING_TAGS), None)
    if heading is None:
        return attrs
    slug = _NOT_SLUG.sub("-", heading.text_content().lower()).strip("-")
    if slug.count("-") < 2:
        return attrs
    kept = [name for name in names if name.lower() != slug]
    return " ".join(kept) if len(kept) < len(names) else attrs


def _chrome_reason(
    element: etree._Element,
    tag: str,
    generic: GenericRules | None,
    stats: NodeStats,
    thread: bool,
    suspects: dict[str, bool],
    kind_attr: CaselessPattern | None = None,
) -> tuple[str, bool]:
    """Return why `element` looks like chrome ('' if it does not) and whether the evidence is weak.

    `suspects` remembers, per class/id text, whether any clutter token is in it: a page repeats
    the same few class names hundreds of times.
    """
    if tag in CHROME_TAGS and not _content_in_chrome_tag(element, tag, stats, thread):
        return f"pruned <{tag}>", False
    if generic is None or tag in _NEVER_BY_CLASS:
        return "", False
    if tag in _SHORT_ONLY_BY_CLASS and stats.text_chars > _WEAK_PROSE_LIMIT:
        return "", False
    attrs = attr_text(element)
    if not attrs:
        return "", False
    if generic.hidden_classes and _hidden_by_class(element, attrs, generic.hidden_classes):
        return "pruned class hidden on every screen", False
    weak = generic.weak_attr
    suspect = suspects.get(attrs)
    if suspect is None:
        suspect = suspects[attrs] = bool(
            generic.boilerplate_attr.search(attrs)
            or (weak is not None and weak.search(attrs))
            or (kind_attr is not None and kind_attr.search(attrs))
        )
    if not suspect:
        # Most elements stop here. The steps below only take names out, which never makes a
        # token match that did not match before, so they run on the few candidates alone.
        return "", False
    if generic.neutral_attr is not None:
        attrs = generic.neutral_attr.sub("", attrs).strip()
    attrs = _without_heading_slug(element, attrs)
    if thread and attrs and generic.thread_attr is not None:
        # On a discussion thread the replies are the content: their class names are no evidence.
        attrs = generic.thread_attr.sub(" ", attrs).strip()
    if not attrs or (tag in _INLINE_IN_CODE and next(element.iterancestors("pre", "code"), None) is not None):
        # Inside code, class names are syntax highlighting ("token comment"), never page chrome.
        return "", False
    if generic.boilerplate_attr.search(attrs):
        return f"pruned class/id {attrs[:60]!r}", False
    if kind_attr is not None and kind_attr.search(attrs):
        return f"pruned class/id {attrs[:60]!r} ({'thread' if thread else 'product page'})", False
    if weak is not None and weak.search(attrs):
        # "category-news" on a post, "post" beside "has-header": a class that is only content wins.
        if tag in ("article", "main") or any(
            generic.content_attr.search(name) and not weak.search(name) for name in attrs.split()
        ):
            return "", False
        if tag == "table" and sum(1 for _ in element.iter("tr")) >= _DATA_TABLE_MIN_ROWS:
            # A table of data: its class names how it behaves ("sticky-header"), not what it is.
            return "", False
        return f"pruned class/id {attrs[:60]!r}", True
    return "", False


def named_content(element: etree._Element, content: CaselessPattern) -> bool:
    """True when the class or id of `element` names article content ("blogPost", "entry-content")."""
    attrs = attr_text(element)
    return bool(attrs) and content.search(attrs) is not None


def _hidden_by_class(element: etree._Element, attrs: str, hidden: frozenset[str]) -> bool:
    """True when a class of `element` hides it and no responsive class ("md:block") shows it."""
    for name in hidden:
        if name in attrs:
            break
    else:
        return False
    names = (element.get("class") or "").split()
    return any(name in hidden for name in names) and not any(":" in name for name in names)


# Elements marked itemprop=articleBody, found from the itemprop attributes rather than by testing
# every element (same elements, in document order; 0.3 -> 0.19 ms a page).
ARTICLE_BODIES = etree.XPath("descendant::*/@itemprop/parent::*[@itemprop='articleBody']")
# A box whose text is a JSON document this long is data for a script (see _holds_data).
_DATA_MIN_CHARS = 200
_DATA_START = re.compile(r"\s*[\[{]")
# WordPress marks a single post's page with the class "postid-123" on <body>, and most themes
# give the post's own element the id "post-123".
_WORDPRESS_POST = re.compile(r"(?:^|\s)postid-(\d+)(?:\s|$)")
_BY_ID = etree.XPath("descendant::*[@id=$id]")
# A blog post marked up as a microformats entry ("hentry", "h-entry"); one on the page is its post.
_ENTRIES = etree.XPath(
    "descendant::*[contains(@class, 'entry')][contains(concat(' ', normalize-space(@class), ' '), ' hentry ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' h-entry ')]"
)


def _article_anchors(
    body: etree._Element, stats: dict[etree._Element, NodeStats], page_prose: int, bodies: list[etree._Element]
) -> set:
    """Return the ancestors of the page's headline and article markers (<h1>, <main>, `bodies`:
    the elements marked articleBody)."""
    anchors = list(body.iter("main"))
    anchors += [h for h in body.iter("h1") if not any(tag_of(a) in CHROME_TAGS for a in h.iterancestors())]
    anchors += bodies
    for article in body.iter("article"):
        s = stats.get(article)
        if s is not None and s.p_chars >= 0.2 * page_prose:
            anchors.append(article)
    holders: set[etree._Element] = set()
    for anchor in anchors:
        holders.add(anchor)
        holders.update(anchor.iterancestors())
        if tag_of(anchor) != "h1":
            # Inside the article marker, a block with much of the prose is the body itself.
            holders.update(anchor.iterdescendants())
    return holders


def _marked_posts(body: etree._Element, bodies: list[etree._Element]) -> list[etree._Element]:
    """Return the page's one post entry ("hentry"), its one articleBody, and the element WordPress
    names after the post the page shows, where it marks them."""
    posts = [marker[0] for marker in (_ENTRIES(body), bodies) if len(marker) == 1]
    shown = _WORDPRESS_POST.search(body.get("class") or "")
    if shown is not None:
        named = _BY_ID(body, id=f"post-{shown.group(1)}")
        if len(named) == 1 and named[0] not in posts:
            posts.append(named[0])
    return posts


def _beside_post(element: etree._Element, weak: bool, posts: list[etree._Element], wrappers: set[etree._Element]) -> bool:
    """True for an element named as chrome ("sidebar") that is neither the page's marked post, nor
    wraps it, nor lies in it: however much prose it holds, the post is elsewhere."""
    if weak or not posts or element in wrappers:
        return False
    return not any(ancestor in posts for ancestor in element.iterancestors())


def _holds_data(element: etree._Element) -> bool:
    """True for an element whose own text is a JSON document: the state a script reads from a
    hidden box (a shop's filters and results), which no reader sees. Code shown on the page, in
    <pre> or <code>, is text."""
    text = element.text
    # Most boxes have no own text, or prose: the cheap tests come first, without copying it.
    if not text or len(text) < _DATA_MIN_CHARS or _DATA_START.match(text) is None:
        return False
    text = text.strip()
    if text[-1:] not in ("}", "]"):
        return False
    if element.tag in ("pre", "code") or next(element.iterancestors("pre", "code"), None) is not None:
        return False
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        # Not JSON, or nested past the decoder's stack (brackets by the thousand): text as it is.
        return False
    return True


def _link_text(element: etree._Element, s: NodeStats, stats: dict[etree._Element, NodeStats]) -> bool:
    """True when `element` holds (nearly) all the text of the link around it."""
    if not s.text_chars:
        return False
    link = next(element.iterancestors("a"), None)
    held = stats.get(link) if link is not None else None
    return held is not None and s.text_chars >= _LINK_TEXT_SHARE * held.text_chars


def _weak_items(weakly: list[tuple[etree._Element, int]], page_text: int) -> set[etree._Element]:
    """Return the elements of `weakly` (pruned by a weak class name, with their text length) that
    are the page's items: one class/id text on at least _WEAK_ITEMS_MIN elements, with texts that
    differ, together holding _WEAK_ITEMS_SHARE of the page's text.

    A weak name marks a small thing beside the content ("meta", "caption"); a page whose entries
    all carry it (a list of papers in <div class="meta">, a shop's "product-caption" cards) shows
    it is the content. The same text over and over ("Mouseover photo to add a note") is still chrome.
    What a spared item holds is not tested again: it was skipped as part of the item.
    """
    groups: dict[str, list[tuple[etree._Element, int]]] = {}
    for element, chars in weakly:
        groups.setdefault(attr_text(element), []).append((element, chars))
    spared: set[etree._Element] = set()
    for members in groups.values():
        if len(members) < _WEAK_ITEMS_MIN or sum(chars for _, chars in members) < _WEAK_ITEMS_SHARE * page_text:
            continue
        texts = {" ".join(element.text_content().split()) for element, _ in members}
        if len(texts) >= _WEAK_ITEMS_DISTINCT * len(members):
            spared.update(element for element, _ in members)
    return spared


def prune_chrome(
    body: etree._Element,
    generic: GenericRules | None,
    stats: dict[etree._Element, NodeStats],
    keep: set[etree._Element],
    trace: Trace | None,
    thread: bool = False,
    product: bool = False,
) -> int:
    """Drop nav/header/footer/aside and boilerplate-named containers that do not hold the article
    (on a thread or a product page, also those its kind's own names mark: signatures, reviews).

    Return the characters of text dropped as comment sections beside a story.
    """
    page_prose = stats[body].p_chars if body in stats else 0
    page_text = stats[body].text_chars if body in stats else 0
    weakly: list[tuple[etree._Element, int]] = []
    bodies = ARTICLE_BODIES(body)
    holders = _article_anchors(body, stats, page_prose, bodies)
    # On a thread the replies beside the first post are the content, however the page marks it.
    posts = [] if thread else _marked_posts(body, bodies)
    wrappers = {a for post in posts for a in (post, *post.iterancestors())}
    # Class/id names that are chrome on this kind of page only (a shop's reviews, a forum's signatures).
    kind_attr = None
    if generic is not None:
        kind_attr = generic.thread_boilerplate_attr if thread else generic.product_attr if product else None
    doomed: list[tuple[etree._Element, str]] = []
    skip: set[etree._Element] = set()
    suspects: dict[str, bool] = {}
    comment_names = generic.comments_attr if generic is not None and not thread else None
    comment_chars = 0
    for element in body.iterdescendants():
        tag = tag_of(element)
        if not tag or element in keep or element in skip:
            continue
        s = stats.get(element)
        if s is None:
            continue
        if s.text_chars >= _DATA_MIN_CHARS and _holds_data(element):
            doomed.append((element, "serialized data (JSON), not text"))
            skip.update(element.iterdescendants())
            continue
        why, weak = _chrome_reason(element, tag, generic, s, thread, suspects, kind_attr)
        if not why:
            continue
        # A comment section (by its own name) goes however long, when a story stands outside it.
        comments = (
            comment_names is not None and element not in holders and page_prose - s.p_chars >= _STORY_BESIDE_COMMENTS
            and comment_names.search(attr_text(element)) is not None
        )
        # Otherwise a big share of the page's prose is the article only if it holds the headline
        # or an article marker (or the page has none): a long comment thread or sidebar does not.
        if not comments and page_prose and s.p_chars >= _HOLDS_ARTICLE_SHARE * page_prose and (
            element in holders or (not holders and (tag not in _SIDE_TAGS or (generic is not None and named_content(element, generic.content_attr))))
        ) and not _beside_post(element, weak, posts, wrappers):
            continue
        # Most of the page's prose stays whatever holds it (nothing else can be the article),
        # unless it is an <aside> or <footer> outside the article's markers, or is named as
        # chrome beside the post the page marks (see _beside_post).
        if not comments and page_prose and s.p_chars >= _MOST_PROSE_SHARE * page_prose and (
            (tag not in _SIDE_TAGS or element in holders) and not _beside_post(element, weak, posts, wrappers)
        ):
            continue
        if weak and s.p_chars >= _WEAK_PROSE_LIMIT and s.link_density < 0.4:
            continue
        # A weak name ("widget Blog") does not take the box that wraps the page's marked post.
        if weak and element in wrappers:
            continue
        if weak and _link_text(element, s, stats):
            continue
        doomed.append((element, why))
        if weak:
            weakly.append((element, s.text_chars))
        skip.update(element.iterdescendants())
        if comments:
            comment_chars += s.text_chars
    spared = _weak_items(weakly, page_text)
    if spared:
        doomed = [(element, why) for element, why in doomed if element not in spared]
        if trace is not None:
            for element in spared:
                trace.record(element, "kept", "weak class/id on each of the page's items")
    for element, why in doomed:
        if trace is not None:
            trace.record(element, "pruned", why)
        detach(element, stats)
    return comment_chars


# Elements hidden from screen readers; a twin beside one, with the same letters, is the text read out.
_ARIA_HIDDEN = etree.XPath("descendant::*[@aria-hidden='true']")
_NOT_LETTERS = re.compile(r"[\W_]+")
# Shorter texts repeat beside each other for other reasons (an icon's label and its tooltip).
_TWIN_MIN_LETTERS = 10
_TWIN_MAX_COPIES = 3


def _copies_of(letters: str, twin: str) -> bool:
    """True when `letters` is `twin` once or repeated up to _TWIN_MAX_COPIES times."""
    if not twin or len(letters) % len(twin):
        return False
    copies = len(letters) // len(twin)
    return copies <= _TWIN_MAX_COPIES and letters == twin * copies


def _remove_hidden_twins(
    root: etree._Element, keep: set[etree._Element], trace: Trace | None, stats: dict[etree._Element, NodeStats]
) -> None:
    """Detach each aria-hidden element beside a twin that holds the same letters.

    Text animations split a headline into a span per word or letter, hidden from screen readers,
    and print it again whole for them ("visually hidden"); the page shows it once, and the split
    copy's words run together ("The productdevelopment"). The hidden part may hold one split copy
    per screen size (one for phones, one for desktops), so the twin's letters repeated up to
    _TWIN_MAX_COPIES times count as the same.
    """
    for element in _ARIA_HIDDEN(root):
        if element in keep or element.getparent() is None:
            continue
        letters = _NOT_LETTERS.sub("", element.text_content()).lower()
        if len(letters) < _TWIN_MIN_LETTERS:
            continue
        for twin in (element.getnext(), element.getprevious()):
            if twin is not None and isinstance(twin.tag, str) and _copies_of(letters, _NOT_LETTERS.sub("", twin.text_content()).lower()):
                if trace is not None:
                    trace.record(element, "removed", "hidden from screen readers, its twin beside it read out")
                detach(element, stats)
                break


def prune_tree(
    root: etree._Element,
    rule: SiteRule | None,
    generic: GenericRules | None,
    options: Options,
    stats: dict[etree._Element, NodeStats],
    trace: Trace | None = None,
    thread: bool = False,
    product: bool = False,
) -> tuple[etree._Element, int]:
    """Apply rule removals and generic pruning to `root` in place (keeping `stats` true).

    Return the body, and the characters of text pruned as a comment section after a story.
    """
    keep = _protected(root, rule)
    if rule is not None:
        remove_selected(root, rule.remove, f"rule {rule.id} remove", keep, trace, stats)
    if generic is not None:
        if generic.remove_tags or generic.remove_other:
            remove_tags(root, generic.remove_tags, keep, trace, stats)
            # Hidden parts and landmark roles go whatever their size (menus, modals), except one
            # holding most of the page's prose: a wrapper hidden until scripts run, or a header
            # that swallowed the page because of broken nesting.
            page = stats.get(root)
            most = int(_HIDDEN_MOST_PROSE_SHARE * page.p_chars) if page is not None else 0
            most = max(most, _HIDDEN_MIN_PROSE) if most else 0
            remove_selected(
                root, generic.remove_other, "generic remove", keep, trace, stats, most_prose=most, folded=not product
            )
        else:
            remove_selected(root, generic.remove, "generic remove", keep, trace, stats, guard=True)
        _remove_hidden_twins(root, keep, trace, stats)
    body = root.find("body")
    if body is None:
        body = root
    return body, prune_chrome(body, generic, stats, keep, trace, thread, product)
