"""Drop the clutter inside the chosen body: related boxes, teaser runs, comments, labels, repeats."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from scraper.extract.nodes import in_notes, previous_element
from scraper.extract.teasers import mark_teaser_runs
from scraper.models import Options
from scraper.prune import detach
from scraper.rules.model import CaselessPattern, GenericRules, SiteRule
from scraper.score import (
    BLOCK_TAGS,
    CLUTTER_HEADING_CHARS,
    HEADING_TAGS,
    PHRASE_MAX_CHARS,
    NodeStats,
    attr_text,
    tag_of,
)
from scraper.trace import Trace

_CONTAINER_TAGS = frozenset(["div", "section", "article", "main", "ul", "ol", "table", "tbody", "dl", "aside", "p", "figure", "span"])
# A <dd> with this much text (and few links) describes its <dt>, whose link is then the term's own.
_DESCRIPTION_MIN_CHARS = 20
# A link-heavy paragraph whose own words before its first link run this long is a sentence.
_SENTENCE_LEAD_CHARS = 30
_ENDS_SENTENCE = re.compile(r"[.!?。！？؟۔।॥։።။]['\"”’)]?$")
# A linked sentence needs this many characters outside its links to be a sentence of its own.
_OWN_WORDS_MIN_CHARS = 3
# A paragraph of prose, beside which a linked sentence is the story's: its length and link density.
_PROSE_MIN_CHARS = 80
_PROSE_MAX_DENSITY = 0.3
# A body whose paragraph text is under this share of all its text is a listing of items.
_LISTING_PROSE_SHARE = 0.3
# A menu set as a line of links: this linked, at least this many links, a "|" between most of
# them (this share), and on average at most this many characters per link; only blocks as short
# as the clutter phrases are tried, whose text that test reads anyway.
_BAR_MIN_DENSITY = 0.7
_BAR_MIN_LINKS = 4
_BAR_SHARE = 0.75
_BAR_LINK_CHARS = 60
# A comments heading drops the discussion after it when this much paragraph text comes before it.
_STORY_BEFORE_COMMENTS = 150
_COMMENTS_WHY = "comments under"
# A <p> this long without links is the text's own paragraph, even under a clutter heading.
_PLAIN_PARAGRAPH_CHARS = 100
# A comments heading may name the post ("3 Responses to ..."): longer than other clutter headings.
_COMMENT_HEADING_CHARS = 250
# An introduction to a list is no denser in links than this.
_INTRO_MAX_DENSITY = 0.2
# A list is introduced by a paragraph of at least this many characters ending in a colon.
_INTRO_MIN_CHARS = 15
_EMPHASIS_TAGS = frozenset({"strong", "b", "em", "i"})
# Blocks whose links are words of a sentence or a line.
_INLINE_HOLDERS = frozenset({"p", "blockquote", "li", "dd", "dt", "td", "th", "span", "strong", "b", "em", "i", "small"}) | HEADING_TAGS


def _text(element: etree._Element) -> str:
    return " ".join(element.text_content().split())


class _Texts(dict):  # type: ignore[type-arg]
    """Whitespace-normalised text per element, computed once while nothing is detached.

    The clutter markers read the same paragraphs' text (phrases, then repeats); each read is
    a walk of the element's subtree.
    """

    def __missing__(self, element: etree._Element) -> str:
        text = self[element] = _text(element)
        return text


def _heading_level(element: etree._Element) -> int:
    tag = tag_of(element)
    return int(tag[1]) if tag in HEADING_TAGS else 7


def _looks_like_heading(element: etree._Element, text: str) -> bool:
    tag = tag_of(element)
    if tag in HEADING_TAGS:
        return True
    if len(text) > 60 or tag not in ("div", "p", "span", "strong", "b", "header"):
        return False
    attrs = attr_text(element).lower()
    return "title" in attrs or "heading" in attrs or "header" in attrs or tag in ("strong", "b")


def _teaser_like(s: NodeStats | None) -> bool:
    return s is not None and (s.link_density > 0.3 or s.text_chars < 200)


def filter_clutter(
    containers: list[etree._Element],
    rule: SiteRule | None,
    generic: GenericRules,
    options: Options,
    stats: dict[etree._Element, NodeStats],
    trace: Trace | None,
    thread: bool = False,
    product: bool = False,
    front: bool = False,
    listing: bool = False,
) -> int:
    """Drop clutter inside the chosen containers, in place (on a thread, its bookkeeping too; on a
    product page, the copies of a block printed once per layout; on a front page, not its teasers).
    `listing` reads every container as a listing: links and teasers are its content.

    Return the characters of text dropped as a comment section after the story.
    """
    phrases = generic.clutter_phrases(thread)
    seen: dict[str, etree._Element | None] = {}
    comment_chars = 0
    for container in containers:
        doomed: dict[etree._Element, str] = {}
        whole = stats.get(container)
        # A body made mostly of linked items (a listing, an index, a catalogue) is kept as such:
        # its links are the content, so link density and teaser shape are no evidence there,
        # neither on the items nor on the blocks grouping them.
        as_listing = listing or (whole is not None and whole.p_chars < _LISTING_PROSE_SHARE * whole.text_chars)
        texts = _Texts()
        _mark_clutter_sections(container, stats, generic, doomed, texts, None if thread or options.include_comments else generic.comment_heading)
        announced = _announced_lists(container, stats, texts, generic.clutter_heading)
        _mark_dense_and_phrases(container, stats, rule, generic, options, doomed, texts, as_listing, phrases, announced)
        # On a front page the runs of teasers are its content.
        if not as_listing and not front:
            mark_teaser_runs(container, stats, options, doomed, announced.members, generic.notes_attr, texts)
        _mark_labels(doomed, stats, texts, generic.clutter_heading)
        if generic.small_print is not None:
            _mark_legal_notice(container, stats, texts, doomed, generic.small_print)
        _mark_repeats(container, seen, doomed, texts)
        if product:
            _mark_layout_copies(container, doomed, texts)
        for element, why in doomed.items():
            if any(a in doomed for a in element.iterancestors()):
                continue
            if trace is not None:
                trace.record(element, "dropped", why)
            if why.startswith(_COMMENTS_WHY):
                comment_chars += stats[element].text_chars if element in stats else 0
            detach(element, stats)
    return comment_chars


def _mark_labels(
    doomed: dict[etree._Element, str],
    stats: dict[etree._Element, NodeStats],
    texts: dict[etree._Element, str],
    labels: CaselessPattern,
) -> None:
    """A line such as "You may also like:" right before a block dropped as clutter goes with it."""
    for element in list(doomed):
        previous = previous_element(element)
        if previous is None or previous in doomed or tag_of(previous) not in _LABEL_TAGS:
            continue
        s = stats.get(previous)
        if s is not None and 0 < s.text_chars <= _LABEL_MAX_CHARS and labels.match(texts[previous]):
            doomed[previous] = f"label {texts[previous][:40]!r} of dropped clutter"


def _mark_legal_notice(
    container: etree._Element,
    stats: dict[etree._Element, NodeStats],
    texts: dict[etree._Element, str],
    doomed: dict[etree._Element, str],
    small_print: re.Pattern[str],
) -> None:
    """The block that ends the body with a copyright or trademark notice is the site's small
    print, however long ("NHL.com is the official web site of ... © NHL 2012. All Rights Reserved.")."""
    whole = stats.get(container)
    if whole is None:
        return
    for element in reversed(list(container.iter(*_NOTICE_BLOCKS))):
        if element is container or element in doomed or any(a in doomed for a in element.iterancestors()):
            continue
        s = stats.get(element)
        if s is None or not s.text_chars:
            continue
        # Small print is a small part of the body; a block holding much of it is the article.
        if s.text_chars <= _NOTICE_MAX_SHARE * whole.text_chars and small_print.search(texts[element]):
            doomed[element] = "legal notice at the end"
        return


# Blocks that may end an article with the site's small print, at most this share of its text.
_NOTICE_MAX_SHARE = 0.6
_NOTICE_BLOCKS = ("p", "div", "small", "footer", "address", "li", "td", "span")
# Blocks that may label the block after them; at most this long.
_LABEL_TAGS = frozenset({"p", "div", "span", "strong", "b"})
_LABEL_MAX_CHARS = 60
# Blocks that hold a paragraph of text; a repeat of one seen before is dropped.
_TEXT_BLOCKS = ("p", "li", "blockquote", "pre", "dd", "h1", "h2", "h3", "h4", "h5", "h6")
# Shorter blocks repeat legitimately ("Step 1", a refrain, a table's "Yes").
_REPEAT_MIN_CHARS = 80
# A copy of the story repeats paragraphs in a row; fewer in a row are quotes or placeholder text.
_REPEAT_MIN_RUN = 3


def _mark_repeats(
    container: etree._Element,
    seen: dict[str, etree._Element | None],
    doomed: dict[etree._Element, str],
    texts: dict[etree._Element, str],
) -> None:
    """A run of paragraphs that repeats ones from another part of the page word for word is a
    second copy of the story (a mobile or print version), not more story. A lone repeat, or
    repeats side by side under one parent, are the text's own (a pull quote, a refrain).
    """
    run: list[etree._Element] = []
    # Repeated short headings waiting for the repeated paragraph that would make them part of a copy.
    waiting: list[etree._Element] = []
    for element in container.iter(*_TEXT_BLOCKS):
        if next(element.iterdescendants(*_TEXT_BLOCKS), None) is not None:
            continue
        text = texts[element]
        parent = element.getparent()
        if len(text) < _REPEAT_MIN_CHARS:
            # A short heading seen before elsewhere goes with the copy it sits in; alone it makes
            # no copy ("Step 1" and "Ingredients" repeat legitimately).
            if text and tag_of(element) in HEADING_TAGS:
                if text in seen and seen[text] is not parent:
                    (run if run else waiting).append(element)
                else:
                    seen.setdefault(text, parent)
            continue
        if text not in seen:
            seen[text] = parent
            _doom_copy(run, doomed, texts)
            run = []
            waiting = []
        elif seen[text] is not parent:
            run += waiting
            waiting = []
            run.append(element)
    _doom_copy(run, doomed, texts)


def _doom_copy(run: list[etree._Element], doomed: dict[etree._Element, str], texts: dict[etree._Element, str]) -> None:
    # The short headings a copy carries along do not count towards its length.
    if sum(1 for element in run if len(texts[element]) >= _REPEAT_MIN_CHARS) >= _REPEAT_MIN_RUN:
        for element in run:
            doomed.setdefault(element, f"repeats a run of {len(run)} blocks from elsewhere on the page")


# Blocks compared whole on a shop page, and the text one needs to count as a copy there.
_LAYOUT_BLOCKS = ("div", "section", "p", "ul", "ol", "dl", "table", "li", "blockquote")
_LAYOUT_COPY_MIN_CHARS = 100


def _mark_layout_copies(
    container: etree._Element, doomed: dict[etree._Element, str], texts: dict[etree._Element, str]
) -> None:
    """A shop prints its description once per layout (phone and desktop, a tab and an accordion).

    On a product page a block whose text equals an earlier block's, word for word, is that
    second copy, whatever its size, unless one holds the other (a wrapper and its only child).
    On articles a lone repeat is a pull quote or a refrain, so this runs on shop pages only.
    """
    seen: dict[str, etree._Element] = {}
    for element in container.iter(*_LAYOUT_BLOCKS):
        text = texts[element]
        if len(text) < _LAYOUT_COPY_MIN_CHARS:
            continue
        first = seen.get(text)
        if first is None:
            seen[text] = element
        elif element in doomed or any(a is first or a in doomed for a in element.iterancestors()):
            continue
        else:
            doomed[element] = "a second copy of a block on a shop page"


def _mark_clutter_sections(
    container: etree._Element,
    stats: dict[etree._Element, NodeStats],
    generic: GenericRules,
    doomed: dict[etree._Element, str],
    texts: dict[etree._Element, str],
    comment_heading: CaselessPattern | None = None,
) -> None:
    """A clutter heading ("Related Articles") takes its teaser section with it; a heading that
    opens the comments (`comment_heading`), the whole discussion after a story."""
    for element in container.iter():
        tag = tag_of(element)
        if not tag or element is container:
            continue
        s = stats.get(element)
        if s is None or s.text_chars > CLUTTER_HEADING_CHARS and (
            comment_heading is None or tag not in HEADING_TAGS or s.text_chars > _COMMENT_HEADING_CHARS
        ):
            continue
        text = texts[element]
        if not text or not _looks_like_heading(element, text):
            continue
        if comment_heading is not None and comment_heading.match(text) and _mark_comment_section(
            container, element, stats, doomed, text
        ):
            continue
        if s.text_chars > CLUTTER_HEADING_CHARS or not generic.clutter_heading.match(text):
            continue
        doomed[element] = f"clutter heading {text[:40]!r}"
        parent = element.getparent()
        # The heading opens a box of its own: drop the box when it is mostly teasers.
        if parent is not None and parent is not container and element is _first_element(parent):
            ps = stats.get(parent)
            if _teaser_like(ps) or (ps is not None and ps.text_chars < 600):
                doomed[parent] = f"section under clutter heading {text[:40]!r}"
                continue
        level = _heading_level(element)
        for sibling in element.itersiblings():
            if not tag_of(sibling):
                continue
            if _heading_level(sibling) <= level:
                break
            if not _teaser_like(stats.get(sibling)) or _plain_paragraph(sibling, stats):
                break
            doomed[sibling] = f"under clutter heading {text[:40]!r}"


def _plain_paragraph(element: etree._Element, stats: dict[etree._Element, NodeStats]) -> bool:
    """True for a <p> of a sentence or more with no link in it: text, not a teaser's line."""
    s = stats.get(element)
    return tag_of(element) == "p" and s is not None and s.link_chars == 0 and s.text_chars >= _PLAIN_PARAGRAPH_CHARS


def _mark_comment_section(
    container: etree._Element,
    heading: etree._Element,
    stats: dict[etree._Element, NodeStats],
    doomed: dict[etree._Element, str],
    text: str,
) -> bool:
    """Drop the discussion a comments heading opens: the box it begins, or its siblings up to the
    next heading of its level, when at least _STORY_BEFORE_COMMENTS characters of paragraphs
    come before it (a "3 comments" link above the story opens nothing). Return whether it did.
    """
    if _prose_before(heading, container, stats) < _STORY_BEFORE_COMMENTS:
        return False
    doomed[heading] = f"comments heading {text[:40]!r}"
    level = _heading_level(heading)
    # A box that holds nothing but the heading stands for it ("<div class=title><h2>Comments</h2></div>").
    node = heading
    parent = node.getparent()
    while parent is not None and parent is not container and _only_element(parent) is node:
        node, parent = parent, parent.getparent()
    if parent is not None and parent is not container and node is _first_element(parent):
        doomed[parent] = f"{_COMMENTS_WHY} {text[:40]!r}"
        return True
    for sibling in node.itersiblings():
        if tag_of(sibling):
            if _heading_level(sibling) <= level:
                break
            doomed[sibling] = f"{_COMMENTS_WHY} {text[:40]!r}"
    return True


def _prose_before(element: etree._Element, container: etree._Element, stats: dict[etree._Element, NodeStats]) -> int:
    """Return the paragraph characters that come before `element` inside `container`."""
    total = 0
    node = element
    while node is not None and node is not container:
        for sibling in node.itersiblings(preceding=True):
            s = stats.get(sibling)
            if s is not None:
                total += s.p_chars
        node = node.getparent()
    return total


def _only_element(parent: etree._Element) -> etree._Element | None:
    """Return the one element child of `parent`, or None when it has none or several."""
    children = [child for child in parent if tag_of(child)]
    return children[0] if len(children) == 1 else None


def _first_element(parent: etree._Element) -> etree._Element | None:
    for child in parent:
        if tag_of(child):
            return child
    return None


def _mark_dense_and_phrases(
    container: etree._Element,
    stats: dict[etree._Element, NodeStats],
    rule: SiteRule | None,
    generic: GenericRules,
    options: Options,
    doomed: dict[etree._Element, str],
    texts: dict[etree._Element, str],
    listing: bool,
    phrases: CaselessPattern,
    announced: _Announced,
) -> None:
    """Drop link-heavy blocks, clutter phrases and text a site rule drops."""
    patterns = rule.drop_text if rule is not None else ()
    for element in container.iter():
        tag = tag_of(element)
        if tag == "a":
            # A link that only says "Read more" or "Skip to content" is never the story.
            text = texts[element]
            if text and not text.strip(_SELF_LINK_MARKS) and (element.get("href") or "").startswith("#"):
                # A heading's permalink ("¶" after each of Sphinx's and MkDocs' headings).
                doomed[element] = f"permalink mark {text!r}"
                continue
            if 0 < len(text) <= 40 and phrases.match(text) and not _sentence_goes_on(element) and not _all_code(element):
                doomed[element] = f"clutter link {text!r}"
            elif 40 < len(text) <= PHRASE_MAX_CHARS and _standalone(element) and phrases.match(text):
                # A card set as one link between the paragraphs ("Also on rt.com <headline>").
                doomed[element] = f"clutter link {text[:40]!r}"
            continue
        if not tag or element is container or tag not in BLOCK_TAGS:
            continue
        s = stats.get(element)
        if s is None:
            continue
        if s.text_chars == 0:
            if tag not in ("br", "hr", "td", "th", "tr") and not any(True for _ in element.iter("img")):
                doomed[element] = "empty"
            continue
        is_box = tag in _CONTAINER_TAGS or tag in ("li", "dd", "dt")
        if is_box and listing and s.link_density > _BAR_MIN_DENSITY and s.text_chars <= PHRASE_MAX_CHARS and _link_bar(element, texts):
            # In a listing the links are the content, but a site's menu is not.
            doomed[element] = "row of links joined by '|'"
            continue
        if is_box and not listing and (
            s.link_density > options.max_link_density and s.text_chars < 2000
        ) and not (tag == "p" and _linked_sentence(element, stats, texts)) and not (
            tag == "dt" and _defines(element, stats, options)
        ) and not in_notes(element, container, generic.notes_attr) and element not in announced.members and (
            announced.density_outside(element, stats) > options.max_link_density
        ) and not _cell_value(element):
            doomed[element] = f"link density {s.link_density:.2f}"
            continue
        if s.text_chars <= PHRASE_MAX_CHARS:
            text = texts[element]
            if phrases.match(text) and not _all_code(element):
                doomed[element] = f"clutter phrase {text[:40]!r}"
                continue
        if s.text_chars <= 200 and s.link_density >= 0.25:
            lead = _leading_label(element)
            if lead and generic.clutter_heading.match(lead):
                doomed[element] = f"clutter label {lead[:40]!r} with links"
                continue
        if patterns and s.text_chars <= 1000:
            text = texts[element]
            for pattern in patterns:
                if pattern.search(text):
                    doomed[element] = f"rule drop_text {pattern.pattern!r}"
                    break


def _cell_value(element: etree._Element) -> bool:
    """True for the one block a cell of a table of data holds: a linked name there ("print()" in a
    column of functions) is the cell's value, not a menu beside the text. A table of data has
    header cells and no table inside it; a page laid out in a table has neither, and its menus
    sit in cells."""
    cell = element.getparent()
    if cell is None or tag_of(cell) not in ("td", "th") or sum(1 for child in cell if tag_of(child)) != 1:
        return False
    table = next(cell.iterancestors("table"), None)
    return (
        table is not None and next(table.iter("th"), None) is not None and next(table.iterdescendants("table"), None) is None
    )


_CODE_TAGS = ("code", "kbd", "samp", "tt", "var")
# What a link to its own heading shows, when it shows anything: a pilcrow, a section sign, a hash,
# a link or anchor symbol (with the emoji or text variation selectors), zero-width space. (A
# heading's own text keeps a "#": "C#" is a word.)
_SELF_LINK_MARKS = " \u00b6\u00a7#\U0001f517\u2693\ufe0e\ufe0f\u200b"


def _all_code(element: etree._Element) -> bool:
    """True when all of the element's text is code: a documentation table's `print()` or a
    `share` command names the thing described, whatever words it shares with a button's label."""
    if tag_of(element) in _CODE_TAGS:
        return True
    code = "".join(text for inner in element.iter(*_CODE_TAGS) for text in inner.itertext())
    return bool(code.strip()) and code.split() == "".join(element.itertext()).split()


def _sentence_goes_on(link: etree._Element) -> bool:
    """True for a link whose sentence goes on after it ("my [previous post] addressed ..."): it is
    a word of the text, whatever it says; a "Read more" or "Next post" link ends its line."""
    tail = (link.tail or "").lstrip()
    return bool(tail) and tail[0].isalnum()


def _standalone(link: etree._Element) -> bool:
    """True for a link set as a block of its own between blocks: no words around it, and its
    parent is no paragraph (a sentence's link is never a card)."""
    parent = link.getparent()
    if parent is None or tag_of(parent) in _INLINE_HOLDERS or (link.tail or "").strip():
        return False
    previous = link.getprevious()
    before = parent.text if previous is None else previous.tail
    return not (before or "").strip()


def _link_bar(element: etree._Element, texts: dict[etree._Element, str]) -> bool:
    """True for a row of short links joined by "|" ("Home | News | Sport | Contact"): a site's
    menu set as one line of text, where a listing puts each item in a block of its own."""
    text = texts[element]
    bars = text.count("|")
    if bars < _BAR_MIN_LINKS - 1:
        return False
    links = sum(1 for _ in element.iter("a"))
    return links >= _BAR_MIN_LINKS and bars >= _BAR_SHARE * (links - 1) and len(text) <= _BAR_LINK_CHARS * links


@dataclass
class _Announced:
    """The lists that a sentence of the article introduces, found once per container."""

    # Every element of such a list, mapped to the list's outermost element (the list or its wrapper).
    members: dict[etree._Element, etree._Element] = field(default_factory=dict)
    # For each ancestor of such lists, the text and link characters they hold between them.
    held: dict[etree._Element, list[int]] = field(default_factory=dict)

    def density_outside(self, box: etree._Element, stats: dict[etree._Element, NodeStats]) -> float:
        """Return the link density of `box` without the announced lists inside it."""
        s = stats[box]
        text, links = s.text_chars, s.link_chars
        inside = self.held.get(box)
        if inside is not None:
            text, links = text - inside[0], links - inside[1]
        return links / text if text > 0 else 0.0


def _announced_lists(
    container: etree._Element,
    stats: dict[etree._Element, NodeStats],
    texts: dict[etree._Element, str],
    labels: CaselessPattern,
) -> _Announced:
    """Find the lists that a sentence of the article introduces ("Many patches were sent for
    review:").

    What such a list links is what the text is about (a changelog's patches, a report's
    sources), so neither link density nor teaser shape counts against it.
    """
    found = _Announced()
    for items in container.iter("ul", "ol"):
        if items in found.members:
            continue
        parent = items.getparent()
        if _introduced(items, stats, texts, labels):
            outer = items
        elif (
            parent is not None and parent is not container and tag_of(parent) == "div" and len(parent) == 1
            and _introduced(parent, stats, texts, labels)
        ):
            outer = parent
        else:
            continue
        for element in outer.iter():
            found.members[element] = outer
        s = stats.get(outer)
        if s is None:
            continue
        for ancestor in outer.iterancestors():
            held = found.held.setdefault(ancestor, [0, 0])
            held[0] += s.text_chars
            held[1] += s.link_chars
            if ancestor is container:
                break
    return found


def _introduced(
    element: etree._Element,
    stats: dict[etree._Element, NodeStats],
    texts: dict[etree._Element, str],
    labels: CaselessPattern,
) -> bool:
    """True when the block before `element` is a sentence of prose that ends in a colon.

    Not a label ("Related content:", "You may also like:", a line set in bold): those announce
    the site's other pages.
    """
    previous = previous_element(element)
    if previous is None or tag_of(previous) not in ("p", "div"):
        return False
    s = stats.get(previous)
    if s is None or s.link_density > _INTRO_MAX_DENSITY:
        return False
    text = texts[previous]
    if len(text) < _INTRO_MIN_CHARS or not text.endswith(":") or labels.match(text):
        return False
    # A label is often styled as one: all its text inside <strong>, <b> or <em>.
    return bool((previous.text or "").strip()) or any(
        tag_of(child) not in _EMPHASIS_TAGS or (child.tail or "").strip() for child in previous
    )


def _defines(term: etree._Element, stats: dict[etree._Element, NodeStats], options: Options) -> bool:
    """True for a <dt> whose <dd> is prose: the term a description explains, even when the term
    links to a page of its own (an API reference's `WebSocket.send()`, a glossary's entries)."""
    description = term.getnext()
    while description is not None and tag_of(description) == "dt":
        description = description.getnext()
    if description is None or tag_of(description) != "dd":
        return False
    s = stats.get(description)
    return s is not None and s.text_chars >= _DESCRIPTION_MIN_CHARS and s.link_density <= options.max_link_density


def _linked_sentence(
    paragraph: etree._Element, stats: dict[etree._Element, NodeStats], texts: dict[etree._Element, str]
) -> bool:
    """True for a link-heavy paragraph that is a sentence of the story, not a link with a label."""
    return _sentence_around_link(paragraph, texts) or _sentence_beside_prose(paragraph, stats, texts)


def _sentence_around_link(paragraph: etree._Element, texts: dict[etree._Element, str]) -> bool:
    """True for a paragraph that is a sentence with a link in it, not a link with a label.

    "The suspect was convicted and <a>sentenced to life</a>." opens with a clause of its own
    and ends as a sentence does; "Read more: <a>headline</a>" opens with a short label.
    """
    lead = " ".join((paragraph.text or "").split())
    return len(lead) >= _SENTENCE_LEAD_CHARS and _ENDS_SENTENCE.search(texts[paragraph]) is not None


def _prose(element: etree._Element | None, stats: dict[etree._Element, NodeStats]) -> bool:
    """True for a paragraph of prose: long enough to be one, and hardly linked."""
    if element is None or tag_of(element) != "p":
        return False
    s = stats.get(element)
    return s is not None and s.text_chars >= _PROSE_MIN_CHARS and s.link_density < _PROSE_MAX_DENSITY


def _sentence_beside_prose(
    paragraph: etree._Element, stats: dict[etree._Element, NodeStats], texts: dict[etree._Element, str]
) -> bool:
    """True for a sentence with words of its own around its links, next to a paragraph of prose.

    A story's paragraph may be mostly link ("<a>Book your flights with WayAway</a> here!");
    between the story's paragraphs it is one of them. A link alone ("<a>Shop Svala</a>.") has no
    words of its own, and a line of links under a heading has no prose beside it.
    """
    s = stats[paragraph]
    if s.text_chars - s.link_chars < _OWN_WORDS_MIN_CHARS or _ENDS_SENTENCE.search(texts[paragraph]) is None:
        return False
    return _prose(paragraph.getprevious(), stats) or _prose(paragraph.getnext(), stats)


def _leading_label(element: etree._Element) -> str:
    """Return the text before the first link: the label of a "Topics: a, b, c" line."""
    parts = [element.text or ""]
    for child in element.iter():
        if child is element:
            continue
        if tag_of(child) == "a":
            break
        if child.text and not any(tag_of(a) == "a" for a in child.iterancestors() if a is not element):
            parts.append(child.text)
    return " ".join("".join(parts).split())
