"""Extraction: choose the article body (`body.py`), then drop the clutter inside it (`clutter.py`,
with the runs of teaser cards found by `teasers.py`); reader comments, when asked for, are set
aside and read as a thread (`comments.py`)."""

from __future__ import annotations

from scraper.extract.body import Body, select_body
from scraper.extract.clutter import filter_clutter

__all__ = ["Body", "filter_clutter", "select_body"]
