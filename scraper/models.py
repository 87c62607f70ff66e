"""Value objects passed between the stages: options in, article out."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Favor = Literal["balanced", "precision", "recall"]
ExtractionPath = Literal["rule", "scorer", "fallback", "second-opinion", "empty"]


@dataclass(frozen=True)
class Options:
    """Knobs of the extraction core; every threshold is named and explained."""

    # Trade clutter for completeness: "precision" drops doubtful blocks, "recall" keeps them.
    favor: Favor = "balanced"
    # Tables are part of many stories (results, prices, timelines), so they are kept. Off, a table
    # of data is left out of every output (a table that lays out the page's prose stays).
    include_tables: bool = True
    # Reader comments are not the article, and most users want them out. On, a blog's comment
    # section (found by its class or id names) is read as a thread and follows the article.
    include_comments: bool = False
    # Keep images as references in markdown (![alt](src)) and html; plain text never shows them.
    include_images: bool = False
    # Render `Article.html` too. It costs more than text and markdown together (about 1 ms a
    # page), so callers that only use text or markdown turn it off; `html` is then empty.
    render_html: bool = True
    # Search the page for its publication date (htmldate: meta tags, JSON-LD, then the page's
    # elements). It is a sixth of a page's cost, so callers that do not keep the metadata turn it
    # off; `metadata.date` is then None and everything else is the same.
    find_date: bool = True
    # 20 MB of HTML is far beyond any real article page; larger input is refused early.
    max_input_bytes: int = 20_000_000
    # lxml and our recursive walks stay safe well below Python's recursion limit.
    max_depth: int = 400
    # A block with fewer characters than this carries no evidence of being prose on its own.
    min_block_chars: int = 25
    # Share of a block's text inside links above which it reads as navigation.
    max_link_density: float = 0.5
    # A sibling joins the chosen body when its score is at least this share of the best one.
    sibling_score_ratio: float = 0.2
    # Runs of at least this many same-shaped, link-led siblings are teaser lists.
    teaser_run_min: int = 5
    # Climbing from the best block to an ancestor stops at one whose text is more linked than this
    # (a layout holding menus and teaser lists) ...
    climb_max_link_density: float = 0.45
    # ... or that adds text more linked than this.
    climb_max_added_density: float = 0.65
    # Ask trafilatura for a second opinion when our body is shorter than this (characters);
    # it runs on about 4% of pages and raises F1 on every development set (docs/accuracy.md). 0 turns it off.
    second_opinion_below_chars: int = 600

    def __post_init__(self) -> None:
        problem = self.problem()
        if problem:
            from scraper.errors import UsageError

            raise UsageError(f"bad option: {problem}")

    def problem(self) -> str | None:
        """Return what is wrong with these options (a wrong type or a value out of range), or None."""
        if self.favor not in get_args(Favor):
            return f"favor must be balanced, precision or recall, not {self.favor!r}"
        for name in ("include_tables", "include_comments", "include_images", "render_html", "find_date"):
            if not isinstance(getattr(self, name), bool):
                return f"{name} must be True or False, not {getattr(self, name)!r}"
        for name, low in _LOWEST.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                return f"{name} must be a whole number of at least {low}, not {value!r}"
        for name in _SHARES:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                return f"{name} must be a share from 0 to 1, not {value!r}"
        return None

    def tuned(self) -> Options:
        """Return the options with `favor` applied to the thresholds it moves (measured in docs/accuracy.md)."""
        if self.favor == "precision":
            return self.replace(
                climb_max_link_density=0.3, climb_max_added_density=0.4, teaser_run_min=3,
                second_opinion_below_chars=0, max_link_density=0.35, sibling_score_ratio=0.4,
            )
        if self.favor == "recall":
            return self.replace(
                climb_max_link_density=0.55, climb_max_added_density=0.8, teaser_run_min=8,
                second_opinion_below_chars=max(self.second_opinion_below_chars, 1000),
            )
        return self

    def replace(self, **changes: Any) -> Options:
        """Return a copy with some fields changed (unknown names raise TypeError)."""
        return dataclasses.replace(self, **changes)


# The smallest value of each whole-number option, and the options that are shares of a whole.
_LOWEST = {
    "max_input_bytes": 1, "max_depth": 10, "min_block_chars": 0,
    "teaser_run_min": 2, "second_opinion_below_chars": 0,
}
_SHARES = ("max_link_density", "sibling_score_ratio", "climb_max_link_density", "climb_max_added_density")


@dataclass(frozen=True)
class Metadata:
    """What the page says about itself."""

    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    language: str | None = None
    description: str | None = None
    canonical_url: str | None = None
    image: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        data = dataclasses.asdict(self)
        data["categories"] = list(self.categories)
        data["tags"] = list(self.tags)
        return data


@dataclass(frozen=True)
class Article:
    """The result of cleaning one page."""

    url: str | None
    title: str | None
    text: str
    markdown: str
    html: str
    metadata: Metadata = field(default_factory=Metadata)
    # Which path produced the text: a site rule's body selector, our scorer, a fallback, or nothing.
    path: ExtractionPath = "scorer"
    # Id of the site rule that matched, if any.
    rule_id: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when no article text was found."""
        return not self.text.strip()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "url": self.url,
            "title": self.title,
            "text": self.text,
            "markdown": self.markdown,
            "html": self.html,
            "metadata": self.metadata.to_dict(),
            "path": self.path,
            "rule_id": self.rule_id,
        }
