"""scraper: take a web page, give back the article and nothing else.

    >>> import scraper
    >>> article = scraper.clean(html, url="https://example.org/news/1")
    >>> article.title, article.text
"""

from __future__ import annotations

import logging

__version__ = "0.1.0"

from scraper.core import Traced, clean, clean_traced  # noqa: E402
from scraper.errors import (  # noqa: E402
    FetchError,
    InputError,
    NoContentError,
    RuleError,
    ScraperError,
    UsageError,
)
from scraper.models import Article, Metadata, Options  # noqa: E402
from scraper.rules import RuleSet  # noqa: E402

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "Article",
    "FetchError",
    "InputError",
    "Metadata",
    "NoContentError",
    "Options",
    "RuleError",
    "RuleSet",
    "ScraperError",
    "Traced",
    "UsageError",
    "__version__",
    "clean",
    "clean_traced",
]
