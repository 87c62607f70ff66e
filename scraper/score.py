"""Block features and container scores, computed in one bottom-up pass and returned as data.

Nothing is stored on the DOM: scores live in dicts keyed by element, which
die with the call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from scraper.rules.model import GenericRules

# Elements that start a new block of text when rendered.
BLOCK_TAGS = frozenset(
    ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "pre", "blockquote", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "figure", "figcaption", "div", "section", "article", "main", "aside", "header", "footer", "nav", "form", "address", "details", "summary", "hr", "br", "center", "fieldset", "body", "html"]
)
HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
# Blocks whose own text is scored as prose evidence.
PROSE_TAGS = frozenset(["p", "pre", "blockquote", "td", "dd", "li", "div", "section", "article", "span", "font"])
# A run of marks counts once: an ellipsis, "?!", or the dot leaders of a sidebar list
# ("Title ........ Source") that, counted dot by dot, outscored a whole post.
# Latin and CJK marks, and those of Arabic and Urdu (، ؛ ؟ ۔), Devanagari (। ॥), Armenian (։),
# Ethiopic (። ፣) and Myanmar (။ ၊), whose prose sets few or none of the Latin ones.
_PUNCT = re.compile(r"[,.;:!?，。、；：！？،؛؟۔।॥։።፣။၊]+")
_SENTENCE_END = re.compile(r"[.!?。！？؟۔।॥։።။]['\"”’)]?(\s|$)")


class NodeStats:
    """Text measures of one element's subtree (kept up to date as elements are detached)."""

    __slots__ = ("link_chars", "p_chars", "text_chars")

    def __init__(self, text_chars: int, link_chars: int, p_chars: int) -> None:
        self.text_chars = text_chars
        self.link_chars = link_chars
        self.p_chars = p_chars

    @property
    def link_density(self) -> float:
        """Share of the text that sits inside links."""
        return self.link_chars / self.text_chars if self.text_chars > 0 else 0.0


Measures = dict  # etree._Element -> NodeStats, built once per page by measure_tree()


def discount(stats: dict[etree._Element, NodeStats], element: etree._Element) -> None:
    """Subtract `element`'s measures from its ancestors (call before detaching it)."""
    gone = stats.get(element)
    if gone is None or not (gone.text_chars or gone.p_chars):
        return
    for ancestor in element.iterancestors():
        held = stats.get(ancestor)
        if held is None:
            continue
        held.text_chars -= gone.text_chars
        held.link_chars -= gone.link_chars
        held.p_chars = max(0, held.p_chars - gone.p_chars)


def tag_of(element: etree._Element) -> str:
    """Return the tag name ('' for comments and other non-elements); lxml's HTML parser lower-cases it."""
    tag = element.tag
    return tag if isinstance(tag, str) else ""


def attr_text(element: etree._Element) -> str:
    """Return class, id and role joined, for class/id evidence."""
    get = element.get
    return f"{get('class', '')} {get('id', '')} {get('role', '')} {get('itemprop', '')}".strip()


def _chars(text: str | None) -> int:
    return len(text.strip()) if text else 0


def measure_tree(root: etree._Element) -> dict[etree._Element, NodeStats]:
    """Measure every element, children before parents.

    A <p>, <pre> or <blockquote> is a paragraph, and so is a <div> or <td> holding over 80
    characters of bare text, or a heading of over 200 characters (body text set in <h4>). A page
    with hardly any of those may set its prose another way: Blogger and old editors wrap each
    paragraph's sentences in a <span> or <font> inside a <div>. There, and only there, a long
    inline run makes its block a paragraph too; on pages with real paragraphs such runs are
    more often reviews, fine print or buy-box notes.
    """
    stats = _measure(root, inline_runs=False)
    held = stats.get(root)
    if held is not None and held.p_chars < _FEW_PARAGRAPH_CHARS:
        stats = _measure(root, inline_runs=True)
    return stats


def _measure(root: etree._Element, *, inline_runs: bool) -> dict[etree._Element, NodeStats]:
    """Measure every element in one pass (see measure_tree for `inline_runs`)."""
    stats: dict[etree._Element, NodeStats] = {}
    get = stats.get
    # Characters of text in inline elements outside links, passed up to the block holding them.
    flows: dict[etree._Element, int] = {}
    flow_of = flows.get
    for element in reversed(list(root.iter(etree.Element))):
        tag = element.tag
        if tag in _INVISIBLE_TAGS:
            stats[element] = NodeStats(0, 0, 0)
            continue
        # lxml builds a new str on each .text/.tail access, so each is read once.
        own_text = element.text
        links = p_chars = inner = flow = longest = 0
        if len(element):
            pieces = [own_text or ""]
            for child in element:
                tail = child.tail
                if tail:
                    pieces.append(tail)
                child_stats = get(child)
                if child_stats is not None:
                    inner += child_stats.text_chars
                    links += child_stats.link_chars
                    p_chars += child_stats.p_chars
                    if inline_runs:
                        child_flow = flow_of(child, 0)
                        flow += child_flow
                        longest = max(longest, child_flow)
            own_text = "".join(pieces)
        own = len(own_text.strip()) if own_text else 0
        text = own + inner
        if tag == "a" and is_link(element):
            # A link's text is a title or a card, never prose, whatever blocks it wraps.
            links = text
            p_chars = 0
        elif inline_runs and tag not in BLOCK_TAGS and tag not in _CONTROL_TAGS:
            flows[element] = flow + own
        if tag in _PARAGRAPH_TAGS or (own > 80 and tag in ("div", "td") and _words_longer(own_text, 80)) or (tag in HEADING_TAGS and text > _LONG_HEADING_CHARS):
            p_chars = max(p_chars, text - links)
        elif longest > _INLINE_RUN_CHARS and tag in ("div", "td", "li"):
            p_chars = max(p_chars, flow + own)
        stats[element] = NodeStats(text, links, p_chars)
    return stats


def _words_longer(text: str, least: int) -> bool:
    """True when `text` holds more than `least` characters once its runs of white space are one space."""
    return len(" ".join(text.split())) > least


_PARAGRAPH_TAGS = frozenset({"p", "pre", "blockquote"})
# A "heading" this long is a paragraph set in a heading's type (old pages use <h4> for body text).
_LONG_HEADING_CHARS = 200
# On a page with fewer paragraph characters than this, an inline run over _INLINE_RUN_CHARS
# makes its <div>, <td> or <li> a paragraph (see measure_tree).
_FEW_PARAGRAPH_CHARS = 2000
_INLINE_RUN_CHARS = 150
# Inline form controls: their text (a menu's options, a button's label) is never prose.
_CONTROL_TAGS = frozenset({"select", "option", "optgroup", "textarea"})
# Their text is code or data, never reader-visible prose.
_INVISIBLE_TAGS = frozenset({"script", "style", "template"})


@dataclass(frozen=True)
class Candidate:
    """A container that may hold the article, with its score."""

    element: etree._Element
    score: float


def attribute_weight(element: etree._Element, generic: GenericRules) -> float:
    """Return evidence from class/id/role/itemprop: positive for content, negative for clutter."""
    attrs = attr_text(element)
    weight = 0.0
    if attrs:
        if generic.content_attr.search(attrs):
            weight += 25.0
        if generic.boilerplate_attr.search(attrs):
            weight -= 25.0
        if "articleBody" in attrs or "articlebody" in attrs.lower():
            weight += 50.0
    tag = tag_of(element)
    if tag == "article":
        weight += 20.0
    elif tag == "main":
        weight += 10.0
    return weight


def block_score(text: str, link_chars: int, min_chars: int = 25) -> float:
    """Score one paragraph-like block as prose evidence (Readability-like, with density); a block
    shorter than `min_chars` (Options.min_block_chars) is no evidence."""
    length = len(text)
    if length < min_chars:
        return 0.0
    score = 1.0 + len(_PUNCT.findall(text)) + min(length / 100.0, 3.0)
    if _SENTENCE_END.search(text):
        score += 1.0
    density = link_chars / length if length else 0.0
    return score * (1.0 - density)


# A box whose first element is a clutter heading ("About the author", "Related posts") is a
# widget however much prose it holds: its score counts this much.
_CLUTTER_TITLED_FACTOR = 0.3
# Clutter headings are short: a longer heading is the text's own, whatever its words.
CLUTTER_HEADING_CHARS = 60
# Whole-block clutter phrases (cookie notices included) are only tried on blocks this short.
PHRASE_MAX_CHARS = 1200


def _titled_as_clutter(element: etree._Element, generic: GenericRules) -> bool:
    """True for a box whose first element is a heading that names clutter ("About Me", "Related")."""
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag not in HEADING_TAGS:
            return False
        text = " ".join(child.text_content().split())
        return len(text) <= CLUTTER_HEADING_CHARS and generic.clutter_heading.match(text) is not None
    return False


def own_text(element: etree._Element) -> str:
    """Return the text of `element` outside its nested block-level children."""
    parts = [element.text or ""]
    for child in element:
        if tag_of(child) not in BLOCK_TAGS:
            parts.append(child.text_content() if tag_of(child) else "")
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def is_link(a: etree._Element) -> bool:
    """True for an <a> that links somewhere. A named anchor (<a name>, no href) marks a place: old
    pages leave one open, and the parser nests the rest of the page in it."""
    return a.get("href") is not None or a.get("name") is None


def own_link_chars(element: etree._Element) -> int:
    """Return characters of `element`'s own text that sit inside links."""
    if tag_of(element) == "a":
        return len(" ".join(element.text_content().split())) if is_link(element) else 0
    total = 0
    for child in element:
        tag = tag_of(child)
        if tag == "a":
            if is_link(child):
                total += len(" ".join(child.text_content().split()))
        elif tag and tag not in BLOCK_TAGS:
            for link in child.iter("a"):
                if is_link(link):
                    total += len(" ".join(link.text_content().split()))
    return total


def score_candidates(
    root: etree._Element, stats: dict[etree._Element, NodeStats], generic: GenericRules, min_chars: int = 25
) -> list[Candidate]:
    """Spread the score of every prose block of `min_chars` or more to its ancestors; return
    candidates, best first."""
    raw: dict[etree._Element, float] = {}
    for element in root.iter(*PROSE_TAGS, *HEADING_TAGS):
        if tag_of(element) in ("div", "section", "article", "span", "font", "li", "td"):
            text = own_text(element)
            if len(text) < min_chars:
                continue
            links = own_link_chars(element)
        else:
            s = stats.get(element)
            # A heading counts only as a paragraph set in a heading's type.
            least = _LONG_HEADING_CHARS + 1 if element.tag in HEADING_TAGS else min_chars
            if s is None or s.text_chars < least:
                continue
            text = " ".join(element.text_content().split())
            links = s.link_chars
        score = block_score(text, links, min_chars)
        if score <= 0:
            continue
        ancestor = element.getparent()
        if tag_of(element) in ("div", "section", "article", "td"):
            ancestor = element
        level = 0
        while ancestor is not None and level < 3:
            raw[ancestor] = raw.get(ancestor, 0.0) + score / (1.0 if level == 0 else level * 2.0)
            ancestor = ancestor.getparent()
            level += 1
    candidates = []
    for element, score in raw.items():
        if tag_of(element) in ("html", "body"):
            score *= 0.5
        s = stats.get(element)
        density = s.link_density if s else 0.0
        score = (score + attribute_weight(element, generic)) * (1 - density)
        if score > 0 and _titled_as_clutter(element, generic):
            score *= _CLUTTER_TITLED_FACTOR
        candidates.append(Candidate(element, score))
    candidates.sort(key=lambda c: c.score, reverse=True)
    return candidates
