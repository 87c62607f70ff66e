"""Runs of teaser cards inside the chosen body: same-shaped siblings, each led by a link to
another page (a title, often a thumbnail and a line of excerpt), that are not the story."""

from __future__ import annotations

import re
from collections.abc import Container

from lxml import etree

from scraper.extract.nodes import in_notes, previous_element
from scraper.models import Options
from scraper.rules.model import CaselessPattern
from scraper.score import CLUTTER_HEADING_CHARS, HEADING_TAGS, NodeStats, tag_of

# Words between two links: they are inline in running text, not a run of cards.
_WORDS = re.compile(r"\w{3,}")
# Blocks of running text: the links in them are never a run of teaser cards.
_RUNNING_TEXT_TAGS = frozenset({"p", "blockquote"}) | HEADING_TAGS
# Link texts that close an excerpt card.
_READ_MORE = frozenset({
    "read more", "read more »", "continue reading", "read the full story", "full story", "more",
    "weiterlesen", "mehr", "lire la suite", "leer más", "leggi di più", "leia mais", "czytaj dalej",
    "lees verder", "читать далее", "阅读全文", "続きを読む",
})
# Teaser runs are dropped only while they are a minority of the container's text: on a listing
# page the teasers are the content.
_TEASER_MAX_SHARE = 0.5
# Excerpt cards ending with a "Read more" link to their own title's page make a teaser run from this many on.
_READ_MORE_RUN_MIN = 2


def mark_teaser_runs(
    container: etree._Element,
    stats: dict[etree._Element, NodeStats],
    options: Options,
    doomed: dict[etree._Element, str],
    announced: Container[etree._Element],
    notes: CaselessPattern | None,
    texts: dict[etree._Element, str],
) -> None:
    """Runs of same-shaped siblings led by a link (teaser cards) are not the story; the article's
    reference list (`notes`: its class or id) is, as it is for the link-density test, and so are
    the lists a sentence of the article announces (`announced`). `texts` gives an element's
    whitespace-normalised text, read once for all the clutter tests."""
    runs: list[list[etree._Element]] = []
    for parent in container.iter():
        if tag_of(parent) in _RUNNING_TEXT_TAGS or parent in announced:
            # Links inside a paragraph are words of its sentences, however many; the items of a
            # list the text announces are what it is about.
            continue
        children = [c for c in parent if tag_of(c)]
        if len(children) < _READ_MORE_RUN_MIN:
            continue
        run: list[etree._Element] = []
        for child in children:
            if not _is_teaser(child, stats, texts):
                _end_run(run, runs, options)
                run = []
            elif run and _same_shape(child, run[0]) and not _WORDS.search(run[-1].tail or ""):
                run.append(child)
            else:
                _end_run(run, runs, options)
                run = [child]
        _end_run(run, runs, options)
    total = stats[container].text_chars if container in stats else 0
    teaser_chars = sum(stats[e].text_chars for run in runs for e in run if e in stats)
    if not total or teaser_chars > _TEASER_MAX_SHARE * total:
        return
    for run in runs:
        if in_notes(run[0], container, notes):
            # The article's reference list: each item cites a source, often led by a backlink.
            continue
        for element in run:
            doomed[element] = "teaser run"
        heading = _run_heading(run, container, stats)
        if heading is not None and heading not in doomed:
            doomed[heading] = "heading of a teaser run"


def _signature(element: etree._Element) -> tuple[str, str]:
    return tag_of(element), " ".join(sorted((element.get("class") or "").split()))


def _same_shape(element: etree._Element, first: etree._Element) -> bool:
    """True when `element` continues the run `first` began: same tag and classes, or both
    excerpt cards of one tag (a blog names each post's categories in its classes)."""
    if _signature(element) == _signature(first):
        return True
    return tag_of(element) == tag_of(first) and _excerpt_card(element) and _excerpt_card(first)


def _run_heading(
    run: list[etree._Element], container: etree._Element, stats: dict[etree._Element, NodeStats]
) -> etree._Element | None:
    """Return the heading that titles a teaser run and nothing else ("From the journal"), or None.

    The run must be all the text of the block it fills (and of that block's wrappers); the
    heading is the element just before that block.
    """
    block = run[0].getparent()
    held = sum(stats[e].text_chars for e in run if e in stats)
    if block is None or block is container or stats.get(block) is None or stats[block].text_chars > held:
        return None
    while (
        (parent := block.getparent()) is not None and parent is not container
        and parent in stats and stats[parent].text_chars <= held
    ):
        block = parent
    heading = previous_element(block)
    if heading is None or tag_of(heading) not in HEADING_TAGS:
        return None
    s = stats.get(heading)
    return heading if s is not None and 0 < s.text_chars <= CLUTTER_HEADING_CHARS else None


def _end_run(run: list[etree._Element], runs: list[list[etree._Element]], options: Options) -> None:
    """Keep `run` as a teaser run if it is long enough: a few cards that each end with a "Read
    more" link back to their own title's page are excerpts of other pages, two of them will do."""
    if len(run) >= options.teaser_run_min or (len(run) >= _READ_MORE_RUN_MIN and all(map(_excerpt_card, run))):
        runs.append(run)


def _excerpt_card(element: etree._Element) -> bool:
    """True for a card whose first and last links go to one page, the last saying "Read more"."""
    links = list(element.iter("a"))
    if len(links) < 2:
        return False
    href = links[0].get("href")
    return bool(href) and href == links[-1].get("href") and _says_read_more(links[-1])


def _is_teaser(
    element: etree._Element, stats: dict[etree._Element, NodeStats], texts: dict[etree._Element, str]
) -> bool:
    """A teaser: short, led by a linked title (often with a thumbnail and a one-line excerpt)."""
    s = stats.get(element)
    if s is None or s.text_chars == 0 or s.text_chars > 600:
        return False
    if tag_of(element) in ("p", "tr", "td"):
        return False
    first_link = next(element.iter("a"), None)
    if first_link is None:
        return False
    link_text = len(texts[first_link])
    if not link_text:
        title = _thumbnail_title(element, first_link)
        link_text = len(texts[title]) if title is not None else 0
    if s.link_density > 0.5 or _ends_with_read_more(element):
        return True
    if _described_term(element, first_link, s, texts):
        return False
    if _opens_in_place(first_link):
        # A title that opens its own answer in place (an FAQ's question, a tab) leads no teaser.
        return False
    has_image = any(True for _ in element.iter("img"))
    return link_text >= 15 and (has_image or _starts_with(element, first_link) or s.link_density > 0.25)


# A list entry that names its subject and describes it ("Breadman BK1050S – This machine has 14
# settings ..."): the linked name, an optional short aside in brackets, a ':' or a dash, then at
# least _TERM_MIN_WORDS_CHARS characters of description.
_TERM_LEAD = re.compile(r"(.{1,150}?)(?:[:\u2013\u2014]|\s-)\s")
_TERM_ASIDE = re.compile(r"\s*(\([^()]{1,40}\))?\s*")
_TERM_MIN_WORDS_CHARS = 20


def _described_term(
    element: etree._Element, first_link: etree._Element, s: NodeStats, texts: dict[etree._Element, str]
) -> bool:
    """True for an entry of the article's own list: a linked name, then a ':' or a dash and its
    description ("<a>Apple AirPods Pro 3</a> ($249 at Amazon): While Apple's flagship ...").

    A teaser card puts its title and its excerpt in blocks of their own, with nothing between.
    """
    if s.text_chars - s.link_chars < _TERM_MIN_WORDS_CHARS:
        return False
    text = texts[element]
    lead = _TERM_LEAD.match(text)
    if lead is None or len(text) - lead.end() < _TERM_MIN_WORDS_CHARS:
        return False
    name = texts[first_link]
    start = lead.group(1).find(name) if name else -1
    # The name opens the entry (after a number or a bullet at most), and only an aside follows it.
    return 0 <= start <= 5 and _TERM_ASIDE.fullmatch(lead.group(1)[start + len(name):]) is not None


def _opens_in_place(link: etree._Element) -> bool:
    """True for a link to nowhere else: no href, an anchor of the same page, or a script."""
    return (link.get("href") or "#").startswith(("#", "javascript:"))


def _thumbnail_title(element: etree._Element, thumbnail: etree._Element) -> etree._Element | None:
    """Return the link that titles a card led by a linked image without text: the next link to
    the same page, if no text comes before it; else None."""
    if _opens_in_place(thumbnail):
        return None
    href = thumbnail.get("href")
    for link in element.iter("a"):
        if link is not thumbnail and link.get("href") == href and link.text_content().strip():
            return link if _starts_with(element, link) else None
    return None


def _ends_with_read_more(element: etree._Element) -> bool:
    """True when the block's last link says "Read more" (an excerpt card)."""
    last = None
    for last in element.iter("a"):
        pass
    return last is not None and _says_read_more(last)


def _says_read_more(link: etree._Element) -> bool:
    return " ".join(link.text_content().split()).lower().rstrip(" .…»›>→") in _READ_MORE


def _starts_with(element: etree._Element, link: etree._Element) -> bool:
    """True when no text comes before `link` inside `element`."""
    for node in element.iter():
        if node is link:
            return True
        if node.text and node.text.strip():
            return False
        if node is not element and node.tail and node.tail.strip() and link not in node.iterdescendants():
            return False
    return False
