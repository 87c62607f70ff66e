"""Choose the article body: the best-scored candidate, climbed, widened and joined by its kin."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lxml import etree

from scraper.models import ExtractionPath, Options
from scraper.prune import named_content
from scraper.rules.model import CaselessPattern, GenericRules, SiteRule
from scraper.score import PHRASE_MAX_CHARS, Candidate, NodeStats, score_candidates, tag_of

# Our pick is widened to the enclosing <main> when it holds less than this share of main's text.
_WIDEN_SHARE = 0.25
# Another part of the story (same class, same <article>) needs this much paragraph text, this
# little linked.
_KIN_MIN_PROSE = 100
_KIN_MAX_DENSITY = 0.3
# A class name of a numbered part: a stem of three letters or more, then its number.
_NUMBERED_CLASS = re.compile(r"^([a-zA-Z][\w-]{2,}?)[-_]?\d+$")
# Climb to an ancestor when it holds this much more prose (factor and absolute chars); how linked
# it may be is Options.climb_max_link_density.
_CLIMB_PROSE_GAIN = 1.25
_CLIMB_MIN_CHARS = 100
# From a pick named as the post's content ("entry-content", "story-body") that holds this much
# prose, a climb adds only text with links below this share: beside a named post body sit the
# site's promotions and teaser lists, whose sentences read as prose, rarely more of the story.
_NAMED_POST_PROSE = 200
_NAMED_POST_MAX_ADDED_DENSITY = 0.25
# An <article> with this many times the prose of any other is the page's story, the rest teasers.
_STORY_DOMINANCE = 3.0
# A pick with less text than this and no paragraph is a scrap: it widens to the largest block
# holding at most this share of the page's text and no denser in links than this.
_SCRAP_CHARS = 200
_SCRAP_WIDEN_SHARE = 0.95
_SCRAP_WIDEN_MAX_DENSITY = 0.7
# A widened scrap that has not grown this many times (over at least _SCRAP_FLOOR_CHARS) is still
# a scrap, and the largest block of the page is taken instead.
_SCRAP_GROWTH = 3
_SCRAP_FLOOR_CHARS = 100
# A grid of cards: at least this many children of one kind, this share of its children, this
# share of them holding a link, and on average at most this many characters each (a title,
# a price, a rating line; longer items are teasers with excerpts, or sections).
_GRID_MIN_CARDS = 6
_GRID_CARD_SHARE = 0.6
_GRID_LINKED_SHARE = 0.8
_GRID_CARD_MAX_CHARS = 400
# A shop's category page may open or close with a buying guide, prose that the scorer picks over
# the grid of products, which is the page's content. A grid of priced cards outside the pick joins
# it when the grid holds at least this share of the pick's text.
_PRICED_GRID_SHARE = 0.5
# A price as shops print it: a currency sign before the amount, or a code or sign after it.
_PRICE = re.compile(r"[$€£¥₹]\s?\d|\d\s?(?:€|EUR|USD|GBP|CHF|zł|kr|Kč)(?!\w)")
# Elements with enough children to be a grid (the walk runs in C).
_MANY_CHILDREN = etree.XPath(f".//*[count(*) >= {_GRID_MIN_CARDS}]")
# A front page's <main> is its content when it holds this share of the page's text.
_FRONT_MAIN_SHARE = 0.3
# How far above the pick a thread's post may start (the pick is its text, inside its frame).
_POST_LEVELS = 4
# The measures of an element that holds nothing (read only: never discounted).
_NOTHING = NodeStats(0, 0, 0)
# The <body> itself is chosen only when it is this little linked (plain, old-style pages).
_BODY_MAX_DENSITY = 0.2


@dataclass(frozen=True)
class Body:
    """The elements that hold the article, in document order, and how they were chosen."""

    containers: list[etree._Element]
    path: ExtractionPath


def select_body(
    body: etree._Element,
    rule: SiteRule | None,
    generic: GenericRules,
    options: Options,
    stats: dict[etree._Element, NodeStats],
    thread: bool = False,
    product: bool = False,
    front: bool = False,
) -> Body:
    """Pick the article container: a rule's body selector first; on a site's front page its main
    region; else the best-scored candidate."""
    if rule is not None:
        for selector in rule.body:
            found = selector.select(body)
            if found:
                return Body(found, "rule")
    if front:
        region = _front_region(body, stats)
        if region is not None:
            return Body([region], "scorer")
    candidates = score_candidates(body, stats, generic, options.min_block_chars)
    if not candidates:
        return Body([body], "fallback") if stats.get(body, _NOTHING).text_chars else Body([], "empty")
    # On a thread each reply may be an <article>; elsewhere other <article>s are other stories.
    teasers = frozenset() if thread else _teaser_holders(candidates[0].element, body, stats)
    named = not thread and not product and _named_post(candidates[0].element, stats, generic.content_attr)
    top = _climb(candidates[0], candidates, stats, options, teasers, named)
    if thread:
        top = _to_all_posts(top, stats, options)
    else:
        top = _to_declared_body(top, stats, options)
    top = _widen_to_main(top, body, stats)
    top = _widen_tiny(top, body, stats)
    chosen = _with_siblings(top, candidates, stats, options, teasers, generic.clutter_phrases(thread))
    chosen = _with_kin(chosen, top.element, stats, generic.content_attr)
    if not thread and not product:
        chosen = _with_priced_grid(chosen, body, stats)
    return Body(chosen, "scorer")


def _front_region(body: etree._Element, stats: dict[etree._Element, NodeStats]) -> etree._Element | None:
    """Return a front page's content: its <main> when that holds a fair share of the page's text,
    else the whole <body> (the pruning stage has taken its header, menus and footer away).
    None when nothing is left.

    A front page is sections of teasers and blurbs, each of which our scorer would judge a
    sidebar beside some story; there is no story, and all of them are the content.
    """
    whole = stats.get(body)
    if whole is None or not whole.text_chars:
        return None
    main = next((e for e in body.iter() if tag_of(e) == "main" or e.get("role") == "main"), None)
    held = stats.get(main) if main is not None else None
    if main is not None and held is not None and held.text_chars >= _FRONT_MAIN_SHARE * whole.text_chars:
        return main
    return body


def _teaser_holders(
    element: etree._Element, body: etree._Element, stats: dict[etree._Element, NodeStats]
) -> frozenset[etree._Element]:
    """Return the other <article>s and their ancestors, when the <article> holding `element`
    outweighs every one of them; else nothing.

    Such a page is one story among teasers: the body must not climb or widen into anything
    holding another story. Where the <article>s are of a size, they are the cards of a listing,
    and the neighbours are the content too.
    """
    story = element if tag_of(element) == "article" else next(element.iterancestors("article"), None)
    mine = stats.get(story) if story is not None else None
    if story is None or mine is None:
        return frozenset()
    inside = set(story.iterancestors())
    others = [a for a in body.iter("article") if a is not story and a not in inside and story not in a.iterancestors()]
    largest = max((stats[a].p_chars for a in others if a in stats), default=0)
    if not others or mine.p_chars <= 0 or mine.p_chars < _STORY_DOMINANCE * largest:
        return frozenset()
    return frozenset(x for a in others for x in (a, *a.iterancestors()))


def _widen_to_main(top: Candidate, body: etree._Element, stats: dict[etree._Element, NodeStats]) -> Candidate:
    """Take the page's <main> when our pick is a small part of it (listings, product and service pages)."""
    mine = stats.get(top.element)
    if mine is None:
        return top
    for ancestor in top.element.iterancestors():
        if tag_of(ancestor) == "main" or ancestor.get("role") == "main":
            theirs = stats.get(ancestor)
            if theirs is not None and mine.text_chars < _WIDEN_SHARE * theirs.text_chars:
                return Candidate(ancestor, top.score)
            break
    return top


def _widen_tiny(top: Candidate, body: etree._Element, stats: dict[etree._Element, NodeStats]) -> Candidate:
    """Widen a pick that is a scrap of a page without prose to the largest block around it that
    is neither most of the page nor mostly links.

    On a listing laid out as a table (title, author, a rating line per row) the best-scored block
    is one row's rating line, and climbing stops at its row, whose links are half its text. On a
    page of linked cards the pick may be a notice bar that no ancestor widens: then the largest
    block that is not (nearly) the whole page is the content.
    """
    mine, page = stats.get(top.element), stats.get(body)
    if mine is None or page is None or mine.text_chars >= _SCRAP_CHARS or mine.p_chars:
        return top
    widest = top
    for ancestor in top.element.iterancestors():
        theirs = stats.get(ancestor)
        if (
            ancestor is body or theirs is None or theirs.text_chars > _SCRAP_WIDEN_SHARE * page.text_chars
            or theirs.link_density > _SCRAP_WIDEN_MAX_DENSITY
        ):
            break
        widest = Candidate(ancestor, top.score)
    grown = _SCRAP_GROWTH * max(mine.text_chars, _SCRAP_FLOOR_CHARS)
    if stats[widest.element].text_chars < grown:
        # Still a scrap (a notice bar, a header's links): the page's text is elsewhere, in a block
        # no ancestor reaches. Take the largest block that is not (nearly) the whole page.
        largest = _largest_block(body, stats, grown, page.text_chars)
        if largest is None:
            # Every block that large is (nearly) the whole page: on a shop's category page the
            # page's text is one grid of linked product cards, and the grid is the content.
            largest = _card_grid(body, stats, grown)
        if largest is not None:
            return Candidate(largest, top.score)
    return widest


def _largest_block(
    body: etree._Element, stats: dict[etree._Element, NodeStats], least: float, page_chars: int
) -> etree._Element | None:
    """Return the element holding the most text, at least `least` characters and at most
    _SCRAP_WIDEN_SHARE of the page's, or None."""
    best, best_chars = None, 0
    for element in body.iterdescendants():
        s = stats.get(element)
        if s is not None and least <= s.text_chars <= _SCRAP_WIDEN_SHARE * page_chars and s.text_chars > best_chars:
            best, best_chars = element, s.text_chars
    return best


def _card_grid(body: etree._Element, stats: dict[etree._Element, NodeStats], least: float) -> etree._Element | None:
    """Return the element holding the most text, at least `least` characters, whose children
    are mostly cards of one kind (same tag and first class name), each short and nearly all
    linked; None if there is none."""
    best, best_chars = None, 0
    for element in body.iter():
        s = stats.get(element)
        if s is None or len(element) < _GRID_MIN_CARDS or s.text_chars < least or s.text_chars <= best_chars:
            continue
        cards = _grid_cards(element, _card_kind)
        if cards and s.text_chars <= _GRID_CARD_MAX_CHARS * len(cards) and _mostly_linked(cards):
            best, best_chars = element, s.text_chars
    return best


def _grid_cards(element: etree._Element, kind_of: Callable[[etree._Element], object]) -> list[etree._Element]:
    """Return the children of `element` that make it a grid: at least _GRID_MIN_CARDS of one kind
    (`kind_of`), _GRID_CARD_SHARE of its element children; else an empty list."""
    children = [(child, kind_of(child)) for child in element if tag_of(child)]
    kinds = Counter(kind for _, kind in children)
    kind, count = kinds.most_common(1)[0] if kinds else (None, 0)
    if count < _GRID_MIN_CARDS or count < _GRID_CARD_SHARE * len(children):
        return []
    return [child for child, its_kind in children if its_kind == kind]


def _mostly_linked(cards: list[etree._Element]) -> bool:
    """True when _GRID_LINKED_SHARE of the cards hold a link."""
    return sum(1 for card in cards if next(card.iter("a"), None) is not None) >= _GRID_LINKED_SHARE * len(cards)


def _with_priced_grid(
    chosen: list[etree._Element], body: etree._Element, stats: dict[etree._Element, NodeStats]
) -> list[etree._Element]:
    """Add to the pick a grid of priced product cards that precedes it (see _priced_grid).

    On a shop's category page the products come first and the buying advice after them; that
    advice is the page's only prose, so the scorer picks it and leaves the products out.
    """
    held = sum(stats[c].text_chars for c in chosen if c in stats)
    page = stats.get(body)
    least = _PRICED_GRID_SHARE * held
    if page is None or page.text_chars - held < least:
        # The rest of the page is too short to hold such a grid.
        return chosen
    grid = _priced_grid(body, stats, least)
    if grid is None:
        return chosen
    around = set(grid.iterancestors())
    if any(c is grid or c in around or next(c.iter("h1"), None) is not None for c in chosen):
        # The grid is already in, or the pick holds the page's headline: a story, with a shop
        # widget beside it.
        return chosen
    # A card the scorer picked is one of the grid's: the grid replaces it.
    wanted = {grid, *(c for c in chosen if grid not in c.iterancestors())}
    ordered = [e for e in body.iter() if e in wanted]
    # A shop's guide follows its grid; a grid after the pick is a widget under a story.
    return ordered if ordered[0] is grid else chosen


def _priced_grid(body: etree._Element, stats: dict[etree._Element, NodeStats], least: float) -> etree._Element | None:
    """Return the element holding the most text, at least `least` characters, whose children
    are mostly cards of one tag, nearly all linked and most showing a price; None if none is."""
    best, best_chars = None, 0
    for element in _MANY_CHILDREN(body):
        s = stats.get(element)
        if s is None or s.text_chars < least or s.text_chars <= best_chars or not s.link_chars:
            continue
        cards = _grid_cards(element, tag_of)
        if not cards or not _mostly_linked(cards):
            continue
        priced = sum(1 for card in cards if _PRICE.search(" ".join(card.itertext())))
        if priced >= max(_GRID_MIN_CARDS, _GRID_CARD_SHARE * len(cards)):
            best, best_chars = element, s.text_chars
    return best


def _card_kind(element: etree._Element) -> tuple[str, str]:
    """Return a card's tag and first class name (the rest often numbers the item: "post-1585")."""
    classes = (element.get("class") or "").split()
    return tag_of(element), classes[0] if classes else ""


def _named_post(element: etree._Element, stats: dict[etree._Element, NodeStats], content: CaselessPattern) -> bool:
    """True for a block named as article content that holds a post's worth of prose, and is the
    only one of its name among its siblings: a documentation page's "content-section"s, one per
    heading, are sections of one body."""
    s = stats.get(element)
    if s is None or s.p_chars < _NAMED_POST_PROSE or not named_content(element, content):
        return False
    return next(_namesakes(element), None) is None


def _namesakes(element: etree._Element) -> Iterator[etree._Element]:
    """Yield the siblings of `element` with its tag and its class (none if it has no class)."""
    parent = element.getparent()
    name = element.get("class")
    if parent is None or not name:
        return
    for sibling in parent:
        if sibling is not element and sibling.tag == element.tag and sibling.get("class") == name:
            yield sibling


def _climb(
    top: Candidate,
    candidates: list[Candidate],
    stats: dict[etree._Element, NodeStats],
    options: Options,
    teasers: frozenset[etree._Element] = frozenset(),
    named: bool = False,
) -> Candidate:
    """Move up to the highest ancestor that adds real prose and little navigation.

    Wrapper levels that add nothing are passed through; the walk stops at the first
    ancestor that is link-heavy (a page layout holding menus and teaser lists). From a
    `named` post body (see _named_post) the added text must be nearly free of links.
    """
    max_added_density = options.climb_max_added_density
    if named:
        max_added_density = min(max_added_density, _NAMED_POST_MAX_ADDED_DENSITY)
    scores = {c.element: c.score for c in candidates}
    current = top
    mine = stats.get(top.element)
    if mine is None:
        return top
    for ancestor in top.element.iterancestors():
        if tag_of(ancestor) == "html":
            break
        theirs = stats.get(ancestor)
        if tag_of(ancestor) == "body" and (theirs is None or theirs.link_density > _BODY_MAX_DENSITY):
            # The whole page is the article only on plain pages; elsewhere it adds the site around it.
            break
        if theirs is None or theirs.link_density > options.climb_max_link_density:
            break
        if ancestor in teasers:
            # Past its own <article>, a level that holds other <article>s adds teasers (with their
            # link-heavy headers already pruned, they read as prose).
            break
        added_text = theirs.text_chars - mine.text_chars
        added_links = theirs.link_chars - mine.link_chars
        added_density = added_links / added_text if added_text > 0 else 0.0
        if added_density >= max_added_density and added_text > 200:
            break
        if theirs.p_chars >= mine.p_chars * _CLIMB_PROSE_GAIN + _CLIMB_MIN_CHARS:
            current = Candidate(ancestor, scores.get(ancestor, current.score))
            mine = theirs
    return current


def _to_declared_body(top: Candidate, stats: dict[etree._Element, NodeStats], options: Options) -> Candidate:
    """Climb to the element the page marks as its article body (itemprop="articleBody") around the pick.

    A gallery or a long caption inside the story can outscore the story's paragraphs, and the
    climb, which takes an ancestor only for a quarter more prose, stops at it.
    """
    for ancestor in top.element.iterancestors():
        if ancestor.get("itemprop") == "articleBody":
            held = stats.get(ancestor)
            if held is not None and held.link_density <= options.climb_max_link_density:
                return Candidate(ancestor, top.score)
            break
    return top


def _to_all_posts(top: Candidate, stats: dict[etree._Element, NodeStats], options: Options) -> Candidate:
    """On a thread, climb from one post to the element holding it and its fellow posts.

    One long post (a pasted log, a tutorial answered with a thank-you) holds nearly all of a
    thread's prose, so no climb adds enough to be taken, and the question and the other replies
    are lost. A post is an element with a class that at least one sibling of the same tag shares,
    holding text, within a few levels of the pick; their parent is taken unless it is link-heavy.
    """
    element = top.element
    for _ in range(_POST_LEVELS):
        parent = element.getparent()
        if parent is None or tag_of(parent) in ("body", "html"):
            break
        if any(stats.get(sibling, _NOTHING).text_chars > 0 for sibling in _namesakes(element)):
            held = stats.get(parent)
            if held is not None and held.link_density <= options.climb_max_link_density:
                return Candidate(parent, top.score)
            break
        element = parent
    return top


def _with_siblings(
    top: Candidate,
    candidates: list[Candidate],
    stats: dict[etree._Element, NodeStats],
    options: Options,
    teasers: frozenset[etree._Element] = frozenset(),
    phrases: CaselessPattern | None = None,
) -> list[etree._Element]:
    """Return the top container and the siblings that belong to the same article.

    A sibling whose whole text is a clutter phrase (a theme's "This entry was posted on ... and
    is filed under ...") is not: the clutter filter, which works inside the containers, would
    never see it.
    """
    parent = top.element.getparent()
    if parent is None:
        return [top.element]
    scores = {c.element: c.score for c in candidates}
    threshold = max(10.0, top.score * options.sibling_score_ratio)
    chosen = []
    for sibling in parent:
        if sibling is top.element:
            chosen.append(sibling)
            continue
        if not tag_of(sibling):
            continue
        score = scores.get(sibling, 0.0)
        s = stats.get(sibling)
        if s is None:
            continue
        prose = score >= threshold and s.link_density < 0.3 or tag_of(sibling) == "p" and s.text_chars > 80 and s.link_density < 0.25
        if prose and sibling not in teasers and not _says_clutter(sibling, s, phrases):
            chosen.append(sibling)
    return chosen


def _says_clutter(element: etree._Element, s: NodeStats, phrases: CaselessPattern | None) -> bool:
    """True when the whole text of a short block is a clutter phrase."""
    if phrases is None or s.text_chars > PHRASE_MAX_CHARS:
        return False
    return phrases.match(" ".join(element.text_content().split())) is not None


def _with_kin(
    chosen: list[etree._Element],
    top: etree._Element,
    stats: dict[etree._Element, NodeStats],
    content: CaselessPattern,
) -> list[etree._Element]:
    """Add the other numbered parts of a story split by ads or media.

    News templates cut the body into "story-body story-body-1", "story-body story-body-2", ...
    under different wrappers of the same <article>, so they are not siblings. Within the
    <article> that holds our pick, elements of its tag whose class names the same numbered
    family as our pick's, and that hold prose, are the other parts; all are returned in
    document order. Only families named as content count ("story-body", "article-text": the
    generic content tokens); a grid's "col-6" or a page builder's "section_2" are layout.
    """
    article = next(top.iterancestors("article"), None)
    families = _numbered_families(top, content)
    if article is None or not families:
        return chosen
    taken = set(chosen)
    for element in chosen:
        taken.update(element.iterancestors())
        taken.update(element.iterdescendants())
    kin = []
    for element in article.iter(top.tag):
        if element in taken or not families & _numbered_families(element, content):
            continue
        s = stats.get(element)
        if s is None or s.p_chars < _KIN_MIN_PROSE or s.link_density >= _KIN_MAX_DENSITY:
            continue
        kin.append(element)
        taken.update(element.iterdescendants())
    if not kin:
        return chosen
    order = {element: i for i, element in enumerate(article.iter())}
    return sorted(chosen + kin, key=lambda e: order.get(e, -1))


def _numbered_families(element: etree._Element, content: CaselessPattern) -> set[str]:
    """Return the content-named stems of the element's numbered classes ("story-body-2" -> "story-body")."""
    return {
        m.group(1)
        for name in (element.get("class") or "").split()
        if (m := _NUMBERED_CLASS.match(name)) and content.search(m.group(1))
    }
