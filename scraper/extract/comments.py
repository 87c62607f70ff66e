"""Reader comments, kept only when asked (`Options.include_comments`).

By default a blog's comment section is pruned as chrome. Asked for, it is taken out of the page
before the article is looked for (so it can neither win nor be pruned), then read as a thread
on its own, where the replies are the content and their bookkeeping ("Reply", "Log in to
reply", avatars, signatures) is not, and its blocks follow the article's.
"""

from __future__ import annotations

from lxml import etree

from scraper.extract.clutter import filter_clutter
from scraper.models import Options
from scraper.prune import ARTICLE_BODIES, detach, prune_tree, strip_inert
from scraper.rules.model import NO_GENERIC, GenericRules
from scraper.score import HEADING_TAGS, attr_text, measure_tree

# A section with less text than this is a counter or a link ("3 comments"), not the discussion.
_MIN_SECTION_CHARS = 50
# Elements that can hold a discussion; an inline element named "comments" is a counter.
_SECTION_TAGS = frozenset({"div", "section", "aside", "ol", "ul", "footer", "article"})


def take_comment_sections(root: etree._Element, generic: GenericRules) -> list[etree._Element]:
    """Detach and return the page's comment sections (by their class or id names), in page order.

    A section that holds the page's headline or its marked article body is the page itself
    misnamed, and stays.
    """
    if generic.comments_attr is None:
        return []
    sections: list[etree._Element] = []
    for element in root.iter(*_SECTION_TAGS):
        if not generic.comments_attr.search(attr_text(element)):
            continue
        if sections and any(ancestor in sections for ancestor in element.iterancestors()):
            # Inside a section already taken: the outermost one holds the whole discussion.
            continue
        if len(" ".join(element.text_content().split())) < _MIN_SECTION_CHARS:
            continue
        if next(element.iter("h1", "main"), None) is not None or ARTICLE_BODIES(element):
            continue
        sections.append(element)
    for section in sections:
        detach(section)
    return sections


def clean_comment_sections(
    sections: list[etree._Element], generic: GenericRules | None, options: Options
) -> list[etree._Element]:
    """Prune each detached section as a thread (its replies kept, their chrome not); return
    those with text left."""
    kept = []
    for section in sections:
        strip_inert(section)
        stats = measure_tree(section)
        body, _ = prune_tree(section, None, generic, options, stats, None, thread=True)
        if generic is not None and generic.comment_heading is not None:
            # "12 Comments", "Leave a reply": the section's label, which the clutter filter would
            # read as the heading of a box to drop, with the replies under it.
            for heading in list(body.iter(*HEADING_TAGS)):
                if generic.comment_heading.match(" ".join(heading.text_content().split())):
                    detach(heading, stats)
        filter_clutter([body], None, generic or NO_GENERIC, options, stats, None, thread=True)
        if " ".join(body.text_content().split()):
            kept.append(body)
    return kept
