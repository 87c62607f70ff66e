"""The extraction options `clean` and `bulk` share (--favor, --comments, --images, --no-tables, --no-second-opinion)."""

from __future__ import annotations

import argparse
from typing import Any


def add_extraction_options(parser: argparse.ArgumentParser) -> None:
    """Add the options that tune extraction itself."""
    parser.add_argument(
        "--favor", choices=("balanced", "precision", "recall"), default="balanced",
        help="trade clutter for completeness",
    )
    parser.add_argument(
        "--images", action="store_true",
        help="keep images as references in markdown (![alt](src)) and html output (text never shows them)",
    )
    parser.add_argument(
        "--comments", action="store_true",
        help="keep a blog's reader comments, after the article (left out by default)",
    )
    parser.add_argument(
        "--no-tables", action="store_true",
        help="leave tables of data out (a table that lays out the page's prose stays)",
    )
    parser.add_argument(
        "--no-second-opinion", action="store_true",
        help="never ask trafilatura (it is asked on the 4%% of pages where our body is short): about "
        "a twentieth less time, F1 0.004 lower on wcxb's listings and cards, up to 0.001 higher elsewhere",
    )


def extraction_options(args: argparse.Namespace) -> dict[str, Any]:
    """Return the `Options` fields the extraction options set."""
    chosen: dict[str, Any] = {"favor": args.favor}
    if args.no_second_opinion:
        chosen.update(second_opinion_below_chars=0)
    if getattr(args, "images", False):
        chosen.update(include_images=True)
    if getattr(args, "comments", False):
        chosen.update(include_comments=True)
    if getattr(args, "no_tables", False):
        chosen.update(include_tables=False)
    return chosen
