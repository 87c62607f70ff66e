"""scraper: take a web page, give back the article and nothing else.

    >>> import scraper
    >>> article = scraper.clean(html, url="https://example.org/news/1")
    >>> article.title, article.text
"""

from __future__ import annotations

import logging

__version__ = "0.1.0"

from scraper.core import Traced, clean, clean_traced
from scraper.errors import (
    FetchError,
    InputError,
    NoContentError,
    RuleError,
    ScraperError,
    UsageError,
)
from scraper.models import Article, Metadata, Options
from scraper.rules import RuleSet

logging.getLogger(__name__).addHandler(logging.NullHandler())

# The network and bulk edges load on first use, so `import scraper` for clean() stays light.
_LAZY = {
    "fetch": "scraper.fetch",
    "fetch_many": "scraper.fetch",
    "FetchOptions": "scraper.fetch",
    "Fetcher": "scraper.fetch",
    "Page": "scraper.fetch",
    "load_ruleset": "scraper.rules",
}


def __dir__() -> list[str]:
    """List the public names, the lazily loaded ones included."""
    return sorted(set(globals()) | set(_LAZY))


def __getattr__(name: str) -> object:
    """Import the fetcher and rule loader on first use (PEP 562)."""
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'scraper' has no attribute {name!r}")
    import importlib

    module = importlib.import_module(module_name)
    # `scraper.fetch` is the callable fetch package itself; the rest are its attributes.
    return module if name == "fetch" else getattr(module, name)

__all__ = [
    "Article",
    "FetchError",
    "FetchOptions",
    "Fetcher",
    "InputError",
    "Metadata",
    "NoContentError",
    "Options",
    "Page",
    "RuleError",
    "RuleSet",
    "ScraperError",
    "Traced",
    "UsageError",
    "__version__",
    "clean",
    "clean_traced",
    "fetch",
    "fetch_many",
    "load_ruleset",
]
